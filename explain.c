/* explain.c: --explain: one line per setting, "name: value (from: SOURCE)",
 * in the order of enum setting. A value is written as its option takes it
 * (signals by name, durations in seconds, lists with commas), so a line can
 * be pasted back. Pure: the text goes to a callback. */
#include "pidone.h"

#include <string.h>

/* Each line's name: a new setting is a row here and a case in value(). */
static const char names[NSETTINGS][16] = {
	[SET_MODE] = "mode",
	[SET_COMMAND] = "command",
	[SET_EXPAND_ENV] = "expand-env",
	[SET_USER] = "user",
	[SET_HOME] = "home",
	[SET_FORWARD_TO] = "forward-to",
	[SET_REWRITE] = "rewrite",
	[SET_PDEATH] = "pdeath-signal",
	[SET_DRAIN] = "drain",
	[SET_DRAIN_SIGNAL] = "drain-signal",
	[SET_GRACE] = "grace",
	[SET_REMAP] = "remap-exit",
	[SET_VERBOSITY] = "verbosity",
	[SET_QUIET] = "quiet",
	[SET_WARN_REAP] = "warn-reap",
	[SET_LOG_FORMAT] = "log-format",
	[SET_CONFINE] = "confine",
	[SET_RESTRICT] = "restrict",
};

/* Output gathered into a buffer, so that a command quoted a character at a
 * time is not a write each. */
struct sink {
	int (*out)(void *ctx, const char *text, size_t len);
	void *ctx;
	int rc;
	size_t len;
	char buf[1024];
};

static void flush(struct sink *k)
{
	if (k->rc == 0 && k->len > 0)
		k->rc = k->out(k->ctx, k->buf, k->len);
	k->len = 0;
}

static void put(struct sink *k, const char *text, size_t len)
{
	while (len > 0) {
		size_t n = sizeof k->buf - k->len < len ? sizeof k->buf - k->len : len;

		memcpy(k->buf + k->len, text, n);
		k->len += n;
		text += n;
		len -= n;
		if (k->len == sizeof k->buf)
			flush(k);
	}
}

static void puts_(struct sink *k, const char *text)
{
	put(k, text, strlen(text));
}

static void putf(struct sink *k, const char *f, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct sink *k, const char *f, ...)
{
	char buf[96];
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = vfmt(buf, sizeof buf, f, ap);
	va_end(ap);
	put(k, buf, n < sizeof buf ? n : sizeof buf - 1);
}

static const char *on_off(bool on)
{
	return on ? "on" : "off";
}

/* A signal as the options take it: its name, or its number where it has
 * none (32, 33). */
static void put_signal(struct sink *k, int sig)
{
	char name[16];

	signal_name(sig, name);
	if (strncmp(name, "SIG", 3) == 0)
		puts_(k, name);
	else
		putf(k, "%d", sig);
}

/* A word as sh would read it back: bare if it is plain, else in quotes;
 * $'...' with escapes if it holds control characters, so the line stays one. */
