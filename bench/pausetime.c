/* pausetime: start-up and stop wall time of pause-mode inits, interleaved.
 *
 *   pausetime ROUNDS INIT1 ARGS :: INIT2 ARGS :: ...
 *
 * Each round runs every init once as `unshare -fp INIT ARGS` (the starting
 * init rotates every round) and prints one line with two numbers per init,
 * in the order given: nanoseconds from the fork until the init is ready
 * (it has exec'd INIT and catches or blocks SIGTERM, or sleeps in
 * rt_sigtimedwait, so a SIGTERM now is not lost), and from the fork until unshare has returned after the SIGTERM we
 * then send (its init exited and its namespace is empty). -1 -1: it failed.
 * Readiness is polled in /proc without sleeping. Every wait is bounded (5 s
 * per run, then SIGKILL to that init). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The first child of pid (unshare's only one: the init), or 0. */
static pid_t child_of(pid_t pid)
{
	char path[64];
	long c = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &c) != 1)
		c = 0;
	fclose(f);
	return c;
}

/* pid sleeps in rt_sigtimedwait: while it does, the kernel shows the
 * signals it waits for as unblocked, though none of them is lost. */
static int in_sigtimedwait(pid_t pid)
{
	char path[64];
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/syscall", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr == SYS_rt_sigtimedwait;
}

/* pid runs exe and has SIGTERM caught or blocked (or waits for signals in
 * rt_sigtimedwait, as tini and some pidone builds do). */
static int ready(pid_t pid, const char *exe)
{
	char path[64], buf[4096], link[PATH_MAX];
	unsigned long long blk = 0, cgt = 0, term = 1ULL << (SIGTERM - 1);
	ssize_t n;
	int fd;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	if (strcmp(link, exe))
		return 0;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "\nSigBlk:");
	if (p)
		blk = strtoull(p + 8, NULL, 16);
	p = strstr(buf, "\nSigCgt:");
	if (p)
		cgt = strtoull(p + 8, NULL, 16);
	return ((blk | cgt) & term) != 0 || in_sigtimedwait(pid);
}

static void one(char **argv, const char *exe, int null, long long *rdy, long long *all)
{
	long long t0 = ns_now(), deadline = t0 + 5000000000LL;
	pid_t u, init = 0;
	int st;

	*rdy = *all = -1;
	u = fork();
	if (u < 0)
		return;
	if (u == 0) {
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	while (ns_now() < deadline) {
		if (!init)
			init = child_of(u);
		if (init && ready(init, exe)) {
			*rdy = ns_now() - t0;
			break;
		}
		if (waitpid(u, &st, WNOHANG) == u)
			return;
		sched_yield(); /* two CPUs may be all there is: leave the init one */
	}
	if (!init || kill(init, *rdy < 0 ? SIGKILL : SIGTERM))
		kill(u, SIGKILL);
	alarm(10);
	if (waitpid(u, &st, 0) == u && *rdy >= 0)
		*all = ns_now() - t0;
	alarm(0);
}

int main(int argc, char **argv)
{
	int rounds, nc = 0, null = open("/dev/null", O_RDWR | O_CLOEXEC);
	static char *cmd[32][64], exe[32][PATH_MAX];

	if (argc < 3)
		return 2;
	rounds = atoi(argv[1]);
	/* Each "INIT ARGS" between "::" becomes "unshare -fp INIT ARGS". */
	for (int i = 2; i < argc && nc < 32; nc++) {
		int n = 2;

		if (!realpath(argv[i], exe[nc]))
			return 2;
		cmd[nc][0] = "/usr/bin/unshare";
		cmd[nc][1] = "-fp";
		for (; i < argc && strcmp(argv[i], "::") && n < 63; i++)
			cmd[nc][n++] = argv[i];
		cmd[nc][n] = NULL;
		i++;
	}
	for (int r = 0; r < rounds; r++) {
		long long rdy[32], all[32];

		for (int k = 0; k < nc; k++) {
			int i = (k + r) % nc;

			one(cmd[i], exe[i], null, &rdy[i], &all[i]);
		}
		for (int i = 0; i < nc; i++)
			printf("%lld %lld%c", rdy[i], all[i], i + 1 < nc ? ' ' : '\n');
	}
	return 0;
}
