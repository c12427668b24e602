"""Start one process that outlives the command: a "leftover" for the drain.

The process that runs this script forks the leftover, waits until it is set
up, and exits with --exit (default 0), the way a daemon's launcher returns.
The leftover prints "ready <pid>" on stdout (its pid as it sees it), then
points its stdout and stderr at /dev/null so it never holds pidone's pipes,
and waits for signals. It reports what happens to it as lines
"<pid> <event>" appended to --log (one write each).

What it does with the drain signal (--signal, default TERM), --on:
  default  nothing set up: the signal's default action
  ignore   SIG_IGN
  exit     after --linger seconds (default 0) of clean-up, log
           "<pid> got <signo>" and exit 0 (the marker of a clean stop)
  fork     log "<pid> got <signo>", fork a child that ignores the signal
           (logs "<child> forked", its own session, waits forever), exit 0
  hop      log "<pid> got <signo>", then keep forking: each generation logs
           "<pid> hop", ignores the signal and exits as soon as its successor
           is forked (every --hop-ms, default 20 ms, at most 1000 times)
--record: every other catchable signal is logged as "<pid> signal <signo>".
--foreground: no launcher: this process is the leftover (for nsenter, which
              stays its parent).
--setsid: the leftover calls setsid() (a daemon).
--stop: the leftover stops itself with SIGSTOP; the launcher exits only once
        it has seen it stopped (setsid() is implied, so the kernel's orphaned
        process group SIGHUP/SIGCONT cannot wake it: only pidone can).
--zombie: the leftover forks a child that exits at once and never reaps it
          (logs "<pid> zombie <child>" once the child is dead).
"""
import argparse
import os
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--on", default="default",
                    choices=["default", "ignore", "exit", "fork", "hop"])
parser.add_argument("--signal", default="TERM")
parser.add_argument("--record", action="store_true")
parser.add_argument("--setsid", action="store_true")
parser.add_argument("--stop", action="store_true")
parser.add_argument("--zombie", action="store_true")
parser.add_argument("--log", default=os.devnull)
parser.add_argument("--exit", type=int, default=0)
parser.add_argument("--hop-ms", type=float, default=20)
parser.add_argument("--linger", type=float, default=0)
parser.add_argument("--foreground", action="store_true")
opts = parser.parse_args()

name = opts.signal.upper()
SIG = int(name) if name.isdigit() else int(getattr(signal, name if name.startswith("SIG") else "SIG" + name))
HOPS = 1000


def log(event):
    fd = os.open(opts.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, f"{os.getpid()} {event}\n".encode())
    os.close(fd)


def on_record(sig, frame):
    log(f"signal {sig}")


def on_exit(sig, frame):
    time.sleep(opts.linger)
    log(f"got {sig}")
    os._exit(0)


def on_fork(sig, frame):
    log(f"got {sig}")
    if os.fork() == 0:
        signal.signal(SIG, signal.SIG_IGN)
        os.setsid()
        log("forked")
        for _ in range(10000):
            signal.pause()
        os._exit(1)
    os._exit(0)


def on_hop(sig, frame):
    log(f"got {sig}")
    signal.signal(SIG, signal.SIG_IGN)
    for _ in range(HOPS):
        if os.fork() != 0:
            os._exit(0)
        log("hop")
        time.sleep(opts.hop_ms / 1000)
    os._exit(1)


read_end, write_end = os.pipe()
leftover = 0 if opts.foreground else os.fork()
if leftover != 0:
    # The launcher: return once the leftover is ready (and stopped, if asked).
    os.close(write_end)
    if os.read(read_end, 1) != b"r":
        sys.exit(125)
    if opts.stop:
        _, status = os.waitpid(leftover, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            sys.exit(125)
    sys.exit(opts.exit)

os.close(read_end)
if opts.setsid or opts.stop:
    os.setsid()
if opts.record:
    for s in range(1, signal.SIGRTMAX + 1):
        if s in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, SIG):
            continue
        try:
            signal.signal(s, on_record)
        except (OSError, ValueError):
            pass
actions = {"default": signal.SIG_DFL, "ignore": signal.SIG_IGN,
           "exit": on_exit, "fork": on_fork, "hop": on_hop}
signal.signal(SIG, actions[opts.on])
if opts.zombie:
    zombie = os.fork()
    if zombie == 0:
        os._exit(0)
    os.waitid(os.P_PID, zombie, os.WEXITED | os.WNOWAIT)
    log(f"zombie {zombie}")
os.write(1, f"ready {os.getpid()}\n".encode())
null = os.open(os.devnull, os.O_RDWR)
os.dup2(null, 1)
os.dup2(null, 2)
os.close(null)
if not opts.foreground:  # in the foreground there is no launcher to tell
    os.write(write_end, b"r")
os.close(write_end)
if opts.stop:
    os.kill(os.getpid(), signal.SIGSTOP)
# signal.pause() would sleep through a signal that lands after Python's
# last look for one and before the pause itself; a wake-up pipe cannot.
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
for _ in range(100000):
    os.read(wake_r, 512)
os._exit(1)
