"""Issue 2: pidone as PID 1 forwards, reaps and passes on the exit status.

Every test runs in both modes (the `mode` fixture, or both side by side):
as PID 1 of a new pid namespace, and as a child subreaper started directly.
Helpers (tests/behaviour/helpers): sigrecord.py reports signals through
handlers, rtrecord.py takes real-time signals one by one with sigwaitinfo(),
orphans.py leaves orphans behind, withsignals.py starts pidone with a given
signal mask and ignored signals. Sections:

  exit status         the command's code, 128+N, 126/127, 125
  command line        options stop at the command; `--`
  signal forwarding   every catchable signal (with -g to the child's group); RT count/order
  reaping             2,000 orphans; orphans come to pidone
  inherited state     signal mask and ignored signals; descriptors
  quiet and idle      nothing on stdout; no wake-ups while idle
"""
import os
import signal
import subprocess
import time

import pytest

from conftest import (EVENT, HOOKS, MODES, PIDONE, PYTHON, children_of, descendants_of, py, run,
                      sh, state_of, status_field, wait_until, write_script)

HERE = os.path.dirname(os.path.abspath(__file__))
HELPERS = os.path.join(HERE, "helpers")
SIGRECORD = [PYTHON, os.path.join(HELPERS, "sigrecord.py")]
RTRECORD = [PYTHON, os.path.join(HELPERS, "rtrecord.py")]
ORPHANS = [PYTHON, os.path.join(HELPERS, "orphans.py")]
WITHSIGNALS = [PYTHON, os.path.join(HELPERS, "withsignals.py")]

SIGRTMIN, SIGRTMAX = 34, 64  # as senders (glibc, bash, kill(1)) number them

# A Python command that says "ready" and then waits for signals, doing nothing.
IDLE = py("import signal; print('ready', flush=True)\nwhile True: signal.pause()")


def _alive(fn, *args, default=None):
    """fn(*args), or default if the process went away meanwhile."""
    try:
        return fn(*args)
    except (FileNotFoundError, ProcessLookupError):
        return default


def zombies_below(pid):
    """Zombies among all descendants of pid (in pid1 mode: the whole namespace)."""
    return [p for p in descendants_of(pid) if _alive(state_of, p) == "Z"]


def host_pid(init, nspid):
    """The pid, as the test sees it, of the descendant of init that calls
    itself nspid (its pid in its own namespace: the last NSpid entry)."""
    for p in descendants_of(init.pid):
        nspids = _alive(status_field, p, "NSpid", default="").split()
        if nspids and nspids[-1] == str(nspid):
            return p
    raise AssertionError(f"no process {nspid} below pidone")


def fds_of(pid):
    return sorted(int(fd) for fd in os.listdir(f"/proc/{pid}/fd"))


def context_switches(pid):
    return (int(status_field(pid, "voluntary_ctxt_switches")) +
            int(status_field(pid, "nonvoluntary_ctxt_switches")))


def signame(sig):
    if sig >= SIGRTMIN:
        return "SIGRTMAX" if sig == SIGRTMAX else f"SIGRTMIN+{sig - SIGRTMIN}"
    return signal.Signals(sig).name


# --- exit status ------------------------------------------------------------

@pytest.mark.parametrize("code", [0, 1, 42, 255])
def test_exit_code_of_the_command_is_passed_on(mode, code):
    rc, _, _ = run(mode, sh(f"exit {code}"))
    assert rc == code


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGSEGV])
def test_command_killed_by_signal_gives_128_plus_n(mode, sig):
    rc, _, _ = run(mode, sh(f"kill -{int(sig)} $$"))
    assert rc == 128 + sig


@pytest.mark.parametrize("cmd", ["no-such-command-pidone-test", "/no/such/dir/cmd", ""],
                         ids=["on-PATH", "by-path", "empty-name"])
def test_command_not_found_gives_127_and_says_so_on_stderr(mode, cmd):
    """An empty name is not found either (execvp: ENOENT), not PATH's first
    directory run as a command."""
    rc, out, err = run(mode, [cmd, "arg"])
    assert rc == 127
    assert err.startswith(f"pidone: exec {cmd}: "), err
    assert out == ""


def _directory(tmp_path):
    return str(tmp_path)


def _file_not_executable(tmp_path):
    return write_script(tmp_path / "script", "#!/bin/sh\necho should not run\n", 0o644)


def _script_whose_interpreter_is_missing(tmp_path):
    return write_script(tmp_path / "script", "#!/no/such/interpreter\necho should not run\n")


@pytest.mark.parametrize("make", [_directory, _file_not_executable,
                                  _script_whose_interpreter_is_missing])
def test_command_found_but_not_runnable_gives_126_and_says_so_on_stderr(mode, make, tmp_path):
    cmd = make(tmp_path)
    rc, out, err = run(mode, [cmd])
    assert rc == 126
    assert err.startswith(f"pidone: exec {cmd}: "), err
    assert out == ""


