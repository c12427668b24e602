"""Issue 5: interactive terminals and job control.

Every test drives a real pseudo-terminal (helpers/ptydrive.py: pty.fork(),
then expect() waits, bounded, for text the terminal shows; nothing sleeps in
place of waiting for output). The init runs in one of two shapes:

  pid1       `unshare -fp --mount-proc setsid -c INIT -- CMD` on a new pty:
             the init is PID 1 of a fresh pid namespace and the session
             leader that owns the terminal, as under `docker run -t`.
  subreaper  an interactive bash on the pty (the "outer shell", prompt
             OUTER) runs `INIT -- CMD` as a job: the init is not PID 1.

Commands are helpers/ttyjob.py: they say what they see ("probe pgrp=..
tpgid=..", "job ready", "INT 1") in words that never appear in their own
command line, so the terminal echoing what was typed cannot fool a test.
Shells are `bash --norc --noprofile --noediting -i` with PS1 set to a marker.
After a Ctrl-C the terminal discards typed-ahead input, so every test waits
for the next prompt before it types again; after a stop it also waits for the
command itself to be stopped (with -c, or a TSTP sent to it, pidone stops at
once, and a command still finishing its read() could take what is typed).

The same scenarios run under the peers (tini, dumb-init, dumb-init -c) for
the README's comparison. Where a peer fails the spec, the test is marked
xfail with the reason (PEER_FAILS below; `pytest -rxX` lists them), so the
file passes and records each peer's behaviour.

Sections:
  foreground hand-off       the command's group gets the terminal; not from
                            the background
  a shell under the init    no warnings; Ctrl-C; Ctrl-Z, jobs, fg, bg; exit 7
  a non-shell command       Ctrl-C and Ctrl-\\ once each; 130 and 131
  stopping, not PID 1       Ctrl-Z and TSTP/TTIN/TTOU stop the init with its
                            command; fg resumes both with the terminal
  job-control signals, PID 1  forwarded, and the init keeps running
  handing back              the foreground returns to the caller's group
"""
import os
import re
import shlex
import signal

import pytest

from conftest import (EVENT, PIDONE, PYTHON, children_of, descendants_of, state_of,
                      wait_until)
from helpers.ptydrive import CTRL_BACKSLASH, CTRL_C, CTRL_D, CTRL_Z, Pty

HERE = os.path.dirname(os.path.abspath(__file__))
JOB = [PYTHON, os.path.join(HERE, "helpers", "ttyjob.py")]
SIGRECORD = [PYTHON, os.path.join(HERE, "helpers", "sigrecord.py")]

INITS = {
    "pidone": [PIDONE],
    "pidone-c": [PIDONE, "-c"],
    "tini": ["/usr/bin/tini"],
    "dumb-init": ["/usr/bin/dumb-init"],
    "dumb-init-c": ["/usr/bin/dumb-init", "-c"],
}
PIDONES = ["pidone", "pidone-c"]
SINGLE_CHILD = {"pidone-c", "dumb-init-c"}  # the command stays in the init's group

OUTER = "pt-outer> "
INNER = "pt-inner> "
BASH = ["bash", "--norc", "--noprofile", "--noediting", "-i"]
ENV = dict(os.environ, TERM="dumb", LC_ALL="C", HISTFILE="", PS1=OUTER, INNER_PS1=INNER)
JOB_CONTROL_WARNINGS = ("cannot set terminal process group", "no job control")

# Where a peer fails this file's spec, as verified with Debian 12's tini 0.19.0
# and dumb-init 1.2.5: (test, init, mode) -> (reason, strict). Non-strict where
# the failure depends on timing.
_DUMB_INIT_NOT_LEADER = (
    "dumb-init (setsid mode) not a session leader: the child's TIOCSCTTY fails, "
    "so bash has no controlling terminal ('cannot set terminal process group', "
    "'no job control in this shell')")
