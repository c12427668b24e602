"""Exec a command with exactly the given signal state, as a parent would
leave it: `withsignals.py [--block SIGS] [--ignore SIGS] -- command args...`
(SIGS: comma-separated numbers). Every other signal is set to its default
disposition (Python itself ignores SIGPIPE and SIGXFSZ) and unblocked; exec
keeps the mask and the ignored signals.

Used as the parent of pidone where preexec_fn cannot reach it: in pid1 mode
unshare(1) stands between the test and pidone and resets SIGCHLD."""
import argparse
import ctypes
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


# glibc will not touch 32 and 33, which a parent may still have blocked or
# ignored: the bare system calls (x86-64 numbers) reach every signal.
libc = ctypes.CDLL(None, use_errno=True)
SYS_rt_sigaction, SYS_rt_sigprocmask, SIG_SETMASK = 13, 14, 2


def disposition(sig, ignored):
    action = (ctypes.c_ulong * 4)(1 if ignored else 0, 0, 0, 0)  # SIG_IGN or SIG_DFL
    if libc.syscall(SYS_rt_sigaction, sig, ctypes.byref(action), None, 8) != 0:
        raise OSError(ctypes.get_errno(), f"rt_sigaction {sig}")


ignore = numbers(opts.ignore)
for sig in range(1, 65):
    if sig not in (signal.SIGKILL, signal.SIGSTOP):
        disposition(sig, sig in ignore)
mask = ctypes.c_uint64(sum(1 << (s - 1) for s in numbers(opts.block)))
if libc.syscall(SYS_rt_sigprocmask, SIG_SETMASK, ctypes.byref(mask), None, 8) != 0:
    raise OSError(ctypes.get_errno(), "rt_sigprocmask")
os.execvp(argv[0], argv)