@pytest.mark.parametrize("args", [[], ["--"], ["-Z", "true"], ["--no-such-option", "true"]],
                         ids=["no-command", "only-dashdash", "unknown-short", "unknown-long"])
def test_bad_usage_gives_125_a_message_and_the_usage_line(mode, args):
    rc, out, err = run(mode, args)
    assert rc == 125
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("pidone: ")
    assert lines[1].startswith("usage: pidone ")
    assert out == ""


# --- command line: options stop at the command -------------------------------

def test_option_after_the_command_goes_to_the_command(mode):
    """tini and catatonit take this -h for themselves."""
    rc, out, _ = run(mode, ["echo", "-h"])
    assert (rc, out) == (0, "-h\n")


def test_every_argument_after_the_command_goes_to_the_command(mode):
    rc, out, _ = run(mode, ["printf", "%s|", "-v", "--grace", "0", "--", "-V", "--help"])
    assert (rc, out) == (0, "-v|--grace|0|--|-V|--help|")


def test_command_starting_with_a_dash_runs_after_dashdash(mode, tmp_path):
    write_script(tmp_path / "-x", '#!/bin/sh\necho "ran $(basename -- "$0") $*"\n')
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}")
    rc, out, err = run(mode, ["--", "-x", "-y", "z"], env=env)
    assert (rc, out) == (0, "ran -x -y z\n"), err


def test_empty_path_entry_is_the_current_directory(mode, tmp_path):
    write_script(tmp_path / "here", "#!/bin/sh\necho ran from the current directory\n")
    env = dict(os.environ, PATH=":/usr/bin:/bin")
    rc, out, err = run(mode, ["here"], env=env, cwd=tmp_path)
    assert (rc, out) == (0, "ran from the current directory\n"), err


def test_command_not_on_path_gives_127_even_when_the_current_directory_has_it(mode, tmp_path):
    write_script(tmp_path / "here", "#!/bin/sh\necho should not run\n")
    env = dict(os.environ, PATH="/usr/bin:/bin")
    rc, out, err = run(mode, ["here"], env=env, cwd=tmp_path)
    assert (rc, out) == (127, "")
    assert err == "pidone: exec here: No such file or directory\n"


# --- signal forwarding ------------------------------------------------------

def test_stop_signal_reaches_child_and_grandchild_in_its_group(mode, start):
    """SIGTERM, a stop signal: to the whole group by default. (Other signals
    go to the command alone by default since issue 17: test_routing.py.)"""
    init = start(mode, SIGRECORD + ["--grandchild"])
    ready = {init.readline(), init.readline()}
    assert ready == {"child ready", "grandchild ready"}
    init.signal(signal.SIGTERM)
    got = {init.readline(), init.readline()}
    assert got == {f"child {int(signal.SIGTERM)}", f"grandchild {int(signal.SIGTERM)}"}
    init.kill()


# Every standard signal but the three pidone cannot or must not forward. The
# fault signals (SEGV, BUS, FPE, ILL, TRAP, SYS) and ABRT come here from kill(),
# not from a fault: tini and catatonit drop them. The job-control signals
# (TSTP, TTIN, TTOU, CONT) are forwarded too and never stop pidone by
# themselves.
CATCHABLE = [s for s in range(1, 32)
             if s not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD)]
REALTIME = [SIGRTMIN, SIGRTMIN + 1, SIGRTMIN + 6, SIGRTMAX]


JOB_STOPS = (signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)


@pytest.mark.parametrize("sig", CATCHABLE + REALTIME, ids=signame)
def test_each_catchable_signal_reaches_child_and_grandchild(mode, start, sig):
    """With -g: by default (issue 17) only the stop signals and SIGCONT go
    to the group, the rest to the command alone (test_routing.py has each
    signal's route); -g forwards every one to the group, as pidone's default
    did before."""
    init = start(mode, SIGRECORD + ["--grandchild"], init=[PIDONE, "-g", "--"])
    assert {init.readline(), init.readline()} == {"child ready", "grandchild ready"}
    init.signal(sig)
    assert {init.readline(EVENT), init.readline(EVENT)} == {f"child {sig}", f"grandchild {sig}"}
    # A command that handles TSTP/TTIN/TTOU does not stop, so neither does
    # pidone (test_tty.py: when the command stops, pidone stops with it).
    # pidone is still there and still forwarding: the signal did not end it.
    usr2 = int(signal.SIGUSR2)
    init.signal(usr2)
    assert {init.readline(EVENT), init.readline(EVENT)} == {f"child {usr2}", f"grandchild {usr2}"}
    assert init.proc.poll() is None


