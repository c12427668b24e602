/* options.c: the command line and the environment to a config. Pure: no
 * system calls, so every case is a unit test. */
#include "pidone.h"

#include <string.h>

const char usage_line[] =
	"usage: pidone [options] [--] command [args...]  |  pidone -P\n";

const char help_text[] =
	"pidone " PIDONE_VERSION ": PID 1 for containers. Runs the command, forwards the\n"
	"stop signals to its process group and every other signal to it alone, reaps\n"
	"every zombie, stops the rest gracefully when it exits, and exits with its\n"
	"status (128+N if killed by signal N).\n"
	"\n"
	" -c, --single-child      every signal to the command alone (in pidone's group)\n"
	" -g, --process-group     every signal to the command's process group\n"
	"     --group-signals L   signals (e.g. HUP,USR1) to send to the group too\n"
	"     --child-signals L   signals to send to the command alone\n"
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
	"Landlock rules for the command (lists are comma-separated; \"none\" allows none):\n"
	"     --restrict-write PATHS   write only beneath PATHS (and /dev)\n"
	"     --restrict-dev           not /dev either\n"
	"     --restrict-exec PATHS    execute only PATHS or files beneath them\n"
	"     --restrict-ioctl PATHS   device ioctls only on devices beneath PATHS\n"
	"     --restrict-bind PORTS    bind TCP only to PORTS\n"
	"     --restrict-connect PORTS connect TCP only to PORTS\n"
	"     --restrict-scope         no signals or abstract sockets outside\n"
	"     --restrict-best-effort   apply what the kernel can (-v: what not)\n"
	"     --user USER[:GROUP] run the command as USER (from /etc/passwd, /etc/group)\n"
	"     --expand-env        ${VAR}, ${VAR:-default}, $$ in the command\n"
	"     --explain           print each setting and where it came from; run nothing\n"
	" -s, --subreaper         accepted (always one when not PID 1)\n"
	" -V, --version; -l, -L, --license; -h, --help\n"
	"\n"
	"Stop signals: SIGTERM, SIGINT, SIGQUIT, SIGCONT and the drain signal.\n"
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
	O_GROUP_SIGNALS, O_CHILD_SIGNALS,
	O_R_WRITE, O_R_DEV, O_R_EXEC, O_R_IOCTL, O_R_BIND, O_R_CONNECT, O_R_SCOPE, O_R_BEST,
	O_USER, O_EXPAND_ENV, O_EXPLAIN, O_IDS
};

/* The --explain setting each option sets, plus one; 0 for none. */
static const unsigned char setting_of[] = {
	[O_VERBOSE] = SET_VERBOSITY + 1, [O_QUIET] = SET_QUIET + 1,
	[O_WARN_REAP] = SET_WARN_REAP + 1, [O_SINGLE] = SET_FORWARD_TO + 1,
	[O_GROUP] = SET_FORWARD_TO + 1, [O_REWRITE] = SET_REWRITE + 1,
	[O_REMAP] = SET_REMAP + 1, [O_PDEATH] = SET_PDEATH + 1,
	[O_PAUSE] = SET_MODE + 1, [O_GRACE] = SET_GRACE + 1,
	[O_DRAIN_SIGNAL] = SET_DRAIN_SIGNAL + 1, [O_NO_DRAIN] = SET_DRAIN + 1,
	[O_LOG_FORMAT] = SET_LOG_FORMAT + 1, [O_NO_CONFINE] = SET_CONFINE + 1,
	[O_USER] = SET_USER + 1, [O_EXPAND_ENV] = SET_EXPAND_ENV + 1,
	[O_GROUP_SIGNALS] = SET_FORWARD_TO + 1, [O_CHILD_SIGNALS] = SET_FORWARD_TO + 1,
	[O_R_WRITE] = SET_RESTRICT + 1, [O_R_DEV] = SET_RESTRICT + 1,
	[O_R_EXEC] = SET_RESTRICT + 1, [O_R_IOCTL] = SET_RESTRICT + 1,
	[O_R_BIND] = SET_RESTRICT + 1, [O_R_CONNECT] = SET_RESTRICT + 1,
	[O_R_SCOPE] = SET_RESTRICT + 1, [O_R_BEST] = SET_RESTRICT + 1,
};

