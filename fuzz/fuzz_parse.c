/* fuzz_parse.c: libFuzzer target for everything pidone parses from outside:
 * the command line and the environment (config_parse: options, durations,
 * exit codes, rewrite specs, lists, switches), signal names (signal_parse,
 * signal_name), wait statuses (exit_code, exit_code_remap) and the
 * --restrict-* options with what each Landlock ABI makes of them
 * (restrict_plan).
 * signal_name), wait statuses (exit_code, exit_code_remap), --expand-env
 * (expand_arg, expand_argv), --user (user_spec_check, and user_resolve with
 * the whole input as /etc/passwd and /etc/group) and --explain (explain).
 *
 * Input layout: byte 0 sets the size of the error buffer (1..256), the rest
 * is split on NUL bytes. Pieces up to the first empty piece (two NULs in a
 * row) are argv, argv[0] included; the pieces after it are the environment.
 * Each piece is copied to its own exact-size allocation so that AddressSanitizer
 * sees any read past its end. Every result is checked against what pidone.h
 * promises; a broken promise aborts, which libFuzzer reports as a crash.
 *
 * Build and run: make fuzz (FUZZ_SECONDS=60). Replay one input:
 * build/fuzz/fuzz_parse FILE. */
#include "pidone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

enum { MAX_PIECES = 128 };

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_parse: broken promise: %s\n", what);
		abort();
	}
}

