"""pidone on every architecture it ships for, under qemu-user (issue 16).

Each cross-built binary (make cross: build/ARCH/pidone) runs under
qemu-QEMU-static as PID 1 of a new pid namespace. Its commands are the
guest's own: Debian's static busybox of that architecture (make cross-deps
puts it in build/ARCH/guest) and sigrecord.c (built by make cross-check), run
through a binfmt_misc instance of a user namespace of our own
(tests/cross/binfmt.sh; kernel >= 6.7), so that every process in the
namespace is a guest process and the host's binfmt_misc is left alone.
The amd64 kernel runs i386 executables itself; binfmt.sh registers qemu for
them all the same, so that every process of the namespace is under qemu on
every architecture (see the real-time signals below).

    timeout -s KILL LIMIT unshare -U -r -m sh binfmt.sh QEMU \\
        unshare -fp --kill-child=KILL --mount-proc env PATH=GUEST \\
        qemu-QEMU-static build/ARCH/pidone ARGS...

What qemu-user cannot show, and what these tests do about it:
- the seccomp filter: qemu refuses it; pidone carries on without it, and
  test_qemu_refuses_the_seccomp_filter_and_pidone_carries_on says so. The
  filter is tested natively (tests/behaviour/test_confine.py).
- subreaper mode: qemu refuses PR_SET_CHILD_SUBREAPER, so pidone is tested
  here as PID 1 only (subreaper mode natively, tests/behaviour);
  test_qemu_refuses_the_subreaper_and_pidone_warns_and_runs_the_command
  shows the refusal.
- real-time signal numbers from outside: qemu keeps the host's 32 and 33
  (glibc's; a host 32 kills qemu itself) and maps the host's SIGRTMIN+k (34+k) to the guest's 32+k, so a
  host that sends 36 reaches the guest's 34; the guest's 63 and 64 cannot be
  sent at all. The tests send HOST(sig) for the guest's sig; what pidone
  forwards from there, guest to guest, keeps its number. A host process
  (not under qemu) would get the host's number: i386 commands run natively
  without binfmt get 37 for pidone's 35.
- a guest that dies of a signal while it is PID 1 (a crash, or a default
  action it should not have had) does not end qemu: qemu hangs. Every run is
  bounded by `timeout -s KILL` (and unshare's --kill-child), and such a hang
  fails the test with a message naming it.
- the kernel's signal protection of PID 1: qemu catches every signal on the
  guest's behalf, so a signal pidone has no handler for is acted on (and
  hangs qemu, above) where a real PID 1 would not even receive it.
"""
import os
import re
import select
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINFMT = os.path.join(ROOT, "tests", "cross", "binfmt.sh")
CHECK_ELF = os.path.join(ROOT, "tests", "cross", "check-elf.sh")

# Debian architecture: qemu's name for it, and what `uname -m` says to one
# of its commands under qemu.
ARCHES = {
    "arm64": ("aarch64", "aarch64"),
    "armhf": ("arm", "armv7l"),
    "i386": ("i386", "i686"),
    "ppc64el": ("ppc64le", "ppc64le"),
    "s390x": ("s390x", "s390x"),
}
# make cross-check names the architectures to test; all of them by default.
TESTED = os.environ.get("PIDONE_CROSS", " ".join(ARCHES)).split()
# A binary to test in place of build/ARCH/pidone (to see the tests fail).
OVERRIDE = os.environ.get("PIDONE_CROSS_BINARY")

LIMIT = 30    # seconds any one run may take before it counts as hung
EVENT = 10.0  # seconds to wait for a line that takes milliseconds
APPLETS = ("sh", "sleep", "echo", "kill", "cat", "uname", "true")


def host_signal(sig):
    """The host's number for the guest's signal sig (qemu shifts 32.. by 2)."""
    return sig + 2 if sig >= 32 else sig


@pytest.fixture(params=TESTED)
def arch(request):
    return request.param


@pytest.fixture
def pidone(arch):
    path = OVERRIDE or os.path.join(ROOT, "build", arch, "pidone")
    assert os.path.isfile(path), f"{path} missing: make cross (or make CROSS=...) builds it"
    if not OVERRIDE:  # a build that failed leaves the last binary behind
        sources = [f for f in os.listdir(ROOT) if f.endswith((".c", ".h"))]
        newer = [f for f in sources if os.path.getmtime(os.path.join(ROOT, f)) > os.path.getmtime(path)]
        assert not newer, f"{path} is older than {', '.join(sorted(newer))}: make cross"
    return path


