"""Issue 3: pidone as a drop-in for tini, dumb-init and catatonit.

Every option runs for real, in a pid namespace and in subreaper mode. Where a
peer has the same option, the same scenario runs under the peer too and the
test asserts the same observable result (exit code; which processes received
which signal). Where pidone deliberately differs, the test asserts pidone's
behaviour and its docstring says why.

Who received what is read from helpers/sigqueue.py: a child and a grandchild
in the child's process group that block every signal and print "<who> <signo>"
for each, taken with sigwaitinfo() in the kernel's order (lowest number
first). After the signal under test the test sends a fence through the init
(signal 64, the highest), and once the child has reported the fence it sends
a second fence (63) straight to the grandchild. Every init forwards one signal
at a time in the order it takes them, so whatever the signal under test caused
is pending before either fence and is reported before it. (Python-level signal
handlers, as in sigrecord.py, do not keep that order reliably.)
"""
import os
import re
import signal
import subprocess

import pytest

from conftest import PIDONE, PYTHON, children_of, run, sh, status_field, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
SIGRECORD = [PYTHON, os.path.join(HERE, "helpers", "sigrecord.py")]
SIGQUEUE = [PYTHON, os.path.join(HERE, "helpers", "sigqueue.py")]
TINI = "/usr/bin/tini"
DUMB_INIT = "/usr/bin/dumb-init"
CATATONIT = "/usr/bin/catatonit"
FENCE = 64      # through the init, after the signal under test
GC_FENCE = 63   # straight to the grandchild, once the child saw FENCE
USR1, USR2, TERM = int(signal.SIGUSR1), int(signal.SIGUSR2), int(signal.SIGTERM)

# A parent for subreaper-mode tests that must kill the init's parent.
MIDDLE = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def environ(**extra):
    """The test's environment without any init's variables, plus extra."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIDONE_", "TINI_", "DUMB_INIT_", "CATATONIT_"))}
    env.update(extra)
    return env


def case(name, init, **env):
    """A pytest param: an init argv and the environment it runs with."""
    return pytest.param(init, env, id=name)


def start_tree(start, mode, init, env):
    """sigqueue --grandchild under init; returns (Init, grandchild pid)."""
    i = start(mode, SIGQUEUE + ["--grandchild"], init=init, env=environ(**env))
    assert sorted([i.readline(), i.readline()]) == ["child ready", "grandchild ready"]
    child = wait_until(lambda: (children_of(i.pid) or [None])[0], what="the child")
    grandchild = wait_until(lambda: (children_of(child) or [None])[0],
                            what="the grandchild")
    return i, grandchild


def deliveries(init, grandchild, *sigs):
    """Send sigs to the init; the sorted lines "<who> <signo>" they caused."""
    for sig in sigs:
        init.signal(sig)
    init.signal(FENCE)
    got, child_fenced = [], False
    for _ in range(64):
        line = init.readline()
        if line == f"child {FENCE}" and not child_fenced:
            child_fenced = True
            os.kill(grandchild, GC_FENCE)
        elif line == f"grandchild {GC_FENCE}":
            return sorted(got)
        elif line != f"grandchild {FENCE}":
            got.append(line)
    raise AssertionError(f"no fence in 64 lines; got {got}")


def both(sig):
    return [f"child {sig}", f"grandchild {sig}"]


def only_child(sig):
    return [f"child {sig}"]


def reaper_pid(init):
    """The init process itself: unshare's child, or the middle parent's."""
    return wait_until(lambda: (children_of(init.proc.pid) or [None])[0],
                      what="the init to start")


def wait_for_exit(pid, timeout=10.0):
    """Reap pid (it came to the test process, a subreaper); its wait status."""
    found = []

    def reaped():
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            found.append(status)
        return done

    wait_until(reaped, timeout, what=f"pid {pid} to exit")
    return found[0]


def orphan_script(then=""):
    """Leaves one orphan, prints its pid, kills it, then runs `then`. The
    orphan (a sleep) cannot end before the command kills it, and by then its
    parent, the command substitution, has closed the pipe and is exiting, so
    the orphan's zombie always goes to the init."""
    return sh('p=$( (sleep 60 >/dev/null & echo $!) ); echo "$p"; kill "$p"; ' + then)


# ---------------------------------------------------------------- tini -s

