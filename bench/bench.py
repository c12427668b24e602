#!/usr/bin/python3
"""pidone's benchmark: pidone against tini, tini-static, dumb-init and
catatonit, with a minimal pause program built here (refpause) as the floor,
measured in one run, printed as two Markdown tables: the figures a user feels
(stop time and data kept under `docker stop`, size, idle memory, wake-ups,
start-up, orphans, signals) with pidone's targets, then instruction and
system-call counts for information.

    bench.py [--quick] [--pidone PATH] [--helpers DIR] [--only STEP]...

Needs root (pid namespaces, a pids cgroup, ptrace). Installs nothing: a
missing peer or tool skips its column or rows with a message on stderr.
See bench/README.md for what each row means and how it is measured.
Safety: every init runs as PID 1 of a pid namespace made for it; we signal
only those inits (by pid) and our own helpers; a timed-out run is ended by
SIGKILL to its init, which takes the whole namespace with it.
"""
import argparse
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PEERS = [
    ("tini", "/usr/bin/tini"),
    ("tini-static", "/usr/bin/tini-static"),
    ("dumb-init", "/usr/bin/dumb-init"),
    ("catatonit", "/usr/bin/catatonit"),
]

# x86-64 numbers of the calls an idle init sleeps in, for /proc/PID/syscall.
SLEEP_CALLS = {0: "read", 7: "poll", 34: "pause", 61: "wait4",
               128: "rt_sigtimedwait", 130: "rt_sigsuspend", 232: "epoll_wait",
               247: "waitid", 271: "ppoll", 281: "epoll_pwait"}
FORK_NAMES = {"clone", "clone3", "fork", "vfork"}
WAIT_NAMES = {"wait4", "waitid", "rt_sigtimedwait", "rt_sigsuspend", "pause",
              "ppoll", "poll", "epoll_wait", "epoll_pwait", "select", "pselect6"}

QUICK = dict(runtime_rounds=40, idle_window=2.0, paced_strace=300,
             paced_icount=50, burst_strace=1000, big=2000, big_reps=3, lat_rounds=300, mem_starts=3,
             fwd_strace=100, fwd_icount=50, rt_burst=10000, stop_runs=3, stuck_runs=1)
FULL = dict(runtime_rounds=300, idle_window=10.0, paced_strace=10000,
            paced_icount=1000, burst_strace=10000, big=50000, big_reps=5, lat_rounds=3000, mem_starts=9,
            fwd_strace=2000, fwd_icount=300, rt_burst=10000, stop_runs=10, stuck_runs=3)

# The `docker stop` scenario: helpers the command daemonizes, the records
# each writes on SIGTERM (about 1 ms each), and docker's SIGKILL fallback.
STOP_HELPERS = 3
STOP_RECORDS = 100
STOP_TIMEOUT = 10.0

# The targets for pidone (amd64, musl): the figures a user feels.
SIZE_TARGET = 64 * 1024
PSS_TARGET = 64
PRIVATE_TARGET = 16

# The floor: a minimal pause program built here (bench/refpause.c). It runs
# no command, so it has a column only where a pause program can be measured.
FLOOR = "refpause"

# Every init and helper runs with this environment, the one `docker run -t`
# gives a container, so runs on different machines compare (an init that
# scans its environment pays per variable).
BENCH_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOSTNAME": "pidone-bench", "HOME": "/root", "TERM": "xterm"}

T0 = time.monotonic()


