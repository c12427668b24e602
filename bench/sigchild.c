/* sigchild: the command under an init, for the signal benchmarks.
 *
 *   sigchild ack ACK_FD CTL_FD     each SIGUSR1 is acked with one byte on
 *                                  ACK_FD, written by the handler
 *   sigchild burst ACK_FD CTL_FD   counts SIGRTMIN+1; at SIGRTMIN+2 (the end
 *                                  marker) writes the count so far as an int
 *                                  on ACK_FD; at the end writes it again
 *   sigchild work ACK_FD CTL_FD N  acks SIGUSR1 as "ack" does; each byte 'o'
 *                                  read from CTL_FD makes N orphans, one at
 *                                  a time (see orphan.h), then writes 'D'
 *                                  ('F' if one was not reaped) on ACK_FD
 *
 * All write 'R' on ACK_FD once the handlers are in place, then block reading
 * CTL_FD and exit 0 at EOF (the driver closes its end). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "orphan.h"

static int ack_fd;
static volatile sig_atomic_t count;

static void on_usr1(int sig)
{
	int saved = errno;

	(void)sig;
	(void)!write(ack_fd, "a", 1);
	errno = saved;
}

static void on_rt(int sig)
{
	(void)sig;
	count++;
}

static void on_marker(int sig)
{
	int saved = errno, c = count;

	(void)sig;
	(void)!write(ack_fd, &c, sizeof c);
	errno = saved;
}

static void handle(int sig, void (*fn)(int), int also_block)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	/* The marker must not cut into a SIGRTMIN+1 handler: blocked meanwhile,
	 * it comes after every SIGRTMIN+1 already pending (lower numbers first). */
	if (also_block)
		sigaddset(&sa.sa_mask, also_block);
	sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
	sigset_t none;
	int ctl, burst, work;
	long orphans = 0;
	char buf[64], idle[64] = "";
	ssize_t got;

	if (argc < 4)
		return 2;
	burst = !strcmp(argv[1], "burst");
	work = !strcmp(argv[1], "work");
	ack_fd = atoi(argv[2]);
	ctl = atoi(argv[3]);
	if (work && argc > 4)
		orphans = atol(argv[4]);
	if (burst) {
		handle(SIGRTMIN + 1, on_rt, SIGRTMIN + 2);
		handle(SIGRTMIN + 2, on_marker, 0);
	} else {
		handle(SIGUSR1, on_usr1, 0);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)!write(ack_fd, "R", 1);
	while ((got = read(ctl, buf, sizeof buf)) != 0) {
		if (got < 0 || !work)
			continue;
		for (ssize_t i = 0; i < got; i++) {
			long not_asleep = 0;

			if (buf[i] != 'o')
				continue;
			if (!idle[0])
				init_idle_state(idle);
			if (paced_orphans(orphans, idle, &not_asleep) == orphans)
				(void)!write(ack_fd, "D", 1);
			else
				(void)!write(ack_fd, "F", 1);
		}
	}
	if (burst) {
		int c = count;

		(void)!write(ack_fd, &c, sizeof c);
	}
	return 0;
}
