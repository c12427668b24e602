"""A command that reports every signal it gets, one line each on stdout:
"<who> <signo>", like sigrecord.py, but in the kernel's order: it blocks every
catchable signal (but SIGCHLD) and takes them one at a time with
sigwaitinfo(), which returns the lowest-numbered pending signal first. So a
signal sent after another that is still pending and has a lower number is
always reported after it, which lets a test use a high-numbered signal as a
fence. With --grandchild it forks a second reporter first (same process group,
same mask). Prints "<who> ready" once the signals are blocked."""
import argparse
import os
import signal

parser = argparse.ArgumentParser()
parser.add_argument("--grandchild", action="store_true")
opts = parser.parse_args()

SIGNALS = set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}
signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)

who = "child"
if opts.grandchild and os.fork() == 0:
    who = "grandchild"
os.write(1, f"{who} ready\n".encode())
while True:
    info = signal.sigwaitinfo(SIGNALS)
    os.write(1, f"{who} {info.si_signo}\n".encode())
