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

static volatile sig_atomic_t target; /* -pgid, or pid with -c; 0: drop */
static volatile sig_atomic_t forwarded[MAXSIG + 1];
static const unsigned char *rewrite;
static bool verbose;
static pid_t self;

#define BIT(sig) (UINT64_C(1) << ((sig) - 1))

/* Signals the kernel raises for a fault in the receiving process itself. */
static const uint64_t faults = BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) |
			       BIT(SIGFPE) | BIT(SIGTRAP) | BIT(SIGSYS);
/* Signals the kernel sends a process for a write of its own. */
static const uint64_t self_sent = BIT(SIGPIPE) | BIT(SIGXFSZ);
/* Signals a terminal sends to its whole foreground process group. */
static const uint64_t tty_signals = BIT(SIGINT) | BIT(SIGQUIT) | BIT(SIGTSTP) | BIT(SIGWINCH);
/* The signals that need more than forwarding, from the ones above. */
static uint64_t special;

/* Setting a signal's action: set_disposition() for SIG_DFL and SIG_IGN,
 * install() for the one action install_all() gives every signal. */
#if defined(__x86_64__)
/* x86-64: the bare system call, for every signal. musl's sigaction() adds a
 * kilobyte of locking for threads and abort(), which pidone has not, and
 * refuses the signals it keeps for its threads (32..34), which a sender may
 * still use (glibc's SIGRTMIN is 34). A handler returns through the restorer
 * given with it, which x86-64 requires: rt_sigreturn, below. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

struct kernel_sigaction { /* the kernel's struct sigaction here */
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void pidone_sigreturn(void) __attribute__((visibility("hidden")));
__asm__(".pushsection .text.pidone_sigreturn, \"ax\", @progbits\n"
	".globl pidone_sigreturn\n"
	".hidden pidone_sigreturn\n"
	".type pidone_sigreturn, @function\n"
	"pidone_sigreturn:\n"
	"	mov $15, %eax\n" /* SYS_rt_sigreturn */
	"	syscall\n"
	".size pidone_sigreturn, . - pidone_sigreturn\n"
	".popsection");

/* old, if not NULL, gets the handler sig had. */
static int kernel_action(int sig, void (*handler)(int), unsigned long flags, uint64_t mask,
			 void (**old)(int))
{
	struct kernel_sigaction k = { handler, flags | SA_RESTORER, pidone_sigreturn, mask }, was;

	if (syscall(SYS_rt_sigaction, sig, &k, old ? &was : NULL, sizeof k.mask) != 0)
		return -1;
	if (old)
		*old = was.handler;
	return 0;
}

static int set_disposition(int sig, void (*how)(int), void (**old)(int))
{
	return kernel_action(sig, how, 0, 0, old);
}

struct installer {
	const struct sigaction *sa;
};

static int install(struct installer *in, int sig)
{
	uint64_t mask;

	memcpy(&mask, &in->sa->sa_mask, sizeof mask); /* signals 1..64 */
	return kernel_action(sig, in->sa->sa_handler, (unsigned long)in->sa->sa_flags, mask,
			     NULL);
}
#else
static int set_disposition(int sig, void (*how)(int), void (**old)(int))
{
	struct sigaction sa = { .sa_handler = how }, was;

	if (sigaction(sig, &sa, &was) != 0)
		return -1;
	if (old)
		*old = was.sa_handler;
	return 0;
}

#if defined(__aarch64__) || defined(__riscv)
/* Installing the same action on every signal: libc's sigaction() for the
 * first, then the kernel's record of it, restorer included, copied with one
 * bare system call each. That is a tenth of the instructions of 64 calls to
 * libc, and it reaches the signals libc keeps for its threads (musl 32..34,
 * glibc 32..33), which a sender may still use (glibc's SIGRTMIN is 34):
 * pidone has no threads. */
