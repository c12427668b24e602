"""Issue 21: --restrict-* puts the command, and everything it starts, under
Landlock rules an image can declare; pidone itself stays free. Each test
runs the built binary in a real pid namespace (or as a subreaper) on this
kernel; a lower Landlock ABI is simulated with the test build's hook
(PIDONE_TEST_LANDLOCK_ABI), as the ABI checks need."""
import errno
import os
import signal
import socket

import pytest

from conftest import HOOKS, PYTHON, run, py

# Run by the command: each argument "op:path[:path]" is tried, and its
# result printed, in order: "ok" or the errno name (EACCES, ...).
OPS = r"""
import errno, os, subprocess, sys
def one(op, *a):
    try:
        if op == "create":
            os.close(os.open(a[0], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        elif op == "write":
            fd = os.open(a[0], os.O_WRONLY)
            os.write(fd, b"x")
            os.close(fd)
        elif op == "read":
            open(a[0], "rb").read()
        elif op == "mkdir":
            os.mkdir(a[0])
        elif op == "rename":
            os.rename(a[0], a[1])
        elif op == "unlink":
            os.unlink(a[0])
        elif op == "truncate":
            os.truncate(a[0], 0)
        elif op == "exec":
            rc = subprocess.run([a[0]]).returncode
            return "ok" if rc == 0 else f"exit {rc}"
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
print(" ".join(one(*spec.split(":")) for spec in sys.argv[1:]), flush=True)
"""


def ops(*specs):
    return [PYTHON, "-c", OPS, *specs]


def results(rc_out_err):
    rc, out, err = rc_out_err
    assert rc == 0, f"exit {rc}: {err}"
    return out.split()


@pytest.fixture
def tree(tmp_path):
    """tmp_path/ok (to be allowed) and tmp_path/no, each with a file f."""
    for d in ("ok", "no"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "f").write_text("data")
    return tmp_path


def loader_dir():
    """Where this system's ELF loader really is (/lib64 is a symlink)."""
    return os.path.dirname(os.path.realpath("/lib64/ld-linux-x86-64.so.2"))


# ---- --restrict-write ------------------------------------------------------

def test_writes_beneath_an_allowed_path_succeed(mode, tree):
    ok = tree / "ok"
    got = results(run(mode, ["--restrict-write", str(ok), *ops(
        f"create:{ok}/new", f"write:{ok}/f", f"mkdir:{ok}/d", f"rename:{ok}/new:{ok}/d/moved",
        f"truncate:{ok}/f", f"unlink:{ok}/d/moved")]))
    assert got == ["ok"] * 6


def test_create_and_mkdir_outside_the_allowed_paths_are_refused(mode, tree):
    got = results(run(mode, ["--restrict-write", str(tree / "ok"), *ops(
        f"create:{tree}/no/new", f"mkdir:{tree}/no/d")]))
    assert got == ["EACCES", "EACCES"]
    assert not (tree / "no" / "new").exists()


def test_writing_a_file_outside_is_refused_but_reading_it_is_not(mode, tree):
    got = results(run(mode, ["--restrict-write", str(tree / "ok"), *ops(
        f"write:{tree}/no/f", f"read:{tree}/no/f")]))
    assert got == ["EACCES", "ok"]
    assert (tree / "no" / "f").read_text() == "data"


def test_renaming_a_file_out_of_or_into_the_allowed_paths_is_refused(tree):
    got = results(run("pid1", ["--restrict-write", str(tree / "ok"), *ops(
        f"rename:{tree}/ok/f:{tree}/no/g", f"rename:{tree}/no/f:{tree}/ok/g")]))
    assert got == ["EACCES", "EACCES"]
    assert (tree / "ok" / "f").exists() and (tree / "no" / "f").exists()


def test_unlinking_outside_is_refused(tree):
    got = results(run("pid1", ["--restrict-write", str(tree / "ok"), *ops(
        f"unlink:{tree}/no/f")]))
    assert got == ["EACCES"]
    assert (tree / "no" / "f").exists()


