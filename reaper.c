/* reaper.c: the one wait loop every event goes through.
 *
 * While the command runs, the loop sleeps in wait4() itself: each reap costs
 * one system call and is never delayed, and signals are forwarded by their
 * handler in the meantime (signals.c). Once the command is gone, and in pause
 * mode, only SIGCHLD, SIGTERM and SIGINT matter: they stay blocked and the
 * loop takes them with sigtimedwait(), whose timeout is the drain's grace.
 *
 * Set-up may exit with an error; from here on pidone only warns. */
#include "pidone.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum phase {
	RUN,    /* the command runs */
	PAUSE,  /* no command: reap until SIGTERM or SIGINT */
	SETTLE, /* the command is gone: reap what is dead, see what lives */
	DRAIN,  /* the rest got the drain signal and have until the deadline */
	KILL,   /* the rest got SIGKILL; repeated until none is left */
};

enum kind { REAPED, STOPPED, SIGNALLED, TIMED_OUT, ALL_GONE, SOME_LEFT };

struct event {
	enum kind kind;
	pid_t pid;
	int status;
};

struct loop {
	const struct config *cfg;
	const struct run *run;
	bool peek;        /* -w, -vv: name each orphan before reaping it */
	bool proc_ours;   /* with peek: /proc is this pid namespace's */
	enum phase phase;
	int code;
	long oom_before;  /* OOM kills in our cgroup when the command started */
	char comm[20];    /* the name of the process just reaped, with peek */
	sigset_t waitset;
	/* ms on the monotonic clock; started is read only with -v */
	int64_t started, drain_start, deadline;
};

/* Re-sending SIGKILL this often catches what forked while being killed. */
enum { KILL_REPEAT_MS = 100, UNSEEN_POLL_MS = 20 };

