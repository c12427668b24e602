/* sigsend: send signals to inits and time or count what their child gets.
 *
 *   sigsend lat ROUNDS PID:ACKFD...  SIGUSR1 to each target in turn (the
 *       order rotates every round), waiting for the one-byte ack on ACKFD;
 *       prints per target "min p25 median p75 max lost" in nanoseconds.
 *   sigsend n COUNT PID:ACKFD        COUNT SIGUSR1, each acked before the
 *       next; prints the number acked.
 *   sigsend burst COUNT PID          COUNT SIGRTMIN+1 as fast as possible
 *       (sigqueue; EAGAIN from a full queue is retried), then SIGRTMIN+2 as
 *       end marker; prints "sent N eagain E".
 * Every wait for an ack is bounded (2 s). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long ns_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int wait_ack(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, 2000) != 1)
		return -1;
	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int target(const char *arg, pid_t *pid, int *fd)
{
	return sscanf(arg, "%d:%d", pid, fd) == 2 ? 0 : -1;
}

static int latency(int rounds, int nt, char **args)
{
	pid_t pid[nt];
	int fd[nt], lost[nt];
	long long *v[nt];

	for (int i = 0; i < nt; i++) {
		if (target(args[i], &pid[i], &fd[i]))
			return 2;
		v[i] = calloc(rounds, sizeof(long long));
		lost[i] = 0;
	}
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < nt; k++) {
			int i = (k + r) % nt;
			long long t0 = ns_now();

			kill(pid[i], SIGUSR1);
			if (wait_ack(fd[i]) != 0) {
				lost[i]++;
				v[i][r] = -1;
				continue;
			}
			v[i][r] = ns_now() - t0;
		}
	}
	for (int i = 0; i < nt; i++) {
		int m = 0;

		for (int r = 0; r < rounds; r++)
			if (v[i][r] >= 0)
				v[i][m++] = v[i][r];
		qsort(v[i], m, sizeof(long long), cmp);
		if (m == 0) {
			printf("-1 -1 -1 -1 -1 %d\n", lost[i]);
			continue;
		}
		printf("%lld %lld %lld %lld %lld %d\n", v[i][0], v[i][m / 4],
		       v[i][m / 2], v[i][(3 * m) / 4], v[i][m - 1], lost[i]);
	}
	return 0;
}

static int counted(int count, const char *arg)
{
	pid_t pid;
	int fd, acked = 0;

	if (target(arg, &pid, &fd))
		return 2;
	for (int i = 0; i < count; i++) {
		kill(pid, SIGUSR1);
		if (wait_ack(fd) != 0)
			break;
		acked++;
	}
	printf("%d\n", acked);
	return acked == count ? 0 : 1;
}

static int queue(pid_t pid, int sig, long long deadline, long *eagain)
{
	union sigval v = { .sival_int = 0 };

	while (sigqueue(pid, sig, v) != 0) {
		if (errno != EAGAIN || ns_now() > deadline)
			return -1;
		(*eagain)++;
		sched_yield();
	}
	return 0;
}

static int burst(int count, pid_t pid)
{
	long long deadline = ns_now() + 20000000000LL;
	long eagain = 0;
	int sent = 0;

	for (; sent < count; sent++)
		if (queue(pid, SIGRTMIN + 1, deadline, &eagain) != 0)
			break;
	queue(pid, SIGRTMIN + 2, deadline, &eagain);
	printf("sent %d eagain %ld\n", sent, eagain);
	return sent == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "lat"))
		return latency(atoi(argv[2]), argc - 3, argv + 3);
	if (argc == 4 && !strcmp(argv[1], "n"))
		return counted(atoi(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "burst"))
		return burst(atoi(argv[2]), (pid_t)atoi(argv[3]));
	fprintf(stderr, "usage: sigsend lat ROUNDS PID:FD... | n COUNT PID:FD | burst COUNT PID\n");
	return 2;
}