_DUMB_INIT_CTRL_Z = (
    "dumb-init (setsid mode) not a session leader: bash has no job control, so "
    "Ctrl-Z stops the outer shell's whole job (dumb-init, bash, the command) "
    "and the outer shell prints Stopped")
PEER_FAILS = {
    ("test_command_group_becomes_the_foreground_group", "dumb-init", "subreaper"): (
        "dumb-init (setsid mode) not a session leader: the command has no "
        "controlling terminal (tcgetpgrp: ENOTTY)", True),
    ("test_shell_starts_without_job_control_warnings", "dumb-init", "subreaper"): (
        _DUMB_INIT_NOT_LEADER, True),
    ("test_shell_ctrl_z_stops_the_foreground_job_and_jobs_fg_resume_it", "dumb-init",
     "subreaper"): (_DUMB_INIT_CTRL_Z, True),
    ("test_shell_bg_continues_a_stopped_job_in_the_background", "dumb-init",
     "subreaper"): (_DUMB_INIT_CTRL_Z, True),
    ("test_ctrl_c_and_ctrl_backslash_reach_the_command_once", "dumb-init-c", "pid1"): (
        "dumb-init -c: the terminal signals the whole foreground group, which the "
        "command shares with dumb-init, and dumb-init forwards its own copy: "
        "Ctrl-C and Ctrl-\\ arrive twice (unless the two copies coalesce)", False),
    ("test_ctrl_c_and_ctrl_backslash_reach_the_command_once", "dumb-init-c", "subreaper"): (
        "dumb-init -c: the command gets the terminal's copy and dumb-init's "
        "forwarded copy (unless the two coalesce)", False),
    ("test_started_in_the_background_leaves_the_terminal_alone", "tini", "subreaper"): (
        "tini's child calls tcsetpgrp() with SIGTTOU ignored and takes the "
        "terminal from the shell that started it in the background; the "
        "shell's next read fails (EIO) and an interactive bash exits", True),
    ("test_ctrl_z_stops_the_init_and_its_command_together_and_fg_resumes_both",
     "tini", "subreaper"): (
        "tini does not wait for stopped children: Ctrl-Z stops the command, "
        "tini keeps running, and the outer shell waits for a job that never "
        "stops (the terminal hangs)", True),
    ("test_foreground_is_handed_back_when_the_command_exits", "tini", "subreaper"): (
        "tini never gives the terminal back: after it exits the foreground "
        "group is its dead child's, and a caller without job control (sh -c) "
        "is no longer in the foreground", True),
}


@pytest.fixture(autouse=True)
def _known_peer_failure(request):
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec else {}
    key = (request.node.originalname, params.get("init"), params.get("mode", "subreaper"))
    if key in PEER_FAILS:
        reason, strict = PEER_FAILS[key]
        request.node.add_marker(pytest.mark.xfail(reason=reason, strict=strict))


@pytest.fixture
def terminal():
    """terminal(argv) -> Pty; everything below each one is killed after the test."""
    opened = []

    def _open(argv, env=ENV):
        term = Pty(argv, env=env)
        opened.append(term)
        return term

    yield _open
    for term in opened:
        term.close()
    # What outlived its terminal's program (an outer shell that exited) came
    # to the test process, a subreaper: end it by pid, with what is below it.
    for _ in range(20):  # bounded: each round reaps what the last one orphaned
        children = children_of(os.getpid())
        if not children:
            break
        for child in children:
            for pid in [*reversed(descendants_of(child)), child]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                os.waitpid(child, 0)
            except ChildProcessError:
                pass


def outer_shell(terminal):
    """An interactive bash on a new pty, at its first prompt."""
    term = terminal(BASH)
    term.expect(OUTER, EVENT)
    return term


def start(terminal, mode, init, cmd):
    """init (a name in INITS) running cmd on a pty, in the given shape."""
    argv = [*INITS[init], "--", *cmd]
    if mode == "pid1":
        return terminal(["unshare", "-fp", "--mount-proc", "setsid", "-c", *argv])
    term = outer_shell(terminal)
    term.sendline(shlex.join(argv))
    return term


