/* options.c: the command line and the environment to a config. Pure: no
 * system calls, so every case is a unit test. */
#include "pidone.h"

#include <string.h>

const char usage_line[] =
	"usage: pidone [options] [--] command [args...]  |  pidone -P\n";

const char help_text[] =
	"pidone " PIDONE_VERSION ": PID 1 for containers. Runs the command, forwards every\n"
	"signal to its process group, reaps every zombie, stops the rest gracefully\n"
	"when it exits, and exits with its status (128+N if killed by signal N).\n"
	"\n"
	" -c, --single-child      signal the command only, not its group\n"
	" -g, --process-group     signal the command's group (default)\n"
	" -r, --rewrite S:R       forward signal S as R; R=0 drops S\n"
	" -e, --remap-exit CODE   exit 0 when the command exits CODE\n"
	" -p, --pdeath-signal SIG get SIG when pidone's parent dies\n"
	" -P, --pause             no command: reap; exit 0 on SIGTERM/SIGINT\n"
	"     --grace SECONDS     time the rest get to stop (5; 0 kills at once)\n"
	"     --drain-signal SIG  asks the rest to stop (SIGTERM)\n"
	"     --no-drain          exit as soon as the command exits\n"
	" -q, --quiet             no report when a signal kills the command\n"
	" -v, --verbose           say more (-vv: every reap)\n"
	" -w, --warn-reap         name every reaped orphan\n"
	"     --log-format FMT    text or json\n"
	"     --no-confine        keep privileges (no seccomp, capabilities, NNP)\n"
	" -s, --subreaper         accepted (always one when not PID 1)\n"
	" -V, --version; -l, -L, --license; -h, --help\n"
	"\n"
	"Each option has a PIDONE_ variable (PIDONE_GRACE=3, PIDONE_SINGLE_CHILD=1,\n"
	"PIDONE_REMAP_EXIT=143,130 ...); options win. Also read: TINI_SUBREAPER,\n"
	"TINI_VERBOSITY, TINI_KILL_PROCESS_GROUP, DUMB_INIT_SETSID. Exit: the command's;\n"
	"125 pidone failed; 126 command not runnable; 127 not found. See pidone(1).\n";

const char license_text[] =
	"MIT License\n"
	"\n"
	"Copyright (c) 2026 the pidone authors\n"
	"\n"
	"Permission is hereby granted, free of charge, to any person obtaining a copy\n"
	"of this software and associated documentation files (the \"Software\"), to deal\n"
	"in the Software without restriction, including without limitation the rights\n"
	"to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n"
	"copies of the Software, and to permit persons to whom the Software is\n"
	"furnished to do so, subject to the following conditions:\n"
	"\n"
	"The above copyright notice and this permission notice shall be included in all\n"
	"copies or substantial portions of the Software.\n"
	"\n"
	"THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n"
	"IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n"
	"FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\n"
	"AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n"
	"LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n"
	"OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\n"
	"SOFTWARE.\n";

enum id {
	O_HELP, O_VERSION, O_LICENSE, O_VERBOSE, O_QUIET, O_WARN_REAP,
	O_SINGLE, O_GROUP, O_REWRITE, O_REMAP, O_PDEATH, O_SUBREAPER, O_PAUSE,
	O_GRACE, O_DRAIN_SIGNAL, O_NO_DRAIN, O_LOG_FORMAT, O_NO_CONFINE,
};

enum kind { FLAG, ARG };

/* One row per option; env names the PIDONE_ variable that sets it too.
 * Arrays, not pointers: a static-pie binary pays a relocation per pointer. */
static const struct option {
	char shortname;
	char longname[14];
	char env[21];
	unsigned char kind, id;
} options[] = {
	{ 'h', "help", "", FLAG, O_HELP },
	{ 'V', "version", "", FLAG, O_VERSION },
	{ 'l', "license", "", FLAG, O_LICENSE },
	{ 'L', "", "", FLAG, O_LICENSE },
	{ 'v', "verbose", "PIDONE_VERBOSITY", FLAG, O_VERBOSE },
	{ 'q', "quiet", "PIDONE_QUIET", FLAG, O_QUIET },
	{ 'w', "warn-reap", "PIDONE_WARN_REAP", FLAG, O_WARN_REAP },
	{ 'c', "single-child", "PIDONE_SINGLE_CHILD", FLAG, O_SINGLE },
	{ 'g', "process-group", "", FLAG, O_GROUP },
	{ 'r', "rewrite", "PIDONE_REWRITE", ARG, O_REWRITE },
	{ 'e', "remap-exit", "PIDONE_REMAP_EXIT", ARG, O_REMAP },
	{ 'p', "pdeath-signal", "PIDONE_PDEATH_SIGNAL", ARG, O_PDEATH },
	{ 's', "subreaper", "PIDONE_SUBREAPER", FLAG, O_SUBREAPER },
	{ 'P', "pause", "PIDONE_PAUSE", FLAG, O_PAUSE },
	{ 0, "grace", "PIDONE_GRACE", ARG, O_GRACE },
	{ 0, "drain-signal", "PIDONE_DRAIN_SIGNAL", ARG, O_DRAIN_SIGNAL },
	{ 0, "no-drain", "", FLAG, O_NO_DRAIN },
	{ 0, "log-format", "PIDONE_LOG_FORMAT", ARG, O_LOG_FORMAT },
	{ 0, "no-confine", "", FLAG, O_NO_CONFINE },
};