static char *copy(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

static void check_signal(const char *text)
{
	char name[16];
	int sig = signal_parse(text);

	check(sig >= 0 && sig <= MAXSIG, "signal_parse result in 0..MAXSIG");
	if (sig > 0) {
		signal_name(sig, name);
		check(memchr(name, '\0', sizeof name) != NULL, "signal_name terminated");
		/* A SIG name pidone prints must read back as the same signal
		 * (32 and 33 have none: they print as "signal 32"). */
		if (strncmp(name, "SIG", 3) == 0)
			check(signal_parse(name) == sig, "signal_name round trip");
	}
}

/* The --restrict-* options, and what each Landlock ABI makes of them: only
 * rights the ABI knows, and best effort never refuses. */
static void check_restrict(const struct restrict_cfg *rs)
{
	static const uint64_t known_fs[] = { 0, 0x1fff, 0x3fff, 0x7fff, 0x7fff, 0xffff, 0xffff,
					     0xffff, 0xffff };

	check(rs->on <= (R_WRITE | R_EXEC | R_BIND | R_CONNECT | R_SCOPE | R_IOCTL),
	      "restrict bits");
	check(rs->nwrite <= RESTRICT_LISTS && rs->nexec <= RESTRICT_LISTS &&
	      rs->nioctl <= RESTRICT_LISTS, "path lists");
	check(rs->nbind <= RESTRICT_PORTS && rs->nconnect <= RESTRICT_PORTS, "port lists");
	check(rs->nwrite == 0 || (rs->on & R_WRITE), "write paths only when restricting");
	check(rs->nexec == 0 || (rs->on & R_EXEC), "exec paths only when restricting");
	for (unsigned i = 0; i < rs->nwrite; i++)
		check(restrict_path_check(rs->write[i]) == 0, "write paths absolute");
	for (unsigned i = 0; i < rs->nexec; i++)
		check(restrict_path_check(rs->exec[i]) == 0, "exec paths absolute");
	for (unsigned i = 0; i < rs->nioctl; i++)
		check(restrict_path_check(rs->ioctl[i]) == 0, "ioctl paths absolute");
	for (int abi = 0; abi < (int)(sizeof known_fs / sizeof known_fs[0]); abi++) {
		struct landlock_plan plan;
		char err[200];

		if (restrict_plan(rs, abi, &plan, err, sizeof err) != 0) {
			check(!rs->best_effort, "best effort never refuses");
			check(err[0] != '\0' && memchr(err, '\0', sizeof err), "refusal says why");
			continue;
		}
		check((plan.fs & ~known_fs[abi]) == 0, "only fs rights the ABI knows");
		check(abi >= 4 || plan.net == 0, "no net rights before ABI 4");
		check(abi >= 6 || plan.scoped == 0, "no scopes before ABI 6");
		check((plan.write & ~plan.fs) == 0, "write rights are handled");
		check(rs->on || (plan.fs == 0 && plan.net == 0 && plan.scoped == 0),
		      "nothing asked, nothing handled");
	}
}

static void check_config(const struct config *cfg, int argc, char **argv)
{
	check(cfg->action <= ACT_LICENSE, "action");
	check(cfg->log_format == LOG_TEXT || cfg->log_format == LOG_JSON, "log format");
	check(cfg->grace_ms <= 86400u * 1000u, "grace at most a day");
	check(cfg->verbosity >= 0, "verbosity");
	check(cfg->pdeath_signal >= 0 && cfg->pdeath_signal <= MAXSIG, "pdeath signal");
	check(cfg->drain_signal >= 1 && cfg->drain_signal <= MAXSIG, "drain signal");
	for (int sig = 0; sig <= MAXSIG; sig++)
		check(cfg->rewrite[sig] <= MAXSIG, "rewrite target");
	check(cfg->rewrite[SIGKILL] == SIGKILL && cfg->rewrite[SIGSTOP] == SIGSTOP &&
	      cfg->rewrite[SIGCHLD] == SIGCHLD, "KILL, STOP, CHLD never rewritten");
	if (cfg->action == ACT_RUN) {
		check(cfg->argv != NULL, "a command to run");
		check(cfg->argv > argv && cfg->argv < argv + argc, "command inside argv");
		check(cfg->argv[0] != NULL, "command not empty");
	}
	if (cfg->action == ACT_PAUSE)
		check(cfg->argv == NULL, "pause runs nothing");
	for (int code = 0; code < 256; code++) {
		int r = exit_code_remap(cfg, code);

		check(r == code || r == 0, "remap gives the code or 0");
	}	check_restrict(&cfg->rs);
	/* -h, -V and -l return before the options are checked together. */
	if (cfg->action == ACT_RUN || cfg->action == ACT_PAUSE)
		check(!cfg->rs.dev || (cfg->rs.on & R_WRITE),
		      "--restrict-dev only with --restrict-write");
	if (cfg->action == ACT_PAUSE)
		check(cfg->rs.on == 0, "pause restricts nothing");
}

/* Every piece as an argument to expand: the length does not depend on the
 * buffer, and what a short buffer holds is the start of the whole. */
static void check_expand(const char *arg, char **envp)
{
	char small[8];
	long n = expand_arg(arg, envp, NULL, 0);
	char *full;

	memset(small, 'x', sizeof small);
	check(expand_arg(arg, envp, small, sizeof small) == n, "expand length, short buffer");
	check(memchr(small, '\0', sizeof small) != NULL, "short expansion terminated");
	if (n < 0)
		return;
	full = malloc((size_t)n + 1);
	if (!full)
		abort();
	check(expand_arg(arg, envp, full, (size_t)n + 1) == n, "expand length, full buffer");
	check(strlen(full) == (size_t)n, "expansion is one string");
	check(strncmp(full, small, strlen(small)) == 0, "short expansion is a prefix");
	free(full);
}

static void check_expand_argv(char **argv, char **envp)
{
	char err[64];
	size_t size = expand_argv_size(argv, envp, err, sizeof err);
	void *buf;
	char **out;
	int n = 0;

	if (size == 0) {
		check(strstr(err, "--expand-env") != NULL, "expand error names the option");
		return;
	}
	buf = malloc(size);
	if (!buf)
		abort();
	out = expand_argv(argv, envp, buf, size);
	for (; argv[n]; n++)
		check(out[n] != NULL && (char *)out[n] < (char *)buf + size, "expanded word inside buf");
	check(out[n] == NULL, "expanded argv as long as argv");
	free(buf);
}

/* A spec against the input as /etc/passwd and /etc/group. */
static void check_user(const char *spec, const char *text, size_t len)
{
	static struct identity id;
	char err[96];

	if (user_spec_check(spec, err, sizeof err) != 0) {
		check(err[0] != '\0', "a bad spec says why");
		return;
	}
	if (user_resolve(&id, spec, text, len, text, len, 7, len % 2, err, sizeof err) != 0) {
		check(err[0] != '\0', "a failed lookup says why");
		return;
	}
	check(id.ngroups <= MAX_GROUPS, "at most MAX_GROUPS groups");
	check(memchr(id.user, '\0', sizeof id.user) && memchr(id.group, '\0', sizeof id.group),
	      "names terminated");
	check(id.home_env[0] == '\0' || strncmp(id.home_env, "HOME=", 5) == 0, "HOME=...");
}

struct lines {
	size_t lines, len;
	bool from; /* " (from: " on this line */
	char tail[8];
};

/* --explain's callback: whole lines, each with its source. */
static int count_lines(void *ctx, const char *text, size_t len)
{
	struct lines *l = ctx;

	for (size_t i = 0; i < len; i++) {
		memmove(l->tail, l->tail + 1, sizeof l->tail - 1);
		l->tail[sizeof l->tail - 1] = text[i];
		if (memcmp(l->tail, " (from: ", 8) == 0)
			l->from = true;
		if (text[i] == '\n') {
			check(l->from && l->tail[6] == ')', "line ends with its source");
			l->lines++;
			l->from = false;
		}
	}
	l->len += len;
	return 0;
}

static void check_explain(const struct config *cfg, char **envp)
{
	struct lines l = { 0 };

	check(explain(cfg, NULL, envp, count_lines, &l) == 0, "explain succeeds");
	check(l.lines == NSETTINGS, "one line per setting");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pieces[MAX_PIECES + 2];
	char *argv[MAX_PIECES + 2], *envp[MAX_PIECES + 2];
	int npieces = 0, argc = 0, nenv = 0;
	bool in_env = false;
	static struct config cfg;
	size_t errlen, start;
	char *err;

	if (size < 1)
		return 0;
	errlen = 1 + data[0] % 256;
	start = 1;
	for (size_t i = 1; i <= size && npieces < MAX_PIECES; i++) {
		if (i < size && data[i] != '\0')
			continue;
		pieces[npieces] = copy(data + start, i - start);
		if (!in_env && i == start && argc > 0) {
			in_env = true; /* the empty piece separates argv from env */
		} else if (in_env) {
			envp[nenv++] = pieces[npieces];
		} else {
			argv[argc++] = pieces[npieces];
		}
		npieces++;
		start = i + 1;
	}
	argv[argc] = NULL;
	envp[nenv] = NULL;

	for (int i = 0; i < npieces; i++) {
		check_signal(pieces[i]);
		check_expand(pieces[i], envp);
		check_user(pieces[i], (const char *)data + 1, size - 1);
	}
	if (size >= 5) {
		int status;

		memcpy(&status, data + 1, sizeof status);
		int code = exit_code(status);

		check(code >= 0 && code <= 128 + MAXSIG + 127, "exit code range");
		if (WIFEXITED(status) || WIFSIGNALED(status))
			check(code <= 255, "exit code fits a byte");
	}

	err = malloc(errlen);
	if (!err)
		abort();
	memset(err, 'x', errlen);
	if (config_parse(&cfg, argc, argv, envp, err, errlen) == 0) {
		check(err[0] == '\0', "no message on success");
		check_config(&cfg, argc, argv);
		if (cfg.action == ACT_RUN)
			check_expand_argv(cfg.argv, envp);
		check_explain(&cfg, envp);
	} else {
		check(memchr(err, '\0', errlen) != NULL, "message terminated");
		check(errlen < 2 || err[0] != '\0', "a failure says why");
	}
	free(err);
	for (int i = 0; i < npieces; i++)
		free(pieces[i]);
	return 0;
}