@pytest.mark.parametrize("sig", [32, 33])
def test_realtime_signals_libc_keeps_for_itself_reach_the_child_too(mode, start, sig):
    """32 and 33 are real-time signals to the kernel, which kill(1) can send;
    libc refuses handlers for them (musl 32..34, glibc 32..33), pidone must
    still forward them. The command has them at their default: it dies."""
    init = start(mode, sh("echo ready; exec sleep 60"))
    init.expect("ready")
    init.signal(sig)
    assert init.wait(timeout=EVENT) == 128 + sig


@pytest.mark.parametrize("sig", [32, 33, 34])
def test_realtime_signals_libc_keeps_that_come_during_start_up_reach_the_child(mode, start, sig):
    """The hook build sends pidone the signal itself right after it blocked
    every signal, before any handler is set: it must wait there, blocked,
    and be forwarded once the handlers are in. glibc's sigprocmask() would
    leave 32 and 33 open, and musl's sigaction() opens 33 and 34 with the
    first handler it sets, each at the default: dropped by PID 1, fatal to
    pidone otherwise."""
    env = dict(os.environ, PIDONE_TEST_RAISE=str(sig))
    init = start(mode, ["sleep", "30"], init=[HOOKS], env=env)
    assert init.wait(timeout=EVENT) == 128 + sig, init.stderr_text


def test_realtime_signals_keep_their_count_in_a_burst(mode, start):
    """A burst sent as fast as the test can: 50 x SIGRTMIN, 300 x SIGRTMIN+1,
    50 x SIGRTMIN+16, then SIGRTMAX. Queued real-time signals come out lowest
    number first and, per number, in the order sent, so a burst sent in rising
    order comes out exactly as sent; nothing may be merged or lost."""
    burst = [SIGRTMIN] * 50 + [SIGRTMIN + 1] * 300 + [SIGRTMIN + 16] * 50 + [SIGRTMAX]
    init = start(mode, RTRECORD + ["--exit-on", str(SIGRTMAX)])
    init.expect("ready")
    pidone = init.pid
    for sig in burst:
        os.kill(pidone, sig)
    got = [int(init.readline(EVENT)) for _ in burst]
    assert got == burst
    assert init.wait() == 0


def test_realtime_signals_keep_their_order_one_at_a_time(mode, start):
    """A mix of real-time signals in an order the kernel would not sort them
    into, each sent once the previous one has reached the child."""
    order = [SIGRTMAX, SIGRTMIN, SIGRTMIN + 16, SIGRTMIN + 1, SIGRTMAX,
             SIGRTMIN + 6, SIGRTMIN, SIGRTMAX - 1]
    init = start(mode, RTRECORD)
    init.expect("ready")
    for sig in order:
        init.signal(sig)
        init.expect(str(sig), EVENT)


def test_sigterm_to_pidone_with_a_child_that_traps_it_and_exits_0_gives_0(mode, start):
    """The child's handler for SIGTERM exits 0: a graceful stop is a success.
    (A shell `trap ... TERM` with a background job would race: the job may
    not have exec'd yet when SIGTERM comes, and then loses it.)"""
    term = int(signal.SIGTERM)
    init = start(mode, SIGRECORD + ["--exit-on", str(term)])
    init.expect("child ready")
    init.signal(term)
    init.expect(f"child {term}", EVENT)
    assert init.wait() == 0


# --- reaping ----------------------------------------------------------------

def test_2000_orphans_leave_no_zombie_while_the_command_runs(mode, start):
    """The command orphans 2,000 processes (they come to pidone: PID 1 of the
    namespace, or the subreaper), then lets them all exit at once while it
    keeps running. Zombies are state, not an event: a bounded poll."""
    init = start(mode, ORPHANS + ["2000"], stdin=subprocess.PIPE)
    assert init.readline().startswith("orphaned ")
    pidone = init.pid
    assert len(children_of(pidone)) == 1 + 2000  # the command and the orphans
    init.proc.stdin.write(b"release\n")
    init.proc.stdin.flush()
    init.expect("released")
    wait_until(lambda: not zombies_below(pidone) and len(children_of(pidone)) == 1,
               timeout=10, what="the 2,000 orphans to be reaped")
    init.proc.stdin.write(b"exit 5\n")  # the command was still there to obey
    init.proc.stdin.flush()
    assert init.wait() == 5


def test_2000_orphans_ending_with_the_command_are_all_reaped_before_pidone_exits(mode):
    """The command lets its 2,000 orphans go and exits 3 at once: pidone reaps
    them all and exits with 3. Nothing it leaves behind may come up to the
    test process (a subreaper itself) as a zombie or a survivor."""
    ours_before = set(children_of(os.getpid()))
    rc, _, err = run(mode, ORPHANS + ["2000", "--release-and-exit", "3"])
    assert rc == 3, err
    assert set(children_of(os.getpid())) - ours_before == set()