def test_truncating_outside_is_refused(tree):
    got = results(run("pid1", ["--restrict-write", str(tree / "ok"), *ops(
        f"truncate:{tree}/no/f")]))
    assert got == ["EACCES"]
    assert (tree / "no" / "f").read_text() == "data"


def test_a_list_in_the_environment_allows_each_path(tree):
    (tree / "other").mkdir()
    env = dict(os.environ, PIDONE_RESTRICT_WRITE=f"{tree}/ok,{tree}/other")
    got = results(run("pid1", ops(f"create:{tree}/ok/a", f"create:{tree}/other/a",
                                  f"create:{tree}/no/a"), env=env))
    assert got == ["ok", "ok", "EACCES"]


def test_dev_stays_writable_unless_restrict_dev(tree):
    allowed = ["--restrict-write", str(tree / "ok")]
    assert results(run("pid1", [*allowed, *ops("write:/dev/null")])) == ["ok"]
    assert results(run("pid1", [*allowed, "--restrict-dev", *ops("write:/dev/null")])) == \
        ["EACCES"]


def test_descendants_inherit_the_rules(mode, tree):
    # The command starts a shell that starts the writer: two levels down.
    script = f"exec {PYTHON} -c '{OPS}' create:{tree}/no/deep create:{tree}/ok/deep"
    got = results(run(mode, ["--restrict-write", str(tree / "ok"),
                             "sh", "-c", f"sh -c \"$0\"; true", script]))
    assert got == ["EACCES", "ok"]


def test_a_path_that_is_not_there_stops_pidone_with_125(tree):
    rc, out, err = run("pid1", ["-v", "--restrict-write", f"{tree}/missing", "true"])
    assert rc == 125
    assert f"pidone: --restrict-write {tree}/missing: No such file or directory" in err
    assert "started" not in err


# ---- --restrict-exec -------------------------------------------------------

def test_exec_runs_allowed_binaries_and_refuses_others(mode, tree):
    other = tree / "no" / "true"
    other.write_bytes(open("/usr/bin/true", "rb").read())
    other.chmod(0o755)
    got = results(run(mode, ["--restrict-exec", f"/usr/bin,{loader_dir()}",
                             *ops("exec:/usr/bin/true", f"exec:{other}")]))
    assert got == ["ok", "EACCES"]


def test_a_command_outside_restrict_exec_is_refused_with_125_before_it_starts(tree):
    marker = tree / "ok" / "ran"
    rc, out, err = run("pid1", ["-v", "--restrict-exec", f"{tree}/ok,{loader_dir()}",
                                "/usr/bin/touch", str(marker)])
    assert rc == 125
    assert "pidone: --restrict-exec: the command /usr/bin/touch is not beneath any " \
        "path it allows" in err
    assert "started" not in err
    assert not marker.exists()


def test_a_command_whose_loader_is_not_allowed_is_refused_naming_it():
    rc, out, err = run("pid1", ["--restrict-exec", "/usr/bin", "true"])
    assert rc == 125
    assert "pidone: --restrict-exec: the command /usr/bin/true needs " \
        "/lib64/ld-linux-x86-64.so.2 (its interpreter or loader)" in err


def test_a_script_needs_its_interpreter_allowed(tree):
    script = tree / "ok" / "hello"
    script.write_text("#!/bin/sh\necho hello\n")
    script.chmod(0o755)
    rc, out, err = run("pid1", ["--restrict-exec", f"{script},{loader_dir()}", str(script)])
    assert rc == 125
    assert "needs /bin/sh" in err
    rc, out, err = run("pid1", ["--restrict-exec", f"{script},/bin,{loader_dir()}",
                                str(script)])
    assert (rc, out) == (0, "hello\n"), err


# ---- --restrict-bind, --restrict-connect (loopback only) -------------------

