"""Issue 17: signals are routed by meaning.

By default the stop signals (SIGTERM, SIGINT, SIGQUIT, the drain signal) and
SIGCONT go to the command's whole process group, so a script's workers stop
with it; every other signal goes to the command alone, as it would without
an init, so a prefork server's master gets its orders (HUP reload, TTIN/TTOU
more or fewer workers) and its workers are left to it. -g sends everything to
the group (tini -g, catatonit -g, dumb-init's default), -c everything to the
command (tini's and catatonit's default, dumb-init -c); --group-signals and
--child-signals (PIDONE_GROUP_SIGNALS, PIDONE_CHILD_SIGNALS) move single
signals.

Who got what is read as in test_compat.py (helpers/sigqueue.py and its
fences). The real programs: a shell script whose workers it never tells
(helpers/worker.py), and Debian's gunicorn with sync workers on a unix socket
(helpers/slowapp.py, helpers/gunicorn_conf.py), run under pidone as PID 1 of
a new pid namespace, as in a container, and under the peers where the issue
compares them.
"""
import concurrent.futures
import os
import re
import signal
import socket

import pytest

from conftest import EVENT, PIDONE, PYTHON, children_of, sh, wait_until
from test_compat import (CATATONIT, DUMB_INIT, TINI, both, case, deliveries, environ,
                         only_child, start_tree)

HERE = os.path.dirname(os.path.abspath(__file__))
HELPERS = os.path.join(HERE, "helpers")
WORKER = [PYTHON, os.path.join(HELPERS, "worker.py")]
GUNICORN = "/usr/bin/gunicorn"
SIGRTMIN = 34

HUP, TERM, INT, QUIT, CONT = (int(s) for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT,
                                               signal.SIGQUIT, signal.SIGCONT))
STOP_SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGCONT]
# Orders to a server's master, and the rest: the command alone.
OTHER_SIGNALS = [signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH,
                 signal.SIGTTIN, signal.SIGTTOU, signal.SIGTSTP, signal.SIGALRM,
                 signal.SIGPWR, signal.SIGABRT, SIGRTMIN + 1, SIGRTMIN + 16]


def name(sig):
    return signal.Signals(sig).name if sig < 32 else f"signal {sig}"


# ---------------------------------------------------------------- who gets what

@pytest.mark.parametrize("sig", STOP_SIGNALS, ids=name)
def test_default_sends_stop_signals_to_the_whole_group(mode, start, sig):
    i, grandchild = start_tree(start, mode, [PIDONE, "--"], {})
    assert deliveries(i, grandchild, sig) == both(int(sig))


@pytest.mark.parametrize("sig", OTHER_SIGNALS, ids=name)
def test_default_sends_every_other_signal_to_the_command_alone(mode, start, sig):
    """Fails against group forwarding of every signal (pidone before issue 17,
    dumb-init): the grandchild got them too."""
    i, grandchild = start_tree(start, mode, [PIDONE, "--"], {})
    assert deliveries(i, grandchild, sig) == only_child(int(sig))


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTTIN, signal.SIGUSR1,
                                 SIGRTMIN + 1], ids=name)
@pytest.mark.parametrize("init,env", [
    case("pidone -g", [PIDONE, "-g", "--"]),
    case("pidone PIDONE_PROCESS_GROUP=1", [PIDONE, "--"], PIDONE_PROCESS_GROUP="1"),
    case("pidone TINI_KILL_PROCESS_GROUP=1", [PIDONE, "--"], TINI_KILL_PROCESS_GROUP="1"),
])
def test_g_sends_every_signal_to_the_group(mode, start, init, env, sig):
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, sig) == both(int(sig))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGCONT], ids=name)
def test_c_sends_even_stop_signals_to_the_command_alone(mode, start, sig):
    i, grandchild = start_tree(start, mode, [PIDONE, "-c", "--"], {})
    assert deliveries(i, grandchild, sig) == only_child(int(sig))