#define NOPTIONS (sizeof options / sizeof options[0])

/* Where a value came from, for messages: "-e", "--grace", "PIDONE_GRACE". */
struct parser {
	struct config *cfg;
	char *err;
	size_t errlen;
	char name[48];
	bool group_given, single_given;
};

static int fail(struct parser *p, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *format, ...)
{
	va_list ap;
	size_t n = p->name[0] ? fmt(p->err, p->errlen, "%s: ", p->name) : 0;

	va_start(ap, format);
	if (n < p->errlen)
		vfmt(p->err + n, p->errlen - n, format, ap);
	va_end(ap);
	return -1;
}

/* "1", "yes", "true", "on" and "0", "no", "false", "off": env switches are
 * value-based, so =0 turns one off. Arrays, as options[]: each pointer would
 * cost a relocation and a place in the RELRO segment. */
static int parse_bool(const char *s)
{
	static const char yes[][5] = { "1", "yes", "true", "on" };
	static const char no[][6] = { "0", "no", "false", "off", "" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcmp(s, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (strcmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/* Seconds with up to three decimals ("5", "0.25") to milliseconds; at most a day. */
static long parse_seconds_ms(const char *s)
{
	const char *dot = strchrnul(s, '.');
	char whole[8];
	long ms, frac = 0, scale = 100;
	size_t n = (size_t)(dot - s);

	if (n == 0 || n >= sizeof whole)
		return -1;
	memcpy(whole, s, n);
	whole[n] = '\0';
	ms = parse_whole(whole, 86400);
	if (ms < 0)
		return -1;
	if (*dot) {
		if (dot[1] == '\0' || strlen(dot + 1) > 3)
			return -1;
		for (const char *d = dot + 1; *d; d++, scale /= 10) {
			if (*d < '0' || *d > '9')
				return -1;
			frac += (*d - '0') * scale;
		}
	}
	ms = ms * 1000 + frac;
	return ms > 86400 * 1000L ? -1 : ms;
}

/* S:R, both signals, R may be 0 to drop S. */
static int apply_rewrite(struct parser *p, const char *spec)
{
	const char *colon = strchrnul(spec, ':');
	char from_text[24];
	int from, to;
	size_t n;

	if (!*colon)
		return fail(p, "'%s' is not S:R (e.g. 15:3, TERM:QUIT, 2:0)", spec);
	n = (size_t)(colon - spec);
	if (n == 0 || n >= sizeof from_text)
		return fail(p, "'%s': no signal before ':'", spec);
	memcpy(from_text, spec, n);
	from_text[n] = '\0';
	from = signal_parse(from_text);
	to = strcmp(colon + 1, "0") == 0 ? 0 : signal_parse(colon + 1);
	if (from == 0 || (to == 0 && strcmp(colon + 1, "0") != 0))
		return fail(p, "'%s': unknown signal", spec);
	if (from == SIGKILL || from == SIGSTOP || from == SIGCHLD)
		return fail(p, "'%s': pidone never forwards signal %d", spec, from);
	p->cfg->rewrite[from] = (unsigned char)to;
	return 0;
}

static int apply_remap(struct parser *p, const char *text)
{
	long code = parse_whole(text, 255);

	if (code < 0)
		return fail(p, "'%s' is not an exit code (0..255)", text);
	p->cfg->remap_exit[code / 64] |= UINT64_C(1) << (code % 64);
	return 0;
}

/* Comma-separated lists in the environment: PIDONE_REMAP_EXIT=143,130. */
static int apply_list(struct parser *p, const char *text,
		      int (*one)(struct parser *, const char *))
{
	char item[64];

	for (;;) {
		size_t n = (size_t)(strchrnul(text, ',') - text);

		if (n >= sizeof item)
			return fail(p, "'%.*s...' is too long", 20, text);
		memcpy(item, text, n);
		item[n] = '\0';
		if (one(p, item) != 0)
			return -1;
		if (text[n] == '\0')
			return 0;
		text += n + 1;
	}
}

static int apply_signal(struct parser *p, const char *text, int *out)
{
	int sig = signal_parse(text);

	if (sig == 0)
		return fail(p, "'%s' is not a signal", text);
	*out = sig;
	return 0;
}

/* Apply one option. From the command line a flag has no value (""); from the
 * environment every value is text, and lists are comma-separated. */
static int apply(struct parser *p, const struct option *o, const char *val,
		 bool from_env)
{
	struct config *cfg = p->cfg;
	int on = 1;
	long n;

	if (from_env && o->kind == FLAG && o->id != O_VERBOSE) {
		on = parse_bool(val);
		if (on < 0)
			return fail(p, "'%s' is not a switch (want 1 or 0)", val);
	}
	switch (o->id) {
	case O_HELP:
		cfg->action = ACT_HELP;
		break;
	case O_VERSION:
		cfg->action = ACT_VERSION;
		break;
	case O_LICENSE:
		cfg->action = ACT_LICENSE;
		break;
	case O_VERBOSE:
		if (!from_env) {
			cfg->verbosity++;
			break;
		}
		n = parse_whole(val, 9);
		if (n < 0)
			return fail(p, "'%s' is not a level (0..9)", val);
		cfg->verbosity = (int)n;
		break;
	case O_QUIET:
		cfg->quiet = on;
		break;
	case O_WARN_REAP:
		cfg->warn_reap = on;
		break;
	case O_SINGLE:
		cfg->single_child = on;
		p->single_given = !from_env;
		break;
	case O_GROUP:
		cfg->single_child = false;
		p->group_given = true;
		break;
	case O_REWRITE:
		return from_env ? apply_list(p, val, apply_rewrite)
				: apply_rewrite(p, val);
	case O_REMAP:
		return from_env ? apply_list(p, val, apply_remap)
				: apply_remap(p, val);
	case O_PDEATH:
		if (strcmp(val, "0") == 0) { /* as prctl(): none */
			cfg->pdeath_signal = 0;
			return 0;
		}
		return apply_signal(p, val, &cfg->pdeath_signal);
	case O_SUBREAPER:
		break; /* pidone is a subreaper whenever it is not PID 1 */
	case O_PAUSE:
		cfg->action = on ? ACT_PAUSE : ACT_RUN;
		break;
	case O_GRACE:
		n = parse_seconds_ms(val);
		if (n < 0)
			return fail(p, "'%s' is not a duration (seconds, e.g. 5 or 0.5; at most 86400)", val);
		cfg->grace_ms = (unsigned)n;
		break;
	case O_DRAIN_SIGNAL:
		return apply_signal(p, val, &cfg->drain_signal);
	case O_NO_DRAIN:
		cfg->drain = false;
		break;
	case O_NO_CONFINE:
		cfg->confine = false;
		break;
	case O_LOG_FORMAT:
		if (strcmp(val, "text") == 0)
			cfg->log_format = LOG_TEXT;
		else if (strcmp(val, "json") == 0)
			cfg->log_format = LOG_JSON;
		else
			return fail(p, "'%s' is not a log format (text or json)", val);
		break;
	}
	return 0;
}

/* Only PIDONE_, TINI_ and DUMB_INIT_ variables are read: gather them in one
 * pass, so a large environment is scanned once, not once per variable. Past
 * cap of them, the whole environment is searched as it is. */
static char **env_ours(char **envp, char **buf, size_t cap)
{
	size_t n = 0;

	for (char **e = envp; e && *e; e++) {
		const char *v = *e;

		if (skip_prefix(v, "PIDONE_") || skip_prefix(v, "TINI_") ||
		    skip_prefix(v, "DUMB_INIT_")) {
			if (n + 1 == cap)
				return envp;
			buf[n++] = *e;
		}
	}
	buf[n] = NULL;
	return buf;
}

static void defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->action = ACT_RUN;
	cfg->drain = true;
	cfg->confine = true;
	cfg->drain_signal = SIGTERM;
	cfg->grace_ms = 5000;
	for (int sig = 1; sig <= MAXSIG; sig++)
		cfg->rewrite[sig] = (unsigned char)sig;
}

static int env_switch(struct parser *p, char **envp, const char *name, bool *out)
{
	const char *v = env_get(envp, name);
	int on;

	if (!v)
		return 0;
	on = parse_bool(v);
	fmt(p->name, sizeof p->name, "%s", name);
	if (on < 0)
		return fail(p, "'%s' is not a switch (want 1 or 0)", v);
	*out = on;
	return 0;
}

/* The peers' variables, read as the peers read them, then pidone's own. */
static int parse_env(struct parser *p, char **envp)
{
	struct config *cfg = p->cfg;
	const char *v;

	if (env_get(envp, "TINI_KILL_PROCESS_GROUP"))
		cfg->single_child = false;
	v = env_get(envp, "DUMB_INIT_SETSID");
	if (v && strcmp(v, "0") == 0)
		cfg->single_child = true;
	v = env_get(envp, "TINI_VERBOSITY");
	if (v) {
		long n = parse_whole(v, 9);

		/* tini's default level is 1; its 2 is our -v. */
		cfg->verbosity = n > 1 ? (int)n - 1 : 0;
	}
	/* The two switches that are on unless turned off: PIDONE_DRAIN=0,
	 * PIDONE_CONFINE=0 (their options are --no-drain, --no-confine). */
	if (env_switch(p, envp, "PIDONE_DRAIN", &cfg->drain) != 0 ||
	    env_switch(p, envp, "PIDONE_CONFINE", &cfg->confine) != 0)
		return -1;
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct option *o = &options[i];

		if (!o->env[0] || !(v = env_get(envp, o->env)))
			continue;
		fmt(p->name, sizeof p->name, "%s", o->env);
		if (apply(p, o, v, true) != 0)
			return -1;
	}
	return 0;
}

static const struct option *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].longname[0] &&
		    skip_prefix(name, options[i].longname) == name + n)
			return &options[i];
	return NULL;
}

