/* tty.c: the controlling terminal's foreground process group, which decides
 * who gets Ctrl-C and Ctrl-Z. pidone hands it to the command's group, takes
 * it back when the command stops or exits (when not PID 1), and never takes
 * it from a shell that started pidone in the background. */
#include "pidone.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* tcgetpgrp() and tcsetpgrp() on stdin, as the bare ioctl: libc's ioctl()
 * brings conversions for requests pidone never makes. */
pid_t tty_group(void)
{
	int pgrp;

	if (syscall(SYS_ioctl, STDIN_FILENO, TIOCGPGRP, &pgrp) != 0)
		return -1;
	return pgrp;
}

int tty_set_group(pid_t pgid)
{
	int pgrp = pgid;

	return (int)syscall(SYS_ioctl, STDIN_FILENO, TIOCSPGRP, &pgrp);
}

/* Whether pidone's group owns the terminal on stdin now. */
bool tty_foreground(void)
{
	pid_t fg = tty_group();

	return fg > 0 && fg == getpgrp();
}

/* Make pgid the foreground group. From the background tcsetpgrp() raises
 * SIGTTOU, which would stop pidone; blocked, it lets the call through. */
void tty_give(pid_t pgid)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	if (sigprocmask(SIG_BLOCK, &ttou, &old) != 0) {
		say_errno("sigprocmask");
		return;
	}
	if (tty_set_group(pgid) != 0)
		say_errno("tcsetpgrp");
	sigprocmask(SIG_SETMASK, &old, NULL);
}
