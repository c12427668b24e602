/* icount: count the user-space instructions an init executes, by ptrace
 * single-stepping it (x86-64 and other architectures with PTRACE_SINGLESTEP).
 *
 *   icount [-n] [-m LIVE] -o FILE -- INIT args...
 *
 * -n runs INIT as PID 1 of a new pid namespace. Counting starts at the first
 * instruction after INIT's execve and ends at its exit. A child the init
 * forks is counted until its execve (that instruction included) and then let
 * go, so the command itself is never counted. FILE gets three lines:
 * "parent N", "child N" (all forked children together), "fork N" (the
 * init's count up to and including its first fork or clone: with "child",
 * what runs before the command can start) and "exit STATUS".
 * With -m LIVE, the counts so far are kept in the file LIVE as three native
 * 64-bit integers (parent, children, children not yet at their execve),
 * updated after every step: read it while the init sleeps, and the
 * difference between two readings is the cost of what happened between them,
 * with no start-up or exit in it.
 *
 * Why not callgrind: valgrind reserves SIGRTMAX for itself, and an init that
 * insists on handling every signal cannot start under it. Single-stepping
 * needs nothing from the tracee and counts what the CPU retires; each
 * iteration of a rep-prefixed string instruction counts as one, as in
 * callgrind.
 *
 * Tracing artefacts this corrects: a signal the tracee ignores (SIG_IGN, or
 * SIG_DFL with a default of ignore, like an init's SIGCHLD) is never queued
 * without a tracer, so it is suppressed here, and if it interrupted a system
 * call the restarted call is not counted twice; entering a signal handler
 * while stepping gives one extra stop that executed nothing, not counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MAXT = 256 };

struct tracee {
	pid_t pid;
	int is_child;              /* forked by the init, counted until exec */
	int injected;              /* last resume delivered a signal */
	unsigned long long n;
};

static struct tracee t[MAXT];
static int nt;
static volatile unsigned long long *live;

static void publish(unsigned long long parent_done, unsigned long long child_done)
{
	unsigned long long parent = parent_done, child = child_done, pending = 0;

	if (!live)
		return;
	for (int i = 0; i < nt; i++) {
		if (t[i].is_child) {
			child += t[i].n;
			pending++;
		} else {
			parent = t[i].n;
		}
	}
	live[0] = parent;
	live[1] = child;
	live[2] = pending;
}

static struct tracee *find(pid_t pid, int add)
{
	for (int i = 0; i < nt; i++)
		if (t[i].pid == pid)
			return &t[i];
	if (!add || nt == MAXT)
		return NULL;
	t[nt] = (struct tracee){ .pid = pid, .is_child = 1 };
	return &t[nt++];
}

static void drop(pid_t pid)
{
	for (int i = 0; i < nt; i++)
		if (t[i].pid == pid) {
			t[i] = t[--nt];
			return;
		}
}

/* Would this signal reach the tracee at all without a tracer? */
static int ignored_by(pid_t pid, int sig)
{
	char path[64], line[256];
	unsigned long long cgt = 0, ign = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "SigCgt:", 7))
			cgt = strtoull(line + 7, NULL, 16);
		else if (!strncmp(line, "SigIgn:", 7))
			ign = strtoull(line + 7, NULL, 16);
	}
	fclose(f);
	if (cgt & (1ULL << (sig - 1)))
		return 0;
	if (ign & (1ULL << (sig - 1)))
		return 1;
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static int restarts(pid_t pid)
{
#if defined(__x86_64__)
	struct user_regs_struct r;

	if (ptrace(PTRACE_GETREGS, pid, 0, &r) != 0)
		return 0;
	long ax = (long)r.rax;
	return (long)r.orig_rax >= 0 &&
	       (ax == -512 || ax == -513 || ax == -514 || ax == -516);
#else
	(void)pid;
	return 0;
#endif
}

