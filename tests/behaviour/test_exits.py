"""Issue 10: pidone says, in one line on stderr, why the container ended."""
import json
import os
import re
import signal

import pytest

from conftest import (PIDONE, cgroup_v1, children_of, joining, py, run, sh, wait_until,
                      without_leak_check)

# The command prints its pid, then waits to be killed from outside.
WAIT = sh("echo $$; exec sleep 60")


def report_lines(stderr):
    return [l for l in stderr.splitlines() if l.startswith("pidone: command ")]


def test_a_signal_pidone_forwarded_is_not_reported_by_default(mode, start):
    """docker stop's SIGTERM, forwarded by pidone, is why the command died:
    nothing to explain."""
    init = start(mode, WAIT)
    init.readline()
    init.signal(signal.SIGUSR1)
    assert init.wait() == 128 + signal.SIGUSR1
    assert report_lines(init.stderr_text) == []


def test_sigkill_pidone_did_not_forward_gives_one_line_and_137(mode, start):
    init = start(mode, WAIT)
    line = init.readline()
    # In pid1 mode the command's pid is namespace-local: find it below pidone.
    child = int(line) if mode == "subreaper" else _host_pid_of_child(init)
    os.kill(child, signal.SIGKILL)
    assert init.wait() == 137
    lines = report_lines(init.stderr_text)
    assert len(lines) == 1, init.stderr_text
    assert re.fullmatch(r"pidone: command sh \(pid \d+\) was killed by SIGKILL \(signal 9\); "
                        r"exit code 137", lines[0]), lines[0]


def test_segfault_is_reported_with_its_signal(mode):
    rc, _, err = run(mode, py("import ctypes; ctypes.string_at(0)"))
    assert rc == 139
    lines = report_lines(err)
    assert len(lines) == 1 and "was killed by SIGSEGV (signal 11)" in lines[0], err
    assert lines[0].endswith("exit code 139")


def test_quiet_silences_the_report(mode):
    rc, _, err = run(mode, ["-q", *sh("kill -KILL $$")])
    assert rc == 137
    assert err == ""


def test_quiet_from_the_environment(mode):
    rc, _, err = run(mode, sh("kill -KILL $$"), env=dict(os.environ, PIDONE_QUIET="1"))
    assert rc == 137
    assert err == ""


def test_a_signal_pidone_forwarded_is_reported_only_with_v(mode, start):
    init = start(mode, ["-v", *WAIT])
    init.readline()
    init.signal(signal.SIGTERM)
    assert init.wait() == 143
    lines = report_lines(init.stderr_text)
    assert len(lines) == 1 and lines[0].endswith("which pidone forwarded; exit code 143"), lines


def test_v_reports_a_normal_exit_with_its_run_time(mode):
    rc, _, err = run(mode, ["-v", *sh("exit 4")])
    assert rc == 4
    assert re.search(r"pidone: command sh \(pid \d+\) exited with 4 after \d+ ms; exit code 4", err), err


def test_w_names_the_command_of_each_reaped_orphan(mode):
    rc, _, err = run(mode, ["-w", *sh("(exec sleep 0.1 &); (exec true &); sleep 0.4")])
    assert rc == 0
    reaped = re.findall(r"pidone: reaped orphan (\S+) \(pid \d+\): exited with 0", err)
    assert sorted(reaped) == ["sleep", "true"], err


def test_json_lines_parse_and_carry_the_exit_fields(mode):
    rc, _, err = run(mode, ["--log-format=json", "-v", "-w",
                            *sh("(exec sleep 0.1 &); sleep 0.3; kill -ABRT $$")])
    assert rc == 134
    records = [json.loads(l) for l in err.splitlines()]
    assert all({"time", "level", "event", "message"} <= set(r) for r in records), records
    events = [r["event"] for r in records]
    assert events[0] == "start" and "reap" in events and events[-1] == "exit", events
    exit_record = records[-1]
    assert (exit_record["signal"], exit_record["signo"], exit_record["exit_code"],
            exit_record["forwarded"], exit_record["oom_killed"]) == ("SIGABRT", 6, 134, False, False)
    reap = next(r for r in records if r["event"] == "reap")
    assert (reap["command"], reap["status"]) == ("sleep", 0)


def test_json_from_the_environment(mode):
    rc, _, err = run(mode, sh("kill -KILL $$"), env=dict(os.environ, PIDONE_LOG_FORMAT="json"))
    assert rc == 137
    (record,) = [json.loads(l) for l in err.splitlines()]
    assert (record["level"], record["event"], record["signal"]) == ("warn", "exit", "SIGKILL")


def test_every_message_is_one_write(tmp_path):
    """Each line is written whole with one write(2): under strace every
    write to fd 2 by pidone ends with a newline and holds exactly one line."""
    trace = tmp_path / "trace"
    env = without_leak_check()  # LeakSanitizer cannot run under ptrace
    rc, _, _ = run("subreaper", ["strace", "-qq", "-s", "1000", "-e", "trace=write", "-e", "signal=none",
                                 "-o", str(trace), PIDONE, "-v", "-w",
                                 *sh("(exec true &); sleep 0.2; exit 2")], init=[], env=env)
    assert rc == 2
    writes = [l for l in trace.read_text().splitlines() if l.startswith("write(2, ")]
    assert len(writes) >= 3
    for w in writes:
        text = w.split('"', 1)[1].rsplit('"', 1)[0]
        assert text.endswith("\\n") and text.count("\\n") == 1, w


@pytest.fixture
def memory_cgroup():
    """A memory cgroup of our own with a 32 MiB limit."""
    with cgroup_v1("memory", "memory.oom_control") as path:
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(32 << 20))
        yield path


def test_oom_kill_is_named_in_the_report(mode, memory_cgroup):
    rc, _, err = run(mode, py("x = bytearray(256 << 20)"), timeout=60,
                     preexec_fn=joining(memory_cgroup))
    assert rc == 137
    lines = report_lines(err)
    assert len(lines) == 1, err
    assert "was killed by SIGKILL (signal 9), by the kernel's out-of-memory killer; " \
           "exit code 137" in lines[0], lines[0]


def _host_pid_of_child(init):
    return wait_until(lambda: (children_of(init.pid) or [None])[0], what="the command")
