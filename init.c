/* init.c: pidone's main: read the options, set up, start the command, and
 * hand over to the wait loop. */
#include "pidone.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* --help, --version, --license and --explain: the only things pidone writes
 * to stdout. */
static int print_n(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, text, len);

		if (n < 0) {
			say_errno("write");
			return EXIT_PIDONE;
		}
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

static int print(const char *text)
{
	return print_n(NULL, text, strlen(text));
}

/* --expand-env: the command, expanded into memory of its own, which it
 * keeps (the messages name it). */
static int expand_command(struct config *cfg)
{
	char err[160];
	size_t size = expand_argv_size(cfg->argv, environ, err, sizeof err);
	void *buf;

	if (size == 0) {
		say("%s", err);
		return -1;
	}
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		say_errno("mmap");
		return -1;
	}
	cfg->argv = expand_argv(cfg->argv, environ, buf, size);
	return 0;
}

/* What pidone works out before it starts anything: the command after
 * --expand-env, the user after --user. Then --explain shows it all.
 * Returns the code to exit with, or -1 to go on and start the command. */
static int prepare(struct config *cfg, struct run *run)
{
	if (cfg->expand_env && cfg->argv && expand_command(cfg) != 0)
		return EXIT_PIDONE;
	if (cfg->user) {
		run->ident = become_lookup(cfg->user);
		if (!run->ident)
			return EXIT_PIDONE;
	}
	if (cfg->explain)
		return explain(cfg, run->ident, environ, print_n, NULL) == 0 ? 0 : EXIT_PIDONE;
	return -1;
}

/* Set-up that holds for the whole life of pidone, with or without a command. */
static int become_reaper(const struct config *cfg, bool pid1)
{
	/* Not PID 1: orphans below us should come to us, not to the real init.
	 * Where the kernel refuses (qemu-user, Linux before 3.4) the command
	 * still runs, signals are still forwarded, and its orphans go to the
	 * real init, as with tini and dumb-init: a warning, not a failure. */
	if (!pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		note(LVL_WARN, "subreaper", "prctl PR_SET_CHILD_SUBREAPER: %s; orphans will go "
		     "to the real init, not to pidone", strerror(errno));
	if (cfg->pdeath_signal &&
	    prctl(PR_SET_PDEATHSIG, cfg->pdeath_signal, 0, 0, 0) != 0) {
		say_errno("prctl PR_SET_PDEATHSIG");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	struct inherited inh;
	struct run run = { 0 };
	char err[256];
	int rc;

	if (relro_protect() != 0)
		return EXIT_PIDONE;
	if (config_parse(&cfg, argc, argv, environ, err, sizeof err) != 0) {
		say("%s", err);
		(void)!write(STDERR_FILENO, usage_line, strlen(usage_line));
		return EXIT_PIDONE;
	}
	log_json(cfg.log_format == LOG_JSON);
	switch (cfg.action) {
	case ACT_HELP:
		return print(help_text);
	case ACT_VERSION:
		/* docker info parses "tini version X - git.COMMIT" and shows the
		 * commit: both halves say pidone. */
		return print("tini version " PIDONE_VERSION "_pidone - git.pidone\n");
	case ACT_LICENSE:
		return print(license_text);
	case ACT_RUN:
	case ACT_PAUSE:
		break;
	}
	rc = prepare(&cfg, &run);
	if (rc >= 0)
		return rc;
	run.self = getpid();
	run.pid1 = run.self == 1;
	if (become_reaper(&cfg, run.pid1) != 0 || signals_block_all(&inh) != 0)
		return EXIT_PIDONE;
#ifdef PIDONE_TEST_HOOKS
	/* Test builds only: a signal that comes while the handlers are set up. */
	if (env_get(environ, "PIDONE_TEST_RAISE"))
		kill(run.self, signal_parse(env_get(environ, "PIDONE_TEST_RAISE")));
#endif
	if (cfg.action == ACT_PAUSE) {
		if (signals_pause() != 0)
			return EXIT_PIDONE;
		confine(&cfg);
	} else {
		if (spawn(&cfg, &inh, &run) != 0)
			return EXIT_PIDONE;
		if (cfg.verbosity >= 1) {
			char cmd[64], fields[96];

			json_escape(cmd, sizeof cmd, run.name);
			fmt(fields, sizeof fields, "\"pid\":%d,\"command\":\"%s\"", (int)run.child, cmd);
			note_fields(LVL_INFO, "start", fields, "started %s as pid %d", run.name,
				    (int)run.child);
		}
		if (signals_forward(&cfg, &run) != 0) {
			/* Set-up failed: take the command down with us, not leave it. */
			kill(run.child, SIGKILL);
			return EXIT_PIDONE;
		}
		/* Only now: the command got everything pidone was given. */
		confine(&cfg);
	}
	return reap_loop(&cfg, &run);
}