SUBREAPER = [
    case("pidone -s", [PIDONE, "-s", "--"]),
    case("pidone --subreaper", [PIDONE, "--subreaper", "--"]),
    case("pidone TINI_SUBREAPER=1", [PIDONE, "--"], TINI_SUBREAPER="1"),
    case("pidone TINI_SUBREAPER=0", [PIDONE, "--"], TINI_SUBREAPER="0"),
    case("pidone PIDONE_SUBREAPER=1", [PIDONE, "--"], PIDONE_SUBREAPER="1"),
    case("tini -s", [TINI, "-s", "--"]),
    case("tini TINI_SUBREAPER=1", [TINI, "--"], TINI_SUBREAPER="1"),
    case("tini TINI_SUBREAPER=0", [TINI, "--"], TINI_SUBREAPER="0"),
]


def orphan_parent(start, init, env):
    """Start init (not PID 1) with a command that leaves an orphan; the
    orphan's new parent: 'init', or 'test' if it came up to the test."""
    i = start("subreaper", sh("(sleep 60 & echo $!); exec sleep 60"),
              init=init, env=environ(**env))
    orphan = int(i.readline())

    def parent():
        ppid = int(status_field(orphan, "PPid"))
        return {i.pid: "init", os.getpid(): "test"}.get(ppid)

    return wait_until(parent, what="the orphan to be re-parented")


@pytest.mark.parametrize("init,env", SUBREAPER)
def test_subreaper_option_makes_orphans_come_to_the_init(start, init, env):
    """tini's -s and TINI_SUBREAPER (presence-based: even =0 turns it on)."""
    assert orphan_parent(start, init, env) == "init"


@pytest.mark.parametrize("init,env", [
    case("pidone", [PIDONE, "--"]),
    case("pidone PIDONE_SUBREAPER=0", [PIDONE, "--"], PIDONE_SUBREAPER="0"),
])
def test_pidone_is_a_subreaper_without_being_asked(start, init, env):
    """Deliberate difference: tini without -s leaves orphans to the real init
    (it only warns); pidone always registers as a child subreaper when it is
    not PID 1, because an init that cannot reap is never what one wants.
    -s and PIDONE_SUBREAPER are accepted and change nothing, so even
    PIDONE_SUBREAPER=0 does not turn it off."""
    assert orphan_parent(start, init, env) == "init"


def test_tini_without_s_leaves_orphans_to_the_real_init(start):
    """The peer side of the difference above (the test process stands in
    for the real init: it is a subreaper)."""
    assert orphan_parent(start, [TINI, "--"], {}) == "test"


# ---------------------------------------------------------------- tini -p

def start_with_parent(start, mode, init, env):
    """init running `read; exit 3`, with a parent the test may kill: unshare
    in pid1 mode, a Python process in subreaper mode. Returns (Init, pid of
    the init process)."""
    command = sh("echo ready; read x; exit 3")
    if mode == "pid1":
        i = start("pid1", command, init=init, env=environ(**env),
                  stdin=subprocess.PIPE)
    else:
        i = start("subreaper", [*init, *command], init=[PYTHON, "-c", MIDDLE],
                  env=environ(**env), stdin=subprocess.PIPE)
    pid = reaper_pid(i)
    i.expect("ready")
    return i, pid


def kill_parent(i):
    i.proc.kill()
    i.proc.wait(timeout=10)


PDEATH_KILL = [
    case("pidone -p SIGKILL", [PIDONE, "-p", "SIGKILL", "--"]),
    case("pidone -p KILL", [PIDONE, "-p", "KILL", "--"]),
    case("pidone -p 9", [PIDONE, "-p", "9", "--"]),
    case("pidone --pdeath-signal=sigkill", [PIDONE, "--pdeath-signal=sigkill", "--"]),
    case("pidone PIDONE_PDEATH_SIGNAL=KILL", [PIDONE, "--"], PIDONE_PDEATH_SIGNAL="KILL"),
    case("tini -p SIGKILL", [TINI, "-p", "SIGKILL", "--"]),
]


@pytest.mark.parametrize("init,env", PDEATH_KILL)
def test_pdeath_signal_kill_ends_the_init_when_its_parent_dies(mode, start, init, env):
    i, pid = start_with_parent(start, mode, init, env)
    kill_parent(i)
    status = wait_for_exit(pid)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.mark.parametrize("init,env", [
    case("pidone -p SIGTERM", [PIDONE, "-p", "SIGTERM", "--"]),
    case("pidone -p TERM beats PIDONE_PDEATH_SIGNAL=KILL", [PIDONE, "-p", "TERM", "--"],
         PIDONE_PDEATH_SIGNAL="KILL"),
    case("tini -p SIGTERM", [TINI, "-p", "SIGTERM", "--"]),
])
def test_pdeath_signal_term_is_forwarded_to_the_command(mode, start, init, env):
    """The parent-death signal is a signal like any other: the init forwards
    it, the command dies of it and the init exits 128+15."""
    i, pid = start_with_parent(start, mode, init, env)
    kill_parent(i)
    status = wait_for_exit(pid)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + TERM