struct kernel_sigaction { /* opaque here: read from the kernel, given back */
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

struct installer {
	const struct sigaction *sa;
	struct kernel_sigaction model;
	bool have_model;
};

static int install(struct installer *in, int sig)
{
	if (in->have_model)
		return (int)syscall(SYS_rt_sigaction, sig, &in->model, NULL, sizeof in->model.mask);
	if (sigaction(sig, in->sa, NULL) != 0 ||
	    syscall(SYS_rt_sigaction, sig, NULL, &in->model, sizeof in->model.mask) != 0)
		return -1;
	in->have_model = true;
	return 0;
}
#else
struct installer {
	const struct sigaction *sa;
};

static int install(struct installer *in, int sig)
{
	return sigaction(sig, in->sa, NULL);
}
#endif
#endif

/* sa for every signal but those in except. One the environment keeps for
 * itself (valgrind: SIGRTMAX, refused with EINVAL) stays as it is; with warn
 * set, a warning names it. */
static int install_all(const struct sigaction *sa, uint64_t except, bool warn)
{
	struct installer in = { .sa = sa };

	for (int sig = 1; sig <= MAXSIG; sig++) {
		char name[16], buf[16];

		if ((BIT(sig) & except) || install(&in, sig) == 0)
			continue;
		if (errno != EINVAL) {
			say("sigaction %s: %s", signal_name(sig, name), error_text(errno, buf));
			return -1;
		}
		if (warn)
			note(LVL_WARN, "signal", "cannot forward %s: %s", signal_name(sig, name),
			     error_text(errno, buf));
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
	if (sig == SIGCONT && target != 0 && tty_foreground())
		tty_give(-(pid_t)target);
	errno = saved;
	return to;
}

/* kill() that leaves errno alone: a handler must not change it under the
 * code it interrupted, and saving it costs more than the system call. */
static long kill_quiet(pid_t pid, int sig)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_kill), "D"((long)pid), "S"((long)sig)
			 : "rcx", "r11", "memory");
	return ret;
#else
	int saved = errno;
	long ret = kill(pid, sig);

	errno = saved;
	return ret;
#endif
}

static RARE void say_forwarded(int sig)
{
	int saved = errno;
	char name[16];

	note(LVL_INFO, "signal", "forwarded %s to %s %d", signal_name(sig, name),
	     target < 0 ? "process group" : "pid", (int)(target < 0 ? -target : target));
	errno = saved;
}

static void on_signal(int sig, siginfo_t *info, void *context)
{
	int to = rewrite[sig];

	(void)context;
	if (BIT(sig) & special)
		to = special_signal(sig, info, to);
	if (target != 0 && to != 0) {
		forwarded[to] = 1;
		if (kill_quiet((pid_t)target, to) == 0 && verbose)
			say_forwarded(to);
	}
}

/* Whether pidone forwarded sig to the command (it then knows why it died). */
bool signals_forwarded(int sig)
{
	return sig > 0 && sig <= MAXSIG && forwarded[sig];
}

static void fill_all(sigset_t *set)
{
	/* sigfillset() leaves out the signals libc reserves (musl: 32..34). */
	memset(set, 0xff, sizeof *set);
}

/* Block every signal before forking, so none is lost or acted on by default
 * while the child is set up; note what the child must get back. */
int signals_block_all(struct inherited *inh)
{
	void (*old)(int);
	sigset_t all;

	fill_all(&all);
	if (sigprocmask(SIG_SETMASK, &all, &inh->mask) != 0) {
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
	sigprocmask(SIG_SETMASK, &inh->mask, NULL);
}

/* Forward every catchable signal but SIGCHLD to the command, then let them
 * in. Job-control stops are forwarded as any other: when they stop the
 * command, the loop stops pidone with it (reaper.c), never before. */
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
	target = run->target;
	fill_all(&sa.sa_mask); /* one at a time: real-time signals keep their order */
	if (install_all(&sa, BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGCHLD), verbose) != 0)
		return -1;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) {
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
	target = 0;
	sigemptyset(waitset);
	sigaddset(waitset, SIGCHLD);
	sigaddset(waitset, SIGTERM);
	sigaddset(waitset, SIGINT);
	if (sigprocmask(SIG_SETMASK, waitset, NULL) != 0) {
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

	return install_all(&ign, BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGCHLD) | BIT(SIGTERM) |
				 BIT(SIGINT), false);
}
