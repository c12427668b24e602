"""Harness for pidone's behaviour tests.

Every test runs the built binary for real: as PID 1 of a fresh pid namespace
(`unshare -fp --mount-proc`, needs root) and, where it makes sense, in
subreaper mode (started directly, not PID 1). Synchronisation is by pipes and
waits with bounded timeouts, never by sleeping.

Safety: the test process makes itself a child subreaper, so everything the
tests start stays below it; tests only signal their own children or a
namespace they created, and clean-up kills leftovers by pid.
"""
import contextlib
import ctypes
import os
import select
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIDONE = os.environ.get("PIDONE", os.path.join(ROOT, "pidone"))
# The same code with test hooks (PIDONE_TEST_*), which the shipped binary has not.
HOOKS = os.environ.get("PIDONE_HOOKS", os.path.join(ROOT, "build", "hooks", "pidone"))
PYTHON = "/usr/bin/python3"
MODES = ("pid1", "subreaper")

# How long a test waits for something that takes milliseconds (a forwarded
# signal to be reported): generous, so that a stalled machine is not a failure,
# yet short enough that a pidone that drops every signal fails in minutes.
EVENT = 10.0
PR_SET_CHILD_SUBREAPER = 36

_libc = ctypes.CDLL(None, use_errno=True)
_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _default_disposition(sig):
    """SIG_DFL for a signal glibc keeps for itself (32, 33), which Python
    cannot touch: GNU make starts its children with them ignored
    (posix_spawn), and every process a test starts would inherit that."""
    SYS_rt_sigaction = 13  # x86-64
    kernel_sigaction = (ctypes.c_ulong * 4)(0, 0, 0, 0)  # SIG_DFL, no flags
    _libc.syscall(SYS_rt_sigaction, sig, ctypes.byref(kernel_sigaction), None, 8)


for _sig in (32, 33):
    _default_disposition(_sig)


def command(mode, args, init=None):
    """The argv that starts `init` (pidone by default) in the given mode."""
    init = init or [PIDONE]
    if mode == "pid1":
        return ["unshare", "-fp", "--mount-proc", *init, *args]
    return [*init, *args]


def children_of(pid):
    # A process that exits while we read gives ENOENT on open or ESRCH on read.
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def descendants_of(pid):
    out, todo = [], [pid]
    while todo:
        for c in children_of(todo.pop()):
            out.append(c)
            todo.append(c)
    return out


def status_field(pid, name):
    """A field of /proc/PID/status, e.g. status_field(pid, 'SigBlk')."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key == name:
                return value.strip()
    raise KeyError(name)


def state_of(pid):
    return status_field(pid, "State").split()[0]


def wait_until(predicate, timeout=5.0, what="condition"):
    """Poll predicate (bounded in time); for state that has no event to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.005)


class Init:
    """pidone (or a peer init) running a command, with its stdout as a pipe
    the command uses to say where it is."""

    def __init__(self, mode, args, init=None, env=None, stdin=subprocess.DEVNULL,
                 pass_fds=(), preexec_fn=None, stderr=subprocess.PIPE):
        self.mode = mode
        self.argv = command(mode, args, init)
        full_env = dict(os.environ if env is None else env)
        self.proc = subprocess.Popen(
            self.argv, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr,
            env=full_env, pass_fds=pass_fds, preexec_fn=preexec_fn)
        self._buf = b""
        self.stderr_text = None

    @property
    def pid(self):
        """pidone's own pid as this test sees it (unshare forks it in pid1 mode)."""
        if self.mode != "pid1":
            return self.proc.pid
        return wait_until(lambda: (children_of(self.proc.pid) or [None])[0],
                          what="unshare to start the init")

    def readline(self, timeout=10.0):
        """The next line the command wrote to stdout, waiting at most timeout."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line from the command in {timeout}s; got {self._buf!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError(f"command closed stdout; got {self._buf!r}")
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.decode()

    def expect(self, text, timeout=10.0):
        line = self.readline(timeout)
        assert line == text, f"expected {text!r}, got {line!r}"
        return line

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait(self, timeout=20.0):
        """pidone's exit code, and its stderr in self.stderr_text."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.argv} did not exit within {timeout}s")
        self._buf += out or b""
        self.stderr_text = (err or b"").decode(errors="replace")
        return self.proc.returncode

    def rest_of_stdout(self):
        return self._buf.decode()

    def kill(self):
        """End everything this init started, by pid, and reap it."""
        for pid in reversed(descendants_of(self.proc.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def reap_orphans():
    """The test process is a subreaper: collect anything that came to it."""
    for _ in range(100000):
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


@pytest.fixture
def start():
    """start(mode, args, **kw) -> Init; anything left running is killed after the test."""
    started = []

    def _start(mode, args, **kw):
        init = Init(mode, args, **kw)
        started.append(init)
        return init

    yield _start
    for init in started:
        if init.proc.poll() is None or descendants_of(init.proc.pid):
            init.kill()
    # Orphans of subreaper-mode tests came to us: end them by pid.
    for pid in children_of(os.getpid()):
        if pid not in [i.proc.pid for i in started]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    reap_orphans()


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


def run(mode, args, timeout=20, init=None, **kw):
    """Run to completion: (exit code, stdout, stderr)."""
    p = subprocess.run(command(mode, args, init), capture_output=True,
                       timeout=timeout, text=True, **kw)
    return p.returncode, p.stdout, p.stderr


def sh(script):
    """A command that runs script in sh."""
    return ["sh", "-c", script]


def py(script):
    """A command that runs script in Python (for signals and /proc)."""
    return [PYTHON, "-c", script]


def write_script(path, text, mode=0o755):
    """A file at path holding text, with the given permissions; its path."""
    path.write_text(text)
    path.chmod(mode)
    return str(path)


def without_leak_check(env=None):
    """The environment with LeakSanitizer off (make sanitize), for runs where
    it cannot work: under ptrace, or with no room for its thread at exit."""
    env = dict(os.environ if env is None else env)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env


def joining(cgroup):
    """preexec_fn: move the new process into cgroup (v1)."""
    def enter():
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    return enter


@contextlib.contextmanager
def cgroup_v1(controller, marker):
    """A child cgroup of our own under /sys/fs/cgroup/CONTROLLER (the test is
    skipped if that hierarchy, recognised by its MARKER file, is not there).
    On the way out, what is left in it, which can only be processes the test
    started, is killed by pid, and the cgroup is removed."""
    root = os.path.join("/sys/fs/cgroup", controller)
    if not os.path.exists(os.path.join(root, marker)):
        pytest.skip(f"no cgroup v1 {controller} hierarchy at {root}")
    path = os.path.join(root, f"pidone-test-{os.getpid()}-{time.monotonic_ns()}")
    os.mkdir(path)
    try:
        yield path
    finally:
        for _ in range(500):
            with open(os.path.join(path, "cgroup.procs")) as f:
                left = [int(p) for p in f.read().split()]
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if not left:
                try:
                    os.rmdir(path)
                    break
                except OSError:  # the last ones are still leaving
                    pass
            time.sleep(0.01)
        else:
            os.rmdir(path)  # raises: the test left its cgroup behind
