"""A command that reports every real-time signal it gets, in the order it
takes them, one line each on stdout: "<signo>".

It keeps SIGRTMIN..SIGRTMAX blocked and takes them one by one with
sigwaitinfo(), so none is merged with another of the same number (a Python
signal handler would merge them) and the kernel's order is kept: queued
real-time signals come out lowest number first, each number in the order
sent. Prints "ready" once the signals are blocked. Exits 0 after taking the
signal given with --exit-on (default: never)."""
import argparse
import os
import signal

parser = argparse.ArgumentParser()
parser.add_argument("--exit-on", type=int, default=0)
opts = parser.parse_args()

# 32 and 33 are glibc's own; senders use 34 (SIGRTMIN) .. 64 (SIGRTMAX).
realtime = set(range(signal.SIGRTMIN, signal.SIGRTMAX + 1))
signal.pthread_sigmask(signal.SIG_BLOCK, realtime)
os.write(1, b"ready\n")
while True:
    sig = signal.sigwaitinfo(realtime).si_signo
    os.write(1, f"{sig}\n".encode())
    if sig == opts.exit_on:
        os._exit(0)
