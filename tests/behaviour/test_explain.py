"""--explain: what pidone would do, one line per setting on stdout,
"name: value (from: SOURCE)", then exit 0 without starting anything.

Each source is tested in each combination that decides it: nothing (default),
the command line, pidone's variable, a peer's variable, a PIDONE_ variable
over a peer's, the command line over a variable, and both where they add up.
"""
import os
import subprocess

import pytest

from conftest import PIDONE

BASE = {"PATH": os.environ["PATH"]}
DEFAULT_ROUTING = "process group: SIGINT,SIGQUIT,SIGTERM,SIGCONT; child: every other signal"


def explain(args, env=None, explain_option=("--explain",)):
    p = subprocess.run([PIDONE, *explain_option, *args], capture_output=True, text=True,
                       timeout=20, env=dict(BASE, **(env or {})))
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    lines = {}
    for line in p.stdout.splitlines():
        name, _, rest = line.partition(": ")
        value, sep, source = rest.rpartition(" (from: ")
        assert sep and source.endswith(")"), line
        assert name not in lines, f"{name} twice"
        lines[name] = (value, source[:-1])
    return lines


@pytest.mark.parametrize("args, env, name, value, source", [
    # nothing sets it
    ([], {}, "grace", "5", "default"),
    ([], {}, "forward-to", DEFAULT_ROUTING, "default"),
    ([], {}, "verbosity", "0", "default"),
    ([], {}, "user", "unchanged", "default"),
    ([], {}, "expand-env", "off", "default"),
    # the command line
    (["--grace", "2"], {}, "grace", "2", "command line"),
    (["-c"], {}, "forward-to", "child: every signal", "command line"),
    (["-vv"], {}, "verbosity", "2", "command line"),
    (["--no-drain"], {}, "drain", "off", "command line"),
    (["--no-confine"], {}, "confine", "off", "command line"),
    (["--user", "nobody"], {}, "user", "uid=65534(nobody) gid=65534(nogroup) groups=none",
     "command line"),
    (["--expand-env"], {}, "expand-env", "on", "command line"),
    # pidone's variables
    ([], {"PIDONE_GRACE": "3"}, "grace", "3", "PIDONE_GRACE"),
    ([], {"PIDONE_SINGLE_CHILD": "1"}, "forward-to", "child: every signal", "PIDONE_SINGLE_CHILD"),
    ([], {"PIDONE_VERBOSITY": "2"}, "verbosity", "2", "PIDONE_VERBOSITY"),
    ([], {"PIDONE_DRAIN": "0"}, "drain", "off", "PIDONE_DRAIN"),
    ([], {"PIDONE_CONFINE": "0"}, "confine", "off", "PIDONE_CONFINE"),
    ([], {"PIDONE_REWRITE": "TERM:QUIT"}, "rewrite", "SIGTERM:SIGQUIT", "PIDONE_REWRITE"),
    ([], {"PIDONE_USER": "0:0"}, "user", "uid=0(root) gid=0(root) groups=none",
     "PIDONE_USER"),
    ([], {"PIDONE_EXPAND_ENV": "1"}, "expand-env", "on", "PIDONE_EXPAND_ENV"),
    # the peers' variables
    ([], {"TINI_VERBOSITY": "3"}, "verbosity", "2", "TINI_VERBOSITY"),
    ([], {"TINI_KILL_PROCESS_GROUP": "1"}, "forward-to", "process group: every signal",
     "TINI_KILL_PROCESS_GROUP"),
    ([], {"DUMB_INIT_SETSID": "0"}, "forward-to", "child: every signal", "DUMB_INIT_SETSID"),
    # pidone's variable over a peer's
    ([], {"TINI_VERBOSITY": "3", "PIDONE_VERBOSITY": "1"}, "verbosity", "1",
     "PIDONE_VERBOSITY"),
    ([], {"DUMB_INIT_SETSID": "0", "PIDONE_SINGLE_CHILD": "0"}, "forward-to",
     DEFAULT_ROUTING, "PIDONE_SINGLE_CHILD"),
    # the command line over a variable
    (["--grace", "1"], {"PIDONE_GRACE": "3"}, "grace", "1", "command line"),
    (["-g"], {"DUMB_INIT_SETSID": "0"}, "forward-to", "process group: every signal",
     "command line"),
    (["--child-signals", "INT"], {}, "forward-to",
     "process group: SIGQUIT,SIGTERM,SIGCONT; child: every other signal", "command line"),
    ([], {"PIDONE_RESTRICT_WRITE": "/tmp"}, "restrict",
     "write /tmp and /dev; needs Landlock ABI 3", "PIDONE_RESTRICT_WRITE"),
    (["--user", "nobody"], {"PIDONE_USER": "root"}, "user",
     "uid=65534(nobody) gid=65534(nogroup) groups=none", "command line"),
    # what adds up: both
    (["-v"], {"TINI_VERBOSITY": "3"}, "verbosity", "3", "TINI_VERBOSITY, command line"),
    (["-e", "1"], {"PIDONE_REMAP_EXIT": "143"}, "remap-exit", "1,143",
     "PIDONE_REMAP_EXIT, command line"),
    (["-r", "INT:0"], {"PIDONE_REWRITE": "TERM:QUIT"}, "rewrite", "SIGINT:0,SIGTERM:SIGQUIT",
     "PIDONE_REWRITE, command line"),
])
def test_value_and_source(args, env, name, value, source):
    assert explain([*args, "--", "cmd"], env)[name] == (value, source)