@pytest.fixture
def guest(arch, tmp_path_factory):
    """A PATH directory of the guest's commands: busybox applets, sigrecord."""
    busybox = os.path.join(ROOT, "build", arch, "guest", "busybox")
    assert os.path.isfile(busybox), f"{busybox} missing: make cross-deps fetches it"
    sigrecord = os.path.join(ROOT, "build", arch, "guest", "sigrecord")
    assert os.path.isfile(sigrecord), f"{sigrecord} missing: make cross-check builds it"
    bindir = tmp_path_factory.mktemp(f"guest-{arch}")
    for applet in APPLETS:
        os.symlink(busybox, bindir / applet)
    os.symlink(sigrecord, bindir / "sigrecord")
    return str(bindir)


@pytest.fixture
def argv(arch, pidone, guest):
    """argv(args, binfmt=True): the host command that runs pidone ARGS."""
    qemu = ARCHES[arch][0]

    def _argv(args, binfmt=True, pid1=True):
        run = ["env", f"PATH={guest}", f"/usr/bin/qemu-{qemu}-static", pidone, *args]
        if pid1:
            run = ["unshare", "-fp", "--kill-child=KILL", "--mount-proc", *run]
        if binfmt:
            run = ["unshare", "-U", "-r", "-m", "sh", BINFMT, qemu, *run]
        return ["timeout", "-s", "KILL", str(LIMIT), *run]
    return _argv


def hung(rc, err):
    """The message for an unexpected exit code rc: timeout's SIGKILL (137,
    or -9 when it took its own process group with it) means qemu hung."""
    if rc in (128 + signal.SIGKILL, -signal.SIGKILL):
        return f"killed after {LIMIT}s: qemu hung (did the guest's PID 1 die?); stderr {err!r}"
    return f"stderr {err!r}"


@pytest.fixture
def run(argv):
    """run(args, binfmt=True) -> (exit code, stdout, stderr), to the end."""
    def _run(args, binfmt=True, pid1=True, **kw):
        p = subprocess.run(argv(args, binfmt, pid1), capture_output=True, text=True,
                           timeout=LIMIT + 10, **kw)
        return p.returncode, p.stdout, p.stderr
    return _run


class Pid1:
    """pidone running a command, its stdout a pipe the command reports on."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._buf = b""

    def readline(self, timeout=EVENT):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0]
            if not ready:
                raise AssertionError(f"no line from the command in {timeout}s; got {self._buf!r}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"command closed stdout; got {self._buf!r}")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.decode()

    def tell(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def find_pid1(self):
        """PID 1's host pid (qemu running pidone: timeout's child's child,
        once that is qemu and not one of binfmt.sh's commands), or None."""
        for first in children_of(self.proc.pid):
            for pid in children_of(first):
                try:
                    if os.readlink(f"/proc/{pid}/exe").startswith("/usr/bin/qemu-"):
                        return pid
                except OSError:
                    pass
        return None

    @property
    def pid(self):
        pid = self.find_pid1()
        assert pid, "PID 1 (qemu) is not there"
        return pid

    def signal(self, sig):
        os.kill(self.pid, host_signal(sig))

    def wait(self):
        """pidone's exit code, and its stderr as self.err."""
        try:
            out, err = self.proc.communicate(timeout=LIMIT + 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self._buf += out
        self.err = err.decode(errors="replace")
        return self.proc.returncode

    def rest(self):
        """What the command wrote that no readline() took."""
        return self._buf.decode()


@pytest.fixture
def start(argv):
    """start(args) -> Pid1; what is left at the end is killed, by pid: the
    timeout process, whose death takes the namespace (--kill-child)."""
    started = []

    def _start(args, binfmt=True):
        p = Pid1(argv(args, binfmt))
        started.append(p)
        return p
    yield _start
    for p in started:
        if p.proc.poll() is None:
            p.proc.kill()
        p.proc.wait(timeout=LIMIT)


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def state_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def wait_until(predicate, what, timeout=EVENT):
    """Poll predicate (bounded): for state that has no event to wait on."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)


def script(tmp_path, name, text):
    """A guest shell script (run as `sh PATH`); its path."""
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --- the binary -------------------------------------------------------------

def test_binary_is_a_static_pie_of_its_architecture(arch, pidone):
    """No PT_INTERP, no DT_NEEDED, type DYN, the architecture's machine."""
    p = subprocess.run(["sh", CHECK_ELF, pidone, arch], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_version_prints_the_tini_compatible_line(run):
    """pidone starts at all (not as PID 1: -V needs no namespace)."""
    rc, out, err = run(["-V"])
    assert (rc, out) == (0, "tini version 0.1.0_pidone - git.pidone\n"), hung(rc, err)


# --- exit codes -------------------------------------------------------------

@pytest.mark.parametrize("code", [0, 7, 255])
def test_exit_code_of_the_command_is_passed_on(run, code):
    rc, _, err = run(["--", "sh", "-c", f"exit {code}"])
    assert rc == code, hung(rc, err)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGUSR1], ids=lambda s: s.name)