@pytest.mark.parametrize("init,env", [
    case("--group-signals", [PIDONE, "--group-signals", "HUP,USR1", "--"]),
    case("--group-signals=", [PIDONE, "--group-signals=1,10", "--"]),
    case("PIDONE_GROUP_SIGNALS", [PIDONE, "--"], PIDONE_GROUP_SIGNALS="SIGHUP,usr1"),
])
def test_group_signals_moves_signals_to_the_group(mode, start, init, env):
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, signal.SIGHUP) == both(HUP)
    assert deliveries(i, grandchild, signal.SIGUSR1) == both(int(signal.SIGUSR1))
    assert deliveries(i, grandchild, signal.SIGUSR2) == only_child(int(signal.SIGUSR2))


@pytest.mark.parametrize("init,env", [
    case("--child-signals", [PIDONE, "--child-signals", "TERM", "--"]),
    case("PIDONE_CHILD_SIGNALS", [PIDONE, "--"], PIDONE_CHILD_SIGNALS="15"),
    case("-g --child-signals", [PIDONE, "-g", "--child-signals", "TERM", "--"]),
])
def test_child_signals_moves_signals_to_the_command_alone(mode, start, init, env):
    i, grandchild = start_tree(start, mode, init, env)
    assert deliveries(i, grandchild, signal.SIGTERM) == only_child(TERM)
    assert deliveries(i, grandchild, signal.SIGINT) == both(INT)


def test_drain_signal_is_a_stop_signal(mode, start):
    """A program stopped with SIGUSR1 (--drain-signal USR1) is stopped with it
    as a whole group too."""
    i, grandchild = start_tree(start, mode, [PIDONE, "--drain-signal", "USR1", "--"], {})
    assert deliveries(i, grandchild, signal.SIGUSR1) == both(int(signal.SIGUSR1))


@pytest.mark.parametrize("init,sent,forwarded,to_group", [
    # TERM forwarded as USR1: an order to the command, as a plain USR1 is.
    pytest.param([PIDONE, "-r", "TERM:USR1", "--"], TERM, 10, False, id="-r TERM:USR1"),
    # HUP forwarded as TERM: a stop signal, so to the group.
    pytest.param([PIDONE, "-r", "HUP:TERM", "--"], HUP, TERM, True, id="-r HUP:TERM"),
    pytest.param([PIDONE, "-r", "TERM:USR1", "--group-signals", "USR1", "--"], TERM, 10, True,
                 id="-r TERM:USR1 --group-signals USR1"),
])
def test_rewritten_signal_is_routed_as_the_signal_forwarded(mode, start, init, sent,
                                                             forwarded, to_group):
    """Those who get it act on what they get: the routing follows the signal
    after -r, not the one pidone received (test_compat.py has dumb-init's
    -r, which sends everything to the group)."""
    i, grandchild = start_tree(start, mode, init, {})
    want = both(forwarded) if to_group else only_child(forwarded)
    assert deliveries(i, grandchild, sent) == want


def test_verbose_says_where_each_signal_went(mode, start):
    i = start(mode, [PYTHON, os.path.join(HELPERS, "sigqueue.py")], init=[PIDONE, "-v", "--"],
              env=environ())
    i.expect("child ready")
    i.signal(signal.SIGHUP)
    i.expect(f"child {HUP}", EVENT)
    i.signal(signal.SIGTERM)
    i.expect(f"child {TERM}", EVENT)
    os.kill(children_of(i.pid)[0], signal.SIGKILL)
    assert i.wait() == 128 + signal.SIGKILL
    pid = re.search(r"started \S+ as pid (\d+)", i.stderr_text).group(1)
    assert f"pidone: forwarded SIGHUP to pid {pid}\n" in i.stderr_text
    assert f"pidone: forwarded SIGTERM to process group {pid}\n" in i.stderr_text


# ---------------------------------------------------------------- a shell script's workers

# The script traps SIGTERM for itself and never passes it on: only the
# group gets it to the workers. The first `wait` returns on the trap; the
# second waits for the workers.
SCRIPT = (f"trap 'echo script got TERM' TERM; "
          f"for n in 1 2; do {WORKER[0]} {WORKER[1]} $n & done; "
          f"wait; wait; echo script done")