def test_orphan_of_the_command_is_reparented_to_pidone_and_reaped(mode, start):
    init = start(mode, ORPHANS + ["1"], stdin=subprocess.PIPE)
    nspid = int(init.readline().split()[1])
    orphan = host_pid(init, nspid)
    assert int(status_field(orphan, "PPid")) == init.pid
    init.proc.stdin.write(b"release\n")
    init.proc.stdin.flush()
    init.expect("released")
    wait_until(lambda: orphan not in children_of(init.pid), timeout=5,
               what="the orphan to be reaped")
    assert init.wait() == 0  # stdin closed: the command exits 0


# --- inherited state: signal mask, ignored signals, descriptors ---------------

# 32..34 too: libc keeps them (glibc will not block 32 and 33, musl hides
# 32..34 in the mask it reports), and a parent may still have set them.
BLOCKED = [signal.SIGUSR1, signal.SIGWINCH, 32, 33, 34, SIGRTMIN + 2, SIGRTMAX]
IGNORED = [signal.SIGUSR2, signal.SIGPIPE, signal.SIGHUP, 33, SIGRTMIN + 6]


def _with_signals(blocked, ignored):
    """A parent that starts what follows with these signals blocked and ignored."""
    return WITHSIGNALS + ["--block", ",".join(map(str, blocked)),
                          "--ignore", ",".join(map(str, ignored)), "--"]


def _sig_fields(text):
    """{"SigBlk": hex, "SigIgn": hex} from lines of /proc/PID/status."""
    return dict(line.split(":\t") for line in text.splitlines())


def _mask(signals):
    """The hex mask /proc/PID/status shows for these signals."""
    return f"{sum(1 << (s - 1) for s in signals):016x}"


@pytest.mark.parametrize("sigchld", ["default", "ignored"])
def test_child_gets_the_signal_mask_and_ignored_signals_pidone_started_with(mode, sigchld):
    """The reference is what any program started in pidone's place gets from
    the same parent; the command must see exactly that, SIGCHLD included."""
    ignored = IGNORED + ([signal.SIGCHLD] if sigchld == "ignored" else [])
    parent = _with_signals(BLOCKED, ignored)
    show = ["-E", "^Sig(Blk|Ign):", "/proc/self/status"]
    rc, reference, err = run(mode, show, init=parent + ["grep"])
    assert rc == 0, err
    reference = _sig_fields(reference)
    assert reference == {"SigBlk": _mask(BLOCKED), "SigIgn": _mask(ignored)}

    rc, out, err = run(mode, ["grep", *show], init=parent + [PIDONE])
    assert rc == 0, err
    assert _sig_fields(out) == reference


@pytest.mark.parametrize("script, code", [("exit 7", 7), ("kill -TERM $$", 143)])
def test_pidone_started_with_sigchld_ignored_still_exits_with_the_childs_status(mode, script, code):
    """With SIGCHLD ignored the kernel would reap the command itself and its
    status would be lost (tini and catatonit hang here)."""
    rc, _, err = run(mode, sh(script), init=_with_signals([], [signal.SIGCHLD]) + [PIDONE],
                     timeout=10)
    assert rc == code, err


def test_child_and_pidone_hold_only_the_descriptors_pidone_was_given(mode, start):
    extra_r, extra_w = os.pipe()
    try:
        init = start(mode, IDLE, pass_fds=(extra_r,))
        init.expect("ready")
        pidone = init.pid
        [child] = children_of(pidone)
        assert fds_of(child) == [0, 1, 2, extra_r]
        assert fds_of(pidone) == [0, 1, 2, extra_r]
    finally:
        os.close(extra_r)
        os.close(extra_w)


# --- quiet and idle ---------------------------------------------------------

def test_pidone_never_writes_to_stdout_even_when_verbose(mode):
    """-vv makes pidone talk about the start, the exit, the orphan and the
    drain of the background sleep: all of it on stderr."""
    rc, out, err = run(mode, ["-vv", *sh("echo out; (true &); sleep 30 & exit 3")])
    assert rc == 3
    assert out == "out\n"
    assert "pidone: " in err


def test_idle_pidone_makes_no_context_switches(start):
    """MEASUREMENT over a window, not synchronisation: both modes side by side,
    each pidone blocked in its wait while the command sleeps; over 2 seconds
    neither may be woken (no timer, no polling)."""
    inits = [start(mode, IDLE) for mode in MODES]
    for init in inits:
        init.expect("ready")
    pids = [init.pid for init in inits]
    for pid in pids:  # pidone sleeps nowhere but in its wait
        wait_until(lambda: state_of(pid) == "S", what="pidone to block")
    before = [context_switches(pid) for pid in pids]
    time.sleep(2.0)  # the idle window being measured
    after = [context_switches(pid) for pid in pids]
    assert dict(zip(MODES, after)) == dict(zip(MODES, before))