def test_command_killed_by_signal_gives_128_plus_n(run, sig):
    rc, _, err = run(["-q", "--", "sh", "-c", f"kill -{int(sig)} $$"])
    assert rc == 128 + sig, hung(rc, err)


def test_bad_usage_gives_125_and_a_message(run):
    rc, _, err = run(["--no-such-option"])
    assert rc == 125, hung(rc, err)
    assert err.startswith("pidone: "), err


def test_command_found_but_not_runnable_gives_126(run, tmp_path):
    path = script(tmp_path, "not-executable", "exit 0\n")
    rc, _, err = run(["--", path])
    assert rc == 126, hung(rc, err)
    assert err == f"pidone: exec {path}: Permission denied\n"


def test_command_not_found_gives_127(run):
    rc, _, err = run(["--", "no-such-command"])
    assert rc == 127, hung(rc, err)
    assert err == "pidone: exec no-such-command: No such file or directory\n"


# --- the guest's commands ---------------------------------------------------

def test_commands_are_the_guests_run_through_the_namespaces_binfmt(arch, run):
    """The host's binfmt_misc is the same before and after (its own instance
    is not even mounted here, usually)."""
    before = sorted(os.listdir("/proc/sys/fs/binfmt_misc"))
    rc, out, err = run(["--", "uname", "-m"])
    assert (rc, out) == (0, ARCHES[arch][1] + "\n"), hung(rc, err)
    assert sorted(os.listdir("/proc/sys/fs/binfmt_misc")) == before


def test_without_binfmt_a_guest_command_gives_126_and_a_host_one_runs(arch, run):
    """Control for the test above: qemu-user's execve is the host kernel's,
    which runs a host command natively and refuses a guest one (ENOEXEC)
    unless binfmt_misc names qemu for it; the amd64 kernel runs i386 itself."""
    rc, _, err = run(["--", "/bin/sh", "-c", "exit 4"], binfmt=False)
    assert rc == 4, hung(rc, err)
    rc, out, err = run(["--", "uname", "-m"], binfmt=False)
    if arch == "i386":
        assert (rc, out) == (0, "x86_64\n"), hung(rc, err)
    else:
        assert rc == 126, hung(rc, err)
        assert "Exec format error" in err


def test_qemu_refuses_the_seccomp_filter_and_pidone_carries_on(run):
    """What qemu cannot show: pidone's seccomp filter (tested natively).
    pidone warns, at -v, and runs the command all the same."""
    rc, _, err = run(["-v", "--", "sh", "-c", "exit 3"])
    assert rc == 3, hung(rc, err)
    assert "seccomp filter: " in err and "carrying on without it" in err, err


def test_qemu_refuses_the_subreaper_and_pidone_warns_and_runs_the_command(run):
    """What qemu cannot show: subreaper mode (tested natively). Not PID 1,
    pidone says that orphans will go elsewhere, and runs the command."""
    rc, _, err = run(["--", "sh", "-c", "exit 6"], pid1=False)
    assert rc == 6, hung(rc, err)
    assert "PR_SET_CHILD_SUBREAPER" in err, err


# --- forwarding -------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGUSR1, signal.SIGTERM, 34, 35, 50, 62],
                         ids=lambda s: str(int(s)))
def test_with_g_signal_reaches_the_command_and_its_process_group(start, sig):
    """sigrecord (tests/cross/sigrecord.c) and the grandchild it forks each
    report the signal. 34 is glibc's (and Docker's) SIGRTMIN; 62 is the
    highest real-time signal qemu can carry (63 and 64 it cannot: see above).
    The command exits only once the grandchild has reported: qemu takes
    long enough to run a handler that pidone's drain would otherwise stop
    the grandchild first (one run in three, before sigrecord waited)."""
    init = start(["-g", "--", "sigrecord", str(int(sig))])
    assert {init.readline(), init.readline()} == {"child ready", "grandchild ready"}
    init.signal(sig)
    got = {init.readline(), init.readline()}
    assert got == {f"child got {int(sig)}", f"grandchild got {int(sig)}"}
    assert init.wait() == 0, hung(init.proc.returncode, init.err)