@pytest.mark.parametrize("init,env", [
    case("pidone", [PIDONE, "--"]),
    case("tini", [TINI, "--"]),
])
def test_without_pdeath_signal_the_init_outlives_its_parent(mode, start, init, env):
    i, pid = start_with_parent(start, mode, init, env)
    kill_parent(i)
    i.proc.stdin.write(b"x\n")
    i.proc.stdin.flush()
    status = wait_for_exit(pid)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3


# ---------------------------------------------------------------- -g / -c

GROUP = [
    case("pidone -g", [PIDONE, "-g", "--"]),
    case("pidone --process-group", [PIDONE, "--process-group", "--"]),
    case("pidone TINI_KILL_PROCESS_GROUP=1", [PIDONE, "--"], TINI_KILL_PROCESS_GROUP="1"),
    case("pidone PIDONE_PROCESS_GROUP=1", [PIDONE, "--"], PIDONE_PROCESS_GROUP="1"),
    case("pidone -g beats PIDONE_SINGLE_CHILD=1", [PIDONE, "-g", "--"],
         PIDONE_SINGLE_CHILD="1"),
    case("pidone -g beats DUMB_INIT_SETSID=0", [PIDONE, "-g", "--"], DUMB_INIT_SETSID="0"),
    case("tini -g", [TINI, "-g", "--"]),
    case("tini TINI_KILL_PROCESS_GROUP=1", [TINI, "--"], TINI_KILL_PROCESS_GROUP="1"),
    case("tini TINI_KILL_PROCESS_GROUP=0", [TINI, "--"], TINI_KILL_PROCESS_GROUP="0"),
    case("catatonit -g", [CATATONIT, "-g", "--"]),
    case("dumb-init", [DUMB_INIT]),
    case("dumb-init DUMB_INIT_SETSID=1", [DUMB_INIT], DUMB_INIT_SETSID="1"),
]


@pytest.mark.parametrize("init,env", GROUP)
def test_group_forwarding_reaches_child_and_grandchild(mode, start, init, env):
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, USR1) == both(USR1)


SINGLE = [
    case("pidone -c", [PIDONE, "-c", "--"]),
    case("pidone --single-child", [PIDONE, "--single-child", "--"]),
    case("pidone DUMB_INIT_SETSID=0", [PIDONE, "--"], DUMB_INIT_SETSID="0"),
    case("pidone PIDONE_SINGLE_CHILD=1", [PIDONE, "--"], PIDONE_SINGLE_CHILD="1"),
    case("pidone PIDONE_SINGLE_CHILD=1 beats TINI_KILL_PROCESS_GROUP", [PIDONE, "--"],
         PIDONE_SINGLE_CHILD="1", TINI_KILL_PROCESS_GROUP="1"),
    case("pidone -c beats PIDONE_SINGLE_CHILD=0", [PIDONE, "-c", "--"],
         PIDONE_SINGLE_CHILD="0"),
    case("dumb-init -c", [DUMB_INIT, "-c"]),
    case("dumb-init --single-child", [DUMB_INIT, "--single-child"]),
    case("dumb-init DUMB_INIT_SETSID=0", [DUMB_INIT], DUMB_INIT_SETSID="0"),
    case("tini", [TINI, "--"]),
    case("catatonit", [CATATONIT, "--"]),
]


@pytest.mark.parametrize("init,env", SINGLE)
def test_single_child_signals_only_the_child(mode, start, init, env):
    """dumb-init -c, and tini's and catatonit's default: the grandchild in
    the child's group does not get the signal."""
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, USR1) == only_child(USR1)


@pytest.mark.parametrize("init,env", [
    case("pidone", [PIDONE]),
    case("pidone DUMB_INIT_SETSID=1", [PIDONE, "--"], DUMB_INIT_SETSID="1"),
    case("pidone PIDONE_SINGLE_CHILD=0", [PIDONE, "--"], PIDONE_SINGLE_CHILD="0"),
    case("pidone PIDONE_PROCESS_GROUP=0", [PIDONE, "--"], PIDONE_PROCESS_GROUP="0"),
])
def test_pidone_routes_by_meaning_by_default_unlike_either_peer(mode, start, init, env):
    """Deliberate difference (issue 17, test_routing.py): tini and catatonit
    signal only the direct child unless given -g, dumb-init the whole group
    unless given -c. pidone sends the stop signals to the group, so a shell's
    children stop with it (`docker stop` of `sh -c 'a | b'`), and every other
    signal to the command alone, so a server's workers are not killed by the
    master's SIGHUP. -g gives dumb-init's default, -c tini's."""
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, TERM) == both(TERM)
    assert deliveries(i, grandchild, USR1) == only_child(USR1)


