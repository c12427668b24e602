"""gunicorn's configuration for test_routing.py: two sync workers; each
worker says "worker ready <pid>" once it serves, and the master says
"worker exited <pid>" once it has reaped one. gunicorn's own log (the master's
"Handling signal: hup") goes to stderr, which the test reads with stdout."""
import os

workers = 2
worker_class = "sync"
graceful_timeout = 20
errorlog = "-"
loglevel = "info"


def post_worker_init(worker):
    os.write(1, f"worker ready {worker.pid}\n".encode())


def child_exit(server, worker):
    os.write(1, f"worker exited {worker.pid}\n".encode())