def test_by_default_term_reaches_the_command_and_its_process_group(start):
    """A stop signal goes to the group without -g (README: Shutdown)."""
    init = start(["--", "sigrecord", str(int(signal.SIGTERM))])
    assert {init.readline(), init.readline()} == {"child ready", "grandchild ready"}
    init.signal(signal.SIGTERM)
    assert {init.readline(), init.readline()} == {"child got 15", "grandchild got 15"}
    assert init.wait() == 0, hung(init.proc.returncode, init.err)


@pytest.mark.parametrize("sig", [32, 33])
def test_signals_32_and_33_reach_the_command_too(start, sig):
    """glibc (the guest's busybox) refuses handlers for 32 and 33, so the
    command has them at their default: it dies of the forwarded signal."""
    init = start(["--", "sh", "-c", "echo ready; exec sleep 30"])
    assert init.readline() == "ready"
    init.signal(sig)
    rc = init.wait()
    assert rc == 128 + sig, hung(rc, init.err)


# --- reaping ----------------------------------------------------------------

ORPHANS = """: >"$1"
i=0
while [ $i -lt 50 ]; do ( sleep 30 & echo $! >>"$1" ); i=$((i + 1)); done
echo orphaned
read -r _
kill $(cat "$1")
echo released
read -r _
exit 5
"""


def test_50_orphans_are_reparented_to_pidone_and_reaped(start, tmp_path):
    """The command leaves 50 orphans (they come to PID 1), then kills them
    while it keeps running: none may stay a zombie, and -w names each."""
    init = start(["-w", "--", "sh", script(tmp_path, "orphans", ORPHANS), str(tmp_path / "pids")])
    assert init.readline() == "orphaned"
    pid1 = init.pid
    assert len(children_of(pid1)) == 1 + 50  # the command and the orphans
    init.tell("release")
    assert init.readline() == "released"
    wait_until(lambda: len(children_of(pid1)) == 1, "the 50 orphans to be reaped")
    assert [state_of(c) != "Z" for c in children_of(pid1)] == [True]  # the command, alive
    init.tell("exit")
    rc = init.wait()
    assert rc == 5, hung(rc, init.err)
    assert init.err.count("pidone: reaped orphan ") == 50, init.err


# --- pause mode -------------------------------------------------------------

SYS_rt_sigtimedwait = 128  # x86-64: qemu waits in the host's call for the guest


def in_sigtimedwait(pid):
    """pidone's pause loop waits in sigtimedwait(); qemu in the host's own."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split()[0] == str(SYS_rt_sigtimedwait)
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_pause_mode_ignores_other_signals_and_exits_0_on_term_or_int(start, sig):
    init = start(["-P"])
    wait_until(lambda: init.find_pid1() and in_sigtimedwait(init.find_pid1()),
               "pidone -P to wait for signals")
    init.signal(signal.SIGUSR1)
    init.signal(signal.SIGHUP)
    init.signal(sig)
    rc = init.wait()
    assert rc == 0, hung(rc, init.err)


# --- the drain --------------------------------------------------------------

DAEMON = """trap "$1" TERM
sleep 30 &
echo "daemon ready"
wait
echo "daemon got TERM"
"""


def test_drain_stops_what_the_command_left_with_term(start, tmp_path):
    daemon = script(tmp_path, "daemon", DAEMON)
    init = start(["-v", "--", "sh", "-c", f"sh {daemon} : & read -r _; exit 3"])
    assert init.readline() == "daemon ready"
    init.tell("go")
    assert init.readline() == "daemon got TERM"
    rc = init.wait()
    assert rc == 3, hung(rc, init.err)
    assert "drain: all gone" in init.err, init.err


def test_drain_kills_what_ignores_term_after_the_grace(start, tmp_path):
    daemon = script(tmp_path, "daemon", DAEMON)
    init = start(["-v", "--grace", "1", "--", "sh", "-c", f"sh {daemon} '' & read -r _; exit 3"])
    assert init.readline() == "daemon ready"
    began = time.monotonic()
    init.tell("go")
    rc = init.wait()
    assert rc == 3, hung(rc, init.err)
    assert time.monotonic() - began < 20  # not the daemon's 30 s sleep
    assert init.rest() == ""  # the daemon ignored TERM: SIGKILL ended it
    assert re.search(r"drain: SIGKILL to \d+ process\(es\) still running", init.err), init.err