def start_shell(terminal, mode, init):
    """An interactive bash under init, at its first prompt (INNER)."""
    if mode == "pid1":
        term = terminal(["unshare", "-fp", "--mount-proc", "setsid", "-c",
                         *INITS[init], "--", *BASH], env=dict(ENV, PS1=INNER))
    else:
        term = outer_shell(terminal)
        # Through a variable, so the echo of this line does not show INNER.
        term.sendline("PS1=$INNER_PS1 " + shlex.join([*INITS[init], "--", *BASH]))
    term.expect(INNER, EVENT)
    return term


def finish(term, mode, code):
    """The init exits with code: pid1, the pty's program (unshare passes the
    status on); subreaper, the outer shell's $? -- and its prompt works."""
    if mode == "pid1":
        assert term.wait(EVENT) == code
        return
    term.expect(OUTER, EVENT)
    term.sendline("echo rc=$?")
    assert term.expect(re.compile(r"rc=(\d+)\r\n"), EVENT).group(1) == str(code)
    term.expect(OUTER, EVENT)


def last_command_status(term, prompt):
    """$? of the last command of the shell at prompt (which it has printed)."""
    term.sendline("echo rc=$?")
    code = int(term.expect(re.compile(r"rc=(\d+)\r\n"), EVENT).group(1))
    term.expect(prompt, EVENT)
    return code


def pid_below(term, comm):
    """The pid (as the test sees it) of the process called comm below term."""
    def find():
        for pid in descendants_of(term.pid):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == comm:
                        return pid
            except (FileNotFoundError, ProcessLookupError):
                pass
        return None
    return wait_until(find, EVENT, f"{comm} to run on the terminal")


def init_pid(term, init):
    return pid_below(term, os.path.basename(INITS[init][0])[:15])


def probe(term):
    m = term.expect(re.compile(r"probe pgrp=(\d+) tpgid=(\S+) parent_pgrp=(\d+)\r\n"), EVENT)
    return int(m.group(1)), m.group(2), int(m.group(3))


def stopped(pid):
    return state_of(pid) == "T"


def job_line(argv):
    """How bash shows a job it was given as argv."""
    return shlex.join(argv) + "\r\n"


# --- foreground hand-off ----------------------------------------------------

@pytest.mark.parametrize("init", list(INITS))
def test_command_group_becomes_the_foreground_group(terminal, mode, init):
    """pgrp == tpgid in the command; its own group, or with -c the init's."""
    term = start(terminal, mode, init, [*JOB, "probe"])
    pgrp, tpgid, parent_pgrp = probe(term)
    assert tpgid == str(pgrp), term.text()
    if init in SINGLE_CHILD:
        assert pgrp == parent_pgrp
    else:
        assert pgrp != parent_pgrp
    finish(term, mode, 0)


@pytest.mark.parametrize("init", list(INITS))
def test_started_in_the_background_leaves_the_terminal_alone(terminal, init):
    """`INIT -- cmd &` from an interactive shell: the shell keeps the
    foreground, and the init is not stopped (by SIGTTOU or anything)."""
    term = outer_shell(terminal)
    term.sendline(shlex.join([*INITS[init], "--", *JOB, "probe-sleep"]) + " &")
    probe(term)  # the command runs: the init decided, and forked
    term.sendline("echo al''ive")
    term.expect("alive\r\n", EVENT)
    term.expect(OUTER, EVENT)
    assert os.tcgetpgrp(term.fd) == term.pid  # the interactive shell's group
    assert state_of(init_pid(term, init)) != "T"


@pytest.mark.parametrize("init", PIDONES)
def test_background_run_to_the_end_is_never_stopped(terminal, init):
    """From the background, through the command's exit: `wait` would give
    128+N if the job had stopped (SIGTTOU: 150)."""
    term = outer_shell(terminal)
    term.sendline(shlex.join([*INITS[init], "--", "sh", "-c", "exit 3"]) + " &")
    term.expect(OUTER, EVENT)
    term.sendline("wait $!; echo rc=$?")
    assert term.expect(re.compile(r"rc=(\d+)\r\n"), EVENT).group(1) == "3"
    term.expect(OUTER, EVENT)
    assert os.tcgetpgrp(term.fd) == term.pid