/* Variables that are not in options[] below, numbered after it as sources. */
static const char other_env[][24] = {
	"PIDONE_DRAIN", "PIDONE_CONFINE", "TINI_VERBOSITY",
	"TINI_KILL_PROCESS_GROUP", "DUMB_INIT_SETSID",
};
enum { E_DRAIN, E_CONFINE, E_TINI_VERBOSITY, E_TINI_KILL_GROUP, E_DUMB_SETSID };

enum kind { FLAG, ARG };

/* One row per option; env names the PIDONE_ variable that sets it too.
 * Arrays, not pointers: a static-pie binary pays a relocation per pointer. */
static const struct option {
	char shortname;
	char longname[21];
	char env[28];
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
	{ 'g', "process-group", "PIDONE_PROCESS_GROUP", FLAG, O_GROUP },
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
	{ 0, "group-signals", "PIDONE_GROUP_SIGNALS", ARG, O_GROUP_SIGNALS },
	{ 0, "child-signals", "PIDONE_CHILD_SIGNALS", ARG, O_CHILD_SIGNALS },
	{ 0, "restrict-write", "PIDONE_RESTRICT_WRITE", ARG, O_R_WRITE },
	{ 0, "restrict-dev", "PIDONE_RESTRICT_DEV", FLAG, O_R_DEV },
	{ 0, "restrict-exec", "PIDONE_RESTRICT_EXEC", ARG, O_R_EXEC },
	{ 0, "restrict-ioctl", "PIDONE_RESTRICT_IOCTL", ARG, O_R_IOCTL },
	{ 0, "restrict-bind", "PIDONE_RESTRICT_BIND", ARG, O_R_BIND },
	{ 0, "restrict-connect", "PIDONE_RESTRICT_CONNECT", ARG, O_R_CONNECT },
	{ 0, "restrict-scope", "PIDONE_RESTRICT_SCOPE", FLAG, O_R_SCOPE },
	{ 0, "restrict-best-effort", "PIDONE_RESTRICT_BEST_EFFORT", FLAG, O_R_BEST },
	{ 0, "user", "PIDONE_USER", ARG, O_USER },
	{ 0, "expand-env", "PIDONE_EXPAND_ENV", FLAG, O_EXPAND_ENV },
	{ 0, "explain", "PIDONE_EXPLAIN", FLAG, O_EXPLAIN },
};

#define NOPTIONS (sizeof options / sizeof options[0])

