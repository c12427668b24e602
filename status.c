/* status.c: a wait status to pidone's exit code. Pure: no system calls. */
#include "pidone.h"

#include <sys/wait.h>

/* The shell's convention: the exit code, or 128+N for death by signal N. */
int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_PIDONE;
}

/* -e CODE: report that exit code of the child as success (tini's remap). */
int exit_code_remap(const struct config *cfg, int code)
{
	if (code >= 0 && code < 256 && (cfg->remap_exit[code / 64] >> (code % 64) & 1))
		return 0;
	return code;
}
