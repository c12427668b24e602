"""Issue 3: pause mode, the pod sandbox's PID 1.

`pidone -P`, `pidone --pause`, PIDONE_PAUSE=1 and pidone invoked under the
name `pause` run no command: they reap whatever is re-parented to them (the
orphans of processes that joined the pid namespace with setns, as a pod's
containers do), exit 0 on SIGTERM or SIGINT and ignore every other signal.
The same scenarios run under `catatonit -P`, podman's pause process.
"""
import os
import select
import signal
import subprocess
import time

import pytest

from conftest import PIDONE, PYTHON, children_of, run, state_of, status_field, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
SIGRECORD = [PYTHON, os.path.join(HERE, "helpers", "sigrecord.py")]
CATATONIT = "/usr/bin/catatonit"
LINK = "<symlink named pause>"

PAUSES = [
    pytest.param([PIDONE, "-P"], {}, id="pidone -P"),
    pytest.param([PIDONE, "--pause"], {}, id="pidone --pause"),
    pytest.param([PIDONE], {"PIDONE_PAUSE": "1"}, id="PIDONE_PAUSE=1"),
    pytest.param([LINK], {}, id="pause symlink"),
    pytest.param([CATATONIT, "-P"], {}, id="catatonit -P"),
]
# Options only: whether a command given with PIDONE_PAUSE=1 set should win
# over the environment is left open.
PAUSE_OPTIONS = [p for p in PAUSES if p.id in ("pidone -P", "pidone --pause", "pause symlink")]


