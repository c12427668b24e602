"""A command that reports every signal it gets, one line each on stdout:
"<who> <signo>". With --grandchild it forks a second reporter first, in
the same process group. Prints "<who> ready" when its handlers are in place.
Exits 0 on the signal given with --exit-on (default: never)."""
import argparse
import os
import signal

parser = argparse.ArgumentParser()
parser.add_argument("--grandchild", action="store_true")
parser.add_argument("--exit-on", type=int, default=0)
opts = parser.parse_args()

who = "child"
if opts.grandchild:
    if os.fork() == 0:
        who = "grandchild"


def report(sig, frame):
    os.write(1, f"{who} {sig}\n".encode())
    if sig == opts.exit_on:
        os._exit(0)


for sig in range(1, signal.SIGRTMAX + 1):
    if sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
        continue
    try:
        signal.signal(sig, report)
    except (OSError, ValueError):
        pass
# signal.pause() would sleep through a signal that lands after Python's
# last look for one and before the pause itself; a wake-up pipe cannot.
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
os.write(1, f"{who} ready\n".encode())
for _ in range(1000000):
    os.read(wake_r, 512)