# ---------------------------------------------------------------- kill-sent faults

FAULTS = [signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE,
          signal.SIGILL, signal.SIGTRAP, signal.SIGSYS]


@pytest.mark.parametrize("sig", FAULTS, ids=lambda s: s.name)
def test_fault_signals_sent_with_kill_are_forwarded(mode, start, sig):
    """Deliberate difference: tini and catatonit leave SIGABRT, SIGSEGV,
    SIGBUS, SIGFPE, SIGILL, SIGTRAP and SIGSYS unblocked with the default
    action, so as PID 1 `kill -ABRT 1` is dropped by the kernel (and kills
    them when not PID 1). pidone forwards them when they come from kill(),
    like any other signal; only a real fault of its own is not forwarded."""
    i, grandchild = start_tree(start, mode, [PIDONE, "-g", "--"], {})
    assert deliveries(i, grandchild, sig) == both(int(sig))


@pytest.mark.parametrize("init,env", [
    case("tini -g", [TINI, "-g", "--"]),
    case("catatonit -g", [CATATONIT, "-g", "--"]),
])
def test_peers_drop_fault_signals_sent_with_kill_as_pid1(start, init, env):
    """The peer side of the difference above."""
    i, grandchild = start_tree(start, "pid1", init, env)
    assert deliveries(i, grandchild, signal.SIGABRT) == []


# ---------------------------------------------------------------- dumb-init -r

REWRITE = [
    case("pidone -r 15:10", [PIDONE, "-r", "15:10", "--"]),
    case("pidone -r15:10", [PIDONE, "-r15:10", "--"]),
    case("pidone -r TERM:USR1", [PIDONE, "-r", "TERM:USR1", "--"]),
    case("pidone -r SIGTERM:sigusr1", [PIDONE, "-r", "SIGTERM:sigusr1", "--"]),
    case("pidone --rewrite 15:10", [PIDONE, "--rewrite", "15:10", "--"]),
    case("pidone --rewrite=15:10", [PIDONE, "--rewrite=15:10", "--"]),
    case("pidone PIDONE_REWRITE=15:10", [PIDONE, "--"], PIDONE_REWRITE="15:10"),
    case("pidone -r 15:10 beats PIDONE_REWRITE=15:0", [PIDONE, "-r", "15:10", "--"],
         PIDONE_REWRITE="15:0"),
    case("dumb-init -r 15:10", [DUMB_INIT, "-r", "15:10"]),
    case("dumb-init --rewrite 15:10", [DUMB_INIT, "--rewrite", "15:10"]),
]


@pytest.mark.parametrize("init,env", REWRITE)
def test_rewrite_forwards_term_as_usr1(mode, start, init, env):
    """dumb-init takes numbers only; pidone takes names too and gives the
    same signal. Who gets it differs (issue 17): dumb-init sends everything
    to the group; pidone routes by the signal it forwards, and USR1 goes to
    the command alone, as any USR1 does."""
    i, grandchild = start_tree(start, mode, init, env)
    want = both(USR1) if init[0] == DUMB_INIT else only_child(USR1)
    assert deliveries(i, grandchild, TERM) == want


@pytest.mark.parametrize("init,env", [
    case("pidone -g -r 15:10", [PIDONE, "-g", "-r", "15:10", "--"]),
    case("dumb-init -r 15:10", [DUMB_INIT, "-r", "15:10"]),
])
def test_rewrite_with_g_forwards_to_the_group_as_dumb_init_does(mode, start, init, env):
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, TERM) == both(USR1)


DROP = [
    case("pidone -r 15:0", [PIDONE, "-r", "15:0", "--"]),
    case("pidone -r TERM:0", [PIDONE, "-r", "TERM:0", "--"]),
    case("pidone PIDONE_REWRITE=15:0", [PIDONE, "--"], PIDONE_REWRITE="15:0"),
    case("dumb-init -r 15:0", [DUMB_INIT, "-r", "15:0"]),
]


@pytest.mark.parametrize("init,env", DROP)
def test_rewrite_to_0_drops_the_signal(mode, start, init, env):
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, TERM) == []


