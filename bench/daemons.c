/* daemons: a command that leaves daemonized helpers behind, for the
 * `docker stop` benchmark.
 *
 *   daemons K DIR READY_FD RECORDS [stuck]
 *
 * Starts K helpers the way daemon(3) does: fork, the middle calls setsid()
 * and forks again, then exits, so each helper is an orphan the init adopts,
 * in a session of its own (forwarding to the command's process group does not
 * reach it). Helper i keeps RECORDS records in memory; on SIGTERM it writes
 * them to DIR/helper.i, one write each with 1 ms of work between them (a
 * flush that takes about RECORDS ms), fsyncs, and renames DIR/helper.i.tmp
 * to DIR/helper.i.done as the marker that the data is complete. Each helper
 * writes 'h' on READY_FD once its handler is set; the command writes 'c' after
 * the last, then waits for a signal with the dispositions it inherited (the
 * init's SIGTERM kills it, as it would most programs). "stuck": the helpers
 * ignore SIGTERM and write nothing; only SIGKILL ends them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int flush(const char *dir, int i, int records)
{
	char path[4096], tmp[4096], done[4096], rec[64];
	struct timespec ms = { 0, 1000000 };
	int fd;

	snprintf(path, sizeof path, "%s/helper.%d", dir, i);
	snprintf(tmp, sizeof tmp, "%s/helper.%d.tmp", dir, i);
	snprintf(done, sizeof done, "%s/helper.%d.done", dir, i);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return 1;
	for (int r = 0; r < records; r++) {
		int n = snprintf(rec, sizeof rec, "helper %d record %d\n", i, r);

		if (write(fd, rec, n) != n)
			return 1;
		nanosleep(&ms, NULL);
	}
	if (fsync(fd) || close(fd))
		return 1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) || rename(tmp, done))
		return 1;
	return 0;
}

static void helper(const char *dir, int i, int ready, int records, int stuck)
{
	struct sigaction sa;
	sigset_t none, term;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = stuck ? SIG_IGN : on_term;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	/* SIGTERM blocked until we sleep in sigsuspend: none is missed. */
	if (sigprocmask(SIG_BLOCK, &term, &none) || sigaction(SIGTERM, &sa, NULL))
		_exit(1);
	sigdelset(&none, SIGTERM);
	if (write(ready, "h", 1) != 1)
		_exit(1);
	close(ready);
	while (!stop)
		sigsuspend(&none);
	_exit(flush(dir, i, records));
}

int main(int argc, char **argv)
{
	int k, ready, records, stuck = argc == 6 && !strcmp(argv[5], "stuck");

	if (argc != 5 && !stuck) {
		fprintf(stderr, "usage: daemons K DIR READY_FD RECORDS [stuck]\n");
		return 2;
	}
	k = atoi(argv[1]);
	ready = atoi(argv[3]);
	records = atoi(argv[4]);
	for (int i = 0; i < k; i++) {
		pid_t p = fork(), q;
		int st;

		if (p < 0)
			return 1;
		if (p == 0) {
			if (setsid() < 0)
				_exit(1);
			q = fork();
			if (q < 0)
				_exit(1);
			if (q == 0)
				helper(argv[2], i, ready, records, stuck);
			_exit(0);
		}
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
	}
	if (write(ready, "c", 1) != 1)
		return 1;
	close(ready);
	for (;;)
		pause();
}