@pytest.mark.parametrize("init", PIDONES)
def test_background_job_reading_the_terminal_stops_and_fg_gives_it_the_terminal(
        terminal, init):
    """`INIT -- cat &`: cat reads from the background and stops (SIGTTIN);
    pidone stops with it, so the shell sees its job stopped; then `fg` gives
    cat the terminal, and it reads what is typed next."""
    term = outer_shell(terminal)
    argv = [*INITS[init], "--", *JOB, "cat"]
    term.sendline(shlex.join(argv) + " &")
    term.expect("job ready", EVENT)
    command = pid_below(term, "cat")
    pidone = init_pid(term, init)
    wait_until(lambda: stopped(pidone) and stopped(command), EVENT,
               "pidone to stop with its command, which read from the background")
    term.sendline("fg")
    term.expect(job_line(argv), EVENT)
    term.sendline("word")
    term.expect("word\r\nword\r\n", EVENT)  # the echo, then cat
    term.send(CTRL_D)
    finish(term, "subreaper", 0)


# --- an interactive shell under the init --------------------------------------

@pytest.mark.parametrize("init", list(INITS))
def test_shell_starts_without_job_control_warnings(terminal, mode, init):
    term = start_shell(terminal, mode, init)
    for warning in JOB_CONTROL_WARNINGS:
        assert warning not in term.text(), term.text()
    term.sendline("exit 0")
    finish(term, mode, 0)


@pytest.mark.parametrize("init", list(INITS))
def test_shell_ctrl_c_interrupts_the_foreground_job_not_the_shell(terminal, mode, init):
    term = start_shell(terminal, mode, init)
    term.sendline(shlex.join([*JOB, "sleep"]))
    term.expect("job ready", EVENT)
    term.send(CTRL_C)
    term.expect(INNER, EVENT)  # the shell is still there...
    assert last_command_status(term, INNER) == 130  # ...and the job died of SIGINT


@pytest.mark.parametrize("init", list(INITS))
def test_shell_ctrl_z_stops_the_foreground_job_and_jobs_fg_resume_it(terminal, mode, init):
    term = start_shell(terminal, mode, init)
    job = [*JOB, "cat"]
    term.sendline(shlex.join(job))
    term.expect("job ready", EVENT)
    term.send(CTRL_Z)
    term.expect(re.compile(r"\[1\]\+\s+Stopped\s+"), EVENT)
    # The prompt that follows is the inner shell's, not the outer one's.
    assert term.expect(re.compile(f"{re.escape(INNER)}|{re.escape(OUTER)}"),
                       EVENT).group(0) == INNER, term.text()
    term.sendline("jobs")
    term.expect(re.compile(r"\[1\]\+\s+Stopped\s+" + re.escape(shlex.join(job))), EVENT)
    term.expect(INNER, EVENT)
    term.sendline("fg")
    term.expect(job_line(job), EVENT)
    term.sendline("word")
    term.expect("word\r\nword\r\n", EVENT)  # the echo, then cat: it has the terminal
    term.send(CTRL_D)
    term.expect(INNER, EVENT)
    assert last_command_status(term, INNER) == 0


@pytest.mark.parametrize("init", list(INITS))
def test_shell_bg_continues_a_stopped_job_in_the_background(terminal, mode, init):
    term = start_shell(terminal, mode, init)
    job = [*JOB, "sleep"]
    term.sendline(shlex.join(job))
    term.expect("job ready", EVENT)
    sleeper = pid_below(term, "sleep")
    term.send(CTRL_Z)
    term.expect(re.compile(r"\[1\]\+\s+Stopped\s+"), EVENT)
    assert term.expect(re.compile(f"{re.escape(INNER)}|{re.escape(OUTER)}"),
                       EVENT).group(0) == INNER, term.text()
    assert stopped(sleeper)
    term.sendline("bg")
    term.expect("[1]+ " + shlex.join(job) + " &", EVENT)
    term.expect(INNER, EVENT)
    wait_until(lambda: not stopped(sleeper), EVENT, "the job to run again")
    term.sendline("jobs")
    term.expect(re.compile(r"\[1\]\+\s+Running\s+"), EVENT)
    term.expect(INNER, EVENT)


