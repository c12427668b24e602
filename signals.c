/* signals.c: the signal state pidone inherited, and forwarding.
 *
 * While the command runs, pidone sleeps in wait4() and every signal it
 * receives runs on_signal(), which forwards it and returns; the wait resumes
 * (SA_RESTART). A forwarded signal costs kill() and rt_sigreturn(), and the
 * wait loop never has to wake up for it. */
#include "pidone.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t child; /* the command's pid; 0: drop */
static volatile sig_atomic_t forwarded[MAXSIG + 1];
static const unsigned char *rewrite;
/* The signals, as forwarded, that go to the command's group (its pgid is
 * its pid), not to it alone: set once, before any handler runs. */
static uint64_t to_group;
static bool verbose;
static pid_t self;

#define BIT(sig) SIGBIT(sig)

/* Signals the kernel raises for a fault in the receiving process itself. */
static const uint64_t faults = BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) |
			       BIT(SIGFPE) | BIT(SIGTRAP) | BIT(SIGSYS);
/* Signals the kernel sends a process for a write of its own. */
static const uint64_t self_sent = BIT(SIGPIPE) | BIT(SIGXFSZ);
/* Signals a terminal sends to its whole foreground process group. */
static const uint64_t tty_signals = BIT(SIGINT) | BIT(SIGQUIT) | BIT(SIGTSTP) | BIT(SIGWINCH);
/* The signals that need more than forwarding, from the ones above. */
static uint64_t special;

/* The kernel's record of a signal's action, as rt_sigaction(2) reads and
 * writes it: the handler first, as on every architecture pidone is built
 * for; flags, restorer and mask stay as libc made them. */
struct kernel_action {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask[MAXSIG / (8 * sizeof(unsigned long))];
};

/* The bare rt_sigprocmask: libc will not block the signals it keeps for
 * itself (glibc 32 and 33) or hides them in the mask it returns (musl
 * 32..34), and pidone must hold every signal at start-up and give the
 * command back exactly the mask it was given. */
int signals_mask(int how, const sigset_t *set, sigset_t *old)
{
	return (int)syscall(SYS_rt_sigprocmask, how, set, old, MAXSIG / 8);
}

static void fill_all(sigset_t *set)
{
	/* sigfillset() leaves out the signals libc keeps (musl: 32..34). */
	memset(set, 0xff, sizeof *set);
}

/* SIG_DFL or SIG_IGN for sig through libc, which takes every signal below
 * 32; old, if not NULL, gets the handler sig had. */
static int set_disposition(int sig, void (*how)(int), void (**old)(int))
{
	struct sigaction sa = { .sa_handler = how }, was;

	if (sigaction(sig, &sa, &was) != 0)
		return -1;
	if (old)
		*old = was.sa_handler;
	return 0;
}

/* The record libc makes for a handler pidone installs, restorer and all,
 * read back from the kernel; made on SIGCHLD at its default, because musl's
 * sigaction() unblocks 33 and 34 the first time it installs a real handler.
 * The record is then given to every signal with the bare system call, which
 * reaches the signals libc refuses (musl 32..34, glibc 32..33): a sender
 * may use them, and glibc's SIGRTMIN is 34. */
static int model_action(struct kernel_action *model, const struct sigaction *sa)
{
	struct sigaction dfl = *sa;

	dfl.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &dfl, NULL) != 0 ||
	    syscall(SYS_rt_sigaction, SIGCHLD, NULL, model, MAXSIG / 8) != 0)
		return -1;
	model->handler = sa->sa_handler; /* or sa_sigaction: the same place */
	return 0;
}

/* sa for every signal but those in except. One the environment keeps for
 * itself (valgrind: SIGRTMAX, refused with EINVAL) stays as it is; with warn
 * set, a warning names it. */
static int install_all(const struct sigaction *sa, uint64_t except, bool warn)
{
	struct kernel_action model;

	if (model_action(&model, sa) != 0) {
		say_errno("sigaction");
		return -1;
	}
	for (int sig = 1; sig <= MAXSIG; sig++) {
		char name[16];

		if ((BIT(sig) & except) ||
		    syscall(SYS_rt_sigaction, sig, &model, NULL, MAXSIG / 8) == 0)
			continue;
		if (errno != EINVAL) {
			say("sigaction %s: %s", signal_name(sig, name), strerror(errno));
			return -1;
		}
		if (warn)
			note(LVL_WARN, "signal", "cannot forward %s: %s", signal_name(sig, name),
			     strerror(errno));
	}
	return 0;
}

/* The rare cases, kept off the path of an ordinary forwarded signal; returns
 * the signal to forward, 0 for none. */
