/* spawn.c: fork the command, make it its own foreground job, exec it. */
#include "pidone.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

/* PATH as execvp() reads it: the environment's, or the default. */
const char *exec_path(void)
{
	const char *path = env_get(environ, "PATH");

	return path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* The next "DIR/cmd" of a PATH search, into file, as execvp() tries them:
 * an empty entry is the current directory. Moves *path past the entry, to
 * NULL after the last; false if the name does not fit in file. */
bool path_next(const char **path, const char *cmd, char *file, size_t size)
{
	const char *dir = *path;
	size_t n = (size_t)(strchrnul(dir, ':') - dir);

	*path = dir[n] ? dir + n + 1 : NULL;
	if (n == 0) {
		dir = ".";
		n = 1;
	}
	return fmt(file, size, "%.*s/%s", (int)n, dir, cmd) < size;
}

/* The command's path after a PATH search, in the manner of execvp(), but
 * noting why it failed: the first error other than "not here" wins. */
static int exec_search(char **argv, char *tried, size_t triedlen)
{
	const char *cmd = argv[0];
	int err = ENOENT;

	tried[0] = '\0';
	if (cmd[0] == '\0') /* as execvp(): no file has an empty name */
		return ENOENT;
	if (*strchrnul(cmd, '/')) {
		execve(cmd, argv, environ);
		fmt(tried, triedlen, "%s", cmd);
		return errno;
	}
	for (const char *path = exec_path(); path;) {
		char file[PATH_MAX];

		if (!path_next(&path, cmd, file, sizeof file))
			continue;
		execve(file, argv, environ);
		if (errno != ENOENT && errno != ENOTDIR) {
			fmt(tried, triedlen, "%s", file);
			err = errno;
			if (errno != EACCES)
				return err;
		}
	}
	if (err == ENOENT)
		fmt(tried, triedlen, "%s", cmd);
	return err;
}

/* In the child: never returns. */
static void run_child(const struct config *cfg, const struct inherited *inh,
		      bool foreground, const struct run *run, int report, int ruleset)
{
	char tried[PATH_MAX];
	int err;

	if (!cfg->single_child) {
		if (setpgid(0, 0) != 0) {
			say_errno("setpgid");
			_exit(EXIT_PIDONE);
		}
		/* Signals are still blocked, so this cannot stop us with SIGTTOU. */
		if (foreground && tty_set_group(getpid()) != 0)
			say_errno("tcsetpgrp");
	}
	if (run->ident)
		become(run->ident, report);
	landlock_enter(ruleset); /* --restrict-*: the command's rules */
	signals_restore(inh);
	err = exec_search(cfg->argv, tried, sizeof tried);
	/* ENOENT for a file that exists: its #! interpreter or loader is missing.
	 * Without a '/', tried is the bare name PATH did not have: not a file. */
	if (err == ENOENT && *strchrnul(tried, '/') && access(tried, F_OK) == 0) {
		say("exec %.200s: %s (its interpreter or loader is missing)", tried,
		    strerror(err));
		_exit(EXIT_CANNOT_RUN);
	}
	say("exec %.200s: %s", tried, strerror(err));
	_exit(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* Start the command and fill in run; 0, or -1 if it could not start. */
int spawn(const struct config *cfg, const struct inherited *inh, struct run *run)
{
	/* Hand over the terminal only if it is ours to give: never steal it from
	 * the shell that started pidone in the background. */
	pid_t fg = cfg->single_child ? -1 : tty_group();
	bool foreground = fg > 0 && fg == getpgrp();
	int report[2] = { -1, -1 }; /* --user: did the child become the user? */
	int ruleset;
	pid_t pid;

	/* Any refusal of the --restrict-* rules comes before anything starts. */
	if (landlock_prepare(cfg, &ruleset) != 0)
		return -1;
	if (run->ident && become_report_open(report) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		say_errno("fork");
		return -1;
	}
	if (pid == 0)
		run_child(cfg, inh, foreground, run, report[1], ruleset);
	if (ruleset >= 0)
		close(ruleset);
	/* Both sides set the group, so a signal forwarded right away finds it. */
	if (!cfg->single_child && setpgid(pid, pid) != 0 && errno != EACCES &&
	    errno != ESRCH) {
		say_errno("setpgid");
		return -1;
	}
	if (run->ident && become_report_wait(pid, report) != 0) {
		if (foreground) /* the child took it, then failed to become the user */
			tty_give(getpgrp());
		return -1;
	}
	run->child = pid;
	run->target = cfg->single_child ? pid : -pid;
	run->tty = fg > 0 && !run->pid1;
	run->name = cfg->argv[0];
	return 0;
}