@pytest.mark.parametrize("init", list(INITS))
def test_shell_exit_code_is_the_init_exit_code(terminal, mode, init):
    term = start_shell(terminal, mode, init)
    term.sendline("exit 7")
    finish(term, mode, 7)


# --- a non-shell foreground command -------------------------------------------

@pytest.mark.parametrize("init", list(INITS))
def test_ctrl_c_and_ctrl_backslash_reach_the_command_once(terminal, mode, init):
    """Ctrl-C, Ctrl-\\, Ctrl-C; the command counts each delivery. SIGUSR1
    through the init ends the count: the init takes pending signals lowest
    first, so a second copy of INT or QUIT it forwards reaches the command
    before USR1 does."""
    term = start(terminal, mode, init, [*JOB, "count"])
    term.expect("job ready", EVENT)
    for key, name in ((CTRL_C, "INT"), (CTRL_BACKSLASH, "QUIT"), (CTRL_C, "INT")):
        term.send(key)
        term.expect(re.compile(name + r" \d+\r\n"), EVENT)  # one more arrived
    os.kill(init_pid(term, init), signal.SIGUSR1)
    m = term.expect(re.compile(r"counted INT=(\d+) QUIT=(\d+)\r\n"), EVENT)
    assert (m.group(1), m.group(2)) == ("2", "1"), term.text()
    finish(term, mode, 0)


@pytest.mark.parametrize("init", PIDONES)
@pytest.mark.parametrize("command,key,code", [
    ("sleep", CTRL_C, 130), ("cat", CTRL_C, 130), ("cat", CTRL_BACKSLASH, 131)],
    ids=["sleep-ctrl-c", "cat-ctrl-c", "cat-ctrl-backslash"])
def test_terminal_signal_ends_the_command_and_the_init_with_128_plus_n(
        terminal, mode, init, command, key, code):
    term = start(terminal, mode, init, [*JOB, command])
    term.expect("job ready", EVENT)
    term.send(key)
    finish(term, mode, code)


# --- stopping and continuing, not PID 1 ---------------------------------------

@pytest.mark.parametrize("init", list(INITS))
def test_ctrl_z_stops_the_init_and_its_command_together_and_fg_resumes_both(terminal, init):
    term = outer_shell(terminal)
    argv = [*INITS[init], "--", *JOB, "cat"]
    term.sendline(shlex.join(argv))
    term.expect("job ready", EVENT)
    command = pid_below(term, "cat")
    term.send(CTRL_Z)
    term.expect(re.compile(r"\[1\]\+\s+Stopped\s+"), EVENT)
    term.expect(OUTER, EVENT)
    assert stopped(init_pid(term, init))
    # With -c the terminal stopped the command itself, maybe a moment later.
    wait_until(lambda: stopped(command), EVENT, "the command to stop")
    term.sendline("fg")
    term.expect(job_line(argv), EVENT)
    term.sendline("word")
    term.expect("word\r\nword\r\n", EVENT)  # cat runs, and has the terminal again
    term.send(CTRL_D)
    finish(term, "subreaper", 0)


@pytest.mark.parametrize("init", PIDONES)
@pytest.mark.parametrize("sig", [signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU],
                         ids=["TSTP", "TTIN", "TTOU"])