static __attribute__((noinline)) int special_signal(int sig, const siginfo_t *info, int to)
{
	int saved = errno;

	if ((BIT(sig) & faults) && info->si_code > 0) {
		/* pidone itself faulted: die of it rather than loop on it. */
		set_disposition(sig, SIG_DFL, NULL);
		errno = saved;
		return 0;
	}
	if ((BIT(sig) & self_sent) && info->si_code == SI_USER && info->si_pid == self)
		return 0;
	/* With -c (the only time they are special) the child shares our group:
	 * the terminal reached it already. */
	if (info->si_code == SI_KERNEL && (BIT(sig) & tty_signals))
		return 0;
	/* Back from a stop, in the foreground (special only with run->tty):
	 * the command gets the terminal. */
	if (sig == SIGCONT && child != 0 && tty_foreground())
		tty_give((pid_t)child);
	errno = saved;
	return to;
}

/* kill() that leaves errno alone: a handler must not change it under the
 * code it interrupted. */
static int kill_quiet(pid_t pid, int sig)
{
	int saved = errno;
	int ret = kill(pid, sig);

	errno = saved;
	return ret;
}

static RARE void say_forwarded(int sig, pid_t pid)
{
	int saved = errno;
	char name[16];

	note(LVL_INFO, "signal", "forwarded %s to %s %d", signal_name(sig, name),
	     pid < 0 ? "process group" : "pid", (int)(pid < 0 ? -pid : pid));
	errno = saved;
}

/* Routed by the signal as forwarded: what it means to those who get it. */
static void on_signal(int sig, siginfo_t *info, void *context)
{
	int to = rewrite[sig];

	(void)context;
	if (BIT(sig) & special)
		to = special_signal(sig, info, to);
	if (child != 0 && to != 0) {
		pid_t pid = (BIT(to) & to_group) ? -(pid_t)child : (pid_t)child;

		forwarded[to] = 1;
		if (kill_quiet(pid, to) == 0 && verbose)
			say_forwarded(to, pid);
	}
}

/* Whether pidone forwarded sig to the command (it then knows why it died). */
bool signals_forwarded(int sig)
{
	return sig > 0 && sig <= MAXSIG && forwarded[sig];
}

/* Block every signal before forking, so none is lost or acted on by default
 * while the child is set up; note what the child must get back. */
int signals_block_all(struct inherited *inh)
{
	void (*old)(int);
	sigset_t all;

	fill_all(&all);
	if (signals_mask(SIG_SETMASK, &all, &inh->mask) != 0) {
		say_errno("sigprocmask");
		return -1;
	}
	/* With SIGCHLD ignored the kernel reaps for us and the command's status
	 * is lost (tini and catatonit hang on it): take the default back. */
	if (set_disposition(SIGCHLD, SIG_DFL, &old) != 0) {
		say_errno("sigaction SIGCHLD");
		return -1;
	}
	inh->sigchld_ignored = old == SIG_IGN;
	return 0;
}

/* In the child: exactly the mask and dispositions pidone was started with. */
void signals_restore(const struct inherited *inh)
{
	if (inh->sigchld_ignored)
		set_disposition(SIGCHLD, SIG_IGN, NULL);
	signals_mask(SIG_SETMASK, &inh->mask, NULL);
}

/* Forward every catchable signal but SIGCHLD to the command (the signals in
 * cfg->group_signals to its process group), then let them in. Job-control
 * stops are forwarded as any other: when they stop the command, the loop
 * stops pidone with it (reaper.c), never before. */
int signals_forward(const struct config *cfg, const struct run *run)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	sigset_t none;

	rewrite = cfg->rewrite;
	verbose = cfg->verbosity >= 1;
	special = faults | self_sent | (cfg->single_child ? tty_signals : 0) |
		  (run->tty ? BIT(SIGCONT) : 0);
	self = run->self;
	/* With -c the command is in pidone's group: never signal that one. */
	to_group = cfg->single_child ? 0 : cfg->group_signals;
	child = run->child;
	fill_all(&sa.sa_mask); /* one at a time: real-time signals keep their order */
	if (install_all(&sa, BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGCHLD), verbose) != 0)
		return -1;
	sigemptyset(&none);
	if (signals_mask(SIG_SETMASK, &none, NULL) != 0) {
		say_errno("sigprocmask");
		return -1;
	}
	return 0;
}

/* No command to forward to (it is gone, or pause mode): forward nothing more,
 * and block just SIGCHLD, SIGTERM and SIGINT for the loop to take with
 * sigtimedwait(). */
int signals_block_for_loop(sigset_t *waitset)
{
	child = 0;
	sigemptyset(waitset);
	sigaddset(waitset, SIGCHLD);
	sigaddset(waitset, SIGTERM);
	sigaddset(waitset, SIGINT);
	if (signals_mask(SIG_SETMASK, waitset, NULL) != 0) {
		say_errno("sigprocmask");
		return -1;
	}
	return 0;
}

/* Pause mode has no one to forward to: every signal but the three the loop
 * waits for is ignored, so none of them ever wakes pidone. */
int signals_pause(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	fill_all(&ign.sa_mask);
	return install_all(&ign, BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGCHLD) | BIT(SIGTERM) |
				 BIT(SIGINT), false);
}