@pytest.mark.parametrize("init", [[PIDONE, "--"], [PIDONE, "-g", "--"]], ids=["default", "-g"])
def test_stop_reaches_a_scripts_workers_the_script_does_not_tell(mode, start, init):
    """The half tini and catatonit get wrong (child only): fails under -c."""
    i = start(mode, sh(SCRIPT), init=init, env=environ())
    assert sorted([i.readline(), i.readline()]) == ["worker 1 ready", "worker 2 ready"]
    i.signal(signal.SIGTERM)
    got = sorted(i.readline(EVENT) for _ in range(4))
    assert got == ["script done", "script got TERM", f"worker 1 got {TERM}",
                   f"worker 2 got {TERM}"]
    assert i.wait() == 0


@pytest.mark.parametrize("init,env", [
    case("pidone -c", [PIDONE, "-c", "--"]),
    case("tini", [TINI, "--"]),
    case("catatonit", [CATATONIT, "--"]),
    case("dumb-init -c", [DUMB_INIT, "-c"]),
])
def test_single_child_leaves_a_scripts_workers_running_on_a_stop(start, init, env):
    """The peers' child-only default, and -c: the script gets SIGTERM, its
    workers never do (in a container the runtime's SIGKILL ends them). A
    signal sent to each worker straight from the test after the script's
    TERM is a fence: a TERM forwarded to them would be reported first."""
    i = start("pid1", sh(SCRIPT), init=init, env=environ(**env))
    assert sorted([i.readline(), i.readline()]) == ["worker 1 ready", "worker 2 ready"]
    script = wait_until(lambda: (children_of(i.pid) or [None])[0], what="the script")
    workers = wait_until(lambda: len(children_of(script)) == 2 and children_of(script),
                         what="two workers")
    i.signal(signal.SIGTERM)
    i.expect("script got TERM", EVENT)
    for w in workers:
        os.kill(w, 64)
    assert sorted(i.readline(EVENT) for _ in workers) == ["worker 1 got 64", "worker 2 got 64"]


# ---------------------------------------------------------------- gunicorn

class Gunicorn:
    """Debian's gunicorn, two sync workers on a unix socket in tmp_path, under
    an init as PID 1 of a new pid namespace; gunicorn's log and the hooks'
    lines (helpers/gunicorn_conf.py) come on one pipe."""

    def __init__(self, start, init, env, tmp_path):
        self.sock = str(tmp_path / "g.sock")
        self.release_r, self.release_w = os.pipe()
        argv = [GUNICORN, "--config", os.path.join(HELPERS, "gunicorn_conf.py"),
                "--chdir", HELPERS, "--bind", f"unix:{self.sock}", "slowapp:app"]
        self.init = start("pid1", sh('exec "$@" 2>&1') + ["sh"] + argv, init=init,
                          env=environ(RELEASE_FD=str(self.release_r), **env),
                          pass_fds=(self.release_r,))
        self.workers = {self.ready(), self.ready()}
        self.master = wait_until(lambda: (children_of(self.init.pid) or [None])[0],
                                 what="gunicorn's master")
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def line(self, prefix, limit=100):
        """The next line that starts with prefix (gunicorn's log lines start
        with a date: prefix may be a regex searched for)."""
        for _ in range(limit):
            line = self.init.readline(EVENT)
            if re.search(prefix, line):
                return line
        raise AssertionError(f"no line matching {prefix!r} in {limit} lines")

    def ready(self):
        return int(self.line(r"^worker ready ").split()[2])

    def exited(self):
        return int(self.line(r"^worker exited ").split()[2])

    def get_slow(self):
        """Start GET /slow; returns (future of the raw response, worker pid)."""
        def get():
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(2 * EVENT)
                s.connect(self.sock)
                s.sendall(b"GET /slow HTTP/1.0\r\nHost: test\r\n\r\n")
                data = b""
                for _ in range(1000):
                    try:
                        chunk = s.recv(65536)
                    except ConnectionResetError:
                        return data
                    if not chunk:
                        return data
                    data += chunk
                return data
        future = self.pool.submit(get)
        worker = int(self.line(r"^in flight ").split()[2])
        return future, worker

    def release(self):
        os.write(self.release_w, b"x")

    def worker_count(self):
        return len(children_of(self.master))

    def close(self):
        self.pool.shutdown(wait=False)
        os.close(self.release_r)
        os.close(self.release_w)


