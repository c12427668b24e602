"""A WSGI app for gunicorn (sync workers). GET /slow says "in flight <pid>"
on stdout, then holds the request until the test writes to the release pipe
(the descriptor in RELEASE_FD), at most 20 s; any other path answers at once."""
import os
import select

RELEASE_FD = int(os.environ["RELEASE_FD"])


def app(environ, start_response):
    body = b"ok\n"
    if environ["PATH_INFO"] == "/slow":
        os.write(1, f"in flight {os.getpid()}\n".encode())
        ready, _, _ = select.select([RELEASE_FD], [], [], 20)
        body = b"finished\n" if ready else b"never released\n"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