static void put_word(struct sink *k, const char *w)
{
	bool plain = *w != '\0', control = false;

	for (const char *c = w; *c; c++) {
		unsigned char u = (unsigned char)*c;

		control = control || u < 0x20 || u == 0x7f;
		plain = plain && (strchr("@%+=:,./-_", u) || (u >= '0' && u <= '9') ||
				  (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z'));
	}
	if (plain) {
		puts_(k, w);
		return;
	}
	puts_(k, control ? "$'" : "'");
	for (const char *c = w; *c; c++) {
		unsigned char u = (unsigned char)*c;
		static const char hex[] = "0123456789abcdef";

		if (!control && u == '\'') {
			puts_(k, "'\\''");
		} else if (control && (u < 0x20 || u == 0x7f || u == '\'' || u == '\\')) {
			char esc[4] = { '\\', 'x', hex[u >> 4], hex[u & 15] };

			put(k, esc, 4);
		} else {
			put(k, c, 1);
		}
	}
	puts_(k, "'");
}

static void put_command(struct sink *k, char *const *argv)
{
	if (!argv) {
		puts_(k, "none");
		return;
	}
	for (char *const *a = argv; *a; a++) {
		if (a != argv)
			puts_(k, " ");
		put_word(k, *a);
	}
}

/* uid=N(name) gid=N(name) groups=N,N, as id(1) shows them. */
static void put_user(struct sink *k, const struct identity *id)
{
	if (!id) {
		puts_(k, "unchanged");
		return;
	}
	putf(k, "uid=%lu", (unsigned long)id->uid);
	if (id->user[0])
		putf(k, "(%s)", id->user);
	putf(k, " gid=%lu", (unsigned long)id->gid);
	if (id->group[0])
		putf(k, "(%s)", id->group);
	puts_(k, " groups=");
	if (id->ngroups == 0)
		puts_(k, "none");
	for (size_t i = 0; i < id->ngroups; i++)
		putf(k, i ? ",%lu" : "%lu", (unsigned long)id->groups[i]);
}

static void put_rewrites(struct sink *k, const struct config *cfg)
{
	bool any = false;

	for (int sig = 1; sig <= MAXSIG; sig++) {
		if (cfg->rewrite[sig] == sig)
			continue;
		if (any)
			puts_(k, ",");
		any = true;
		put_signal(k, sig);
		puts_(k, ":");
		if (cfg->rewrite[sig])
			put_signal(k, cfg->rewrite[sig]);
		else
			puts_(k, "0");
	}
	if (!any)
		puts_(k, "none");
}

static void put_remaps(struct sink *k, const struct config *cfg)
{
	bool any = false;

	for (int code = 0; code < 256; code++) {
		if (!(cfg->remap_exit[code / 64] >> (code % 64) & 1))
			continue;
		putf(k, any ? ",%d" : "%d", code);
		any = true;
	}
	if (!any)
		puts_(k, "none");
}

/* Seconds with up to three decimals, as --grace takes them. */
static void put_seconds(struct sink *k, unsigned ms)
{
	char frac[8];
	size_t n;

	putf(k, "%u", ms / 1000);
	if (ms % 1000 == 0)
		return;
	n = fmt(frac, sizeof frac, ".%u", 1000 + ms % 1000);
	frac[1] = '.'; /* ".1250" to ".250", then no trailing zeros */
	while (frac[n - 1] == '0')
		n--;
	put(k, frac + 1, n - 1);
}

/* Where forwarded signals go: the smaller of the two sets is listed. */
static void put_routing(struct sink *k, uint64_t group)
{
	const uint64_t forwardable = ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP) | SIGBIT(SIGCHLD));
	uint64_t listed;
	bool to_group;
	int n = 0;

	group &= forwardable;
	if (group == forwardable || group == 0) {
		puts_(k, group ? "process group: every signal" : "child: every signal");
		return;
	}
	for (int sig = 1; sig <= MAXSIG; sig++)
		n += (group & SIGBIT(sig)) != 0;
	to_group = n <= 32;
	listed = to_group ? group : forwardable & ~group;
	puts_(k, to_group ? "process group: " : "child: ");
	for (int sig = 1, any = 0; sig <= MAXSIG; sig++) {
		if (!(listed & SIGBIT(sig)))
			continue;
		if (any++)
			puts_(k, ",");
		put_signal(k, sig);
	}
	puts_(k, to_group ? "; child: every other signal" : "; process group: every other signal");
}

/* --restrict-*: each rule given, then the Landlock ABI that enforces them
 * all (restrict_features[]). */
