/* init.c: pidone's main: read the options, set up, start the command, and
 * hand over to the wait loop. */
#include "pidone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int print(const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		say_errno("write");
		return EXIT_PIDONE;
	}
	return 0;
}

/* Set-up that holds for the whole life of pidone, with or without a command. */
static int become_reaper(const struct config *cfg, bool pid1)
{
	/* Not PID 1: orphans below us should come to us, not to the real init. */
	if (!pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		say_errno("prctl PR_SET_CHILD_SUBREAPER");
		return -1;
	}
	if (cfg->pdeath_signal &&
	    prctl(PR_SET_PDEATHSIG, cfg->pdeath_signal, 0, 0, 0) != 0) {
		say_errno("prctl PR_SET_PDEATHSIG");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	extern char **environ;
	static struct config cfg;
	struct inherited inh;
	char err[256];
	bool pid1;
	pid_t child = 0;

	if (config_parse(&cfg, argc, argv, environ, err, sizeof err) != 0) {
		say("%s", err);
		fputs(usage_line, stderr);
		return EXIT_PIDONE;
	}
	switch (cfg.action) {
	case ACT_HELP:
		return print(help_text);
	case ACT_VERSION:
		/* docker info reads "tini version X"; the _pidone suffix says who. */
		return print("tini version " PIDONE_VERSION "_pidone\n");
	case ACT_LICENSE:
		return print(license_text);
	case ACT_RUN:
	case ACT_PAUSE:
		break;
	}
	pid1 = getpid() == 1;
	if (become_reaper(&cfg, pid1) != 0 || signals_block_all(&inh) != 0)
		return EXIT_PIDONE;
	if (cfg.action == ACT_PAUSE) {
		if (signals_pause() != 0)
			return EXIT_PIDONE;
	} else {
		child = spawn(&cfg, &inh);
		if (child < 0)
			return EXIT_PIDONE;
		if (cfg.verbosity >= 1)
			say("started %s as pid %d", cfg.argv[0], (int)child);
		if (signals_forward(&cfg, cfg.single_child ? child : -child, pid1) != 0)
			return EXIT_PIDONE;
	}
	return reap_loop(&cfg, child, pid1);
}