BIND = r"""
import errno, socket, sys
out = []
for port in sys.argv[1:]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", int(port)))
        out.append("ok")
    except OSError as e:
        out.append(errno.errorcode[e.errno])
    s.close()
print(" ".join(out), flush=True)
"""

CONNECT = BIND.replace("s.bind(", "s.connect(")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bind_is_allowed_only_to_the_listed_ports(mode):
    allowed, other = free_port(), free_port()
    got = results(run(mode, ["--restrict-bind", str(allowed),
                             *py(BIND), str(allowed), str(other)]))
    assert got == ["ok", "EACCES"]


def test_restrict_bind_none_allows_no_port():
    got = results(run("pid1", ["--restrict-bind", "none", *py(BIND), str(free_port())]))
    assert got == ["EACCES"]


@pytest.fixture
def listeners():
    """Two listening sockets on loopback, closed after the test."""
    socks = []
    for _ in range(2):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        socks.append(s)
    yield [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()


def test_connect_is_allowed_only_to_the_listed_ports(mode, listeners):
    allowed, other = listeners
    got = results(run(mode, ["--restrict-connect", str(allowed),
                             *py(CONNECT), str(allowed), str(other)]))
    assert got == ["ok", "EACCES"]


def test_restrict_bind_leaves_connect_alone(listeners):
    got = results(run("pid1", ["--restrict-bind", "none", *py(CONNECT), str(listeners[0])]))
    assert got == ["ok"]


# ---- --restrict-scope ------------------------------------------------------

# The command signals pidone (its parent) with SIGUSR1, which pidone
# forwards back to the command's group: the command sees it come back.
SIGNAL_PIDONE = r"""
import os, signal
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
try:
    os.kill(os.getppid(), signal.SIGUSR1)
except PermissionError:
    print("EPERM", flush=True)
else:
    got = signal.sigtimedwait([signal.SIGUSR1], 10)
    print("forwarded back" if got else "lost", flush=True)
"""


def test_without_scope_the_command_can_signal_pidone(mode):
    rc, out, err = run(mode, py(SIGNAL_PIDONE))
    assert (rc, out) == (0, "forwarded back\n"), err


def test_with_scope_the_command_cannot_signal_pidone(mode):
    rc, out, err = run(mode, ["--restrict-scope", *py(SIGNAL_PIDONE)])
    assert (rc, out) == (0, "EPERM\n"), err


def test_with_scope_pidone_still_forwards_signals_to_the_command(start):
    init = start("pid1", ["--restrict-scope", *py(
        "import signal, sys; print('ready', flush=True); signal.pause()")])
    init.expect("ready")
    init.signal(signal.SIGTERM)
    assert init.wait() == 128 + signal.SIGTERM


ABSTRACT = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1].replace("@", "\0", 1))
    print("ok", flush=True)
except PermissionError:
    print("EPERM", flush=True)
