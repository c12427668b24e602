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
#include <sys/wait.h>
#include <time.h>

enum phase {
	RUN,    /* the command runs */
	PAUSE,  /* no command: reap until SIGTERM or SIGINT */
	SETTLE, /* the command is gone: reap what is dead, see what lives */
	DRAIN,  /* the rest got the drain signal and have until the deadline */
	KILL,   /* the rest got SIGKILL; repeated until none is left */
};

enum kind { REAPED, SIGNALLED, TIMED_OUT, ALL_GONE, SOME_LEFT };

struct event {
	enum kind kind;
	pid_t pid;
	int status;
	int sig;
};

struct loop {
	const struct config *cfg;
	bool pid1;
	enum phase phase;
	pid_t child;
	int code;
	sigset_t waitset;
	struct timespec drain_start, deadline;
};

/* Re-sending SIGKILL this often catches what forked while being killed. */
enum { KILL_REPEAT_MS = 100 };

static struct timespec now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static struct timespec after_ms(unsigned ms)
{
	struct timespec t = now();

	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static long ms_since(struct timespec start)
{
	struct timespec t = now();

	return (t.tv_sec - start.tv_sec) * 1000 + (t.tv_nsec - start.tv_nsec) / 1000000;
}

/* Time left until deadline, never negative. */
static struct timespec until(struct timespec deadline)
{
	struct timespec t = now(), left = { 0, 0 };

	if (t.tv_sec < deadline.tv_sec ||
	    (t.tv_sec == deadline.tv_sec && t.tv_nsec < deadline.tv_nsec)) {
		left.tv_sec = deadline.tv_sec - t.tv_sec;
		left.tv_nsec = deadline.tv_nsec - t.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000;
		}
	}
	return left;
}

static void wait_running(struct event *ev)
{
	for (;;) {
		ev->pid = wait4(-1, &ev->status, 0, NULL);
		if (ev->pid > 0) {
			ev->kind = REAPED;
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

static void wait_blocked(struct loop *l, struct event *ev)
{
	for (;;) {
		bool timed = l->phase == DRAIN || l->phase == KILL;
		struct timespec left = until(l->deadline);
		siginfo_t info;

		ev->pid = waitpid(-1, &ev->status, WNOHANG);
		if (ev->pid > 0) {
			ev->kind = REAPED;
			return;
		}
		if (ev->pid < 0 && errno == ECHILD && l->phase != PAUSE) {
			ev->kind = ALL_GONE;
			return;
		}
		if (ev->pid == 0 && l->phase == SETTLE) {
			ev->kind = SOME_LEFT;
			return;
		}
		ev->sig = sigtimedwait(&l->waitset, &info, timed ? &left : NULL);
		if (ev->sig == SIGTERM || ev->sig == SIGINT) {
			ev->kind = SIGNALLED;
			return;
		}
		if (ev->sig < 0 && errno == EAGAIN) {
			ev->kind = TIMED_OUT;
			return;
		}
		/* SIGCHLD, or EINTR: look again. */
	}
}

static void next_event(struct loop *l, struct event *ev)
{
	if (l->phase == RUN)
		wait_running(ev);
	else
		wait_blocked(l, ev);
}

static void command_exited(struct loop *l, int status)
{
	l->code = exit_code_remap(l->cfg, exit_code(status));
	if (signals_block_for_loop(&l->waitset) != 0)
		say("the drain cannot be interrupted");
	if (l->cfg->verbosity >= 1) {
		if (WIFSIGNALED(status)) {
			char name[16];

			say("command (pid %d) died of %s; exit code %d", (int)l->child,
			    signal_name(WTERMSIG(status), name), l->code);
		} else {
			say("command (pid %d) exited with %d; exit code %d",
			    (int)l->child, WEXITSTATUS(status), l->code);
		}
	}
	l->phase = SETTLE;
}

static void reaped_other(struct loop *l, pid_t pid, int status)
{
	if (l->cfg->warn_reap || l->cfg->verbosity >= 2) {
		if (WIFSIGNALED(status)) {
			char name[16];

			say("reaped orphan pid %d: killed by %s", (int)pid,
			    signal_name(WTERMSIG(status), name));
		} else {
			say("reaped orphan pid %d: exited with %d", (int)pid,
			    WEXITSTATUS(status));
		}
	}
}

static void kill_rest(struct loop *l)
{
	int n = drain_signal_all(SIGKILL, l->pid1);

	if (l->phase != KILL && l->cfg->verbosity >= 1)
		say("drain: SIGKILL to %d process(es) still running after %ld ms", n,
		    ms_since(l->drain_start));
	l->phase = KILL;
	l->deadline = after_ms(KILL_REPEAT_MS);
}

/* Ask everything that is left to stop, wake the stopped, start the clock. */
static void start_drain(struct loop *l)
{
	char name[16];
	int n;

	l->drain_start = now();
	if (l->cfg->grace_ms == 0) {
		kill_rest(l);
		return;
	}
	n = drain_signal_all(l->cfg->drain_signal, l->pid1);
	drain_signal_all(SIGCONT, l->pid1);
	if (l->cfg->verbosity >= 1)
		say("drain: %s to %d process(es), grace %u ms",
		    signal_name(l->cfg->drain_signal, name), n, l->cfg->grace_ms);
	l->phase = DRAIN;
	l->deadline = after_ms(l->cfg->grace_ms);
}

static int finish(struct loop *l)
{
	if (l->drain_start.tv_sec && l->cfg->verbosity >= 1)
		say("drain: all gone after %ld ms", ms_since(l->drain_start));
	return l->code;
}

/* Run until the command and everything below pidone are gone (or, in pause
 * mode, until told to stop); returns pidone's exit code. */
int reap_loop(const struct config *cfg, pid_t child, bool pid1)
{
	struct loop l = { .cfg = cfg, .pid1 = pid1, .child = child,
			  .phase = child > 0 ? RUN : PAUSE };
	struct event ev;

	if (l.phase == PAUSE && signals_block_for_loop(&l.waitset) != 0)
		return EXIT_PIDONE;
	for (;;) {
		next_event(&l, &ev);
		switch (ev.kind) {
		case REAPED:
			if (ev.pid == l.child && l.phase == RUN)
				command_exited(&l, ev.status);
			else
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
			if (!cfg->drain)
				return finish(&l);
			start_drain(&l);
			break;
		case ALL_GONE:
			return finish(&l);
		}
	}
}