/* Milliseconds on the monotonic clock. */
static int64_t now_ms(void)
{
	struct timespec t = { 0, 0 };

	if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
		say_errno("clock_gettime");
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static long ms_since(int64_t start)
{
	return (long)(now_ms() - start);
}

/* Milliseconds left until deadline, never negative. */
static long ms_left(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left > 0 ? (long)left : 0;
}

/* The command name of a zombie, which /proc keeps until it is reaped; "?"
 * if /proc is another pid namespace's, where our pid names someone else. */
static void read_comm(const struct loop *l, pid_t pid, char *comm, size_t size)
{
	ssize_t n = -1;

	if (l->proc_ours) {
		char path[32];

		fmt(path, sizeof path, "/proc/%d/comm", (int)pid);
		n = read_small(path, comm, size);
	}
	if (n > 0 && comm[n - 1] == '\n')
		comm[--n] = '\0';
	if (n <= 0)
		fmt(comm, size, "?");
}

/* wait4(-1, ...), but with peek it first looks at the zombie without
 * reaping it (waitid WNOWAIT), to read its name while /proc still has it. */
static pid_t reap(struct loop *l, int *status, int flags)
{
	int how = WEXITED | WNOWAIT | (flags & WNOHANG) | ((flags & WUNTRACED) ? WSTOPPED : 0);
	siginfo_t info;

	if (!l->peek)
		return wait4(-1, status, flags, NULL);
	info.si_pid = 0; /* waitid() leaves it alone when WNOHANG finds nothing */
	if (waitid(P_ALL, 0, &info, how) != 0)
		return -1; /* errno says why, as from wait4(): ECHILD, EINTR */
	if (info.si_pid == 0)
		return 0;  /* WNOHANG: children left, none to reap yet */
	read_comm(l, info.si_pid, l->comm, sizeof l->comm);
	return wait4(info.si_pid, status, flags & ~WNOHANG, NULL);
}

static void wait_running(struct loop *l, struct event *ev)
{
	/* Not PID 1: learn when Ctrl-Z stops the command, to stop too. */
	int flags = l->run->pid1 ? 0 : WUNTRACED;

	for (;;) {
		ev->pid = reap(l, &ev->status, flags);
		if (ev->pid > 0) {
			ev->kind = WIFSTOPPED(ev->status) ? STOPPED : REAPED;
			return;
		}
		if (errno == ECHILD) {
			ev->kind = ALL_GONE;
			return;
		}
		if (errno != EINTR)
			say_errno("wait4");
	}
}

/* Whether processes pidone cannot wait for are left: as PID 1, those that
 * joined the namespace from outside have their parents there. */
static bool others_left(const struct loop *l)
{
	return l->run->pid1 && l->phase != PAUSE && drain_count_others(l->run->self) > 0;
}

static void wait_blocked(struct loop *l, struct event *ev)
{
	for (;;) {
		bool timed = l->phase == DRAIN || l->phase == KILL;
		struct timespec timeout;
		bool none, unseen;
		siginfo_t info;
		long left;
		int sig;

		ev->pid = reap(l, &ev->status, WNOHANG);
		if (ev->pid > 0) {
			ev->kind = REAPED;
			return;
		}
		none = ev->pid < 0 && errno == ECHILD;
		unseen = none && others_left(l);
		if (l->phase == SETTLE) {
			ev->kind = none && !unseen ? ALL_GONE : SOME_LEFT;
			return;
		}
		if (none && !unseen && l->phase != PAUSE) {
			ev->kind = ALL_GONE;
			return;
		}
		/* The clock only with a deadline, and checked before each wait, so
		 * a stream of SIGCHLD cannot hold the deadline off. */
		left = timed ? ms_left(l->deadline) : 0;
		if (timed && left == 0) {
			ev->kind = TIMED_OUT;
			return;
		}
		/* No SIGCHLD comes for processes that are not our children: look
		 * again every UNSEEN_POLL_MS while they are left. */
		if (unseen && left > UNSEEN_POLL_MS)
			left = UNSEEN_POLL_MS;
		timeout = (struct timespec){ left / 1000, left % 1000 * 1000000L };
		sig = sigtimedwait(&l->waitset, &info, timed ? &timeout : NULL);
		if (sig == SIGTERM || sig == SIGINT) {
			ev->kind = SIGNALLED;
			return;
		}
		/* SIGCHLD, a timeout (checked above), or EINTR: look again. */
	}
}

static void next_event(struct loop *l, struct event *ev)
{
	if (l->phase == RUN)
		wait_running(l, ev);
	else
		wait_blocked(l, ev);
}

/* A job-control signal stopped the command (Ctrl-Z, or a read from the
 * terminal in the background): stop with it, so the shell that started
 * pidone sees its job stop; on fg, SIGCONT resumes both (signals.c). If the
 * shell made pidone the foreground job meanwhile, the command just needs
 * the terminal: hand it over and let it go on. */
static void command_stopped(const struct loop *l, int status)
{
	int sig = WSTOPSIG(status);

	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		return;
	if (l->run->tty && tty_foreground()) {
		tty_give(l->run->child);
		kill(l->run->target, SIGCONT);
		return;
	}
	kill(l->run->self, SIGSTOP);
}

/* For the JSON form: the fields that say which process ended and how. */
static const char *ended_fields(char *out, size_t size, pid_t pid, const char *name,
				int status)
{
	char cmd[64];

	if (!log_is_json())
		return NULL;
	json_escape(cmd, sizeof cmd, name);
	if (WIFSIGNALED(status)) {
		char signame[16];

		fmt(out, size, "\"pid\":%d,\"command\":\"%s\",\"signal\":\"%s\",\"signo\":%d,"
			       "\"core_dumped\":%s", (int)pid, cmd,
		    signal_name(WTERMSIG(status), signame), WTERMSIG(status),
		    WCOREDUMP(status) ? "true" : "false");
		return out;
	}
	fmt(out, size, "\"pid\":%d,\"command\":\"%s\",\"status\":%d", (int)pid, cmd,
	    WEXITSTATUS(status));
	return out;
}

/* Say why the command ended: always when a signal pidone did not forward
 * killed it (the kernel, a crash, someone else); with -v in every case. */
static RARE void report_exit(const struct loop *l, int status)
{
	const char *name = l->run->name;
	int pid = (int)l->run->child;
	char fields[256], all[320];
	const char *ended = ended_fields(fields, sizeof fields, l->run->child, name, status);

	if (WIFSIGNALED(status)) {
		char signame[16];
		int sig = WTERMSIG(status);
		bool ours = signals_forwarded(sig);
		bool oom = sig == SIGKILL && l->oom_before >= 0 && oom_kills() > l->oom_before;

		if (ours ? l->cfg->verbosity < 1 : l->cfg->quiet)
			return;
		if (ended)
			fmt(all, sizeof all, "%s,\"oom_killed\":%s,\"forwarded\":%s,\"exit_code\":%d",
			    ended, oom ? "true" : "false", ours ? "true" : "false", l->code);
		note_fields(ours ? LVL_INFO : LVL_WARN, "exit", ended ? all : NULL,
			    "command %s (pid %d) was killed by %s (signal %d)%s%s%s; exit code %d",
			    name, pid, signal_name(sig, signame), sig,
			    WCOREDUMP(status) ? ", core dumped" : "",
			    oom ? ", by the kernel's out-of-memory killer" : "",
			    ours ? ", which pidone forwarded" : "", l->code);
	} else if (l->cfg->verbosity >= 1) {
		long ms = ms_since(l->started);

		if (ended)
			fmt(all, sizeof all, "%s,\"run_ms\":%ld,\"exit_code\":%d", ended, ms, l->code);
		note_fields(LVL_INFO, "exit", ended ? all : NULL,
			    "command %s (pid %d) exited with %d after %ld ms; exit code %d",
			    name, pid, WEXITSTATUS(status), ms, l->code);
	}
}

static void command_exited(struct loop *l, int status)
{
	l->code = exit_code_remap(l->cfg, exit_code(status));
	if (signals_block_for_loop(&l->waitset) != 0)
		say("the drain cannot be interrupted");
	/* Hand the terminal back to the group pidone started in, if the command
	 * still has it, so the calling shell finds it where it left it. */
	if (l->run->tty && tty_group() == l->run->child)
		tty_give(getpgrp());
	report_exit(l, status);
	l->phase = SETTLE;
}

/* -w, -vv: whose orphans pidone collects, by name, and how they ended. */
static RARE void reaped_other(const struct loop *l, pid_t pid, int status)
{
	char how[32], fields[256];

	if (WIFSIGNALED(status)) {
		char signame[16];

		fmt(how, sizeof how, "killed by %s", signal_name(WTERMSIG(status), signame));
	} else {
		fmt(how, sizeof how, "exited with %d", WEXITSTATUS(status));
	}
	note_fields(LVL_WARN, "reap", ended_fields(fields, sizeof fields, pid, l->comm, status),
		    "reaped orphan %s (pid %d): %s", l->comm, (int)pid, how);
}

/* "3 process(es)", or, where /proc is not this namespace's, "every process". */
static RARE void say_drain(const char *what, int n, const char *rest, long ms)
{
	char fields[96];

	fmt(fields, sizeof fields, "\"signal\":\"%s\",\"processes\":%d,\"ms\":%ld", what, n, ms);
	if (n >= 0)
		note_fields(LVL_INFO, "drain", fields, "drain: %s to %d process(es)%s %ld ms",
			    what, n, rest, ms);
	else
		note_fields(LVL_INFO, "drain", fields, "drain: %s to every process left%s %ld ms",
			    what, rest, ms);
}

/* Send sig to everything left; returns how many got it, -1 if /proc cannot
 * tell. As PID 1 everything else in the namespace is ours: kill(-1) reaches
 * it, and /proc is read only to count for -v. */
static int signal_rest(const struct loop *l, int sig)
{
	int n;

	if (!l->run->pid1)
		return drain_signal_below(sig, l->run->self);
	n = l->cfg->verbosity >= 1 ? drain_count_others(l->run->self) : 0;
	if (kill(-1, sig) != 0 && errno != ESRCH)
		say_errno("kill -1");
	return n;
}

static void enter_kill(struct loop *l)
{
	l->phase = KILL;
	l->deadline = now_ms() + KILL_REPEAT_MS;
}

static void kill_rest(struct loop *l)
{
	int n = signal_rest(l, SIGKILL);

	if (l->phase != KILL && l->cfg->verbosity >= 1)
		say_drain("SIGKILL", n, " still running after", ms_since(l->drain_start));
	enter_kill(l);
}

/* Ask everything that is left to stop, wake the stopped, start the clock.
 * Returns -1 if pidone cannot see what is left to drain. */
static int start_drain(struct loop *l)
{
	int sig = l->cfg->grace_ms ? l->cfg->drain_signal : SIGKILL;
	int n = signal_rest(l, sig);

	l->drain_start = now_ms();
	if (n < 0 && !l->run->pid1) {
		/* Without /proc pidone cannot find its descendants, and waiting
		 * for them would wait on what it cannot end. */
		note(LVL_WARN, "drain",
		     "drain: /proc does not show this pid namespace; leaving the rest running");
		return -1;
	}
	if (sig == SIGKILL) { /* --grace 0, or --drain-signal KILL */
		if (l->cfg->verbosity >= 1)
			say_drain("SIGKILL", n, ", grace", 0);
		enter_kill(l);
		return 0;
	}
	signal_rest(l, SIGCONT);
	if (l->cfg->verbosity >= 1) {
		char name[16];

		say_drain(signal_name(sig, name), n, ", grace", (long)l->cfg->grace_ms);
	}
	l->phase = DRAIN;
	l->deadline = now_ms() + l->cfg->grace_ms;
	return 0;
}

static int finish(struct loop *l)
{
	if ((l->phase == DRAIN || l->phase == KILL) && l->cfg->verbosity >= 1)
		note(LVL_INFO, "drain", "drain: all gone after %ld ms", ms_since(l->drain_start));
	return l->code;
}

/* Run until the command and everything below pidone are gone (or, in pause
 * mode, until told to stop); returns pidone's exit code. */
int reap_loop(const struct config *cfg, const struct run *run)
{
	struct loop l = { .cfg = cfg, .run = run, .phase = run->child > 0 ? RUN : PAUSE,
			  .peek = cfg->warn_reap || cfg->verbosity >= 2,
			  .started = cfg->verbosity >= 1 ? now_ms() : 0,
			  .oom_before = cfg->quiet || !run->child ? -1 : oom_kills() };
	struct event ev;

	l.proc_ours = l.peek && proc_is_ours(run->self);
	if (l.phase == PAUSE && signals_block_for_loop(&l.waitset) != 0)
		return EXIT_PIDONE;
	for (;;) {
		next_event(&l, &ev);
		switch (ev.kind) {
		case STOPPED:
			if (ev.pid == run->child)
				command_stopped(&l, ev.status);
			break;
		case REAPED:
			if (ev.pid == run->child && l.phase == RUN)
				command_exited(&l, ev.status);
			else if (l.peek)
				reaped_other(&l, ev.pid, ev.status);
			break;
		case SIGNALLED:
			if (l.phase == PAUSE)
				l.phase = SETTLE;
			else
				kill_rest(&l);
			break;
		case TIMED_OUT:
			kill_rest(&l);
			break;
		case SOME_LEFT:
			if (!cfg->drain || start_drain(&l) != 0)
				return finish(&l);
			break;
		case ALL_GONE:
			return finish(&l);
		}
	}
}