/* Where a value came from, for messages: "-e", "--grace", "PIDONE_GRACE". */
struct parser {
	struct config *cfg;
	char *err;
	size_t errlen;
	char name[48];
	bool group_given, single_given;
	/* Signals moved by --group-signals and --child-signals; the last move
	 * of a signal wins. group_list names where the last group move came from. */
	uint64_t to_group, to_child;
	char group_list[24];
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

/* Note where the routing came from ("-g", "PIDONE_CHILD_SIGNALS"), once each. */
static void route_from(struct parser *p)
{
	char *from = p->cfg->route_from;
	size_t n = strlen(p->name);

	for (const char *at = from; *at;) {
		const char *end = strchrnul(at, ',');

		if ((size_t)(end - at) == n && strncmp(at, p->name, n) == 0)
			return;
		at = *end ? end + 2 : end;
	}
	n = strlen(from);
	fmt(from + n, sizeof p->cfg->route_from - n, "%s%s", n ? ", " : "", p->name);
}

/* One signal of --group-signals (to the group) or --child-signals: a name
 * or a number; the last move of a signal wins. */
static int move_signal(struct parser *p, const char *text, bool group)
{
	int sig = signal_parse(text);
	uint64_t bit;

	if (!text[0])
		return fail(p, "an empty item: want signals separated by commas (e.g. HUP,USR1)");
	if (sig < 1 || sig > MAXSIG)
		return fail(p, "'%s' is not a signal", text);
	if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
		return fail(p, "'%s': pidone never forwards signal %d", text, sig);
	bit = SIGBIT(sig);
	if (group) {
		p->to_group |= bit;
		p->to_child &= ~bit;
		fmt(p->group_list, sizeof p->group_list, "%s", p->name);
	} else {
		p->to_child |= bit;
		p->to_group &= ~bit;
	}
	return 0;
}

static int apply_group_signal(struct parser *p, const char *text)
{
	return move_signal(p, text, true);
}

static int apply_child_signal(struct parser *p, const char *text)
{
	return move_signal(p, text, false);
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

/* --restrict-write, --restrict-exec, --restrict-ioctl: comma lists of absolute paths, kept
 * as given (argv and the environment outlive the parse); "none" for none. */
static int apply_paths(struct parser *p, const char *val, unsigned bit,
		       const char **list, unsigned char *n)
{
	p->cfg->rs.on |= (unsigned char)bit;
	if (strcmp(val, "none") == 0)
		return 0;
	if (restrict_path_check(val) != 0)
		return fail(p, "'%.60s' is not a comma list of absolute paths (or none)", val);
	if (*n == RESTRICT_LISTS)
		return fail(p, "given more than %d times", RESTRICT_LISTS);
	list[(*n)++] = val;
	return 0;
}

static int add_port(struct parser *p, const char *text, uint16_t *ports, unsigned char *n)
{
	long port = restrict_port(text);

	if (port < 0)
		return fail(p, "'%s' is not a TCP port (0..65535)", text);
	if (*n == RESTRICT_PORTS)
		return fail(p, "more than %d ports", RESTRICT_PORTS);
	ports[(*n)++] = (uint16_t)port;
	return 0;
}

static int apply_bind(struct parser *p, const char *text)
{
	return add_port(p, text, p->cfg->rs.bind, &p->cfg->rs.nbind);
}

static int apply_connect(struct parser *p, const char *text)
{
	return add_port(p, text, p->cfg->rs.connect, &p->cfg->rs.nconnect);
}

/* --restrict-bind, --restrict-connect: comma lists of ports, or "none". */
static int apply_ports(struct parser *p, const char *val, unsigned bit,
		       int (*one)(struct parser *, const char *))
{
	p->cfg->rs.on |= (unsigned char)bit;
	return strcmp(val, "none") == 0 ? 0 : apply_list(p, val, one);
}

static int apply_signal(struct parser *p, const char *text, int *out)
{
	int sig = signal_parse(text);

	if (sig == 0)
		return fail(p, "'%s' is not a signal", text);
	*out = sig;
	return 0;
}

/* Setting s came from the variable numbered env (0: the command line). -v,
 * -r and -e add to what the environment set; other options replace it. */
static void record(struct config *cfg, enum setting s, unsigned env, bool adds)
{
	if (env)
		cfg->from[s] = (unsigned char)env;
	else
		cfg->from[s] = (unsigned char)(SRC_CLI | (adds ? cfg->from[s] : 0));
}

static unsigned other_source(unsigned e)
{
	return NOPTIONS + 1 + e;
}

/* "default", "command line", a variable, or "VARIABLE, command line". */
const char *config_source(const struct config *cfg, enum setting s, char buf[48])
{
	unsigned env = cfg->from[s] & ~SRC_CLI & 0xffu;
	const char *name = NULL;

	if (env >= 1 && env <= NOPTIONS)
		name = options[env - 1].env;
	else if (env > NOPTIONS && env - NOPTIONS - 1 < sizeof other_env / sizeof other_env[0])
		name = other_env[env - NOPTIONS - 1];
	if (name && (cfg->from[s] & SRC_CLI))
		fmt(buf, 48, "%s, command line", name);
	else
		fmt(buf, 48, "%s", name ? name : (cfg->from[s] & SRC_CLI) ? "command line" : "default");
	return buf;
}

static int apply_value(struct parser *p, const struct option *o, const char *val,
		       bool from_env);

/* The options whose values add to what the environment set, rather than
 * replace it: their source reads "VARIABLE, command line". */
static const bool adds_up[O_IDS] = {
	[O_VERBOSE] = true, [O_REWRITE] = true, [O_REMAP] = true,
	[O_GROUP_SIGNALS] = true, [O_CHILD_SIGNALS] = true,
	[O_R_WRITE] = true, [O_R_DEV] = true, [O_R_EXEC] = true, [O_R_IOCTL] = true,
	[O_R_BIND] = true, [O_R_CONNECT] = true, [O_R_SCOPE] = true, [O_R_BEST] = true,
};

/* Apply one option and note where its setting came from. */
static int apply(struct parser *p, const struct option *o, const char *val,
		 bool from_env)
{
	unsigned s = o->id < sizeof setting_of ? setting_of[o->id] : 0;

	if (apply_value(p, o, val, from_env) != 0)
		return -1;
	if (s)
		record(p->cfg, (enum setting)(s - 1),
		       from_env ? (unsigned)(o - options) + 1 : 0, adds_up[o->id]);
	return 0;
}

/* From the command line a flag has no value (""); from the environment
 * every value is text, and lists are comma-separated. */
static int apply_value(struct parser *p, const struct option *o, const char *val,
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
		cfg->group_all = cfg->group_all && !on;
		p->single_given = p->single_given || on;
		route_from(p);
		break;
	case O_GROUP:
		cfg->group_all = on;
		cfg->single_child = cfg->single_child && !on;
		p->group_given = p->group_given || on;
		route_from(p);
		break;
	case O_GROUP_SIGNALS:
		route_from(p);
		return apply_list(p, val, apply_group_signal);
	case O_CHILD_SIGNALS:
		route_from(p);
		return apply_list(p, val, apply_child_signal);
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
	case O_R_WRITE:
		return apply_paths(p, val, R_WRITE, cfg->rs.write, &cfg->rs.nwrite);
	case O_R_EXEC:
		return apply_paths(p, val, R_EXEC, cfg->rs.exec, &cfg->rs.nexec);
	case O_R_IOCTL:
		return apply_paths(p, val, R_IOCTL, cfg->rs.ioctl, &cfg->rs.nioctl);
	case O_R_BIND:
		return apply_ports(p, val, R_BIND, apply_bind);
	case O_R_CONNECT:
		return apply_ports(p, val, R_CONNECT, apply_connect);
	case O_R_DEV:
		cfg->rs.dev = on;
		break;
	case O_R_SCOPE:
		cfg->rs.on = (unsigned char)(on ? cfg->rs.on | R_SCOPE : cfg->rs.on & ~R_SCOPE);
		break;
	case O_R_BEST:
		cfg->rs.best_effort = on;
		break;
	case O_USER: {
		char why[96];

		if (from_env && val[0] == '\0') { /* PIDONE_USER= : none */
			cfg->user = NULL;
			break;
		}
		if (user_spec_check(val, why, sizeof why) != 0)
			return fail(p, "%s", why);
		cfg->user = val;
		break;
	}
	case O_EXPAND_ENV:
		cfg->expand_env = on;
		break;
	case O_EXPLAIN:
		cfg->explain = on;
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

static int env_switch(struct parser *p, char **envp, unsigned e, enum setting s,
		      bool *out)
{
	const char *name = other_env[e];
	const char *v = env_get(envp, name);
	int on;

	if (!v)
		return 0;
	on = parse_bool(v);
	fmt(p->name, sizeof p->name, "%s", name);
	if (on < 0)
		return fail(p, "'%s' is not a switch (want 1 or 0)", v);
	*out = on;
	record(p->cfg, s, other_source(e), false);
	return 0;
}

/* The peers' variables, read as the peers read them, then pidone's own. */
static int parse_env(struct parser *p, char **envp)
{
	struct config *cfg = p->cfg;
	const char *v;

	if (env_get(envp, "TINI_KILL_PROCESS_GROUP")) {
		cfg->single_child = false;
		cfg->group_all = true;
		fmt(cfg->route_from, sizeof cfg->route_from, "TINI_KILL_PROCESS_GROUP");
		record(cfg, SET_FORWARD_TO, other_source(E_TINI_KILL_GROUP), false);
	}
	v = env_get(envp, "DUMB_INIT_SETSID");
	if (v && strcmp(v, "0") == 0) {
		cfg->single_child = true;
		cfg->group_all = false;
		fmt(cfg->route_from, sizeof cfg->route_from, "DUMB_INIT_SETSID");
		record(cfg, SET_FORWARD_TO, other_source(E_DUMB_SETSID), false);
	}
	v = env_get(envp, "TINI_VERBOSITY");
	if (v) {
		long n = parse_whole(v, 9);

		/* tini's default level is 1; its 2 is our -v. */
		cfg->verbosity = n > 1 ? (int)n - 1 : 0;
		record(cfg, SET_VERBOSITY, other_source(E_TINI_VERBOSITY), false);
	}
	/* The two switches that are on unless turned off: PIDONE_DRAIN=0,
	 * PIDONE_CONFINE=0 (their options are --no-drain, --no-confine). */
	if (env_switch(p, envp, E_DRAIN, SET_DRAIN, &cfg->drain) != 0 ||
	    env_switch(p, envp, E_CONFINE, SET_CONFINE, &cfg->confine) != 0)
		return -1;
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct option *o = &options[i];

		if (!o->env[0] || !(v = env_get(envp, o->env)))
			continue;
		fmt(p->name, sizeof p->name, "%s", o->env);
		if (apply(p, o, v, true) != 0)
			return -1;
	}
	p->name[0] = '\0';
	if (p->group_given && p->single_given)
		return fail(p, "PIDONE_SINGLE_CHILD and PIDONE_PROCESS_GROUP contradict each other");
	p->group_given = p->single_given = false; /* the command line may choose again */
	return 0;
}

/* Where each signal goes: the base (-c none to the group, -g all, otherwise
 * the stop signals and the drain signal), then the signals moved. */
static int route(struct parser *p)
{
	struct config *cfg = p->cfg;
	uint64_t base = GROUP_SIGNALS_DEFAULT | SIGBIT(cfg->drain_signal);

	if (cfg->single_child && p->to_group)
		return fail(p, "%s: with -c the command shares pidone's process group, so "
			       "there is no group of its own to send signals to", p->group_list);
	if (cfg->single_child)
		base = 0;
	else if (cfg->group_all)
		base = UINT64_MAX;
	cfg->group_signals = (base | p->to_group) & ~p->to_child;
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
	if (argc > 0 && strcmp(basename_of(argv[0]), "pause") == 0) {
		cfg->action = ACT_PAUSE;
		record(cfg, SET_MODE, 0, false);
	}
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
	if (route(&p) != 0)
		return -1;
	if (cfg->rs.dev && !(cfg->rs.on & R_WRITE))
		return fail(&p, "--restrict-dev goes with --restrict-write");
	if (cfg->action == ACT_PAUSE) {
		if (cfg->rs.on)
			return fail(&p, "pause mode (-P) runs no command to restrict");
		if (i < argc)
			return fail(&p, "pause mode (-P) runs no command, but got '%s'", argv[i]);
		if (cfg->user)
			return fail(&p, "pause mode (-P) runs no command to run as user '%s'",
				    cfg->user);
		return 0;
	}
	if (i >= argc)
		return fail(&p, "no command given");
	cfg->argv = argv + i;
	record(cfg, SET_COMMAND, 0, false);
	return 0;
}