@pytest.fixture
def gunicorn(start, tmp_path):
    if not os.path.exists(GUNICORN):
        pytest.fail("gunicorn is missing: make deps (apt-get install gunicorn)")
    made = []

    def _gunicorn(init, **env):
        g = Gunicorn(start, init, env, tmp_path)
        made.append(g)
        return g

    yield _gunicorn
    for g in made:
        g.close()


def response_body(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


KEEPS_REQUEST = [
    case("pidone", [PIDONE, "--"]),
    case("pidone -c", [PIDONE, "-c", "--"]),
    case("pidone --child-signals HUP with -g", [PIDONE, "-g", "--child-signals", "HUP", "--"]),
    case("tini", [TINI, "--"]),
    case("dumb-init -c", [DUMB_INIT, "-c"]),
    case("catatonit", [CATATONIT, "--"]),
]
CUTS_REQUEST = [
    case("pidone -g", [PIDONE, "-g", "--"]),
    case("pidone --group-signals HUP", [PIDONE, "--group-signals", "HUP", "--"]),
    case("tini -g", [TINI, "-g", "--"]),
    case("dumb-init", [DUMB_INIT]),
]


def hup_during_a_request(gunicorn, init, env):
    """SIGHUP to the init while a request is in flight; once the master has
    booted its two new workers, the request is let go. The raw response."""
    g = gunicorn(init, **env)
    response, worker = g.get_slow()
    g.init.signal(signal.SIGHUP)
    g.line(r"Handling signal: hup")
    new = {g.ready(), g.ready()}
    assert worker not in new
    g.release()
    return response.result(timeout=2 * EVENT)


@pytest.mark.parametrize("init,env", KEEPS_REQUEST)
def test_gunicorn_keeps_an_in_flight_request_across_a_reload(gunicorn, init, env):
    """The master alone gets SIGHUP: it boots new workers and stops the old
    ones gracefully, so the request in flight finishes. Fails against group
    forwarding of every signal (pidone before issue 17): gunicorn's workers
    set SIGHUP back to its default action and die of it mid-request."""
    status, body = response_body(hup_during_a_request(gunicorn, init, env))
    assert (status, body) == (b"HTTP/1.0 200 OK", b"finished\n")


@pytest.mark.parametrize("init,env", CUTS_REQUEST)
def test_gunicorn_loses_the_request_when_the_workers_get_sighup_too(gunicorn, init, env):
    """-g, tini -g and dumb-init send SIGHUP to the whole group: the worker
    dies of it and the client gets nothing."""
    assert hup_during_a_request(gunicorn, init, env) == b""


ROUTINGS = [
    case("pidone", [PIDONE, "--"]),
    case("pidone -g", [PIDONE, "-g", "--"]),
    case("pidone -c", [PIDONE, "-c", "--"]),
]


@pytest.mark.parametrize("init,env", ROUTINGS)
def test_gunicorn_adds_a_worker_on_sigttin_and_removes_one_on_sigttou(gunicorn, init, env):
    """TTIN and TTOU are orders to the master. pidone forwards them as they
    are (dumb-init turns them into SIGSTOP and freezes gunicorn; tini and
    catatonit drop them)."""
    g = gunicorn(init, **env)
    assert g.worker_count() == 2
    g.init.signal(signal.SIGTTIN)
    added = g.ready()
    assert added not in g.workers
    assert g.worker_count() == 3
    g.init.signal(signal.SIGTTOU)
    removed = g.exited()
    assert removed in g.workers | {added}
    assert g.worker_count() == 2


@pytest.mark.parametrize("init,env", ROUTINGS)
def test_gunicorn_stops_gracefully_on_sigterm_with_a_request_in_flight(gunicorn, init, env):
    """Under every routing the master gets SIGTERM (with the group, its
    workers too) and waits for the request in flight: 200, then exit 0."""
    g = gunicorn(init, **env)
    response, _ = g.get_slow()
    g.init.signal(signal.SIGTERM)
    g.line(r"Handling signal: term")
    g.release()
    status, body = response_body(response.result(timeout=2 * EVENT))
    assert (status, body) == (b"HTTP/1.0 200 OK", b"finished\n")
    assert g.init.wait() == 0
