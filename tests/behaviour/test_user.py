"""--user USER[:GROUP]: the command runs as another user, as under gosu.

The users and groups are our own: each test runs pidone in a private mount
namespace (`unshare -m`) where a temporary passwd and group file are
bind-mounted over /etc/passwd and /etc/group; the host's files are never
touched. The command reports its ids from /proc/self/status, where the
kernel keeps real, effective, saved (and filesystem) ids and the
supplementary groups.
"""
import glob
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile

import pytest

from conftest import (EVENT, PIDONE, PYTHON, command, descendants_of, py, sh,
                      status_field, wait_until)
from helpers.ptydrive import Pty

PASSWD = """\
root:x:0:0:root:/root:/bin/sh
app:x:2000:2000:App,,,:/home/app:/bin/sh
nohome:x:2001:2000:::/bin/sh
"""
GROUP = """\
root:x:0:
app:x:2000:
extra1:x:3001:app,other
extra2:x:3002:other,app
notmine:x:3003:apple,ap
solo:x:3004:
"""
IDS = sh('for f in Uid Gid Groups; do grep "^$f:" /proc/self/status; done;'
         ' echo "HOME=${HOME-unset}"')
NO_HOME = {k: v for k, v in os.environ.items() if k != "HOME"}


@pytest.fixture
def etc(tmp_path):
    """etc(argv) -> argv run with our passwd and group over /etc's."""
    (tmp_path / "passwd").write_text(PASSWD)
    (tmp_path / "group").write_text(GROUP)

    def wrap(argv):
        return ["unshare", "-m", "--propagation", "private", "sh", "-c",
                'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group'
                ' && shift 2 && exec "$@"', "sh",
                str(tmp_path / "passwd"), str(tmp_path / "group"), *argv]
    return wrap


def run_as(argv, env=None, timeout=20):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       env=NO_HOME if env is None else env)
    return p.returncode, p.stdout, p.stderr


def ids(out):
    """{'Uid': '2000 2000 2000 2000', ..., 'HOME': '/home/app'}"""
    found = {}
    for line in out.splitlines():
        key, sep, value = line.partition(":" if not line.startswith("HOME=") else "=")
        if sep:
            found[key] = " ".join(value.split())
    return found


# spec -> (uid, gid, groups, HOME) the command must get
SPECS = {
    "app": ("2000", "2000", "3001 3002", "/home/app"),
    "2000": ("2000", "2000", "3001 3002", "/home/app"),
    "app:solo": ("2000", "3004", "", "/home/app"),
    "app:3001": ("2000", "3001", "", "/home/app"),
    "app:777": ("2000", "777", "", "/home/app"),
    "1234": ("1234", "0", "", "unset"),
    "1234:solo": ("1234", "3004", "", "unset"),
    "1234:5678": ("1234", "5678", "", "unset"),
    "nohome": ("2001", "2000", "", "unset"),
}


@pytest.mark.parametrize("spec", list(SPECS))
def test_command_gets_the_users_real_effective_and_saved_ids_and_groups(etc, mode, spec):
    uid, gid, groups, home = SPECS[spec]
    code, out, err = run_as(etc(command(mode, ["--user", spec, "--", *IDS])))
    assert code == 0, err
    assert ids(out) == {"Uid": " ".join([uid] * 4), "Gid": " ".join([gid] * 4),
                        "Groups": groups, "HOME": home}, out


@pytest.mark.parametrize("spec", list(SPECS))
def test_same_ids_and_groups_as_gosu(etc, spec):
    _, theirs, err = run_as(etc(["/usr/sbin/gosu", spec, *IDS]))
    code, ours, _ = run_as(etc([PIDONE, "--user", spec, "--", *IDS]))
    assert code == 0
    theirs, ours = ids(theirs), ids(ours)
    assert theirs["Uid"] and theirs["Gid"], err
    # Where /etc/passwd gives no home, gosu makes one up (/ for a user it does
    # not know, "" for an empty field); pidone leaves HOME unset.
    if spec.split(":")[0] in ("1234", "nohome"):
        assert (theirs.pop("HOME"), ours.pop("HOME")) == (
            "/" if spec.startswith("1234") else "", "unset")
    assert ours == theirs


def test_home_already_set_is_kept(etc):
    code, out, err = run_as(etc([PIDONE, "--user", "app", "--", *IDS]),
                            env=dict(NO_HOME, HOME="/srv"))
    assert code == 0, err
    assert ids(out)["HOME"] == "/srv"


