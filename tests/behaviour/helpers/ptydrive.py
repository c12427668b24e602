"""A small driver for programs on a pseudo-terminal, for the tty tests.

    term = Pty(["bash", "--norc", "--noprofile", "-i"], env=...)
    term.expect("PROMPT> ")          # wait (bounded) until the text appears
    term.sendline("sleep 30")
    term.send(CTRL_C)
    term.close()                     # kill everything below it, by pid; reap

The child runs in a new session with the pty as its controlling terminal
(pty.fork()). expect() reads with select() until the text (or regex) shows up
after what earlier expects consumed, and fails with the output seen so far if
it does not come within the timeout; nothing here sleeps in place of waiting
for output. Everything the program writes is kept in `output` for messages.
"""
import errno
import fcntl
import os
import pty
import re
import resource
import select
import signal
import struct
import termios
import time

CTRL_C = "\x03"
CTRL_BACKSLASH = "\x1c"
CTRL_Z = "\x1a"
CTRL_D = "\x04"

# Signals Python sets to SIG_IGN, which exec would pass on to the program.
_PYTHON_IGNORES = [s for s in (getattr(signal, "SIGPIPE", None),
                               getattr(signal, "SIGXFSZ", None)) if s]


def _children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def _parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rpartition(")")[2].split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None


def descendants_of(pid):
    out, todo = [], [pid]
    while todo:
        for c in _children_of(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


class Pty:
    def __init__(self, argv, env=None, cwd=None, rows=40, cols=132):
        self.argv = list(argv)
        pid, fd = pty.fork()
        if pid == 0:  # the child: session leader, the pty is its terminal
            try:
                for sig in _PYTHON_IGNORES:
                    signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # Ctrl-\ dumps no core
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, os.environ if env is None else env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = b""  # everything read from the terminal
        self.pos = 0       # how much of it expect() has consumed
        self.eof = False
        self.status = None
        self._pidfd = os.pidfd_open(pid)

    # --- reading ---------------------------------------------------------

    def _read(self, timeout):
        """Read what is there within timeout; False at end of file."""
        if self.eof:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError as e:  # EIO: every slave descriptor is closed
            if e.errno != errno.EIO:
                raise
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.output += chunk
        return True

    def text(self, start=0):
        # latin-1: one character per byte, so positions in text are offsets
        return self.output[start:].decode("latin-1")

    def tail(self, n=1500):
        return self.text()[-n:]

    def expect(self, pattern, timeout=5.0):
        """Wait until pattern (a str, or a compiled regex) appears in the output
        not consumed yet; consume up to its end and return the match."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.text(self.pos))
            if m:
                self.pos += m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                why = "end of output" if self.eof else f"{timeout}s"
                raise AssertionError(
                    f"{pattern if isinstance(pattern, str) else pattern.pattern!r} "
                    f"not seen ({why}) from {self.argv}; output so far:\n{self.tail()}")

    def since(self, start):
        """The output from byte offset start up to what expect() consumed."""
        return self.output[start:self.pos].decode("latin-1")

    def mark(self):
        return self.pos

    # --- writing ---------------------------------------------------------

    def send(self, keys):
        os.write(self.fd, keys.encode())

    def sendline(self, line):
        self.send(line + "\r")

    # --- the program -----------------------------------------------------

    def wait(self, timeout=5.0):
        """The program's exit code (as subprocess gives it: -N if killed),
        reading its output meanwhile so it never blocks on a full terminal."""
        if self.status is not None:
            return self.status
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.argv} did not exit within {timeout}s; "
                                     f"output so far:\n{self.tail()}")
            fds = [self._pidfd] + ([] if self.eof else [self.fd])
            ready, _, _ = select.select(fds, [], [], left)
            if self.fd in ready:
                self._read(0)

    def close(self):
        """Kill the program and everything below it, by pid, and reap them."""
        killed = set()
        for _ in range(50):  # bounded: a shell may fork while being killed
            pids = [p for p in descendants_of(self.pid) if p not in killed]
            if not pids:
                break
            killed.update(pids)
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        # The test process is a subreaper (conftest.py): what was below comes
        # to it; reap those zombies (and only those), bounded in time.
        deadline = time.monotonic() + 5
        for p in killed:
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(p, os.WNOHANG)[0] == p:
                        break
                except ChildProcessError:  # gone, or its dying parent has it yet
                    if _parent_of(p) not in killed:
                        break
                time.sleep(0.001)  # a killed process takes a moment to exit
        os.close(self._pidfd)
        os.close(self.fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
