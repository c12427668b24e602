"""Issue 8: valgrind memcheck over representative pidone scenarios.

pidone (the non-PIE glibc debug build, $PIDONE_VG, built by `make valgrind`)
runs under valgrind in both modes: directly (subreaper) and as PID 1 of a new
pid namespace (`unshare -fp --mount-proc valgrind ... pidone`, so valgrind
itself is PID 1 and pidone sees getpid() == 1). Each scenario checks pidone's
behaviour as the behaviour suite does, then every valgrind log it left: zero
errors, and no definite or indirect leak (they count as errors).

valgrind logs to a file per process (vg.<pid>): pidone's own, and the forked
child's up to its exec. valgrind keeps signal 64 for itself; pidone leaves
it as it is (with a warning at -v, which no scenario here compares).
"""
import glob
import os
import re
import signal
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BEHAVIOUR = os.path.join(os.path.dirname(HERE), "behaviour")
sys.path.insert(0, BEHAVIOUR)

# start and mode are the behaviour suite's fixtures: importing them makes them
# this module's too.
from conftest import PYTHON, run, sh, py, start, mode, wait_until  # noqa: E402,F401

PIDONE_VG = os.environ.get("PIDONE_VG", os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build", "valgrind", "pidone"))
SIGRECORD = [PYTHON, os.path.join(BEHAVIOUR, "helpers", "sigrecord.py")]


@pytest.fixture
def vg(tmp_path):
    """The init argv: valgrind, logging to tmp_path, around the debug pidone."""
    if not os.path.exists(PIDONE_VG):
        pytest.fail(f"{PIDONE_VG} missing: run make valgrind")
    argv = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--track-fds=no",
            f"--log-file={tmp_path}/vg.%p", PIDONE_VG]
    yield argv
    logs = sorted(glob.glob(f"{tmp_path}/vg.*"))
    for log in logs:
        with open(log) as f:
            text = f.read()
        # With -q valgrind writes "==PID== ..." lines only for errors and
        # leaks ("--PID--" lines are its own warnings, e.g. about pidfd_open).
        reports = [line for line in text.splitlines() if re.match(r"==\d+==", line)]
        assert not reports, f"valgrind found errors in {log}:\n{text}"
    assert logs, "valgrind wrote no log"


def test_exit_code_is_passed_on(mode, vg):
    rc, _, err = run(mode, sh("exit 3"), init=vg)
    assert rc == 3, err


def test_death_by_signal_gives_128_plus_n(mode, vg):
    rc, _, err = run(mode, sh("kill -TERM $$"), init=vg)
    assert rc == 128 + signal.SIGTERM, err


def test_signals_are_forwarded(mode, vg, start):
    init = start(mode, SIGRECORD + ["--exit-on", str(int(signal.SIGUSR2))], init=vg)
    init.expect("child ready", timeout=30)
    init.signal(signal.SIGUSR1)
    init.expect(f"child {int(signal.SIGUSR1)}")
    init.signal(signal.SIGRTMIN + 1)
    init.expect(f"child {int(signal.SIGRTMIN) + 1}")
    init.signal(signal.SIGUSR2)
    init.expect(f"child {int(signal.SIGUSR2)}")
    assert init.wait(timeout=30) == 0, init.stderr_text


def test_orphans_are_reaped_and_named_in_json(mode, vg):
    script = "for i in 1 2 3 4 5; do (sh -c 'exit 7' &); done; exit 0"
    rc, _, err = run(mode, ["-v", "-w", "--log-format", "json"] + sh(script), init=vg)
    assert rc == 0, err
    assert "exited with 7" in err, err


# The command leaves a child behind and exits once that child is ready.
DRAINED = """
import os, signal, time
r, w = os.pipe()
if os.fork() == 0:
    signal.signal(signal.SIGTERM, {handler})
    os.write(w, b"up")
    for _ in range(600):
        time.sleep(0.05)
    os._exit(1)
os.read(r, 2)
"""


def test_drain_stops_what_is_left_with_sigterm(mode, vg):
    script = DRAINED.format(handler="lambda *a: os._exit(0)")
    rc, out, err = run(mode, ["-v", "--grace", "5"] + py(script), init=vg)
    assert rc == 0, err
    assert "drain: SIGTERM to 1 process(es)" in err, err
    assert "drain: all gone" in err, err


def test_drain_kills_what_ignores_sigterm(mode, vg):
    script = DRAINED.format(handler="signal.SIG_IGN")
    rc, out, err = run(mode, ["-v", "--grace", "0.3"] + py(script), init=vg)
    assert rc == 0, err
    assert "drain: SIGKILL" in err, err


def test_pause_mode_exits_0_on_sigterm(mode, vg, start):
    init = start(mode, ["-P"], init=vg)
    pid = init.pid
    # pidone blocks SIGTERM and sleeps in sigtimedwait() once it is ready.
    wait_until(lambda: open(f"/proc/{pid}/wchan").read().startswith("do_sigtimedwait"),
               timeout=30, what="pidone to wait in sigtimedwait")
    init.signal(signal.SIGTERM)
    assert init.wait(timeout=30) == 0, init.stderr_text


@pytest.mark.parametrize("args, code", [
    (["--no-such-option", "true"], 125),
    (["-P", "true"], 125),
    (["--help"], 0),
    (["--version"], 0),
    (["/nonexistent/command"], 127),
    (["/"], 126),
    (["no-such-command-pidone"], 127),
])
def test_usage_and_exec_failures(mode, vg, args, code):
    rc, _, err = run(mode, args, init=vg)
    assert rc == code, err


@pytest.mark.parametrize("args, code", [
    (["--user", "nobody", "--", "sh", "-c", "exit 4"], 4),
    (["--user", "65534:65534", "--", "true"], 0),
    (["--user", "no-such-user-pidone", "--", "true"], 125),
    (["--expand-env", "--", "sh", "-c", "exit ${CODE:-5}"], 5),
    (["--expand-env", "--", "true", "${UNCLOSED"], 125),
    (["--explain", "--user", "nobody", "--expand-env", "-e", "1", "--", "x", "${HOME}"], 0),
])
def test_user_expand_env_and_explain(mode, vg, args, code):
    rc, _, err = run(mode, args, init=vg)
    assert rc == code, err