@pytest.mark.parametrize("init,env", [
    case("pidone -r 15:10 -r 10:12", [PIDONE, "-r", "15:10", "-r", "10:12", "--"]),
    case("pidone PIDONE_REWRITE=15:10,10:12", [PIDONE, "--"], PIDONE_REWRITE="15:10,10:12"),
    case("dumb-init -r 15:10 -r 10:12", [DUMB_INIT, "-r", "15:10", "-r", "10:12"]),
])
def test_rewrite_is_repeatable_and_not_chained(mode, start, init, env):
    """TERM becomes USR1 and USR1 becomes USR2; TERM does not go on to USR2.
    (pidone sends USR1 and USR2 to the command alone, dumb-init to the group.)"""
    who = both if init[0] == DUMB_INIT else only_child
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, TERM) == who(USR1)
    assert deliveries(i, grandchild, USR1) == who(USR2)


# ---------------------------------------------------------------- tini -e

REMAP = [
    (["-e", "143"], "kill -TERM $$", 0),
    (["-e", "143"], "exit 3", 3),
    (["-e", "3", "-e", "143"], "exit 3", 0),
    (["-e", "3", "-e", "143"], "kill -TERM $$", 0),
    (["-e143"], "kill -TERM $$", 0),
    (["-e", "0"], "exit 0", 0),
]