def test_user_from_the_environment(etc):
    code, out, err = run_as(etc([PIDONE, "--", *IDS]), env=dict(NO_HOME, PIDONE_USER="app"))
    assert code == 0, err
    assert ids(out)["Uid"] == "2000 2000 2000 2000"


@pytest.mark.parametrize("spec, message", [
    ("nosuch", "pidone: user 'nosuch': not in /etc/passwd"),
    ("app:nosuch", "pidone: group 'nosuch': not in /etc/group"),
    ("app:a:b", "pidone: --user: 'app:a:b' is not USER[:GROUP]"),
    ("app:", "pidone: --user: 'app:' is not USER[:GROUP]"),
])
def test_unknown_or_malformed_user_exits_125_and_starts_nothing(etc, mode, spec, message):
    code, out, err = run_as(etc(command(mode, ["--user", spec, "--", "echo", "RAN"])))
    assert code == 125
    assert out == ""
    assert err.splitlines()[0] == message


NOT_ROOT = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", PIDONE]


def test_pidone_without_root_cannot_switch_exits_125_and_runs_nothing(etc, mode):
    code, out, err = run_as(etc(command(mode, ["--user", "app", "--", "echo", "RAN"],
                                        init=NOT_ROOT)))
    assert code == 125
    assert out == ""
    assert err == ("pidone: --user: uid 2000: setgroups: Operation not permitted"
                   " (switching users needs root, or CAP_SETUID and CAP_SETGID)\n")


def test_failed_switch_is_125_even_with_remap_exit_125(etc):
    """pidone learns of the failure from the child, not from its exit status."""
    code, out, err = run_as(etc([*NOT_ROOT, "-e", "125", "-v", "--user", "app", "--", "true"]))
    assert code == 125
    assert "setgroups" in err
    assert "started" not in err  # no lifecycle lines: the command never ran


def test_pause_mode_refuses_user():
    code, _, err = run_as([PIDONE, "-P", "--user", "nobody"])
    assert code == 125
    assert "pause mode (-P) runs no command to run as user 'nobody'" in err


# --- signals and exit codes of a command running as another user -------------

HANDLER = py("""
import os, signal, sys
def stop(sig, frame):
    print(f"uid {os.getuid()} got {sig}", flush=True)
    sys.exit(7)
signal.signal(signal.SIGTERM, stop)
# A wake-up pipe, not signal.pause(), which can sleep through a signal that
# lands after Python's last look for one and before the pause itself.
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
print("ready", flush=True)
for _ in range(1000000):
    os.read(wake_r, 1)
""")


def start_as_nobody(start, mode, args, **kw):
    return start(mode, ["--user", "nobody", *args], env=NO_HOME, **kw)


def test_signal_is_forwarded_to_a_command_of_another_user(start, mode):
    init = start_as_nobody(start, mode, ["--", *HANDLER])
    init.expect("ready")
    init.signal(signal.SIGTERM)
    init.expect(f"uid {pwd.getpwnam('nobody').pw_uid} got {int(signal.SIGTERM)}")
    assert init.wait() == 7


def test_signal_is_forwarded_to_a_single_child_of_another_user(start, mode):
    init = start_as_nobody(start, mode, ["-c", "--", *HANDLER])
    init.expect("ready")
    init.signal(signal.SIGTERM)
    init.expect(f"uid {pwd.getpwnam('nobody').pw_uid} got {int(signal.SIGTERM)}")
    assert init.wait() == 7


def test_pidone_itself_keeps_its_own_ids(start, mode):
    init = start_as_nobody(start, mode, ["--", *HANDLER])
    init.expect("ready")
    assert status_field(init.pid, "Uid").split() == ["0"] * 4
    init.signal(signal.SIGTERM)
    assert init.wait() == 7


@pytest.mark.parametrize("script, code", [
    ("exit 0", 0), ("exit 3", 3), ("kill -TERM $$", 143), ("kill -KILL $$", 137),
])
def test_exit_code_of_a_command_of_another_user(mode, script, code):
    got, _, err = run_as(command(mode, ["--user", "nobody", "--", *sh(script)]))
    assert got == code, err