def test_every_line_in_order():
    assert list(explain(["--", "cmd"])) == [
        "mode", "command", "expand-env", "user", "home", "forward-to", "rewrite",
        "pdeath-signal", "drain", "drain-signal", "grace", "remap-exit", "verbosity",
        "quiet", "warn-reap", "log-format", "confine", "restrict"]


def test_starts_nothing(tmp_path):
    marker = tmp_path / "ran"
    lines = explain(["--", "touch", str(marker)])
    assert lines["command"] == (f"touch {marker}", "command line")
    assert not marker.exists()


def test_variable_turns_it_on(tmp_path):
    marker = tmp_path / "ran"
    lines = explain(["--", "touch", str(marker)], {"PIDONE_EXPLAIN": "1"}, explain_option=())
    assert lines["mode"] == ("run", "default")
    assert not marker.exists()


def test_command_is_shown_after_expansion():
    lines = explain(["--expand-env", "--", "srv", "--port=${PORT:-8080}", "a b"],
                    {"PORT": "9"})
    assert lines["command"] == ("srv --port=9 'a b'", "command line")


def test_user_and_home_are_looked_up():
    assert explain(["--user", "nobody", "--", "cmd"])["home"] == ("/nonexistent", "/etc/passwd")
    assert explain(["--user", "nobody", "--", "cmd"], {"HOME": "/x"})["home"] == ("/x", "HOME")
    assert explain(["--", "cmd"])["home"] == ("unset", "default")


def test_pause_mode():
    lines = explain(["-P"])
    assert lines["mode"] == ("pause", "command line")
    assert lines["command"] == ("none", "default")


@pytest.mark.parametrize("args, message", [
    (["--user", "nosuch", "--", "cmd"], "pidone: user 'nosuch': not in /etc/passwd"),
    (["--expand-env", "--", "cmd", "${X"], "pidone: --expand-env: '${X' has a \"${\" with no \"}\""),
    ([], "pidone: no command given"),
])
def test_what_would_fail_still_fails_with_125(args, message):
    p = subprocess.run([PIDONE, "--explain", *args], capture_output=True, text=True,
                       timeout=20, env=BASE)
    assert p.returncode == 125
    assert p.stdout == ""
    assert p.stderr.splitlines()[0] == message
