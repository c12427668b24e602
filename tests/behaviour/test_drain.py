"""Issue 4: when the command exits, pidone drains what is left before exiting.

Every scenario starts "leftovers" with helpers/leftover.py: the launcher
returns once its leftover is set up (it has printed "ready <pid>"), so the
command can exit right after and pidone finds the leftover running. Leftovers
report what happened to them in a log file under tmp_path; a clean stop on
the drain signal is the line "<pid> got <signo>".
"""
import os
import re
import select
import shlex
import signal
import subprocess
import time

import pytest

from conftest import (PYTHON, children_of, sh, state_of,
                      wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
LEFTOVER = [PYTHON, os.path.join(HERE, "helpers", "leftover.py")]
SIGRECORD = [PYTHON, os.path.join(HERE, "helpers", "sigrecord.py")]
MARGIN = 3.0  # generous: a drain that works ends far inside it


def leftover(log, *args):
    """Shell text that starts one leftover logging to log."""
    return shlex.join([*LEFTOVER, "--log", str(log), *args])


def script(*lines):
    return sh("\n".join(lines))


def log_lines(log):
    try:
        with open(log) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def events(log, what):
    """Pids that logged an event starting with what, e.g. 'got 15'."""
    return [int(line.split()[0]) for line in log_lines(log)
            if line.split(None, 1)[1].startswith(what)]


def ready_pid(init):
    line = init.readline()
    assert line.startswith("ready "), line
    return int(line.split()[1])


def exists(pid):
    return os.path.exists(f"/proc/{pid}")


def adopted():
    """What came to the test process (a subreaper) since the test began:
    anything pidone left behind in subreaper mode."""
    return children_of(os.getpid())


class Stderr:
    """pidone's stderr read line by line while it runs (conftest's Init
    reads stdout only); whatever is left comes with Init.wait()."""

    def __init__(self, init):
        self.init = init
        self.buf = b""
        self.lines = []

    def line_matching(self, pattern, timeout=10.0):
        deadline = time.monotonic() + timeout
        fd = self.init.proc.stderr.fileno()
        while True:
            while b"\n" in self.buf:
                raw, _, self.buf = self.buf.partition(b"\n")
                line = raw.decode(errors="replace")
                self.lines.append(line)
                if re.search(pattern, line):
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no stderr line matching {pattern!r} in {timeout}s; "
                                     f"got {self.lines!r} {self.buf!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError(f"stderr closed; got {self.lines!r} {self.buf!r}")
                self.buf += chunk

    def all(self):
        """Everything pidone wrote to stderr; call after init.wait()."""
        return "\n".join(self.lines) + "\n" + self.buf.decode(errors="replace") \
            + (self.init.stderr_text or "")


def drain_lines(stderr):
    return [line for line in stderr.splitlines() if "drain" in line]


def killed_pids(stderr):
    """Pids pidone says it reaped killed by SIGKILL (-vv)."""
    return {int(pid) for pid in re.findall(r"\(pid (\d+)\): killed by SIGKILL", stderr)}


# --- the drain signal reaches what is left, and pidone waits for it ---------


def test_setsid_daemon_is_stopped_by_term_before_pidone_exits(mode, start, tmp_path):
    log = tmp_path / "log"
    began = time.monotonic()
    init = start(mode, script(leftover(log, "--setsid", "--on", "exit"), "exit 3"))
    daemon = ready_pid(init)
    assert init.wait() == 3
    took = time.monotonic() - began
    assert events(log, "got 15") == [daemon], log_lines(log)
    assert took < MARGIN, "pidone waited out the grace for a daemon that had stopped"
    if mode == "subreaper":
        assert adopted() == []


@pytest.mark.parametrize("how", ["option", "env"])
def test_descendant_ignoring_term_is_killed_after_the_grace(mode, start, tmp_path, how):
    grace = 1.0
    args = ["-vv", "--grace", str(grace)] if how == "option" else ["-vv"]
    env = dict(os.environ, PIDONE_GRACE=str(grace)) if how == "env" else None
    began = time.monotonic()
    init = start(mode, [*args, *script(leftover(tmp_path / "log", "--setsid", "--on", "ignore"),
                                       "exit 4")], env=env)
    stubborn = ready_pid(init)
    assert init.wait() == 4
    took = time.monotonic() - began
    assert grace <= took < grace + MARGIN
    assert stubborn in killed_pids(init.stderr_text), init.stderr_text
    if mode == "subreaper":
        assert not exists(stubborn)
        assert adopted() == []


def test_child_forked_during_the_drain_is_killed_too(mode, start, tmp_path):
    # The leftover's TERM handler forks a TERM-ignoring child in its own
    # session and exits: the child did not exist when the drain signal went
    # out, so only a fresh look at what is left finds it.
    log, grace = tmp_path / "log", 0.5
    began = time.monotonic()
    init = start(mode, ["-vv", "--grace", str(grace),
                        *script(leftover(log, "--setsid", "--on", "fork"), "exit 0")])
    parent = ready_pid(init)
    assert init.wait() == 0
    took = time.monotonic() - began
    assert events(log, "got 15") == [parent], log_lines(log)
    forked = events(log, "forked")
    assert len(forked) == 1, log_lines(log)
    assert forked[0] in killed_pids(init.stderr_text), init.stderr_text
    assert took < grace + MARGIN
    if mode == "subreaper":
        assert not exists(forked[0])
        assert adopted() == []


def test_process_that_keeps_forking_through_the_drain_is_killed(mode, start, tmp_path):
    # On TERM the leftover starts hopping: every 20 ms it forks and the old
    # generation exits, so a pid seen by one walk is gone by the next.
    log, grace = tmp_path / "log", 0.5
    began = time.monotonic()
    init = start(mode, ["-v", "--grace", str(grace),
                        *script(leftover(log, "--setsid", "--on", "hop"), "exit 0")])
    ready_pid(init)
    assert init.wait() == 0
    took = time.monotonic() - began
    hops = events(log, "hop")
    assert len(hops) >= 5, log_lines(log)  # it was still hopping at the deadline
    assert took < grace + MARGIN
    assert "all gone" in drain_lines(init.stderr_text)[-1], init.stderr_text
    if mode == "subreaper":
        assert [pid for pid in hops if exists(pid)] == []
        assert adopted() == []


def test_stopped_descendant_still_handles_the_drain_signal(mode, start, tmp_path):
    # The leftover is in its own session and stopped itself before the
    # command exited: only pidone's SIGCONT lets it act on the TERM.
    log, grace = tmp_path / "log", 10
    began = time.monotonic()
    init = start(mode, ["--grace", str(grace),
                        *script(leftover(log, "--stop", "--on", "exit"), "exit 0")])
    stopped = ready_pid(init)
    assert init.wait() == 0
    took = time.monotonic() - began
    assert events(log, "got 15") == [stopped], log_lines(log)
    assert took < MARGIN, "the stopped leftover was killed at the deadline, not woken"


def test_no_zombie_is_left_when_pidone_exits(mode, start, tmp_path):
    # The leftover holds an unreaped zombie and ignores TERM: once it is
    # killed, pidone inherits the zombie and must reap it before exiting.
    log, grace = tmp_path / "log", 0.5
    init = start(mode, ["-vv", "--grace", str(grace),
                        *script(leftover(log, "--setsid", "--on", "ignore", "--zombie"),
                                "exit 0")])
    holder = ready_pid(init)
    assert init.wait() == 0
    (zombie_line,) = [line for line in log_lines(log) if " zombie " in line]
    zombie = int(zombie_line.split()[2])
    assert holder in killed_pids(init.stderr_text), init.stderr_text
    assert re.search(rf"reaped orphan \S+ \(pid {zombie}\)", init.stderr_text), init.stderr_text
    if mode == "subreaper":
        assert not exists(holder) and not exists(zombie)
        assert adopted() == []


# --- options -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["option", "env"])
def test_drain_signal_option_sends_that_signal_instead_of_term(mode, start, tmp_path, how):
    log = tmp_path / "log"
    args = ["--drain-signal", "SIGUSR1"] if how == "option" else []
    env = dict(os.environ, PIDONE_DRAIN_SIGNAL="SIGUSR1") if how == "env" else None
    init = start(mode, ["--grace", "10", *args,
                        *script(leftover(log, "--setsid", "--record", "--signal", "USR1",
                                         "--on", "exit"), "exit 0")], env=env)
    usr1 = ready_pid(init)
    assert init.wait() == 0
    assert events(log, f"got {int(signal.SIGUSR1)}") == [usr1], log_lines(log)
    assert events(log, f"signal {int(signal.SIGTERM)}") == [], log_lines(log)


@pytest.mark.parametrize("how", ["option", "env"])
def test_no_drain_exits_as_soon_as_the_command_does(mode, start, tmp_path, how):
    log, grace = tmp_path / "log", 10
    args = ["--no-drain"] if how == "option" else []
    env = dict(os.environ, PIDONE_DRAIN="0") if how == "env" else None
    began = time.monotonic()
    init = start(mode, ["--grace", str(grace), *args,
                        *script(leftover(log, "--setsid", "--record", "--on", "exit"),
                                "exit 6")], env=env)
    survivor = ready_pid(init)
    assert init.wait() == 6
    took = time.monotonic() - began
    assert took < MARGIN, "pidone waited for the leftover"
    assert events(log, "got") == [], "the leftover was drained"
    if mode == "subreaper":
        # It was left running and came to the test process: it got no signal
        # (a probe of ours is the first thing it logs) and is not stopped.
        assert survivor in adopted()
        assert state_of(survivor) in ("S", "R")
        os.kill(survivor, signal.SIGRTMAX)
        wait_until(lambda: log_lines(log), timeout=5, what="the probe to be logged")
        assert log_lines(log) == [f"{survivor} signal {int(signal.SIGRTMAX)}"]
        os.kill(survivor, signal.SIGKILL)
        os.waitpid(survivor, 0)


def test_grace_zero_kills_at_once_without_the_drain_signal(mode, start, tmp_path):
    log = tmp_path / "log"
    began = time.monotonic()
    init = start(mode, ["-vv", "--grace", "0",
                        *script(leftover(log, "--setsid", "--record", "--on", "exit"),
                                "exit 0")])
    victim = ready_pid(init)
    assert init.wait() == 0
    took = time.monotonic() - began
    assert log_lines(log) == [], "the leftover got a signal it could handle"
    assert victim in killed_pids(init.stderr_text), init.stderr_text
    assert took < 2.0  # the default grace is 5 s
    if mode == "subreaper":
        assert adopted() == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_second_signal_during_the_drain_kills_at_once(mode, start, tmp_path, sig):
    grace = 20
    init = start(mode, ["-vv", "--grace", str(grace),
                        *script(leftover(tmp_path / "log", "--setsid", "--on", "ignore"),
                                "exit 5")])
    stubborn = ready_pid(init)
    err = Stderr(init)
    err.line_matching(r"drain.*SIGTERM")
    asked = time.monotonic()
    init.signal(sig)
    assert init.wait() == 5
    assert time.monotonic() - asked < MARGIN
    assert stubborn in killed_pids(err.all()), err.all()


def test_verbose_logs_one_line_per_drain_phase(mode, start, tmp_path):
    # Two leftovers: one stops on TERM, one must be killed.
    log, grace = tmp_path / "log", 0.5
    init = start(mode, ["-v", "--grace", str(grace),
                        *script(leftover(log, "--setsid", "--on", "exit"),
                                leftover(log, "--setsid", "--on", "ignore"), "exit 0")])
    ready_pid(init)
    ready_pid(init)
    assert init.wait() == 0
    lines = drain_lines(init.stderr_text)
    assert len(lines) == 3, init.stderr_text
    asked, killed, total = lines
    assert "SIGTERM" in asked and re.search(r"\b2\b", asked), asked
    assert "SIGKILL" in killed and re.search(r"\b1\b", killed), killed
    took = [int(ms) for ms in re.findall(r"(\d+) ?ms", total)]
    assert took and grace * 1000 <= took[-1] < (grace + MARGIN) * 1000, total


def test_drain_is_silent_without_verbose(mode, start, tmp_path):
    init = start(mode, ["--grace", "0.2",
                        *script(leftover(tmp_path / "log", "--setsid", "--on", "ignore"),
                                "exit 0")])
    ready_pid(init)
    assert init.wait() == 0
    assert init.stderr_text == ""


@pytest.mark.parametrize("end, code", [("exit 7", 7), ("kill -USR2 $$", 128 + 12)])
def test_exit_status_is_the_commands_whatever_the_drain_does(mode, start, tmp_path, end, code):
    log = tmp_path / "log"
    init = start(mode, ["--grace", "0.3",
                        *script(leftover(log, "--setsid", "--on", "exit"),
                                leftover(log, "--setsid", "--on", "ignore"), end)])
    ready_pid(init)
    ready_pid(init)
    assert init.wait() == code
    assert len(events(log, "got 15")) == 1, log_lines(log)


# --- subreaper mode: only what is below pidone -------------------------------


def test_process_beside_pidone_is_untouched_by_its_drain(start, tmp_path):
    # A signal recorder started by the test next to pidone: same parent,
    # same process group. pidone gets signals to forward, its command exits
    # on TERM, it drains a stubborn leftover and is TERMed again meanwhile.
    beside = subprocess.Popen(SIGRECORD, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        fd = beside.stdout.fileno()

        def beside_line():
            ready, _, _ = select.select([fd], [], [], 10)
            assert ready, "the recorder beside pidone said nothing in 10 s"
            return beside.stdout.readline().decode().strip()

        assert beside_line() == "child ready"
        init = start("subreaper", ["-vv", "--grace", "20", *script(
            leftover(tmp_path / "log", "--setsid", "--on", "ignore"),
            "exec " + shlex.join([*SIGRECORD, "--exit-on", str(int(signal.SIGTERM))]))])
        stubborn = ready_pid(init)
        init.expect("child ready")
        for sig in (signal.SIGHUP, signal.SIGUSR1):
            init.signal(sig)
            init.expect(f"child {int(sig)}")
        err = Stderr(init)
        init.signal(signal.SIGTERM)
        err.line_matching(r"drain.*SIGTERM")
        init.signal(signal.SIGTERM)
        assert init.wait() == 0
        assert stubborn in killed_pids(err.all()), err.all()
        # Anything pidone sent it is pending or handled before our probe,
        # which has the highest number; a stopped recorder would not answer.
        assert state_of(beside.pid) in ("S", "R")
        os.kill(beside.pid, signal.SIGRTMAX)
        assert beside_line() == f"child {int(signal.SIGRTMAX)}"
        assert beside.poll() is None
    finally:
        beside.kill()
        beside.wait(timeout=10)


# --- pause mode ----------------------------------------------------------------


def join_namespace(init, *args):
    """Start a leftover inside pause-mode pidone's namespace with nsenter;
    once nsenter has returned, the leftover is an orphan adopted by pidone."""
    pid1 = init.pid
    p = subprocess.run(["nsenter", "-t", str(pid1), "-p", "-m", "--", *LEFTOVER, *args],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=10, text=True)
    assert p.returncode == 0 and p.stdout.startswith("ready "), (p.returncode, p.stdout, p.stderr)
    wait_until(lambda: children_of(pid1), what="pidone to adopt the leftover")
    return int(p.stdout.split()[1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_pause_mode_drains_before_exiting_on_term(start, tmp_path, sig):
    log = tmp_path / "log"
    init = start("pid1", ["-P", "--grace", "10"])
    orphan = join_namespace(init, "--log", str(log), "--setsid", "--on", "exit")
    began = time.monotonic()
    init.signal(sig)
    assert init.wait() == 0
    assert events(log, "got 15") == [orphan], log_lines(log)
    assert time.monotonic() - began < MARGIN


def test_pause_mode_kills_what_ignores_term_after_the_grace(start, tmp_path):
    grace = 0.5
    init = start("pid1", ["-P", "-vv", "--grace", str(grace)])
    stubborn = join_namespace(init, "--log", str(tmp_path / "log"), "--setsid", "--on", "ignore")
    began = time.monotonic()
    init.signal(signal.SIGTERM)
    assert init.wait() == 0
    assert grace <= time.monotonic() - began < grace + MARGIN
    assert stubborn in killed_pids(init.stderr_text), init.stderr_text


# --- PID 1: everything in the namespace, not just pidone's descendants -------


def join_from_outside(init, *args):
    """A leftover in init's pid namespace whose parent stays outside it (nsenter
    waits for it, as `docker exec` or a pod's other containers do): pidone
    never reaps it, yet as PID 1 it is in pidone's charge."""
    joined = subprocess.Popen(
        ["nsenter", "-t", str(init.pid), "-p", "-m", "--", *LEFTOVER, "--foreground", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ready, _, _ = select.select([joined.stdout], [], [], 10)
    line = joined.stdout.readline().decode() if ready else ""
    if not line.startswith("ready "):
        joined.kill()
        joined.wait(timeout=10)
        raise AssertionError(f"the joined leftover did not start: {line!r}")
    return joined, int(line.split()[1])


@pytest.mark.parametrize("pause", [False, True], ids=["command", "pause"])
def test_process_that_joined_the_namespace_is_drained_and_waited_for(start, tmp_path, pause):
    # Its TERM handler takes 0.3 s to clean up: pidone must send it the
    # drain signal and stay (the namespace dies with PID 1) until it is done.
    log = tmp_path / "log"
    main = ["-P"] if pause else [*SIGRECORD, "--exit-on", str(int(signal.SIGTERM))]
    init = start("pid1", ["--grace", "10", *main])
    if not pause:
        init.expect("child ready")
    joined, pid = join_from_outside(init, "--log", str(log), "--on", "exit", "--linger", "0.3")
    try:
        init.signal(signal.SIGTERM)
        assert init.wait() == 0
        assert joined.wait(timeout=10) == 0, "the joined process was killed, not drained"
        assert events(log, "got 15") == [pid], log_lines(log)
    finally:
        if joined.poll() is None:
            joined.kill()
            joined.wait(timeout=10)