def note(msg):
    print(f"[bench {time.monotonic() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


# ---- processes ------------------------------------------------------------

def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def comm_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def command_started(r, name):
    """Wait until the init's child has exec'd name: until then the child
    shares the init's pages, and smaps counts them as shared, not private."""
    wait_for(lambda: any(comm_of(c) == name for c in children_of(r.init_pid)),
             10, f"{name} to start")


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.002)


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def sleeping_in(pid):
    """The call pid is blocked in, if it sleeps in one of SLEEP_CALLS."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            first = f.read().split()[0]
    except (OSError, IndexError):
        return None
    if proc_state(pid) == "S" and first.isdigit() and int(first) in SLEEP_CALLS:
        return SLEEP_CALLS[int(first)]
    return None


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k == name:
                return v.strip()
    return None


class Run:
    """A launcher (unshare or icount) whose child is the init, PID 1 of a
    fresh namespace; init_pid is that init's pid in our namespace."""

    def __init__(self, argv, pass_fds=(), preexec=None, stdout=subprocess.DEVNULL):
        self.p = subprocess.Popen(argv, pass_fds=pass_fds, stdin=subprocess.DEVNULL,
                                  stdout=stdout, stderr=subprocess.PIPE,
                                  start_new_session=True, preexec_fn=preexec)
        self.init_pid = None

    def find_init(self, timeout=10):
        self.init_pid = wait_for(lambda: (children_of(self.p.pid) or [None])[0],
                                 timeout, "the init to start")
        return self.init_pid

    def idle(self, timeout=30):
        """Wait until the init sleeps in its wait call."""
        return wait_for(lambda: sleeping_in(self.init_pid), timeout,
                        f"init {self.init_pid} to go idle")

    def finish(self, timeout=60):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            note(f"run {self.p.args[:4]} timed out: SIGKILL to its init")
            self.kill()
        err = self.p.stderr.read().decode(errors="replace") if self.p.stderr else ""
        out = ""
        if self.p.stdout:
            out = self.p.stdout.read().decode(errors="replace")
        return self.p.returncode, out, err

    def kill(self):
        # SIGKILL to a namespace's init ends everything in that namespace.
        for pid in ([self.init_pid] if self.init_pid else []) + [self.p.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            pass


def unshare(init, args, **kw):
    return Run(["unshare", "-fp", *init, "--", *args], **kw)


def read_exact(fd, n, timeout):
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError("no answer from the child")
        chunk = os.read(fd, n - len(data))
        if not chunk:
            raise EOFError("child closed its pipe")
        data += chunk
    return data


# ---- strace output ----------------------------------------------------------

LINE = re.compile(r"^(?:(\d+)\s+)?([a-z_0-9]+)\((.*)$")


def strace_calls(path):
    """[(pid or None, name, rest)] for every system call started, in order."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                out.append((int(m.group(1)) if m.group(1) else None, m.group(2),
                            m.group(3)))
    return out


def startup_syscalls(path, init_path):
    """(until first wait: init + child until execve, whole run: init + child
    until execve) from `strace -f` of `unshare -fp INIT -- /bin/true`."""
    calls = strace_calls(path)
    init = next(p for p, n, r in calls if n == "execve" and r.startswith(f'"{init_path}"'))
    child = next(p for p, n, r in calls if n == "execve" and r.startswith('"/bin/true"')
                 and p != init)
    mine = [(n, r) for p, n, r in calls if p == init]
    start = next(i for i, (n, r) in enumerate(mine) if n == "execve"
                 and r.startswith(f'"{init_path}"'))
    mine = mine[start + 1:]
    sfds = set()
    first_wait = len(mine)
    for i, (n, r) in enumerate(mine):
        if n in WAIT_NAMES or (n == "read" and r.split(",")[0] in sfds):
            first_wait = i
            break
        if n in ("signalfd", "signalfd4"):
            m = re.search(r"= (\d+)", r)
            if m:
                sfds.add(m.group(1))
    kid = []
    for p, n, r in calls:
        if p == child:
            if n == "execve" and r.startswith('"/bin/true"'):
                break
            kid.append(n)
    fork = next((i + 1 for i, (n, r) in enumerate(mine) if n in FORK_NAMES), len(mine))
    return (first_wait + len(kid), len(mine) + len(kid), mine[:first_wait], kid,
            fork + len(kid))


def kill_runs(r, st):
    """After a failure: end the init's run and its strace, if any."""
    r.kill()
    if st:
        st.kill()
        st.wait()


def per_item(count, n, c0=None):
    """Syscalls by name per item: count(k) runs a scenario with k items and
    returns its counts by name; the difference of n items and none (c0, run
    here unless given), over n (None if either run failed)."""
    if c0 is None:
        c0 = count(0)
    cn = count(n)
    if c0 is None or cn is None:
        return None
    return {k: (cn.get(k, 0) - c0.get(k, 0)) / n for k in set(cn) | set(c0)}


def count_by_name(calls):
    d = {}
    for c in calls:
        d[c[1]] = d.get(c[1], 0) + 1
    return d


# ---- helpers ---------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.a = QUICK if args.quick else FULL
        self.quick = args.quick
        self.h = args.helpers
        self.tmp = tempfile.mkdtemp(prefix="pidone-bench.")
        self.inits = [("pidone", os.path.abspath(args.pidone))]
        for name, path in PEERS:
            if os.access(path, os.X_OK):
                self.inits.append((name, path))
            else:
                note(f"{path} not found: no {name} column (apt-get install "
                     f"{name.split('-')[0]})")
        self.names = [n for n, _ in self.inits]
        self.floor = None
        path = args.refpause or os.path.join(self.h, FLOOR)
        if os.access(path, os.X_OK):
            self.floor = os.path.abspath(path)
            self.names.append(FLOOR)
        else:
            note(f"{path} not found: no {FLOOR} column (make build/bench/{FLOOR}; "
                 f"needs musl-gcc, apt-get install musl-tools)")
        self.have = {t: shutil.which(t) for t in ("strace", "valgrind", "taskset")}
        for t, p in self.have.items():
            if not p:
                note(f"{t} not found: rows that need it are skipped")
        self.rows = []
        self.notes = {}
        self.cgroup = None

    def helper(self, name):
        return os.path.join(self.h, name)

    def row(self, metric, values, cells=None, better="lower", basis=None, target=None,
            info=False):
        """One table row. basis: the peers the ratio is taken against (all
        but pidone and the floor unless given); target: (text, verdict) for
        pidone, verdict(row) saying whether it is met; info: the row goes to
        the second table, figures for information with no ratio or target."""
        self.rows.append(dict(metric=metric, values=values, cells=cells or {},
                              better=better, basis=basis, target=target, info=info))

    def peers(self, values):
        return [n for n in values if n not in ("pidone", FLOOR)]

    # -- docker stop with daemonized helpers --
    def stop(self):
        """`docker stop`: SIGTERM to PID 1, SIGKILL 10 s later if it is
        still there. The command (bench/daemons.c) has daemonized helpers
        that need about STOP_RECORDS ms on SIGTERM to write their data."""
        k, runs = STOP_HELPERS, self.a["stop_runs"]
        times, kept, records, killed = {}, {}, {}, {}
        for _ in range(runs):  # round-robin, as for the other timed rows
            for name, path in self.inits:
                res = self.one_stop(name, path, k)
                if res is None:
                    continue
                ms, done, recs, was_killed = res
                times.setdefault(name, []).append(ms)
                kept[name] = kept.get(name, 0) + done
                records[name] = records.get(name, 0) + recs
                killed[name] = killed.get(name, 0) + was_killed
        values, cells, kvalues, kcells = {}, {}, {}, {}
        for name in times:
            t = sorted(times[name])
            n = len(t)
            values[name] = statistics.median(t)
            cells[name] = f"{values[name]:,.1f} ({t[0]:,.1f}–{t[-1]:,.1f})"
            if killed[name]:
                cells[name] += f", SIGKILLed at {STOP_TIMEOUT:g} s in {killed[name]} of {n}"
            kvalues[name] = records[name] / (n * k * STOP_RECORDS)
            whole = ("all" if kept[name] == n * k else "none" if kept[name] == 0
                     else f"{kept[name]} of {n * k}")
            kcells[name] = (f"{whole} ({kept[name]}/{n * k} helpers, "
                            f"{records[name]:,}/{n * k * STOP_RECORDS:,} records)")
        self.row(f"`docker stop` with {k} daemonized helpers: data kept ({runs} stops)",
                 kvalues, kcells, better="higher",
                 target=("all", lambda r: verdict(
                     r["values"].get("pidone") == 1
                     and kept.get("pidone") == k * len(times["pidone"]))))
        self.row(f"`docker stop` with {k} daemonized helpers: ms from SIGTERM to an empty "
                 f"namespace, median (range)", values, cells, basis=[],
                 target=(f"< {STOP_TIMEOUT:g} s", lambda r: verdict(
                     not killed.get("pidone") and r["values"].get("pidone", 1e9)
                     < STOP_TIMEOUT * 1000)))
        self.stuck()

    def stuck(self):
        """The cost side: a helper that ignores SIGTERM keeps pidone in its
        grace period (5 s by default) until its SIGKILL; docker's comes at 10."""
        runs = self.a["stuck_runs"]
        times, killed = {}, {}
        for _ in range(runs):
            for name, path in self.inits:
                res = self.one_stop(name, path, 1, stuck=True)
                if res is not None:
                    times.setdefault(name, []).append(res[0])
                    killed[name] = killed.get(name, 0) + res[3]
        values, cells = {}, {}
        for name, t in times.items():
            t.sort()
            values[name] = statistics.median(t)
            cells[name] = f"{values[name]:,.1f}" + (f" ({t[0]:,.1f}–{t[-1]:,.1f})"
                                                    if len(t) > 1 else "")
            if killed[name]:
                cells[name] += f", SIGKILLed at {STOP_TIMEOUT:g} s in {killed[name]} of {len(t)}"
        self.row(f"`docker stop` with a daemonized helper that ignores SIGTERM: ms from "
                 f"SIGTERM to an empty namespace ({runs} stop{'s' if runs > 1 else ''})",
                 values, cells, basis=[],
                 target=(f"< {STOP_TIMEOUT:g} s", lambda r: verdict(
                     not killed.get("pidone") and r["values"].get("pidone", 1e9)
                     < STOP_TIMEOUT * 1000)))

    def one_stop(self, name, path, k, stuck=False):
        """(ms from SIGTERM until the namespace is empty, helpers whose
        marker is there, records written, 1 if docker's SIGKILL was needed)."""
        d = tempfile.mkdtemp(prefix="stop.", dir=self.tmp)
        ready_r, ready_w = os.pipe()
        r = Run(["unshare", "-fp", "--mount-proc", path, "--", self.helper("daemons"),
                 str(k), d, str(ready_w), str(STOP_RECORDS)] + (["stuck"] if stuck else []),
                pass_fds=(ready_w,))
        os.close(ready_w)
        try:
            r.find_init()
            read_exact(ready_r, k + 1, 10)  # every helper's handler is set
            r.idle()
            t0 = time.monotonic()
            os.kill(r.init_pid, signal.SIGTERM)
            was_killed = 0
            try:
                # unshare waits for the init, whose exit waits for every
                # other process of its namespace: then it is empty.
                r.p.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(r.init_pid, signal.SIGKILL)  # docker's fallback
                was_killed = 1
                r.p.wait(10)
            ms = (time.monotonic() - t0) * 1000
        except Exception as e:
            note(f"stop {name}: {type(e).__name__}: {e}")
            r.kill()
            return None
        finally:
            os.close(ready_r)
        done = recs = 0
        for i in range(k):
            done += os.path.exists(os.path.join(d, f"helper.{i}.done"))
            try:
                with open(os.path.join(d, f"helper.{i}")) as f:
                    recs += sum(1 for _ in f)
            except OSError:
                pass
        shutil.rmtree(d, ignore_errors=True)
        return ms, done, recs, was_killed

    # -- size --
    def size(self):
        values, cells, static = {}, {}, {}
        for name, path in self.inits + ([(FLOOR, self.floor)] if self.floor else []):
            values[name] = os.path.getsize(path)
            static[name] = is_static(path)
            cells[name] = f"{values[name]:,} ({'static' if static[name] else 'dynamic'})"
        self.row("binary size, bytes", values, cells,
                 basis=[n for n in self.peers(values) if static[n]],
                 target=(f"≤ {SIZE_TARGET:,}", lambda r: verdict(
                     r["values"]["pidone"] <= SIZE_TARGET and static["pidone"],
                     f"{r['values']['pidone']:,}")))

    # -- idle memory and wake-ups, normal and pause mode --
    def idle(self):
        # A binary written in the last ~30 s (make bench has just linked
        # pidone) has dirty page-cache pages, which smaps counts as the
        # init's Private_Dirty until written back.
        os.sync()
        runs = {}
        for name, path in self.inits:
            runs[name] = unshare([path], ["/bin/sleep", "600"])
        pause = {}
        for name, path in self.pause_inits():
            pause[name] = Run(["unshare", "-fp", *path])
        try:
            for r in list(runs.values()) + list(pause.values()):
                r.find_init()
                r.idle()
            w = self.a["idle_window"]
            idling = {**runs, **{"P" + k: v for k, v in pause.items()}}
            before = {n: ctxt(r.init_pid) for n, r in idling.items()}
            time.sleep(w)
            after = {n: ctxt(r.init_pid) for n, r in idling.items()}
        finally:
            for r in list(runs.values()) + list(pause.values()):
                r.kill()
        # Memory from starts of one init at a time: PSS divides the pages
        # two running copies of a binary share between them.
        k = self.a["mem_starts"]
        mem = {n: self.mem_samples([p], ["/bin/sleep", "600"], k) for n, p in self.inits}
        pmem = {n: self.mem_samples(argv, None, k) for n, argv in self.pause_inits()}
        wake = {n: after[n] - before[n] for n in runs}
        pwake = {n: after["P" + n] - before["P" + n] for n in pause}
        # The floor runs no command: its pause-mode figures stand in both.
        if FLOOR in pmem:
            mem[FLOOR] = pmem[FLOOR]
            wake[FLOOR] = pwake[FLOOR]
        self.mem_rows("idle", mem, k)
        self.row(f"idle wake-ups (context switches in {w:g} s)", wake,
                 target=("0", lambda r: verdict(r["values"]["pidone"] == 0)))
        if pmem:
            self.mem_rows("pause mode (-P) idle", pmem, k)
            self.row(f"pause mode (-P) wake-ups in {w:g} s", pwake,
                     target=("0", lambda r: verdict(r["values"]["pidone"] == 0)))

    def pause_inits(self):
        """(name, argv) of the inits measured in pause mode, the floor last."""
        out = [(n, [p, "-P"]) for n, p in self.inits if n in ("pidone", "catatonit")]
        return out + ([(FLOOR, [self.floor])] if self.floor else [])

    def mem_samples(self, init, args, k):
        """smaps_rollup of k more starts, one at a time: the stack's resident
        pages depend on where ASLR puts the stack pointer in its page."""
        out = []
        for _ in range(k):
            r = Run(["unshare", "-fp", *init] + (["--", *args] if args else []))
            try:
                r.find_init()
                r.idle()
                if args:
                    command_started(r, os.path.basename(args[0]))
                out.append(smaps(r.init_pid))
            finally:
                r.kill()
        return out

    def mem_rows(self, what, mem, k):
        for key, label, limit in (("Pss", "PSS", PSS_TARGET),
                                  ("Private_Dirty", "Private_Dirty", PRIVATE_TARGET),
                                  ("Rss", "RSS", None)):
            values, cells, samples = {}, {}, {}
            for n, ms in mem.items():
                xs = sorted(m[key] for m in ms)
                samples[n] = xs
                values[n] = statistics.median(xs)
                cells[n] = (f"{values[n]:,g} ({xs[0]:,}–{xs[-1]:,})" if xs[0] != xs[-1]
                            else f"{xs[0]:,}")
            target = None
            if limit is not None and "pidone" in samples:
                target = (f"≤ {limit}", lambda r, xs=samples["pidone"], limit=limit:
                          memory_verdict(xs, limit))
            self.row(f"{what} {label}, KiB (median of {k} starts, range)", values, cells,
                     target=target, info=limit is None)

    # -- start-up instructions and syscalls --
    def startup(self):
        values, cells, fvalues, fcells = {}, {}, {}, {}
        for name, path in self.inits:
            res = self.icount([path], ["/bin/true"])
            if res:
                values[name] = res["parent"] + res["child"]
                cells[name] = f"{values[name]:,} ({res['parent']:,} + {res['child']:,})"
                fvalues[name] = res["fork"] + res["child"]
                fcells[name] = f"{fvalues[name]:,} ({res['fork']:,} + {res['child']:,})"
        if fvalues:
            self.row("start-up: instructions until the child is exec'd (init until its fork "
                     "+ child before execve)", fvalues, fcells, info=True)
        if values and not self.quick:
            self.row("start-up: instructions, whole `INIT -- /bin/true` (init + its child "
                     "before execve)", values, cells, info=True)
        if self.have["valgrind"]:
            values, cells = {}, {}
            for name, path in self.inits:
                d = os.path.join(self.tmp, f"cg.{name}")
                os.makedirs(d, exist_ok=True)
                # valgrind's own system calls would meet pidone's seccomp
                # allow-list: the callgrind run has pidone leave it out.
                env = dict(os.environ, PIDONE_CONFINE="0") if name == "pidone" else None
                r = subprocess.run(["unshare", "-fp", self.have["valgrind"], "-q",
                                    "--tool=callgrind", "--trace-children=no",
                                    f"--callgrind-out-file={d}/cg.%p", path, "--",
                                    "/bin/true"], capture_output=True, timeout=120, env=env)
                files = [f for f in os.listdir(d)]
                ir = None
                if r.returncode == 0 and "cg.1" in files:
                    with open(os.path.join(d, "cg.1")) as f:
                        for line in f:
                            if line.startswith("summary:"):
                                ir = int(line.split()[1])
                if ir is None:
                    msg = r.stderr.decode(errors="replace").strip().splitlines()
                    msg = [m for m in msg if not m.startswith("==")]
                    cells[name] = f"n/a (exit {r.returncode})"
                    self.notes.setdefault("callgrind-fail", []).append(
                        f"{name} under valgrind: exit {r.returncode}: "
                        f"{msg[-1] if msg else ''}")
                else:
                    values[name] = ir
            self.row("start-up: callgrind Ir, whole `INIT -- /bin/true` (init only)",
                     values, cells, info=True)
        if self.have["strace"]:
            v1, v2, v3, detail = {}, {}, {}, {}
            for name, path in self.inits:
                out = os.path.join(self.tmp, f"st.start.{name}")
                subprocess.run([self.have["strace"], "-f", "-qq", "-o", out, "unshare",
                                "-fp", path, "--", "/bin/true"], capture_output=True,
                               timeout=60)
                try:
                    first, whole, upto, kid, v3[name] = startup_syscalls(out, path)
                except StopIteration:
                    note(f"strace of {name} start-up: could not parse {out}")
                    continue
                v1[name], v2[name] = first, whole
                detail[name] = count_by_name([(None, n) for n, _ in upto] +
                                             [(None, n) for n in kid])
            self.row("start-up: syscalls until the child is exec'd (init up to its fork + "
                     "child before execve)", v3, info=True)
            self.row("start-up: syscalls until the init's first wait + its child's until execve",
                     v1, info=True)
            self.row("start-up: syscalls, whole `INIT -- /bin/true` (init + child before execve)", v2,
                     info=True)
            self.notes["startup-detail"] = detail

    def icount(self, init, args, pass_fds=(), during=None):
        """Run init under icount as PID 1 of a new namespace; during(run) is
        called once the init is idle. Returns {'parent', 'child'} or None."""
        out = os.path.join(self.tmp, "icount.out")
        if os.path.exists(out):
            os.unlink(out)
        pin = [self.have["taskset"], "-c", "1"] if self.have["taskset"] else []
        r = Run([*pin, self.helper("icount"), "-n", "-o", out, "--", *init, "--", *args],
                pass_fds=pass_fds)
        try:
            if during:
                r.find_init()
                r.idle(120)
                during(r)
            _, _, err = r.finish(600)
        except Exception:
            r.kill()
            raise
        try:
            with open(out) as f:
                d = dict(line.split() for line in f)
            return {k: int(v) for k, v in d.items()}
        except OSError:
            note(f"icount {init[0]} failed: {err.strip()}")
            return None

    # -- wall time --
    def walltime(self):
        cmds = [["/usr/bin/unshare", "-fp", "/bin/true"]]
        for name, path in self.inits:
            cmds.append(["/usr/bin/unshare", "-fp", path, "--", "/bin/true"])
        argv = [self.helper("runtime"), str(self.a["runtime_rounds"])]
        for i, c in enumerate(cmds):
            argv += ([] if i == 0 else ["::"]) + c
        out = subprocess.run(argv, capture_output=True, text=True, timeout=600).stdout
        rounds = [list(map(int, l.split())) for l in out.splitlines() if l.strip()]
        rounds = [r for r in rounds if all(x > 0 for x in r)]
        direct = [r[0] for r in rounds]
        values, cells, iqr = {}, {}, {}
        for i, (name, _) in enumerate(self.inits, start=1):
            q = quartiles([(r[i] - r[0]) / 1000 for r in rounds])
            values[name] = q[1]
            iqr[name] = (q[0], q[2])
            cells[name] = f"{q[1]:.0f} (IQR {q[0]:.0f}–{q[2]:.0f})"
        self.row(f"start-up overhead, wall µs over `unshare -fp /bin/true` "
                 f"(median of {len(rounds)} paired runs)", values, cells,
                 target=("≤ best peer", lambda r: self.no_worse(r, spread=iqr)))
        self.notes["direct"] = quartiles([x / 1000 for x in direct])
        self.pause_walltime()

    def pause_walltime(self):
        """Pause mode, with the floor: `unshare -fp INIT -P` from the fork
        until the init is ready for SIGTERM, and until it has exited on the
        SIGTERM sent then (bench/pausetime.c, interleaved round by round)."""
        inits = self.pause_inits()
        argv = [self.helper("pausetime"), str(self.a["runtime_rounds"])]
        for i, (_, a) in enumerate(inits):
            argv += ([] if i == 0 else ["::"]) + a
        out = subprocess.run(argv, capture_output=True, text=True, timeout=600).stdout
        rounds = [list(map(int, l.split())) for l in out.splitlines() if l.strip()]
        rounds = [r for r in rounds if all(x > 0 for x in r)]
        for j, what in ((0, "start until ready for SIGTERM"),
                        (1, "start until stopped by SIGTERM")):
            values, cells, iqr = {}, {}, {}
            for i, (name, _) in enumerate(inits):
                q = quartiles([r[2 * i + j] / 1000 for r in rounds])
                values[name] = q[1]
                iqr[name] = (q[0], q[2])
                cells[name] = f"{q[1]:.0f} (IQR {q[0]:.0f}–{q[2]:.0f})"
            self.row(f"pause mode (-P): wall µs from {what}, `unshare -fp` included "
                     f"(median of {len(rounds)} rounds)", values, cells,
                     target=("≤ best peer", lambda r, iqr=iqr: self.no_worse(r, spread=iqr)))

    # -- reaping --
    def reaping(self):
        n = self.a["paced_strace"]
        if self.have["strace"]:
            v, cells, per, none = {}, {}, {}, {}
            for name, path in self.inits:
                # With no orphans, paced or not is the same run: one baseline.
                none[name] = self.strace_orphans(path, 0, True)
                per[name] = per_item(lambda k: self.strace_orphans(path, k, True), n,
                                     none[name])
                if per[name] is None:
                    del per[name]
                    continue
                v[name] = sum(per[name].values())
                cells[name] = f"{v[name]:.2f}"
            self.row(f"reaping, one orphan at a time: syscalls per orphan ({n:,} orphans)",
                     v, cells, info=True)
            self.notes["paced-detail"] = per
            nb = self.a["burst_strace"]
            v, cells = {}, {}
            for name, path in self.inits:
                calls = per_item(lambda k: self.strace_orphans(path, k, False), nb,
                                 none[name])
                if calls is None:
                    continue
                v[name] = sum(calls.values())
                cells[name] = f"{v[name]:.2f}"
            self.row(f"reaping, orphans as fast as they come: syscalls per orphan "
                     f"({nb:,}, init under strace)", v, cells, info=True)

    def attach_strace(self, r, out):
        """strace -p on the idle init, writing to out; returns once strace is
        attached and the init sleeps again."""
        st = subprocess.Popen([self.have["strace"], "-qq", "-o", out, "-p",
                               str(r.init_pid)], stdin=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        wait_for(lambda: status_field(r.init_pid, "TracerPid") not in (None, "0"),
                 10, "strace to attach")
        r.idle()
        return st

    def strace_orphans(self, path, n, paced):
        go_r, go_w = os.pipe()
        out = os.path.join(self.tmp, f"st.orph.{os.path.basename(path)}.{n}")
        r = unshare([path], [self.helper("orphans"), str(n), str(go_r)] +
                    (["paced"] if paced else []), pass_fds=(go_r,),
                    stdout=subprocess.PIPE)
        os.close(go_r)
        st = None
        try:
            r.find_init()
            r.idle()
            st = self.attach_strace(r, out)
            os.write(go_w, b"g")
            os.close(go_w)
            go_w = None
            _, o, err = r.finish(300)
            st.wait(60)
        except Exception as e:
            note(f"strace reaping {path} {n}: {e}")
            kill_runs(r, st)
            return None
        finally:
            if go_w is not None:
                os.close(go_w)
        if "reaped_all 1" not in o:
            note(f"{path}: orphan maker says: {o.strip()} {err.strip()}")
        return count_by_name(strace_calls(out))

    def big_burst(self):
        n, reps = self.a["big"], self.a["big_reps"]
        base = "/sys/fs/cgroup/pids"
        if not os.path.exists(os.path.join(base, "cgroup.procs")):
            note("no pids cgroup at /sys/fs/cgroup/pids: peak unreaped not measured")
            base = None
        made, times, peaks, bad = {}, {}, {}, {}
        runs = self.inits + ([(FLOOR, self.floor)] if self.floor else [])
        for rep in range(reps):  # round-robin: every init sees the same machine
            for name, path in runs:
                res = self.one_burst(name, path, n, base)
                if res is None:
                    bad[name] = bad.get(name, 0) + 1
                    continue
                ok, ms, peak = res
                made[name] = made.get(name, 0) + (n if ok else 0)
                if not ok:
                    bad[name] = bad.get(name, 0) + 1
                times.setdefault(name, []).append(ms)
                if peak is not None:
                    peaks.setdefault(name, []).append(peak)
        reaped, cells, ms = {}, {}, {}
        for name in self.names:
            if name not in times:
                continue
            reaped[name] = made.get(name, 0) // reps
            t = sorted(times[name])
            ms[name] = statistics.median(t)
            cells[name] = (f"{'all' if not bad.get(name) else 'NOT all'} {n:,}, "
                           f"median {ms[name]:,.0f} ms ({t[0]:,.0f}–{t[-1]:,.0f})")
        self.row(f"{n:,} orphans as fast as possible ({reps} runs): reaped, time to make and "
                 f"reap them all", ms, cells,
                 target=("all, time ≤ best peer", lambda r: self.no_worse(
                     r, spread=times, ok=not bad.get("pidone"))))
        if peaks:
            v = {k: statistics.median(p) for k, p in peaks.items()}
            c = {k: f"{statistics.median(p):g} ({min(p)}–{max(p)})" for k, p in peaks.items()}
            self.row(f"{n:,} orphans as fast as possible: peak unreaped, median (range)", v, c,
                     target=("≤ best peer", lambda r: self.no_worse(r, spread=peaks)))

    def one_burst(self, name, path, n, base):
        """One flood of n orphans under the init; (all reaped, ms, peak).
        The floor runs no command: its orphans come from a maker that joined
        its namespace (nsenter), whose orphans the kernel gives to PID 1 too."""
        cg = None
        if base:
            cg = os.path.join(base, f"pidone-bench-{os.getpid()}-{name}")
            os.mkdir(cg)
            self.cgroup = cg
        try:
            pre = (lambda: _join(cg)) if cg else None
            maker = [self.helper("orphans"), str(n)]
            if name == FLOOR:
                r = Run(["unshare", "-fp", path], preexec=pre)
                try:
                    r.find_init()
                    r.idle()
                    s = subprocess.run(["nsenter", "-t", str(r.init_pid), "-p", "--", *maker],
                                       preexec_fn=pre, capture_output=True, text=True,
                                       timeout=300)
                    out, err, rc = s.stdout, s.stderr, s.returncode
                finally:
                    r.kill()
                others = 5  # unshare, the floor, nsenter, the maker, one middle
            else:
                r = unshare([path], maker, preexec=pre, stdout=subprocess.PIPE)
                rc, out, err = r.finish(300)
                others = 4  # unshare, the init, the maker, one middle
            m = re.search(r"made (\d+) failed (\d+) create_ms ([\d.]+) reaped_all (\d) "
                          r"wait_ms ([\d.]+)", out)
            if not m:
                note(f"{name}: orphans: exit {rc}: {out.strip()} {err.strip()}")
                return None
            ok = m.group(4) == "1" and int(m.group(1)) == n
            ms = float(m.group(3)) + float(m.group(5))
            peak = None
            if cg:
                with open(os.path.join(cg, "pids.peak")) as f:
                    peak = max(0, int(f.read()) - others)
            return ok, ms, peak
        finally:
            if cg:
                rmdir_cgroup(cg)
                self.cgroup = None

    def no_worse(self, r, spread=None, ok=True):
        """The target "no worse than the best peer in the same run", lower
        is better. With the runs' figures (spread), a miss whose range
        overlaps the best peer's is called level, not missed."""
        v = r["values"]
        peers = self.peers(v)
        if "pidone" not in v or not peers or not ok:
            return verdict(False if not ok else None)
        best = min(peers, key=lambda n: v[n])
        if v["pidone"] <= v[best]:
            return verdict(True)
        if spread and min(spread["pidone"]) <= max(spread[best]):
            return f"level with {best} (ranges overlap)"
        return verdict(False, f"best peer {best}: {fmt(v[best])}")

    # -- signals --
    def forwarding(self):
        if self.have["strace"]:
            n = self.a["fwd_strace"]
            v, cells, per = {}, {}, {}
            for name, path in self.inits:
                calls = per_item(lambda k: self.strace_forward(path, k), n)
                if calls is None:
                    continue
                shown = sum(calls.values())
                # Each rt_sigreturn returns into the interrupted wait4, which
                # SA_RESTART enters again; strace mostly prints no line for
                # that, so count one wait4 per rt_sigreturn instead.
                restarted = calls.get("rt_sigreturn", 0)
                v[name] = shown - calls.get("wait4", 0) + restarted if restarted else shown
                per[name] = calls
                cells[name] = (f"{v[name]:.2f} (strace prints {shown:.2f})"
                               if abs(v[name] - shown) > 0.005 else f"{v[name]:.2f}")
            self.row(f"signal forwarding: syscalls per signal ({n:,} SIGUSR1)", v,
                     cells, info=True)
            self.notes["fwd-detail"] = per
    def ack_child(self, path, mode="ack", pin=False):
        ack_r, ack_w = os.pipe()
        ctl_r, ctl_w = os.pipe()
        pre = [self.have["taskset"], "-c", "0"] if pin and self.have["taskset"] else []
        child = [self.helper("sigchild"), mode, str(ack_w), str(ctl_r)]
        if path:
            r = Run([*pre, "unshare", "-fp", path, "--", *child], pass_fds=(ack_w, ctl_r))
        else:
            r = Run([*pre, *child], pass_fds=(ack_w, ctl_r))
        os.close(ack_w)
        os.close(ctl_r)
        return r, ack_r, ctl_w

    def strace_forward(self, path, n):
        r, ack, ctl = self.ack_child(path)
        out = os.path.join(self.tmp, f"st.fwd.{os.path.basename(path)}.{n}")
        st = None
        try:
            r.find_init()
            read_exact(ack, 1, 10)
            r.idle()
            st = self.attach_strace(r, out)
            if n:
                s = subprocess.run([self.helper("sigsend"), "n", str(n),
                                    f"{r.init_pid}:{ack}"], pass_fds=(ack,),
                                   capture_output=True, text=True, timeout=120)
                if s.stdout.strip() != str(n):
                    note(f"{path}: only {s.stdout.strip()} of {n} signals acked")
            r.idle()
            st.send_signal(signal.SIGINT)
            st.wait(30)
            os.close(ctl)
            ctl = None
            r.finish(30)
        except Exception as e:
            note(f"strace forwarding {path}: {e}")
            kill_runs(r, st)
            return None
        finally:
            os.close(ack)
            if ctl is not None:
                os.close(ctl)
        return count_by_name(strace_calls(out))

    def instructions(self):
        """One icount run per init, child `sigchild work`: read the live
        counts when the init first sleeps (start-up), after N orphans made one
        at a time, and after N forwarded signals; differences need no
        baseline run."""
        no, ns = self.a["paced_icount"], self.a["fwd_icount"]
        start, cstart, reap, fwd = {}, {}, {}, {}
        for name, path in self.inits:
            try:
                m = self.icount_work(path, no, ns)
            except Exception as e:
                note(f"icount {name}: {type(e).__name__}: {e}")
                continue
            if not m:
                continue
            start[name] = m[0][0] + m[0][1]
            cstart[name] = f"{start[name]:,} ({m[0][0]:,} + {m[0][1]:,})"
            reap[name] = (m[1][0] - m[0][0]) / no
            fwd[name] = (m[2][0] - m[1][0]) / ns
        self.row("start-up: instructions until the init first sleeps (init + its child "
                 "before execve)", start, cstart, info=True)
        self.row(f"reaping, one orphan at a time: instructions per orphan ({no:,} orphans)",
                 reap, {k: f"{v:.1f}" for k, v in reap.items()}, info=True)
        self.row(f"signal forwarding: instructions per signal ({ns:,} SIGUSR1)",
                 fwd, {k: f"{v:.1f}" for k, v in fwd.items()}, info=True)

    def icount_work(self, path, n_orphans, n_signals):
        ack_r, ack_w = os.pipe()
        ctl_r, ctl_w = os.pipe()
        out = os.path.join(self.tmp, "icount.out")
        live = os.path.join(self.tmp, "icount.live")
        pin = [self.have["taskset"], "-c", "1"] if self.have["taskset"] else []
        r = Run([*pin, self.helper("icount"), "-n", "-m", live, "-o", out, "--", path, "--",
                 self.helper("sigchild"), "work", str(ack_w), str(ctl_r), str(n_orphans)],
                pass_fds=(ack_w, ctl_r))
        os.close(ack_w)
        os.close(ctl_r)

        def counts():
            with open(live, "rb") as f:
                return struct.unpack("QQQ", f.read(24))

        def settled():
            """The init sleeps and the counts stay put for 50 ms."""
            def still():
                if not sleeping_in(r.init_pid):
                    return None
                a = counts()
                time.sleep(0.05)
                return a if sleeping_in(r.init_pid) and counts() == a and a[2] == 0 else None
            return wait_for(still, 120, f"{path} to settle under icount")

        try:
            r.find_init(30)
            if read_exact(ack_r, 1, 120) != b"R":
                raise RuntimeError("child did not start")
            m0 = settled()
            os.write(ctl_w, b"o")
            if read_exact(ack_r, 1, 900) != b"D":
                raise RuntimeError("an orphan was not reaped")
            m1 = settled()
            s = subprocess.run([self.helper("sigsend"), "n", str(n_signals),
                                f"{r.init_pid}:{ack_r}"], pass_fds=(ack_r,),
                               capture_output=True, text=True, timeout=900)
            if s.stdout.strip() != str(n_signals):
                raise RuntimeError(f"only {s.stdout.strip()} of {n_signals} signals acked")
            m2 = settled()
            os.close(ctl_w)
            ctl_w = None
            r.finish(120)
        except Exception:
            r.kill()
            raise
        finally:
            os.close(ack_r)
            if ctl_w is not None:
                os.close(ctl_w)
        return m0, m1, m2

    def latency(self):
        runs, fds = [], []
        targets = [("direct", None)] + self.inits
        try:
            for name, path in targets:
                r, ack, ctl = self.ack_child(path, pin=True)
                runs.append(r)
                fds += [ack, ctl]
                if path:
                    r.find_init()
                else:
                    r.init_pid = r.p.pid
                read_exact(ack, 1, 10)
                if path:
                    r.idle()
            pin = [self.have["taskset"], "-c", "0"] if self.have["taskset"] else []
            tg = [f"{r.init_pid}:{fds[2 * i]}" for i, r in enumerate(runs)]
            s = subprocess.run([*pin, self.helper("sigsend"), "lat",
                                str(self.a["lat_rounds"]), *tg],
                               pass_fds=tuple(fds[0::2]), capture_output=True, text=True,
                               timeout=600)
            lines = s.stdout.splitlines()
        finally:
            for r in runs:
                r.kill()
            for fd in fds:
                os.close(fd)
        res = {}
        for (name, _), line in zip(targets, lines):
            mn, p25, med, p75, mx, lost = map(int, line.split())
            res[name] = (p25 / 1000, med / 1000, p75 / 1000, lost)
        direct = res.pop("direct")
        values, cells = {}, {}
        for name, (p25, med, p75, lost) in res.items():
            values[name] = med
            cells[name] = (f"{med:.1f} (+{med - direct[1]:.1f}; IQR {p25:.1f}–{p75:.1f})"
                           + (f", {lost} lost" if lost else ""))
        self.row(f"signal latency kill(init) → child's handler, µs, median of "
                 f"{self.a['lat_rounds']:,} (+ over direct)", values, cells, )
        self.notes["lat-direct"] = direct

    def rt_burst(self):
        n = self.a["rt_burst"]
        values, cells = {}, {}
        for name, path in self.inits:
            r, ack, ctl = self.ack_child(path, mode="burst")
            try:
                r.find_init()
                read_exact(ack, 1, 10)
                r.idle()
                s = subprocess.run([self.helper("sigsend"), "burst", str(n),
                                    str(r.init_pid)], capture_output=True, text=True,
                                   timeout=60)
                try:
                    at_marker = struct.unpack("i", read_exact(ack, 4, 10))[0]
                except (TimeoutError, EOFError):
                    at_marker = None
                os.close(ctl)
                ctl = None
                try:
                    final = struct.unpack("i", read_exact(ack, 4, 10))[0]
                except (TimeoutError, EOFError):
                    final = None
                r.finish(30)
            except Exception as e:
                note(f"rt burst {name}: {e}")
                r.kill()
                continue
            finally:
                os.close(ack)
                if ctl is not None:
                    os.close(ctl)
            values[name] = final or 0
            if final is None:
                cells[name] = "no report"
            else:
                if at_marker is None:
                    order = "end marker lost"
                elif at_marker == final:
                    order = "in order"
                else:
                    order = f"{final - at_marker:,} after the end marker"
                cells[name] = f"{final:,} ({order})"
            m = re.search(r"eagain (\d+)", s.stdout)
            if m and int(m.group(1)):
                cells[name] += f", {int(m.group(1)):,} EAGAIN"
        self.row(f"real-time burst: {n:,} SIGRTMIN+1 delivered to the child", values, cells,
                 better="higher")

    # -- table --
    def table(self, info):
        """The figures users feel (info False), with the ratio to the best
        peer and pidone's target; or the counts kept for information (info
        True: instructions, syscalls, RSS), with neither."""
        rows = [r for r in self.rows if r["info"] == info]
        if not rows:
            return ""
        cols = [n for n in self.names if any(n in r["values"] or n in r["cells"] for r in rows)]
        head = [f"{n} (floor)" if n == FLOOR else n for n in cols]
        extra = [] if info else ["best peer ÷ pidone", "target for pidone"]
        out = ["| metric | " + " | ".join(head + extra) + " |",
               "|---|" + "---:|" * len(cols) + "---:|" * len(extra)]
        for r in rows:
            cells = []
            for n in cols:
                if n in r["cells"]:
                    cells.append(r["cells"][n])
                elif n in r["values"]:
                    cells.append(fmt(r["values"][n]))
                else:
                    cells.append("—")
            if not info:
                t = r["target"]
                cells += [self.ratio(r), f"{t[0]}: {self.judge(r)}" if t else "—"]
            out.append(f"| {r['metric']} | " + " | ".join(cells) + " |")
        return "\n".join(out)

    @staticmethod
    def judge(r):
        try:
            return r["target"][1](r)
        except (KeyError, ValueError, TypeError):  # pidone's figure is missing
            return "not measured"

    def ratio(self, r):
        v = r["values"]
        if "pidone" not in v:
            return "—"
        peers = [n for n in (r["basis"] if r["basis"] is not None else self.peers(v))
                 if n in v]
        if not peers:
            return "—"
        p = v["pidone"]
        if r["better"] == "lower":
            best = min(v[n] for n in peers)
            if p == 0:
                return "= (both 0)" if best == 0 else "∞"
            return f"{best / p:.2f}"
        best = max(v[n] for n in peers)
        if best == 0:
            return "= (both 0)" if p == 0 else "∞"
        return f"{p / best:.2f}"


def _join(cg):
    with open(os.path.join(cg, "cgroup.procs"), "w") as f:
        f.write(str(os.getpid()))


def rmdir_cgroup(cg):
    deadline = time.monotonic() + 10
    while True:
        try:
            os.rmdir(cg)
            return
        except OSError:
            if time.monotonic() > deadline:
                note(f"could not remove {cg}")
                return
            time.sleep(0.05)


def verdict(ok, detail=None):
    if ok is None:
        return "not measured"
    text = "met" if ok else "missed"
    return f"{text} ({detail})" if detail and not ok else text


def memory_verdict(xs, limit):
    """Met on every start, or at the median only (ASLR decides the stack
    pages, so starts differ by a page or two), or missed."""
    if xs[-1] <= limit:
        return "met on every start"
    med = statistics.median(xs)
    if med <= limit:
        return f"met at the median, not on every start (max {xs[-1]:,})"
    return f"missed (median {med:,g})"


def fmt(v):
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
    return f"{v:,}"


def quartiles(xs):
    if not xs:
        return (float("nan"),) * 3
    xs = sorted(xs)
    q = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0]] * 3
    return (q[0], statistics.median(xs), q[2])


