"""A worker of a shell script: blocks every catchable signal, says
"worker <n> ready", then reports each signal it gets as "worker <n> got <signo>",
taken with sigwaitinfo() (lowest number first, so a higher-numbered signal sent
later is a fence: whatever came before it is reported first). Exits 0 after
SIGTERM."""
import os
import signal
import sys

n = sys.argv[1]
SIGNALS = set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}
signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
os.write(1, f"worker {n} ready\n".encode())
for _ in range(1000):
    info = signal.sigwaitinfo(SIGNALS)
    os.write(1, f"worker {n} got {info.si_signo}\n".encode())
    if info.si_signo == signal.SIGTERM:
        sys.exit(0)
