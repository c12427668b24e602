"""A command that reports every signal it gets, one line each on stdout:
"<who> <signo>". With --grandchild it forks a second reporter in its own
process group first. Prints "<who> ready" when its handlers are in place.
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
os.write(1, f"{who} ready\n".encode())
while True:
    signal.pause()