static void put_restrict(struct sink *k, const struct restrict_cfg *rs)
{
	const char *const *paths[] = { rs->write, rs->exec, rs->ioctl };
	const unsigned char npaths[] = { rs->nwrite, rs->nexec, rs->nioctl };
	const uint16_t *ports[] = { rs->bind, rs->connect };
	const unsigned char nports[] = { rs->nbind, rs->nconnect };
	unsigned needs = 0;

	if (!rs->on) {
		puts_(k, "none");
		return;
	}
	for (size_t i = 0; i < sizeof restrict_features / sizeof restrict_features[0]; i++) {
		const struct restrict_feature *f = &restrict_features[i];
		size_t n = i < 3 ? npaths[i] : i < 5 ? nports[i - 3] : 1;

		if (!(rs->on & f->bit))
			continue;
		needs = f->full > needs ? f->full : needs;
		puts_(k, f->option + strlen("--restrict-"));
		if (f->bit == R_SCOPE) {
			puts_(k, "; ");
			continue;
		}
		puts_(k, n ? " " : " none");
		for (size_t j = 0; j < n; j++) {
			if (j)
				puts_(k, ",");
			if (i < 3)
				put_word(k, paths[i][j]); /* a newline in a path stays in quotes */
			else
				putf(k, "%u", (unsigned)ports[i - 3][j]);
		}
		if (f->bit == R_WRITE)
			puts_(k, rs->dev ? " (not /dev)" : " and /dev");
		puts_(k, "; ");
	}
	putf(k, "needs Landlock ABI %u", needs);
	if (rs->best_effort)
		puts_(k, "; best effort");
}

/* HOME as the command gets it, and who set it. */
static const char *home(const struct identity *id, char *const *envp, const char **from)
{
	const char *env = env_get(envp, "HOME");

	if (id && id->home_env[0]) {
		*from = "/etc/passwd";
		return id->home_env + 5;
	}
	*from = env ? "HOME" : "default";
	return env ? env : "unset";
}

static void value(struct sink *k, enum setting s, const struct config *cfg,
		  const struct identity *id, char *const *envp)
{
	const char *from;

	switch (s) {
	case SET_MODE:
		puts_(k, cfg->action == ACT_PAUSE ? "pause" : "run");
		break;
	case SET_COMMAND:
		put_command(k, cfg->argv);
		break;
	case SET_EXPAND_ENV:
		puts_(k, on_off(cfg->expand_env));
		break;
	case SET_USER:
		put_user(k, id);
		break;
	case SET_HOME:
		put_word(k, home(id, envp, &from));
		break;
	case SET_FORWARD_TO:
		put_routing(k, cfg->group_signals);
		break;
	case SET_REWRITE:
		put_rewrites(k, cfg);
		break;
	case SET_PDEATH:
		if (cfg->pdeath_signal)
			put_signal(k, cfg->pdeath_signal);
		else
			puts_(k, "none");
		break;
	case SET_DRAIN:
		puts_(k, on_off(cfg->drain));
		break;
	case SET_DRAIN_SIGNAL:
		put_signal(k, cfg->drain_signal);
		break;
	case SET_GRACE:
		put_seconds(k, cfg->grace_ms);
		break;
	case SET_REMAP:
		put_remaps(k, cfg);
		break;
	case SET_VERBOSITY:
		putf(k, "%d", cfg->verbosity);
		break;
	case SET_QUIET:
		puts_(k, on_off(cfg->quiet));
		break;
	case SET_WARN_REAP:
		puts_(k, on_off(cfg->warn_reap));
		break;
	case SET_LOG_FORMAT:
		puts_(k, cfg->log_format == LOG_JSON ? "json" : "text");
		break;
	case SET_CONFINE:
		puts_(k, on_off(cfg->confine));
		break;
	case SET_RESTRICT:
		put_restrict(k, &cfg->rs);
		break;
	case NSETTINGS:
		break;
	}
}

/* Every setting, one line each; 0, or the first nonzero the callback gave. */
int explain(const struct config *cfg, const struct identity *id, char *const *envp,
	    int (*out)(void *ctx, const char *text, size_t len), void *ctx)
{
	struct sink k = { .out = out, .ctx = ctx };

	for (int s = 0; s < NSETTINGS; s++) {
		char buf[48];
		const char *from = config_source(cfg, (enum setting)s, buf);

		if (s == SET_HOME)
			home(id, envp, &from);
		puts_(&k, names[s]);
		puts_(&k, ": ");
		value(&k, (enum setting)s, cfg, id, envp);
		puts_(&k, " (from: ");
		puts_(&k, from);
		puts_(&k, ")\n");
	}
	flush(&k);
	return k.rc;
}