static const struct option *find_short(char c)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].shortname == c)
			return &options[i];
	return NULL;
}

/* "--name", "--name=value", "--name value". Returns argv entries used. */
static int parse_long(struct parser *p, int argc, char **argv, int i)
{
	const char *arg = argv[i] + 2;
	const char *eq = strchrnul(arg, '=');
	size_t n = (size_t)(eq - arg);
	const struct option *o = find_long(arg, n);

	fmt(p->name, sizeof p->name, "--%.*s", (int)n, arg);
	if (!o)
		return fail(p, "unknown option");
	if (o->kind == FLAG) {
		if (*eq)
			return fail(p, "takes no value");
		return apply(p, o, "", false) == 0 ? 1 : -1;
	}
	if (*eq)
		return apply(p, o, eq + 1, false) == 0 ? 1 : -1;
	if (i + 1 >= argc)
		return fail(p, "needs a value");
	return apply(p, o, argv[i + 1], false) == 0 ? 2 : -1;
}

/* "-vw", "-e143", "-e 143". Returns argv entries used. */
static int parse_short(struct parser *p, int argc, char **argv, int i)
{
	for (const char *c = argv[i] + 1; *c; c++) {
		const struct option *o = find_short(*c);

		fmt(p->name, sizeof p->name, "-%c", *c);
		if (!o)
			return fail(p, "unknown option");
		if (o->kind == FLAG) {
			if (apply(p, o, "", false) != 0)
				return -1;
			continue;
		}
		if (c[1] != '\0')
			return apply(p, o, c + 1, false) == 0 ? 1 : -1;
		if (i + 1 >= argc)
			return fail(p, "needs a value");
		return apply(p, o, argv[i + 1], false) == 0 ? 2 : -1;
	}
	return 1;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Options end at "--" or at the first operand, so "pidone echo -h" runs
 * "echo -h". Returns 0, or -1 with a message in err. */
int config_parse(struct config *cfg, int argc, char **argv, char **envp,
		 char *err, size_t errlen)
{
	struct parser p = { .cfg = cfg, .err = err, .errlen = errlen };
	char *ours[24];
	int i = 1;

	defaults(cfg);
	err[0] = '\0';
	if (argc > 0 && strcmp(basename_of(argv[0]), "pause") == 0)
		cfg->action = ACT_PAUSE;
	if (parse_env(&p, env_ours(envp, ours, sizeof ours / sizeof ours[0])) != 0)
		return -1;
	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		int used;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		used = argv[i][1] == '-' ? parse_long(&p, argc, argv, i)
					 : parse_short(&p, argc, argv, i);
		if (used < 0)
			return -1;
		i += used;
	}
	if (cfg->action == ACT_HELP || cfg->action == ACT_VERSION ||
	    cfg->action == ACT_LICENSE)
		return 0;
	p.name[0] = '\0';
	if (p.group_given && p.single_given)
		return fail(&p, "options -c and -g contradict each other");
	if (cfg->action == ACT_PAUSE) {
		if (i < argc)
			return fail(&p, "pause mode (-P) runs no command, but got '%s'", argv[i]);
		return 0;
	}
	if (i >= argc)
		return fail(&p, "no command given");
	cfg->argv = argv + i;
	return 0;
}