def is_static(path):
    """No PT_INTERP program header: the kernel runs it without a loader."""
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2:
            return False
        phoff = struct.unpack_from("<Q", h, 32)[0]
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    return all(struct.unpack_from("<I", ph, i * phentsize)[0] != 3 for i in range(phnum))


def smaps(pid):
    d = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                d[parts[0].rstrip(":")] = int(parts[1])
    return d


def ctxt(pid):
    return int(status_field(pid, "voluntary_ctxt_switches")) + \
        int(status_field(pid, "nonvoluntary_ctxt_switches"))


FOOTNOTES = """\
Footnotes (how each row is measured; details in bench/README.md):
- Every init runs as PID 1 of its own pid namespace (`unshare -fp`), in the same run. \
"best peer ÷ pidone" divides the best peer's figure by pidone's for lower-is-better rows \
(pidone's by the best peer's for the higher-is-better rows), so > 1 means pidone is \
better and < 1 means a peer is; the floor is not a peer. "target for pidone": the goals \
of issue 16, all about what a user feels; instruction and system-call counts are in the \
second table, for information, with no ratio and no target. The Kubernetes pause binary \
has no column: it is not packaged; refpause is the floor of a pause program.
- refpause (floor): bench/refpause.c, built here static with musl: sigaction for SIGINT \
and SIGTERM (exit), a SIGCHLD handler that reaps, pause(). It runs no command, so it has \
a cell only in the rows a pause program can be measured in; in the idle rows with a \
command its cell is its own idle figure (no child).
- docker stop: the command (bench/daemons.c) daemonizes 3 helpers (fork, setsid, fork: \
orphans of PID 1, each in a session of its own) under `unshare -fp --mount-proc INIT`; \
each, on SIGTERM, writes 100 records (1 ms of work each, about 100 ms), fsyncs and \
writes a marker. Once all are ready and the init sleeps, SIGTERM to the init as docker \
stop sends it, SIGKILL 10 s later if it is still there (docker's default). Time: from \
the SIGTERM until unshare has the init's status (the init's exit waits for every other \
process of its namespace, so the namespace is empty). Data kept: markers and records \
found afterwards. The SIGTERM kills the command; pidone then drains (SIGTERM to the \
rest, grace, SIGKILL), the peers exit and the kernel SIGKILLs the helpers. The time \
row has no ratio: read it with the data row. "ignores SIGTERM": one helper with \
SIGTERM ignored; pidone's default grace (5 s) then its SIGKILL end it.
- size: file size; static = no ELF interpreter. The ratio is against the static peers \
only (a dynamic binary's size leaves out the libc it maps).
- PSS / Private_Dirty (RSS in the second table): /proc/PID/smaps_rollup of the init while \
its child sleeps (`INIT -- sleep`), or with no child in pause mode; one init running at a \
time (PSS shares a binary's pages among its running copies); median and range over \
several starts, since ASLR decides how many stack pages (one to three) the same binary \
touches. Dynamic peers' PSS counts their share of libc's pages. The target is judged on \
every start, then on the median.
- wake-ups: voluntary + involuntary context switches of the init over the window, all \
inits idle at the same time.
- wall: `runtime` runs `unshare -fp /bin/true` and `unshare -fp INIT -- /bin/true` back to \
back each round (order rotating); the cell is the median and IQR over rounds of the \
difference from the direct run in the same round. Pause mode: bench/pausetime.c runs \
`unshare -fp INIT -P` (refpause: no -P) round-robin, polls /proc until the init runs its \
binary and catches, blocks or sigtimedwaits SIGTERM (ready), sends SIGTERM and waits for unshare \
(stopped); both from the fork, unshare included. "≤ best peer" counts as level when \
pidone's median is higher but the spreads overlap.
- N orphans as fast as possible: the orphan maker (vfork a middle, which forks a \
grandchild and exits; the grandchild exits at once) as the command, round-robin over \
the inits; the time is the maker's, from the first orphan until it sees the last gone \
(kill(pid, 0) fails; bounded at 120 s). The floor's maker joins its namespace with \
nsenter. Peak unreaped: the pids cgroup (v1) `pids.peak` of a cgroup made for the run, \
minus the processes that are not orphans (unshare, the init, the maker, one middle; and \
nsenter for the floor): the most orphans dead-but-unreaped (or just exiting) at once.
- latency: every init and a direct child (no init) all pinned to CPU 0 with the sender, \
SIGUSR1 sent round-robin (start rotating each round), time from kill() to reading the \
child's ack byte; "+" is the median minus the direct median.
- real-time burst: SIGRTMIN+1 sent with sigqueue as fast as possible (EAGAIN retried), then \
SIGRTMIN+2 as an end marker; "in order" = every SIGRTMIN+1 reached the child before the \
marker did (same-numbered real-time signals cannot be told apart after a kill(), so this is \
the order that can be checked).
- second table, instructions: user-space instructions counted by single-stepping the init \
with ptrace (bench/icount.c), from the first after its execve, plus its forked child's \
until that child's execve ("init + child"); per orphan and per signal: differences of \
live counts divided by N. callgrind cross-checks (pidone with PIDONE_CONFINE=0). \
Syscalls: `strace -f` of start-up, `strace -p` on the idle init for N orphans or N \
signals minus none, over N; pidone's forwarding counts the wait4 SA_RESTART re-enters \
after each rt_sigreturn, which strace rarely prints.\
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--pidone", default=os.path.join(ROOT, "pidone"))
    ap.add_argument("--helpers", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--refpause", default=None, metavar="PATH",
                    help=f"the floor's binary (default: HELPERS/{FLOOR})")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="add to every init's environment (e.g. PIDONE_CONFINE=0)")
    ap.add_argument("--only", action="append", default=[], metavar="STEP",
                    help="run only this step (repeatable): size, idle, start-up, ...")
    args = ap.parse_args()
    for kv in args.env:
        key, _, value = kv.partition("=")
        BENCH_ENV[key] = value
    if os.geteuid() != 0:
        sys.exit("bench: needs root (pid namespaces, cgroups, ptrace)")
    if not shutil.which("unshare"):
        sys.exit("bench: needs unshare(1) from util-linux")
    os.environ.clear()
    os.environ.update(BENCH_ENV)
    b = Bench(args)
    steps = [("stop", b.stop), ("size", b.size), ("idle", b.idle), ("start-up", b.startup),
             ("wall time", b.walltime), ("reaping", b.reaping),
             ("50k orphans", b.big_burst), ("forwarding", b.forwarding),
             ("instructions", b.instructions),
             ("latency", b.latency), ("real-time burst", b.rt_burst)]
    if args.only:
        unknown = set(args.only) - {name for name, _ in steps}
        if unknown:
            sys.exit(f"bench: no step {', '.join(sorted(unknown))}; "
                     f"steps: {', '.join(name for name, _ in steps)}")
        steps = [(name, fn) for name, fn in steps if name in args.only]
    try:
        for name, fn in steps:
            note(f"{name}...")
            try:
                fn()
            except Exception as e:  # one metric failing must not lose the rest
                note(f"{name} failed: {type(e).__name__}: {e}")
    finally:
        if b.cgroup:
            rmdir_cgroup(b.cgroup)
        shutil.rmtree(b.tmp, ignore_errors=True)
    uname = os.uname()
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    print(f"pidone benchmark ({'quick' if args.quick else 'full'}), "
          f"{time.strftime('%Y-%m-%d')}, {uname.sysname} {uname.release} {uname.machine}, "
          f"{os.cpu_count()} CPUs{', ' + cpu if cpu else ''}; environment: "
          f"{', '.join(BENCH_ENV)}; took {time.monotonic() - T0:.0f} s\n")
    print(b.table(False))
    print()
    info = b.table(True)
    if info:
        print("For information (no targets): instructions, system calls, RSS.\n")
        print(info)
        print()
    print(FOOTNOTES)
    extra = []
    d = b.notes.get("lat-direct")
    if d:
        extra.append(f"- direct delivery (no init), median {d[1]:.1f} µs, IQR {d[0]:.1f}–{d[2]:.1f}.")
    d = b.notes.get("direct")
    if d:
        extra.append(f"- `unshare -fp /bin/true` alone: median {d[1]:.0f} µs, IQR {d[0]:.0f}–{d[2]:.0f}.")
    for key, title in (("fwd-detail", "per forwarded signal"),
                       ("paced-detail", "per orphan, one at a time")):
        d = b.notes.get(key)
        if d:
            parts = []
            for name, per in d.items():
                calls = ", ".join(f"{k} {v:.2f}" for k, v in sorted(per.items(), key=lambda x: -x[1])
                                  if abs(v) >= 0.05)
                parts.append(f"{name}: {calls}")
            extra.append(f"- syscalls {title} (strace): " + "; ".join(parts) + ".")
    d = b.notes.get("startup-detail")
    if d:
        extra.append("- start-up syscalls by name: " + "; ".join(
            f"{n}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda x: -x[1]))
            for n, c in d.items()) + ".")
    for m in b.notes.get("callgrind-fail", []):
        extra.append(f"- {m}")
    if extra:
        print("\n".join(extra))


if __name__ == "__main__":
    main()