@pytest.mark.parametrize("options,script,expected", REMAP,
                         ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
@pytest.mark.parametrize("init", [PIDONE, TINI], ids=["pidone", "tini"])
def test_remap_exit_reports_the_given_codes_as_0(mode, init, options, script, expected):
    rc, _, _ = run(mode, [*options, "--", *sh(script)], init=[init], env=environ())
    assert rc == expected


@pytest.mark.parametrize("options,env,script,expected", [
    (["--remap-exit", "143"], {}, "kill -TERM $$", 0),
    (["--remap-exit=143"], {}, "kill -TERM $$", 0),
    ([], {"PIDONE_REMAP_EXIT": "143,130"}, "kill -TERM $$", 0),
    ([], {"PIDONE_REMAP_EXIT": "143,130"}, "kill -INT $$", 0),
    ([], {"PIDONE_REMAP_EXIT": "143,130"}, "exit 3", 3),
    (["-e", "3"], {"PIDONE_REMAP_EXIT": "143"}, "exit 3", 0),
    (["-e", "3"], {"PIDONE_REMAP_EXIT": "143"}, "kill -TERM $$", 0),
], ids=lambda v: str(v))
def test_remap_exit_long_name_and_environment(mode, options, env, script, expected):
    """pidone's own spellings; codes from the environment and the command
    line add up."""
    rc, _, _ = run(mode, [*options, "--", *sh(script)], env=environ(**env))
    assert rc == expected


# ---------------------------------------------------------------- -v / -w

def lines_of(stderr):
    return [line for line in stderr.splitlines() if line]


@pytest.mark.parametrize("options,env", [
    (["-v"], {}),
    (["--verbose"], {}),
    ([], {"PIDONE_VERBOSITY": "1"}),
    ([], {"TINI_VERBOSITY": "2"}),
    (["-v"], {"PIDONE_VERBOSITY": "0"}),
], ids=str)
def test_verbose_reports_start_and_exit_on_stderr(mode, options, env):
    """Deliberate difference: tini writes its INFO lines to stdout, mixed with
    the command's output; pidone writes every message to stderr as one line
    starting 'pidone: '. tini's default level is 1 (warnings), so its
    TINI_VERBOSITY=2 is pidone's -v."""
    rc, out, err = run(mode, [*options, "--", *sh("echo out; exit 3")], env=environ(**env))
    assert rc == 3
    assert out == "out\n"
    lines = lines_of(err)
    assert all(line.startswith("pidone: ") for line in lines), lines
    assert any("started sh" in line for line in lines), lines
    assert any("exited with 3" in line for line in lines), lines


@pytest.mark.parametrize("init", [[PIDONE, "-v", "--"], [DUMB_INIT, "-v"],
                                  [DUMB_INIT, "--verbose"]],
                         ids=lambda v: " ".join(os.path.basename(a) for a in v))
def test_verbose_messages_stay_off_stdout(mode, init):
    """As dumb-init -v: the messages go to stderr, stdout is the command's."""
    rc, out, err = run(mode, sh("echo out; exit 3"), init=init, env=environ())
    assert rc == 3
    assert out == "out\n"
    assert err.strip()


@pytest.mark.parametrize("options,env", [
    ([], {}),
    ([], {"PIDONE_VERBOSITY": "0"}),
    ([], {"TINI_VERBOSITY": "1"}),
    ([], {"PIDONE_WARN_REAP": "0"}),
], ids=str)
def test_default_is_silent(mode, options, env):
    rc, out, err = run(mode, [*options, "--", *orphan_script()], env=environ(**env))
    assert rc == 0
    assert err == ""


def test_verbose_names_each_forwarded_signal(mode, start):
    """Issue 3: -v reports lifecycle events, forwarded signals included."""
    i = start(mode, ["-v", "--", *SIGRECORD, "--exit-on", str(USR1)], env=environ())
    i.expect("child ready")
    i.signal(signal.SIGUSR1)
    assert i.wait() == 0
    assert any("SIGUSR1" in line for line in lines_of(i.stderr_text)), i.stderr_text


def names_pid(lines, pid):
    return [line for line in lines if re.search(rf"\bpid[ =]{pid}\b", line)]


@pytest.mark.parametrize("options,env", [
    (["-vv"], {}),
    (["-v", "-v"], {}),
    ([], {"PIDONE_VERBOSITY": "2"}),
    ([], {"TINI_VERBOSITY": "3"}),
], ids=str)
def test_very_verbose_names_every_reaped_orphan(mode, options, env):
    rc, out, err = run(mode, [*options, "--", *orphan_script()], env=environ(**env))
    assert rc == 0
    orphan = int(out.split()[-1])
    assert [line for line in names_pid(lines_of(err), orphan)
            if line.startswith("pidone: ") and "reaped" in line], err


def test_verbose_once_does_not_name_reaped_orphans(mode):
    rc, out, err = run(mode, ["-v", "--", *orphan_script()], env=environ())
    assert rc == 0
    assert not names_pid(lines_of(err), int(out.split()[-1])), err


@pytest.mark.parametrize("init,env", [
    case("pidone -w", [PIDONE, "-w", "--"]),
    case("pidone --warn-reap", [PIDONE, "--warn-reap", "--"]),
    case("pidone PIDONE_WARN_REAP=1", [PIDONE, "--"], PIDONE_WARN_REAP="1"),
    case("pidone -w beats PIDONE_WARN_REAP=0", [PIDONE, "-w", "--"], PIDONE_WARN_REAP="0"),
    case("tini -s -w", [TINI, "-s", "-w", "--"]),
])
def test_warn_reap_names_each_reaped_orphan(mode, start, init, env):
    """Same as tini -w: a stderr line for each reaped process that is not the
    command, naming its pid (tini needs -s to get orphans when not PID 1).
    The command stays until the test has seen the warning (tini, unlike
    pidone, exits without waiting for the orphan); stderr is merged into
    stdout to read both in order."""
    i = start(mode, orphan_script(then="read x"), init=init,
              env=environ(**env), stdin=subprocess.PIPE, stderr=subprocess.STDOUT)
    orphan, warnings = None, []
    for _ in range(8):
        line = i.readline()
        if orphan is None and line.isdigit():
            orphan = int(line)
        else:
            warnings.append(line)
        if orphan is not None and names_pid(warnings, orphan):
            break
    assert orphan is not None and len(names_pid(warnings, orphan)) == 1, warnings
    if init[0] == PIDONE:
        assert names_pid(warnings, orphan)[0].startswith("pidone: ")
    i.proc.stdin.write(b"x\n")
    i.proc.stdin.flush()
    assert i.wait() == 0
    assert not names_pid(lines_of(i.rest_of_stdout()), orphan)


# ---------------------------------------------------------------- -l / -V / -h

def marker_command(tmp_path):
    """A command that would leave a file behind if it ran."""
    marker = tmp_path / "ran"
    return ["touch", str(marker)], marker


@pytest.mark.parametrize("init", [
    [PIDONE, "-l"], [PIDONE, "-L"], [PIDONE, "--license"],
    [TINI, "-l"], [CATATONIT, "-L"],
], ids=lambda v: " ".join(os.path.basename(a) for a in v))
def test_license_is_printed_and_nothing_runs(mode, tmp_path, init):
    command, marker = marker_command(tmp_path)
    rc, out, _ = run(mode, ["--", *command], init=init, env=environ())
    assert rc == 0
    assert out.strip()
    assert not marker.exists()


def test_license_is_the_mit_license(mode):
    rc, out, _ = run(mode, ["-l"], env=environ())
    assert rc == 0
    assert out.startswith("MIT License")
    assert "Permission is hereby granted" in out


def parse_init_version(text):
    """moby daemon/info_unix.go parseInitVersion, in Python: what `docker
    info` makes of `<init> --version`. Returns (version, commit); raises
    ValueError for an unknown format."""
    parts = text.split(" - ")
    version = commit = ""
    if len(parts) >= 2:
        git = parts[1].strip().split(".")
        if len(git) == 2 and git[0] == "git":
            commit = git[1]
    first = parts[0].strip()
    if first.startswith("tini version "):
        version = first[len("tini version "):]
    if not version and not commit:
        raise ValueError(f"unknown output format: {text}")
    return version, commit


def test_docker_version_parser_rejects_other_formats():
    """The parser above can say no (dumb-init's -V output)."""
    with pytest.raises(ValueError):
        parse_init_version("dumb-init v1.2.5\n")


@pytest.mark.parametrize("init", [
    [PIDONE, "--version"], [PIDONE, "-V"],
    [TINI, "--version"], [CATATONIT, "--version"], [CATATONIT, "-V"],
], ids=lambda v: " ".join(os.path.basename(a) for a in v))
def test_version_parses_the_way_docker_info_parses_it(mode, init):
    rc, out, _ = run(mode, [], init=init, env=environ())
    assert rc == 0
    version, commit = parse_init_version(out)
    assert version
    if init[0] == PIDONE:
        # docker info shows the commit part: it names pidone too.
        assert "pidone" in version and commit == "pidone"


@pytest.mark.parametrize("init", [
    [PIDONE, "-V"], [PIDONE, "--version"], [DUMB_INIT, "-V"], [DUMB_INIT, "--version"],
    [CATATONIT, "-V"],
], ids=lambda v: " ".join(os.path.basename(a) for a in v))
def test_version_exits_0_and_runs_nothing(mode, tmp_path, init):
    """Where the version option may come before a command (dumb-init,
    catatonit); tini takes --version only alone."""
    command, marker = marker_command(tmp_path)
    sep = [] if init[0] == DUMB_INIT else ["--"]
    rc, _, _ = run(mode, [*sep, *command], init=init, env=environ())
    assert rc == 0
    assert not marker.exists()


@pytest.mark.parametrize("init", [
    [PIDONE, "-h"], [PIDONE, "--help"], [TINI, "-h"], [DUMB_INIT, "-h"],
    [DUMB_INIT, "--help"], [CATATONIT, "-h"],
], ids=lambda v: " ".join(os.path.basename(a) for a in v))
def test_help_exits_0_and_runs_nothing(mode, tmp_path, init):
    command, marker = marker_command(tmp_path)
    sep = [] if init[0] == DUMB_INIT else ["--"]
    rc, out, err = run(mode, [*sep, *command], init=init, env=environ())
    assert rc == 0
    assert (out + err).strip()
    assert not marker.exists()


def test_help_names_every_long_option_on_stdout(mode):
    rc, out, _ = run(mode, ["--help"], env=environ())
    assert rc == 0
    for name in ["--help", "--version", "--license", "--verbose", "--warn-reap",
                 "--single-child", "--process-group", "--rewrite", "--remap-exit",
                 "--pdeath-signal", "--subreaper", "--pause", "--grace",
                 "--drain-signal", "--no-drain", "--log-format",
                 "TINI_SUBREAPER", "TINI_VERBOSITY", "TINI_KILL_PROCESS_GROUP",
                 "DUMB_INIT_SETSID"]:
        assert name in out, name


@pytest.mark.parametrize("option", ["-s", "-g", "-w", "-v", "-vv", "-q"])
def test_flags_combine_with_a_command(mode, option):
    """Every accepted flag leaves the command's exit code alone."""
    rc, _, _ = run(mode, [option, "--", *sh("exit 5")], env=environ())
    assert rc == 5


# ---------------------------------------------------------------- exec failures

@pytest.mark.parametrize("target,expected", [("/nonexistent/cmd", 127), ("/", 126),
                                              ("no-such-command-pidone", 127)],
                         ids=["missing", "directory", "not-on-path"])
@pytest.mark.parametrize("init", [PIDONE, TINI], ids=["pidone", "tini"])
def test_exec_failure_exit_codes_match_tini(mode, init, target, expected):
    """126 not runnable, 127 not found, as tini and the shells do.
    Deliberate difference: dumb-init exits 2 and catatonit 1 for both, which
    cannot be told from the command's own exit codes."""
    rc, _, err = run(mode, ["--", target], init=[init], env=environ())
    assert rc == expected
    if init == PIDONE:
        assert err.startswith(f"pidone: exec {target}: "), err


@pytest.mark.parametrize("init,expected", [
    ([DUMB_INIT], 2), ([CATATONIT, "--"], 1)], ids=["dumb-init", "catatonit"])
def test_peers_exit_codes_for_a_missing_command(mode, init, expected):
    """The peer side of the difference above."""
    rc, _, _ = run(mode, ["/nonexistent/cmd"], init=init, env=environ())
    assert rc == expected


# ---------------------------------------------------------------- bad input

BAD = [
    (["-x"], {}, ["-x"]),
    (["--bogus"], {}, ["--bogus"]),
    (["--help=yes"], {}, ["--help"]),
    (["-e", "300"], {}, ["-e", "300"]),
    (["-e", "-1"], {}, ["-e", "-1"]),
    (["--remap-exit=abc"], {}, ["--remap-exit", "abc"]),
    (["-r", "15"], {}, ["-r", "15"]),
    (["-r", "x:y"], {}, ["-r", "x:y"]),
    (["-r", "15:x"], {}, ["-r", "15:x"]),
    (["-r", "9:15"], {}, ["-r", "9"]),
    (["-p", "NOSUCH"], {}, ["-p", "NOSUCH"]),
    (["--pdeath-signal", "65"], {}, ["--pdeath-signal", "65"]),
    (["-c", "-g"], {}, ["-c", "-g"]),
    ([], {"PIDONE_REMAP_EXIT": "143,300"}, ["PIDONE_REMAP_EXIT", "300"]),
    ([], {"PIDONE_REWRITE": "15"}, ["PIDONE_REWRITE", "15"]),
    ([], {"PIDONE_SINGLE_CHILD": "maybe"}, ["PIDONE_SINGLE_CHILD", "maybe"]),
    ([], {"PIDONE_PDEATH_SIGNAL": "NOSUCH"}, ["PIDONE_PDEATH_SIGNAL", "NOSUCH"]),
    ([], {"PIDONE_VERBOSITY": "loud"}, ["PIDONE_VERBOSITY", "loud"]),
]


@pytest.mark.parametrize("options,env,names", BAD, ids=lambda v: str(v))
def test_bad_option_exits_125_naming_it_and_runs_nothing(mode, tmp_path, options, env, names):
    command, marker = marker_command(tmp_path)
    rc, out, err = run(mode, [*options, "--", *command], env=environ(**env))
    assert rc == 125
    first = err.splitlines()[0]
    assert first.startswith("pidone: ")
    for name in names:
        assert name in first, (name, first)
    assert not marker.exists()
    assert out == ""


@pytest.mark.parametrize("options", [["-e"], ["--remap-exit"], ["-p"], ["-r"],
                                     ["--rewrite"], ["--pdeath-signal"]], ids=str)
def test_missing_option_value_exits_125_naming_the_option(mode, options):
    rc, _, err = run(mode, options, env=environ())
    assert rc == 125
    first = err.splitlines()[0]
    assert first.startswith("pidone: ") and options[0] in first, first


def test_no_command_exits_125(mode):
    rc, _, err = run(mode, [], env=environ())
    assert rc == 125
    assert err.startswith("pidone: ") and "command" in err.splitlines()[0], err


def test_pause_env_off_still_needs_a_command(mode):
    """PIDONE_PAUSE=0 turns pause mode off: no command is a usage error."""
    rc, _, err = run(mode, [], env=environ(PIDONE_PAUSE="0"))
    assert rc == 125
    assert "no command" in err, err


@pytest.mark.parametrize("init,options", [
    ([TINI], ["-x"]), ([DUMB_INIT], ["-x"]), ([CATATONIT], ["-x"]),
    ([TINI], ["-e", "300"]), ([TINI], ["-p", "NOSUCH"]), ([DUMB_INIT], ["-r", "15"]),
    ([DUMB_INIT], ["-r", "x:y"]),
], ids=lambda v: " ".join(os.path.basename(a) for a in v))
def test_usage_errors_exit_125_where_peers_exit_1(mode, tmp_path, init, options):
    """Deliberate difference: tini, dumb-init and catatonit exit 1 on bad
    usage, which a caller cannot tell from the command exiting 1; pidone
    exits 125 as env(1), timeout(1) and `docker run` do for their own
    failures."""
    command, marker = marker_command(tmp_path)
    sep = [] if init[0] == DUMB_INIT else ["--"]
    peer_rc, _, _ = run(mode, [*options, *sep, *command], init=init, env=environ())
    rc, _, _ = run(mode, [*options, "--", *command], env=environ())
    assert (peer_rc, rc) == (1, 125)
    assert not marker.exists()
