"""Issue 9: once the command runs, pidone keeps nothing but CAP_KILL, sets
no_new_privs and filters its own system calls; the command gets exactly
what pidone was given."""
import os
import shutil
import signal
import struct
import tempfile

import pytest

from conftest import HOOKS, PIDONE, descendants_of, py, status_field, wait_until

FIELDS = ["CapInh", "CapPrm", "CapEff", "CapAmb", "NoNewPrivs", "Seccomp"]
CAP_KILL_ONLY = "0000000000000020"
# Sanitizer and valgrind builds leave the seccomp filter out (confine.c).
FILTERED = "/asan/" not in PIDONE and "/valgrind/" not in PIDONE
PT_GNU_RELRO = 0x6474E552

# The command reports its own status fields, then waits to be told to exit.
REPORT = py("""
import sys
fields = {}
for line in open('/proc/self/status'):
    key, _, value = line.partition(':')
    fields[key] = value.strip()
print(' '.join(f'{k}={fields[k]}' for k in %r), flush=True)
sys.stdin.readline()
""" % FIELDS)


def ours():
    """The fields every process the test starts is given."""
    return {f: status_field(os.getpid(), f) for f in FIELDS}


def reported(line):
    return dict(kv.split("=", 1) for kv in line.split())


def pidone_fields(init):
    return {f: status_field(init.pid, f) for f in FIELDS}


def test_running_pidone_keeps_only_cap_kill_with_no_new_privs_and_seccomp(mode, start):
    init = start(mode, REPORT, stdin=-1)
    init.readline()
    got = pidone_fields(init)
    assert {f: got[f] for f in ["CapInh", "CapAmb"]} == {"CapInh": "0000000000000000",
                                                         "CapAmb": "0000000000000000"}
    assert got["CapPrm"] == got["CapEff"] == CAP_KILL_ONLY
    assert got["NoNewPrivs"] == "1"
    if FILTERED:
        assert got["Seccomp"] == "2"
    assert init.wait() == 0


