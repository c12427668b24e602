/* tty.c: the controlling terminal's foreground process group, which decides
 * who gets Ctrl-C and Ctrl-Z. pidone hands it to the command's group, takes
 * it back when the command stops or exits (when not PID 1), and never takes
 * it from a shell that started pidone in the background. */
#include "pidone.h"

#include <signal.h>
#include <unistd.h>

pid_t tty_group(void)
{
	return tcgetpgrp(STDIN_FILENO);
}

int tty_set_group(pid_t pgid)
{
	return tcsetpgrp(STDIN_FILENO, pgid);
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
	if (signals_mask(SIG_BLOCK, &ttou, &old) != 0) {
		say_errno("sigprocmask");
		return;
	}
	if (tty_set_group(pgid) != 0)
		say_errno("tcsetpgrp");
	signals_mask(SIG_SETMASK, &old, NULL);
}