def environ(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIDONE_", "TINI_", "DUMB_INIT_", "CATATONIT_"))}
    env.update(extra)
    return env


def resolve(init, tmp_path):
    """The argv, with LINK made real: a symlink to pidone named `pause`."""
    if init[0] != LINK:
        return init
    link = tmp_path / "pause"
    link.symlink_to(PIDONE)
    return [str(link), *init[1:]]


def start_pause(start, mode, init, env, tmp_path):
    """Start the pause init and wait until it sleeps in its loop: it runs the
    init's binary (exec done) and is asleep, which it first is in the wait
    for signals, after its signal set-up. A signal sent earlier could be lost
    (PID 1 drops signals it has no handler for) or kill it."""
    argv = resolve(init, tmp_path)
    i = start(mode, [], init=argv, env=environ(**env))
    pid = i.pid
    exe = os.path.realpath(argv[0])
    wait_until(lambda: os.readlink(f"/proc/{pid}/exe") == exe and state_of(pid) == "S",
               what="the pause init to be waiting")
    return i, pid


def pidns(pid):
    return os.readlink(f"/proc/{pid}/ns/pid")


def namespace_members(pid):
    """Every process (zombies included) whose pid namespace is pid's."""
    ns, members = pidns(pid), []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{name}/ns/pid") == ns:
                members.append(int(name))
        except OSError:
            continue
    return sorted(members)


def join(pid, script, **kw):
    """Run script in sh inside pid's pid and mount namespaces (nsenter forks,
    so the sh's parent, nsenter, stays outside); wait for it to finish."""
    p = subprocess.run(["nsenter", "-t", str(pid), "-p", "-m", "sh", "-c", script],
                       timeout=10, **kw)
    assert p.returncode == 0


def leave_orphans(pid, count=2):
    """A process joins pid's namespace and leaves `count` orphans behind,
    each reading a pipe; returns the pipe's write end (close it and they
    exit). Their parents exit before nsenter does, so they are the pause
    init's when this returns."""
    r, w = os.pipe()
    try:
        join(pid, "exec 3<&0; " + "; ".join(["(cat <&3 >/dev/null &)"] * count),
             stdin=r, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        os.close(r)
    return w


def orphans_reaped_cycle(pid):
    """Orphans come to the pause init and, once they exit, are reaped."""
    w = leave_orphans(pid)
    try:
        wait_until(lambda: [status_field(c, "Name") for c in children_of(pid)] == ["cat", "cat"],
                   what="2 orphans re-parented, running cat")
    finally:
        os.close(w)
    wait_until(lambda: children_of(pid) == [], what="the orphans to be reaped")
    assert namespace_members(pid) == [pid]


@pytest.mark.parametrize("init,env", PAUSES)
def test_pause_reaps_orphans_of_processes_that_joined_its_namespace(start, tmp_path, init, env):
    i, pid = start_pause(start, "pid1", init, env, tmp_path)
    orphans_reaped_cycle(pid)
    i.signal(signal.SIGTERM)
    assert i.wait() == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
@pytest.mark.parametrize("init,env", PAUSES)
def test_pause_exits_0_on_sigterm_and_sigint(mode, start, tmp_path, init, env, sig):
    i, _ = start_pause(start, mode, init, env, tmp_path)
    i.signal(sig)
    assert i.wait() == 0
    assert i.stderr_text == ""


IGNORED = [signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT,
           signal.SIGALRM, signal.SIGPIPE, signal.SIGWINCH, signal.SIGTSTP,
           signal.SIGTTIN, signal.SIGTTOU, signal.SIGRTMIN, signal.SIGRTMAX]


@pytest.mark.parametrize("init,env", PAUSES)
def test_pause_ignores_other_signals(mode, start, tmp_path, init, env):
    """After HUP, USR1 and the rest it still reaps (as PID 1) and still
    exits 0 on SIGTERM. Not PID 1, a signal left at its default would end
    (or stop) it first: HUP is delivered before the TERM that follows."""
    i, pid = start_pause(start, mode, init, env, tmp_path)
    for sig in IGNORED:
        i.signal(sig)
    if mode == "pid1":
        orphans_reaped_cycle(pid)
    assert i.proc.poll() is None
    i.signal(signal.SIGTERM)
    assert i.wait() == 0


@pytest.mark.parametrize("sig", [signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS],
                         ids=lambda s: s.name)
def test_pause_ignores_fault_signals_sent_with_kill(mode, start, tmp_path, sig):
    """pidone only: catatonit leaves these at their default action."""
    i, pid = start_pause(start, mode, [PIDONE, "-P"], {}, tmp_path)
    i.signal(sig)
    i.signal(signal.SIGTERM)
    assert i.wait() == 0


def test_idle_pause_has_no_context_switches(start, tmp_path):
    """Zero wake-ups while idle, like the Kubernetes pause binary (tini wakes
    once a second). The 1 s sleep is the measurement window."""
    inits = [start_pause(start, "pid1", argv, {}, tmp_path)
             for argv in ([PIDONE, "-P"], [LINK])]

    def switches(pid):
        return (int(status_field(pid, "voluntary_ctxt_switches")) +
                int(status_field(pid, "nonvoluntary_ctxt_switches")))

    before = [switches(pid) for _, pid in inits]
    time.sleep(1.0)
    after = [switches(pid) for _, pid in inits]
    assert after == before


class Lines:
    """Lines from a pipe's read end, each waited for with a timeout."""

    def __init__(self, fd):
        self.fd, self.buf = fd, b""

    def readline(self, timeout=10.0):
        """The next line, or None at end of file."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line in {timeout}s; got {self.buf!r}")
            if select.select([self.fd], [], [], left)[0]:
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    return None
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode()


def leave_recorder(pid):
    """Leave an orphan in pid's namespace that reports its signals on a pipe
    and exits on SIGTERM; returns (its Lines, its pid in the namespace)."""
    r, w = os.pipe()
    try:
        join(pid, f"({' '.join(SIGRECORD)} --exit-on {int(signal.SIGTERM)} &)",
             stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.DEVNULL)
    finally:
        os.close(w)
    lines = Lines(r)
    assert lines.readline() == "child ready"
    wait_until(lambda: len(children_of(pid)) == 1, what="the orphan re-parented")
    return lines


def test_pause_on_sigterm_drains_what_is_left_then_exits_0(start, tmp_path):
    """Deliberate difference: catatonit -P exits at once and the kernel
    SIGKILLs what is left in the namespace; pidone first gives its children
    the drain signal and the grace period, as when a command exits."""
    i, pid = start_pause(start, "pid1", [PIDONE, "-P"], {}, tmp_path)
    lines = leave_recorder(pid)
    try:
        i.signal(signal.SIGTERM)
        # The drain sends SIGTERM and, right after it, SIGCONT (for anything
        # stopped): the recorder may report the two in either order, since
        # both land before its Python handlers run. It exits on SIGTERM.
        got = [lines.readline() for _ in range(2)]
        assert f"child {int(signal.SIGTERM)}" in got, got
        assert i.wait() == 0
    finally:
        os.close(lines.fd)


def test_catatonit_pause_does_not_drain(start, tmp_path):
    """The peer side of the difference above: the orphan gets no SIGTERM."""
    i, pid = start_pause(start, "pid1", [CATATONIT, "-P"], {}, tmp_path)
    lines = leave_recorder(pid)
    try:
        i.signal(signal.SIGTERM)
        assert i.wait() == 0
        assert lines.readline() is None
    finally:
        os.close(lines.fd)


@pytest.mark.parametrize("init,env", PAUSE_OPTIONS)
def test_pause_with_a_command_exits_125_and_runs_nothing(mode, tmp_path, init, env):
    marker = tmp_path / "ran"
    rc, _, err = run(mode, ["touch", str(marker)], init=resolve(init, tmp_path),
                     env=environ(**env))
    assert rc == 125
    assert err.startswith("pidone: ") and "touch" in err.splitlines()[0], err
    assert not marker.exists()