int main(int argc, char **argv)
{
	const char *out = NULL, *live_path = NULL;
	int newns = 0, opt, status, exit_status = -1;
	unsigned long long parent_n = 0, child_n = 0, fork_n = 0;
	pid_t init;
	FILE *f;

	while ((opt = getopt(argc, argv, "+no:m:")) != -1) {
		if (opt == 'n')
			newns = 1;
		else if (opt == 'o')
			out = optarg;
		else if (opt == 'm')
			live_path = optarg;
		else
			return 2;
	}
	if (!out || optind >= argc) {
		fprintf(stderr, "usage: icount [-n] [-m LIVE] -o FILE -- INIT args...\n");
		return 2;
	}
	if (live_path) {
		int fd = open(live_path, O_RDWR | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || ftruncate(fd, 4096) != 0) {
			perror(live_path);
			return 1;
		}
		live = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (live == MAP_FAILED) {
			perror("icount: mmap");
			return 1;
		}
		close(fd);
	}
	if (newns && unshare(CLONE_NEWPID) != 0) {
		perror("icount: unshare");
		return 1;
	}
	init = fork();
	if (init < 0) {
		perror("icount: fork");
		return 1;
	}
	if (init == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[optind], argv + optind);
		perror("icount: exec");
		_exit(127);
	}
	/* The SIGTRAP after a traced execve: INIT is loaded, nothing run yet. */
	if (waitpid(init, &status, 0) != init || !WIFSTOPPED(status)) {
		fprintf(stderr, "icount: %s did not start\n", argv[optind]);
		return 1;
	}
	ptrace(PTRACE_SETOPTIONS, init, 0,
	       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		       PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	t[nt++] = (struct tracee){ .pid = init };
	ptrace(PTRACE_SINGLESTEP, init, 0, 0);

	for (;;) {
		pid_t pid;
		struct tracee *tr;
		int sig, ev, inject = 0;

		publish(parent_n, child_n);
		pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			tr = find(pid, 0);
			if (tr) {
				/* The exit_group instruction never reports a step. */
				if (WIFEXITED(status))
					tr->n++;
				if (tr->is_child)
					child_n += tr->n;
				else
					parent_n = tr->n;
				drop(pid);
			}
			if (pid == init) {
				exit_status = status;
				break;
			}
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		tr = find(pid, 1);
		if (!tr)
			continue;
		sig = WSTOPSIG(status);
		ev = status >> 16;
		if (sig == SIGTRAP && ev == PTRACE_EVENT_EXEC && tr->is_child) {
			tr->n++; /* the execve instruction itself */
			child_n += tr->n;
			drop(pid);
			ptrace(PTRACE_DETACH, pid, 0, 0);
			continue;
		}
		if (sig == SIGTRAP && ev != 0) {
			/* fork/clone event: the new tracee shows up on its own. */
			unsigned long msg;

			if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
			    ev == PTRACE_EVENT_CLONE) {
				ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
				find((pid_t)msg, 1);
				if (pid == init && !fork_n)
					fork_n = tr->n + 1; /* the fork instruction */
			}
		} else if (sig == SIGTRAP) {
			int counted = 1;

			if (tr->injected) {
				siginfo_t si;

				/* si_code SIGTRAP: the stop on entering a handler. */
				if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si) == 0 &&
				    si.si_code == SIGTRAP)
					counted = 0;
			}
			if (counted)
				tr->n++;
			tr->injected = 0;
		} else if (sig == SIGSTOP && tr->is_child && tr->n == 0) {
			/* the first stop of an auto-attached child */
		} else {
			if (ignored_by(pid, sig)) {
				if (restarts(pid) && tr->n)
					tr->n--;
			} else {
				inject = sig;
				tr->injected = 1;
			}
		}
		ptrace(PTRACE_SINGLESTEP, pid, 0, (void *)(long)inject);
	}
	publish(parent_n, child_n);
	f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 1;
	}
	fprintf(f, "parent %llu\nchild %llu\nfork %llu\nexit %d\n", parent_n, child_n,
		fork_n, exit_status);
	fclose(f);
	return 0;
}