"""


@pytest.fixture
def abstract_listener():
    name = f"@pidone-test-landlock-{os.getpid()}"
    s = socket.socket(socket.AF_UNIX)
    s.bind(name.replace("@", "\0", 1))
    s.listen(4)
    yield name
    s.close()


def test_with_scope_abstract_sockets_outside_cannot_be_reached(abstract_listener):
    assert results(run("pid1", [*py(ABSTRACT), abstract_listener])) == ["ok"]
    assert results(run("pid1", ["--restrict-scope", *py(ABSTRACT), abstract_listener])) == \
        ["EPERM"]


# ---- no_new_privs, and nothing without options -----------------------------

NNP = py("print(next(l.split()[1] for l in open('/proc/self/status') "
         "if l.startswith('NoNewPrivs:')), flush=True)")


def test_restricting_sets_no_new_privs_for_the_command(tree):
    assert results(run("pid1", NNP)) == ["0"]
    assert results(run("pid1", ["--restrict-write", str(tree / "ok"), *NNP])) == ["1"]


# ---- what the kernel cannot enforce (a lower ABI through the test hook) ----

def hook(abi, args):
    env = dict(os.environ, PIDONE_TEST_LANDLOCK_ABI=str(abi))
    return run("pid1", args, init=[HOOKS], env=env)


def test_an_abi_too_low_is_refused_with_125_naming_both_abis(tree):
    marker = tree / "ok" / "ran"
    rc, out, err = hook(3, ["-v", "--restrict-bind", "8080", "touch", str(marker)])
    assert rc == 125
    assert "pidone: --restrict-bind: needs Landlock ABI 4, this kernel has 3" in err
    assert "started" not in err and not marker.exists()


def test_scope_is_refused_below_abi_6():
    rc, out, err = hook(5, ["--restrict-scope", "true"])
    assert rc == 125
    assert "pidone: --restrict-scope: needs Landlock ABI 6, this kernel has 5" in err


def test_write_is_refused_below_abi_3_where_truncation_cannot_be_stopped():
    rc, out, err = hook(2, ["--restrict-write", "/tmp", "true"])
    assert rc == 125
    assert "pidone: --restrict-write: needs Landlock ABI 3, this kernel has 2" in err


def test_best_effort_applies_the_rest_and_says_what_it_left_out(tree):
    port = free_port()
    rc, out, err = hook(3, ["-v", "--restrict-best-effort", "--restrict-bind", "none",
                            "--restrict-write", str(tree / "ok"), *py(BIND), str(port)])
    assert (rc, out) == (0, "ok\n"), err  # binding was left out: not enforced
    assert "pidone: --restrict-bind left out: it needs Landlock ABI 4, this kernel has 3" \
        in err
    rc, out, err = hook(3, ["--restrict-best-effort", "--restrict-bind", "none",
                            "--restrict-write", str(tree / "ok"),
                            *ops(f"create:{tree}/no/new")])
    assert (rc, out) == (0, "EACCES\n"), err  # writing still is


def test_best_effort_at_abi_2_restricts_writes_but_not_truncation(tree):
    rc, out, err = hook(2, ["-v", "--restrict-best-effort", "--restrict-write",
                            str(tree / "ok"), *ops(f"create:{tree}/no/new",
                                                   f"truncate:{tree}/no/f")])
    assert (rc, out) == (0, "EACCES ok\n"), err
    assert "pidone: --restrict-write in part: truncate(2) and ftruncate(2) are not " \
        "restricted before Landlock ABI 3, this kernel has 2" in err


def test_the_hook_at_the_real_abi_changes_nothing(tree):
    got = hook(7, ["--restrict-write", str(tree / "ok"), *ops(f"truncate:{tree}/no/f")])
    assert results(got) == ["EACCES"]


# ---- --restrict-ioctl ------------------------------------------------------

# TCGETS on a device that is not a terminal: ENOTTY from the driver when
# the ioctl is let through, EACCES when Landlock stops it first.
IOCTL = r"""
import errno, fcntl, sys, termios
out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        try:
            fcntl.ioctl(f, termios.TCGETS, bytes(64))
            out.append("ok")
        except OSError as e:
            out.append(errno.errorcode[e.errno])
print(" ".join(out), flush=True)
"""


def test_device_ioctls_are_allowed_only_beneath_the_listed_paths(mode):
    assert results(run(mode, [*py(IOCTL), "/dev/null", "/dev/zero"])) == ["ENOTTY", "ENOTTY"]
    got = results(run(mode, ["--restrict-ioctl", "/dev/null", *py(IOCTL), "/dev/null",
                             "/dev/zero"]))
    assert got == ["ENOTTY", "EACCES"]


def test_ioctl_is_refused_below_abi_5():
    rc, out, err = hook(4, ["--restrict-ioctl", "/dev/null", "true"])
    assert rc == 125
    assert "pidone: --restrict-ioctl: needs Landlock ABI 5, this kernel has 4" in err