def test_job_control_signal_sent_to_pidone_stops_it_with_its_command(terminal, init, sig):
    term = outer_shell(terminal)
    argv = [*INITS[init], "--", *JOB, "cat"]
    term.sendline(shlex.join(argv))
    term.expect("job ready", EVENT)
    command = pid_below(term, "cat")
    pidone = init_pid(term, init)
    os.kill(pidone, sig)
    term.expect(re.compile(r"\[1\]\+\s+Stopped\s+"), EVENT)
    term.expect(OUTER, EVENT)
    assert stopped(pidone)
    wait_until(lambda: stopped(command), EVENT, "the command to stop")
    term.sendline("fg")
    term.expect(job_line(argv), EVENT)
    term.sendline("word")
    term.expect("word\r\nword\r\n", EVENT)
    term.send(CTRL_D)
    finish(term, "subreaper", 0)


@pytest.mark.parametrize("init", PIDONES)
def test_ctrl_z_then_bg_then_fg_gives_the_command_the_terminal_again(terminal, init):
    """bg: cat reads from the background, stops on SIGTTIN, and pidone stops
    with it; fg: cat gets the terminal back and reads."""
    term = outer_shell(terminal)
    argv = [*INITS[init], "--", *JOB, "cat"]
    term.sendline(shlex.join(argv))
    term.expect("job ready", EVENT)
    command = pid_below(term, "cat")
    pidone = init_pid(term, init)
    term.send(CTRL_Z)
    term.expect(OUTER, EVENT)
    # With -c pidone stops at once, not when its command has: wait for cat,
    # or it may yet read what is typed next (see the report on -c and Ctrl-Z).
    wait_until(lambda: stopped(command), EVENT, "the command to stop")
    term.sendline("bg")
    term.expect("[1]+ " + shlex.join(argv) + " &", EVENT)
    term.expect(OUTER, EVENT)
    wait_until(lambda: stopped(pidone) and stopped(command), EVENT,
               "pidone to stop with its command, which read from the background")
    term.sendline("fg")
    term.expect(job_line(argv), EVENT)
    term.sendline("word")
    term.expect("word\r\nword\r\n", EVENT)
    term.send(CTRL_D)
    finish(term, "subreaper", 0)


# --- job-control signals to PID 1 ---------------------------------------------

@pytest.mark.parametrize("init", PIDONES)
@pytest.mark.parametrize("sig", [signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU],
                         ids=["TSTP", "TTIN", "TTOU"])
def test_job_control_signal_sent_to_pid1_is_forwarded_and_pidone_keeps_running(
        terminal, init, sig):
    term = start(terminal, "pid1", init, [*SIGRECORD, "--exit-on", str(int(signal.SIGTERM))])
    term.expect("child ready", EVENT)
    pidone = init_pid(term, init)
    os.kill(pidone, sig)
    term.expect(f"child {int(sig)}\r\n", EVENT)
    assert not stopped(pidone)
    os.kill(pidone, signal.SIGTERM)  # still forwarding: the command exits 0
    term.expect(f"child {int(signal.SIGTERM)}\r\n", EVENT)
    assert term.wait(EVENT) == 0


# --- handing the terminal back ------------------------------------------------

@pytest.mark.parametrize("init", PIDONES)
def test_outer_shell_prompt_and_exit_code_after_the_command_exits(terminal, init):
    term = start(terminal, "subreaper", init, ["sh", "-c", "exit 3"])
    finish(term, "subreaper", 3)
    assert os.tcgetpgrp(term.fd) == term.pid


@pytest.mark.parametrize("init", list(INITS))
def test_foreground_is_handed_back_when_the_command_exits(terminal, init):
    """A caller without job control (sh -c) stays in the foreground after the
    init exits: bash would take the terminal back itself, sh does not."""
    term = outer_shell(terminal)
    init_cmd = shlex.join([*INITS[init], "--", "sh", "-c", "exit 3"])
    term.sendline("sh -c " + shlex.quote(f"{init_cmd}; echo rc=$?; {shlex.join(JOB)} probe"))
    term.expect("rc=3\r\n", EVENT)
    pgrp, tpgid, _ = probe(term)
    assert tpgid == str(pgrp), term.text()
    term.expect(OUTER, EVENT)
