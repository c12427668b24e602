/* orphan.h: making orphans for the init above us, shared by orphans.c and
 * sigchild.c. An orphan: vfork a middle process, which forks the grandchild
 * and exits at once; the grandchild exits at once too, so the init (PID 1 of
 * the namespace) inherits it and must reap it. The middle is our child and we
 * reap it ourselves. */
#ifndef BENCH_ORPHAN_H
#define BENCH_ORPHAN_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static volatile pid_t orphan_slot;

/* One orphan; returns its pid (in our namespace), or -1. */
static pid_t make_orphan(void)
{
	pid_t mid;

	orphan_slot = -1;
	mid = vfork();
	if (mid == 0) {
		/* Shares our memory until it exits: a raw fork, no libc state. */
		long g = syscall(SYS_fork);

		if (g == 0)
			syscall(SYS_exit_group, 0);
		orphan_slot = (pid_t)g;
		_exit(0);
	}
	if (mid < 0)
		return -1;
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	return orphan_slot > 0 ? orphan_slot : -1;
}

/* Wait (polling, bounded) until pid is reaped: kill(pid, 0) succeeds on a
 * zombie. Every pid in the namespace is ours, so a reused pid is an orphan
 * we made too. */
static int gone(pid_t pid, double deadline)
{
	while (kill(pid, 0) == 0) {
		struct timespec d = { 0, 50000 };

		if (ms_now() > deadline)
			return 0;
		nanosleep(&d, NULL);
	}
	return 1;
}

static char init_stat[64], init_syscall[64];

/* Our parent, the init, as the mounted /proc names it: getppid() is 1 in our
 * namespace, but /proc is usually the host's, so ask /proc/self. */
static void find_init(void)
{
	FILE *f = fopen("/proc/self/stat", "r");
	char line[512], *p;
	int pp = (int)getppid();

	if (f && fgets(line, sizeof line, f) && (p = strrchr(line, ')')))
		sscanf(p + 2, "%*c %d", &pp);
	if (f)
		fclose(f);
	snprintf(init_stat, sizeof init_stat, "/proc/%d/stat", pp);
	snprintf(init_syscall, sizeof init_syscall, "/proc/%d/syscall", pp);
}

/* The init's state and the call it is blocked in ("S 61"), or "". */
static void init_state(char *buf, size_t len)
{
	char st[512], sc[48], *p;
	int fd;
	ssize_t n;

	buf[0] = '\0';
	fd = open(init_stat, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, st, sizeof st - 1);
	close(fd);
	if (n <= 0)
		return;
	st[n] = '\0';
	p = strrchr(st, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return;
	fd = open(init_syscall, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, sc, sizeof sc - 1);
	close(fd);
	if (n <= 0 || sc[0] < '0' || sc[0] > '9')
		return;
	sc[n] = '\0';
	sc[strcspn(sc, " \n")] = '\0';
	snprintf(buf, len, "S %s", sc);
}

/* Note how the idle init sleeps (bounded: 5 s), into idle[64]. */
static void init_idle_state(char *idle)
{
	double until = ms_now() + 5000;

	find_init();
	idle[0] = '\0';
	while (!idle[0] && ms_now() < until) {
		struct timespec d = { 0, 1000000 };

		init_state(idle, 64);
		if (!idle[0])
			nanosleep(&d, NULL);
	}
}

/* Wait (polling, bounded) until the init sleeps as it did when idle. */
static int init_asleep(const char *idle, double deadline)
{
	char now[64];

	if (!idle[0])
		return 1;
	for (;;) {
		struct timespec d = { 0, 20000 };

		init_state(now, sizeof now);
		if (!strcmp(now, idle))
			return 1;
		if (ms_now() > deadline)
			return 0;
		nanosleep(&d, NULL);
	}
}

/* n orphans, each made once the last is reaped and the init asleep again;
 * returns how many were made and reaped. */
static long paced_orphans(long n, const char *idle, long *not_asleep)
{
	long i;

	for (i = 0; i < n; i++) {
		pid_t g = make_orphan();

		if (g < 0 || !gone(g, ms_now() + 10000))
			break;
		if (!init_asleep(idle, ms_now() + 10000))
			(*not_asleep)++;
	}
	return i;
}

#endif