@pytest.fixture
def nobodys_dir():
    """A directory nobody can write to (pytest's tmp_path is root's alone)."""
    path = tempfile.mkdtemp(prefix="pidone-user-")
    try:
        os.chmod(path, 0o755)
        os.chown(path, pwd.getpwnam("nobody").pw_uid, -1)
        yield path
    finally:
        shutil.rmtree(path)


def test_drain_reaches_what_a_command_of_another_user_leaves(start, mode, nobodys_dir):
    """The command exits and leaves a process that handles SIGTERM: pidone,
    confined to CAP_KILL, still drains it."""
    log = os.path.join(nobodys_dir, "log")
    leftover = os.path.join(os.path.dirname(__file__), "helpers", "leftover.py")
    init = start_as_nobody(start, mode, ["-v", "--", PYTHON, leftover, "--on", "exit",
                                         "--log", str(log)])
    assert init.wait() == 0, init.stderr_text
    with open(log) as f:
        assert " got 15" in f.read()


def test_terminal_goes_to_the_group_of_a_command_of_another_user(tmp_path):
    job = os.path.join(os.path.dirname(__file__), "helpers", "ttyjob.py")
    term = Pty(["unshare", "-fp", "--mount-proc", "setsid", "-c",
                PIDONE, "--user", "nobody", "--", PYTHON, job, "probe"], env=NO_HOME)
    try:
        line = term.expect(re.compile(
            r"probe pgrp=(\d+) tpgid=(\S+) parent_pgrp=(\d+)\r\n"), EVENT)
        assert line.group(2) == line.group(1)  # the command's group has the terminal
        assert line.group(1) != line.group(3)  # and it is not pidone's
        assert term.wait(EVENT) == 0
    finally:
        term.close()


def test_failed_switch_gives_the_terminal_back():
    """The child took the terminal, then could not become the user: the
    shell that started pidone (sh -c: no job control of its own) has it back."""
    job = os.path.join(os.path.dirname(__file__), "helpers", "ttyjob.py")
    script = f"{shlex.join(NOT_ROOT)} --user nobody -- true; echo rc=$?; {PYTHON} {job} probe"
    term = Pty(["sh", "-c", script], env=NO_HOME)  # sh leads the session
    try:
        term.expect(re.compile(r"rc=125\r\n"), EVENT)
        line = term.expect(re.compile(r"probe pgrp=(\d+) tpgid=(\S+) parent_pgrp=(\d+)\r\n"),
                           EVENT)
        assert line.group(2) == line.group(1)
        assert term.wait(EVENT) == 0
    finally:
        term.close()


# --- a PostgreSQL entrypoint ----------------------------------------------------

def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, "postgresql is not installed (tests/deps.sh installs it)"
    return found[-1]


@pytest.fixture
def pgdata():
    """An initialised cluster owned by postgres, in a directory it can reach."""
    top = tempfile.mkdtemp(prefix="pidone-pg-")
    try:
        os.chmod(top, 0o755)
        os.chown(top, pwd.getpwnam("postgres").pw_uid, -1)
        data = os.path.join(top, "data")
        code, _, err = run_as([PIDONE, "--user", "postgres", "--", postgres_bin("initdb"),
                               "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
                              timeout=120)
        assert code == 0, err
        yield top, data
    finally:
        shutil.rmtree(top)


def test_postgres_entrypoint_stops_cleanly_on_sigterm(start, mode, pgdata):
    """`pidone --user postgres -- postgres ...`, then docker stop's SIGTERM:
    PostgreSQL's smart shutdown, exit 0 (under runuser it would be 143).
    No TCP: only a unix socket in the test's directory."""
    top, data = pgdata
    init = start(mode, ["--user", "postgres", "--", postgres_bin("postgres"), "-D", data,
                        "-k", top, "-c", "listen_addresses=", "-c", "logging_collector=off"],
                 env=NO_HOME, stderr=subprocess.STDOUT)
    for _ in range(200):  # bounded: the log lines before "ready"
        if "database system is ready to accept connections" in init.readline(60):
            break
    else:
        raise AssertionError("PostgreSQL never said it was ready")
    server = wait_until(lambda: [p for p in descendants_of(init.proc.pid)
                                 if comm(p) == "postgres"], EVENT, "the postmaster")[0]
    assert status_field(server, "Uid").split() == [str(pwd.getpwnam("postgres").pw_uid)] * 4
    init.signal(signal.SIGTERM)
    assert init.wait(60) == 0
    assert "database system is shut down" in init.rest_of_stdout()
