"""Exec a command with exactly the given signal state, as a parent would
leave it: `withsignals.py [--block SIGS] [--ignore SIGS] -- command args...`
(SIGS: comma-separated numbers). Every other signal is set to its default
disposition (Python itself ignores SIGPIPE and SIGXFSZ) and unblocked; exec
keeps the mask and the ignored signals.

Used as the parent of pidone where preexec_fn cannot reach it: in pid1 mode
unshare(1) stands between the test and pidone and resets SIGCHLD."""
import argparse
import os
import signal

parser = argparse.ArgumentParser()
parser.add_argument("--block", default="")
parser.add_argument("--ignore", default="")
parser.add_argument("argv", nargs=argparse.REMAINDER)
opts = parser.parse_args()
argv = opts.argv[1:] if opts.argv[:1] == ["--"] else opts.argv


def numbers(text):
    return {int(s) for s in text.split(",") if s}


ignore = numbers(opts.ignore)
for sig in range(1, signal.SIGRTMAX + 1):
    if sig in (signal.SIGKILL, signal.SIGSTOP):
        continue
    try:
        signal.signal(sig, signal.SIG_IGN if sig in ignore else signal.SIG_DFL)
    except (OSError, ValueError):
        pass  # 32 and 33 belong to libc
signal.pthread_sigmask(signal.SIG_SETMASK, numbers(opts.block))
os.execvp(argv[0], argv)
