/* sigrecord SIG: a guest command for test_qemu.py, built for each
 * architecture against the cross toolchain's static glibc (which, unlike
 * musl, lets a program handle 34, glibc's and Docker's SIGRTMIN). It forks a
 * grandchild, in its process group; each sets a handler for SIG, says
 * "<who> ready", and on SIG writes "<who> got SIG". The grandchild then
 * exits 0; the child waits for it first, then exits 0: were the command to
 * end at once, pidone's drain could stop the grandchild before qemu ran its
 * handler. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char line[64];
static size_t len;
static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, line, len) != (ssize_t)len)
		_exit(1);
	got = 1;
}

int main(int argc, char **argv)
{
	const char *who = "child";
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, before;
	char ready[32];
	int sig, n, status;

	if (argc != 2 || (sig = atoi(argv[1])) <= 0) {
		fputs("usage: sigrecord SIG\n", stderr);
		return 2;
	}
	/* Blocked from before the handler until sigsuspend(): none is missed. */
	sigemptyset(&block);
	sigaddset(&block, sig);
	if (sigprocmask(SIG_BLOCK, &block, &before) != 0) {
		perror("sigrecord: sigprocmask");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("sigrecord: fork");
		return 1;
	}
	if (pid == 0)
		who = "grandchild";
	len = (size_t)snprintf(line, sizeof line, "%s got %d\n", who, sig);
	if (sigaction(sig, &sa, NULL) != 0) {
		fprintf(stderr, "sigrecord: sigaction %d: %s\n", sig, strerror(errno));
		return 1;
	}
	n = snprintf(ready, sizeof ready, "%s ready\n", who);
	if (write(STDOUT_FILENO, ready, (size_t)n) != n)
		return 1;
	for (int i = 0; i < 1000 && !got; i++) /* timeout bounds it in time */
		sigsuspend(&before);
	if (!got)
		return 1;
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || status != 0))
		return 1;
	return 0;
}
