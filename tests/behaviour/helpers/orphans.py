"""A command that leaves N orphans behind (default 2000).

It forks a middle process that forks the N and exits at once, so the N are
re-parented to the nearest reaper (pidone), not to this command. The N hold
no stdio (they cannot keep the test's pipes open) and wait on a pipe only this
command still holds open for writing. Once the middle process is reaped, the
command prints "orphaned <pid>", the pid of the first orphan as seen in the
command's pid namespace.

Then it reads stdin line by line:
  release   close the pipe: the N all exit at once and their zombies are the
            reaper's to collect; prints "released"
  exit N    exit with N (EOF: exit 0)
With --release-and-exit CODE it releases the orphans and exits with CODE as
soon as they are orphaned, without reading stdin."""
import argparse
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("count", type=int, nargs="?", default=2000)
parser.add_argument("--release-and-exit", type=int, default=None)
opts = parser.parse_args()


def say(text):
    os.write(1, f"{text}\n".encode())


hold_r, hold_w = os.pipe()  # the orphans wait for EOF on hold_r
pid_r, pid_w = os.pipe()    # the middle says who the first orphan is
middle = os.fork()
if middle == 0:
    os.close(pid_r)
    for i in range(opts.count):
        pid = os.fork()
        if pid == 0:
            os.close(hold_w)
            os.close(pid_w)
            for fd in (0, 1, 2):
                os.close(fd)
            os.read(hold_r, 1)
            os._exit(0)
        if i == 0:
            os.write(pid_w, f"{pid}\n".encode())
    os._exit(0)
os.close(hold_r)
os.close(pid_w)
_, status = os.waitpid(middle, 0)
if status != 0:
    sys.exit(f"orphans.py: middle process failed: status {status}")
first = os.read(pid_r, 64).decode().strip()
os.close(pid_r)
say(f"orphaned {first}")

if opts.release_and_exit is not None:
    os.close(hold_w)
    os._exit(opts.release_and_exit)

for line in sys.stdin:
    words = line.split()
    if words == ["release"]:
        os.close(hold_w)
        say("released")
    elif words[:1] == ["exit"]:
        os._exit(int(words[1]))
os._exit(0)