def relro_start(path):
    """Where PT_GNU_RELRO of an ELF file (32- or 64-bit, little-endian)
    starts, as the page the loader protects (relative to the load base)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[4] == 2:  # ELFCLASS64
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        fields = "<IIQQQQQQ"  # type, flags, offset, vaddr, paddr, filesz, memsz, align
        at = {"vaddr": 3, "memsz": 6}
    else:
        phoff, = struct.unpack_from("<I", head, 28)
        phentsize, phnum = struct.unpack_from("<HH", head, 42)
        fields = "<IIIIIIII"  # type, offset, vaddr, paddr, filesz, memsz, flags, align
        at = {"vaddr": 2, "memsz": 5}
    for i in range(phnum):
        ph = struct.unpack_from(fields, head, phoff + i * phentsize)
        vaddr, memsz = ph[at["vaddr"]], ph[at["memsz"]]
        if ph[0] == PT_GNU_RELRO:
            assert (vaddr + memsz) & ~4095 > vaddr & ~4095, "RELRO is not a whole page"
            return vaddr & ~4095
    raise AssertionError(f"{path} has no PT_GNU_RELRO")


def relro_mapping(pid):
    """The permissions of the mapping of pidone's RELRO page, read from
    /proc/PID/maps: the load base is the mapping at file offset 0."""
    exe = os.readlink(f"/proc/{pid}/exe")
    maps = {}  # start address: (permissions, file offset)
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            fields = line.split()
            if fields[-1] == exe:
                maps[int(fields[0].split("-")[0], 16)] = (fields[1], int(fields[2], 16))
    base = next(addr for addr, (_, offset) in maps.items() if offset == 0)
    return maps[base + relro_start(PIDONE)][0]


@pytest.mark.skipif("/valgrind/" in PIDONE, reason="valgrind maps the program itself")
def test_relocated_data_is_read_only_once_the_command_runs(mode, start):
    init = start(mode, REPORT, stdin=-1)
    init.readline()
    assert relro_mapping(init.pid) == "r--p"
    assert init.wait() == 0


def test_the_command_gets_exactly_what_pidone_was_given(mode, start):
    init = start(mode, REPORT, stdin=-1)
    assert reported(init.readline()) == ours()
    assert init.wait() == 0


@pytest.mark.parametrize("how", [["--no-confine"], "PIDONE_CONFINE=0"])
def test_no_confine_leaves_pidone_as_it_was_started(mode, start, how):
    args = how if isinstance(how, list) else []
    env = dict(os.environ)
    if isinstance(how, str):
        key, _, value = how.partition("=")
        env[key] = value
    init = start(mode, [*args, *REPORT], stdin=-1, env=env)
    init.readline()
    assert pidone_fields(init) == ours()
    assert init.wait() == 0


def test_pause_mode_is_confined_too(start):
    init = start("pid1", ["-P"])
    got = wait_until(lambda: status_field(init.pid, "NoNewPrivs") == "1" and pidone_fields(init),
                     what="pause mode to confine itself")
    assert got["CapEff"] == CAP_KILL_ONLY
    if FILTERED:
        assert got["Seccomp"] == "2"
    init.signal(signal.SIGTERM)
    assert init.wait() == 0


@pytest.fixture
def pidone_for_nobody():
    """A copy of pidone that nobody can run, whatever the checkout's modes
    (a fresh clone in a mktemp -d directory is root's alone)."""
    d = tempfile.mkdtemp(prefix="pidone-nobody.")
    path = os.path.join(d, "pidone")
    try:
        os.chmod(d, 0o755)
        shutil.copy2(PIDONE, path)
        os.chmod(path, 0o755)
        yield path
    finally:
        shutil.rmtree(d)


def test_not_root_pidone_keeps_no_capability(start, pidone_for_nobody):
    """Started as nobody, pidone has nothing to keep: CAP_KILL is for
    signalling other users' processes, which only root may."""
    def as_nobody():
        os.chdir("/")
        os.setgid(65534)
        os.setuid(65534)
    init = start("subreaper", REPORT, init=[pidone_for_nobody], stdin=-1,
                 preexec_fn=as_nobody)
    init.readline()
    got = pidone_fields(init)
    assert got["CapEff"] == got["CapPrm"] == "0000000000000000"
    assert got["NoNewPrivs"] == "1"
    assert init.wait() == 0


@pytest.mark.skipif(not FILTERED, reason="this build leaves the filter out")
def test_the_filter_refuses_a_system_call_outside_the_list_with_eperm(mode, start):
    """build/hooks/pidone (make check builds it; the shipped binary has no
    such hook) calls getuid() once confined, which the list leaves out."""
    if not os.path.exists(HOOKS):
        pytest.fail(f"{HOOKS} is missing: run make build/hooks/pidone")
    env = dict(os.environ, PIDONE_TEST_FORBIDDEN="1")
    init = start(mode, ["--", "true"], init=[HOOKS], env=env)
    assert init.wait() == 0
    assert "test hook: getuid() = -1: Operation not permitted" in init.stderr_text


# The command leaves an orphan that has exec'd sleep (a pipe that closes on
# exec tells it when, so the orphan's name is never "python3"), then waits
# for USR1 and exits 3. It waits on a wake-up pipe: signal.pause() could
# sleep through a signal that lands just before it.
ORPHAN_THEN_TRAP = py("""
import os, signal
signal.signal(signal.SIGUSR1, lambda *_: os._exit(3))
r, w = os.pipe()
if os.fork() == 0:
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "60"])
    os._exit(0)
os.close(w)
os.read(r, 1)
os.wait()
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
print("ready", flush=True)
for _ in range(1000000):
    os.read(wake_r, 1)
""")


def test_confined_pidone_still_forwards_reaps_and_drains(start):
    """The whole suite runs confined (it is the default); this is the short
    version in one place: a signal, an orphan and a drain, all after start."""
    init = start("pid1", ["-w", "--grace", "5", "--", *ORPHAN_THEN_TRAP])
    init.expect("ready")
    init.signal(signal.SIGUSR1)
    assert init.wait() == 3, init.stderr_text
    assert "reaped orphan sleep" in init.stderr_text


def calls_refused_after_confinement(trace, exe):
    """The calls pidone made once its seccomp filter was in and the kernel
    refused with EPERM, from `strace -f` output: pidone is the process that
    exec'd exe; its calls count from the prctl(PR_SET_SECCOMP) on."""
    pidone, confined, refused = None, False, []
    for line in trace.splitlines():
        pid, _, call = line.partition(" ")
        call = call.lstrip()
        if pidone is None and call.startswith(f'execve("{exe}"'):
            pidone = pid
        elif pid == pidone:
            if call.startswith("prctl(PR_SET_SECCOMP"):
                confined = True
            elif confined and "= -1 EPERM" in call:
                refused.append(call)
    assert confined, "pidone never installed its filter"
    return refused


@pytest.mark.skipif(not FILTERED, reason="this build leaves the filter out")
def test_the_filter_lets_through_every_call_a_run_with_a_drain_makes(mode, start, tmp_path):
    """A forwarded signal, a reap named with -w, JSON reports with -vv, the
    command's exit, and a drain that ends in SIGKILL (the orphan ignores
    TERM): the allow-list must let every call of all that through; a call it
    lacked would fail silently, and the drain with it. strace stands outside
    the namespace, so that pidone is still its PID 1."""
    trace = tmp_path / "trace"
    strace = ["strace", "-f", "-qq", "-o", str(trace)]
    inner = ["unshare", "-fp", "--mount-proc", PIDONE] if mode == "pid1" else [PIDONE]
    orphan = "(trap '' TERM; exec sleep 30) & echo ready; read line"
    init = start("subreaper", ["-vv", "-w", "--log-format", "json", "--grace", "0.2", "--",
                               "sh", "-c", orphan], stdin=-1, init=strace + inner)
    init.expect("ready")
    [pidone] = [p for p in descendants_of(init.proc.pid)
                if os.path.realpath(f"/proc/{p}/exe") == os.path.realpath(PIDONE)]
    os.kill(pidone, signal.SIGWINCH)
    init.proc.stdin.write(b"go\n")
    init.proc.stdin.flush()
    assert init.wait() == 0, init.stderr_text
    assert '"signal":"SIGKILL"' in init.stderr_text
    assert calls_refused_after_confinement(trace.read_text(), PIDONE) == []
