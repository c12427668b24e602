/* pidone: the types and functions its files share. */
#ifndef PIDONE_H
#define PIDONE_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/landlock.h>

/* The version is the VERSION file, passed in by the Makefile; a compiler
 * run without it still builds. */
#ifndef PIDONE_VERSION
#define PIDONE_VERSION "unknown"
#endif

/* Kernel signal numbers run 1..64 on every Linux architecture we build for;
 * libc's NSIG differs (musl hides 32..34), so we count our own. */
#define MAXSIG 64

/* For reports made once in a while: kept out of line, so the buffers they
 * need are not in the frame of the loop that sleeps between events. */
#define RARE __attribute__((noinline))

/* Exit codes of command runners such as env(1) and timeout(1). */
enum {
	EXIT_PIDONE = 125,     /* pidone itself failed or was misused */
	EXIT_CANNOT_RUN = 126, /* command found but not runnable */
	EXIT_NOT_FOUND = 127,  /* command not found */
};

enum action { ACT_RUN, ACT_PAUSE, ACT_HELP, ACT_VERSION, ACT_LICENSE };

enum log_format { LOG_TEXT, LOG_JSON };

/* --restrict-*: the Landlock rules the command runs under (restrict.c). */
enum { RESTRICT_LISTS = 8, RESTRICT_PORTS = 64 };
enum restrict_bit {
	R_WRITE = 1, R_EXEC = 2, R_BIND = 4, R_CONNECT = 8, R_SCOPE = 16, R_IOCTL = 32,
};
struct restrict_cfg {
	unsigned char on;          /* R_* asked for; a list may be "none" */
	bool dev;                  /* --restrict-dev: /dev is not writable */
	bool best_effort;          /* apply what the kernel can, say the rest */
	unsigned char nwrite, nexec, nioctl, nbind, nconnect;
	const char *write[RESTRICT_LISTS]; /* comma lists of absolute paths */
	const char *exec[RESTRICT_LISTS];
	const char *ioctl[RESTRICT_LISTS];
	uint16_t bind[RESTRICT_PORTS];
	uint16_t connect[RESTRICT_PORTS];
};

/* The settings --explain shows, one line each, in this order; config_parse
 * records where each came from (struct config's from[], config_source()). */
enum setting {
	SET_MODE, SET_COMMAND, SET_EXPAND_ENV, SET_USER, SET_HOME, SET_FORWARD_TO,
	SET_REWRITE, SET_PDEATH, SET_DRAIN, SET_DRAIN_SIGNAL, SET_GRACE,
	SET_REMAP, SET_VERBOSITY, SET_QUIET, SET_WARN_REAP, SET_LOG_FORMAT,
	SET_CONFINE, SET_RESTRICT, NSETTINGS
};

/* Everything the command line and the environment can set. */
struct config {
	enum action action;
	bool explain;              /* --explain: print what would be done */
	char **argv;               /* the command; NULL in pause mode */
	const char *user;          /* --user USER[:GROUP]; NULL for none */
	bool expand_env;           /* --expand-env: ${VAR} in the command */
	int verbosity;             /* 0 errors, 1 lifecycle, 2 every reap */
	bool warn_reap;            /* -w: name every reaped orphan */
	bool single_child;         /* -c: signal the child, not its group */
	bool group_all;            /* -g: every signal to the command's group */
	bool drain;                /* stop the rest gracefully at exit */
	bool confine;              /* drop privileges once the command runs */
	bool quiet;                /* -q: no exit report */
	enum log_format log_format;
	int pdeath_signal;         /* -p: 0 for none */
	int drain_signal;
	unsigned grace_ms;
	unsigned char rewrite[MAXSIG + 1]; /* what to forward for each signal; 0 drops */
	uint64_t remap_exit[4];    /* -e: child exit codes reported as 0 */
	/* Which signals, as forwarded (after -r), go to the command's process
	 * group; the rest go to the command alone. Bit sig-1 for signal sig. */
	uint64_t group_signals;
	char route_from[64];       /* what set the routing, for messages; "" default */
	struct restrict_cfg rs;    /* --restrict-*: Landlock for the command */
	/* Where each setting came from: SRC_CLI if the command line set it,
	 * plus the number of the variable (config_source() names it), 0 none. */
	unsigned char from[NSETTINGS];
};

enum { SRC_CLI = 0x80 };

/* Who the command runs as (--user), worked out before the fork. */
enum { MAX_GROUPS = 256 };
struct identity {
	uid_t uid;
	gid_t gid;
	size_t ngroups;
	gid_t groups[MAX_GROUPS];  /* supplementary groups */
	char user[64];             /* names for --explain; "" for a bare number */
	char group[64];
	char home_env[4096];       /* "HOME=dir" when pidone sets it, else "" */
};

/* The signals that ask a program to stop, and SIGCONT, which must wake
 * every process a job-control stop stopped: by default the only ones that
 * go to the command's whole process group. */
#define SIGBIT(sig) (UINT64_C(1) << ((sig) - 1))
#define GROUP_SIGNALS_DEFAULT \
	(SIGBIT(SIGTERM) | SIGBIT(SIGINT) | SIGBIT(SIGQUIT) | SIGBIT(SIGCONT))

/* What pidone knows about itself and its command once it runs. */
struct run {
	pid_t child;      /* the command; 0 in pause mode */
	pid_t target;     /* the command's group (-pgid), or its pid with -c:
			   * where SIGCONT goes after a job-control stop */
	pid_t self;       /* pidone's own pid */
	bool pid1;        /* PID 1 of a pid namespace */
	bool tty;         /* not PID 1, stdin is pidone's terminal, and the
			   * command has a group: job control to follow */
	const char *name; /* the command, for messages */
	const struct identity *ident; /* --user: whom to become; NULL for none */
};

/* options.c: argv and environment to config (pure). */
int config_parse(struct config *cfg, int argc, char **argv, char **envp,
		 char *err, size_t errlen);
const char *config_source(const struct config *cfg, enum setting s, char buf[48]);
extern const char usage_line[];
extern const char help_text[];
extern const char license_text[];

/* user.c: USER[:GROUP] and the lines of /etc/passwd and /etc/group (pure). */
int user_spec_check(const char *spec, char *err, size_t errlen);
int user_resolve(struct identity *id, const char *spec, const char *passwd,
		 size_t passwd_len, const char *group, size_t group_len,
		 gid_t own_gid, bool home_set, char *err, size_t errlen);

/* become.c: --user: the files read before the fork, the switch after it. */
const struct identity *become_lookup(const char *spec);
int become_report_open(int fds[2]);
void become(const struct identity *id, int report);
int become_report_wait(pid_t child, int fds[2]);

/* expand.c: --expand-env's ${VAR}, ${VAR:-default} and $$ (pure). */
long expand_arg(const char *arg, char *const *envp, char *out, size_t size);
size_t expand_argv_size(char *const *argv, char *const *envp, char *err, size_t errlen);
char **expand_argv(char *const *argv, char *const *envp, void *buf, size_t size);

/* explain.c: --explain, one line per setting (pure). */
int explain(const struct config *cfg, const struct identity *id, char *const *envp,
	    int (*out)(void *ctx, const char *text, size_t len), void *ctx);

/* signames.c: signal names and numbers (pure). */
int signal_parse(const char *text);
long parse_whole(const char *s, long hi);
const char *signal_name(int sig, char buf[16]);

/* status.c: wait status to exit code (pure). */
int exit_code(int status);
int exit_code_remap(const struct config *cfg, int code);

/* fmt.c: snprintf's %s %.*s %c %d %u %ld %lu %% (pure). */
size_t fmt(char *buf, size_t size, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
size_t vfmt(char *buf, size_t size, const char *f, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* file.c: the small files of /proc and /sys. */
int open_cloexec(const char *path, int flags);
ssize_t read_small(const char *path, char *buf, size_t size);

/* text.c: prefixes and the environment as a list (pure). */
const char *skip_prefix(const char *s, const char *prefix);
const char *skip_prefix_nocase(const char *s, const char *prefix);
const char *env_get(char *const *envp, const char *name);

/* log.c: one line per message, written with one write(2). */
enum level { LVL_ERROR, LVL_WARN, LVL_INFO };
void log_json(bool on);
bool log_is_json(void);
size_t json_escape(char *out, size_t size, const char *text);
void note(enum level level, const char *event, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
void note_fields(enum level level, const char *event, const char *fields,
		 const char *format, ...) __attribute__((format(printf, 4, 5)));
void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
void say_errno(const char *what);

/* oom.c: OOM kills so far in pidone's memory cgroup, or -1. */
long oom_kills(void);

/* signals.c: the signal state pidone inherited, and forwarding. */
struct inherited {
	sigset_t mask;
	bool sigchld_ignored;
};
int signals_mask(int how, const sigset_t *set, sigset_t *old);
int signals_block_all(struct inherited *inh);
void signals_restore(const struct inherited *inh);
int signals_forward(const struct config *cfg, const struct run *run);
bool signals_forwarded(int sig);
int signals_pause(void);
int signals_block_for_loop(sigset_t *waitset);

/* relro.c: protect the relocated read-only data. */
int relro_protect(void);

/* spawn.c: fork the command and make it the foreground job; the PATH
 * search it makes, which --restrict-exec repeats before the fork. */
const char *exec_path(void);
bool path_next(const char **path, const char *cmd, char *file, size_t size);
int spawn(const struct config *cfg, const struct inherited *inh, struct run *run);

/* tty.c: the terminal's foreground process group. */
pid_t tty_group(void);
int tty_set_group(pid_t pgid);
bool tty_foreground(void);
void tty_give(pid_t pgid);

/* reaper.c: the one wait loop. */
int reap_loop(const struct config *cfg, const struct run *run);

/* confine.c: drop what pidone no longer needs once the command runs. */
void confine(const struct config *cfg);

/* Landlock's rights past ABI 2, which Debian 12's kernel headers do not
 * have yet: the values are the kernel's stable uAPI. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)      /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)      /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)      /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* restrict.c: what --restrict-* asks for, and what a Landlock ABI can
 * enforce of it (pure). */
struct restrict_feature {
	char option[24];     /* "--restrict-write" */
	unsigned char bit;   /* R_* */
	unsigned char least; /* the first ABI that enforces any of it */
	unsigned char full;  /* the first ABI that enforces all of it */
};
extern const struct restrict_feature restrict_features[6];
struct landlock_plan {
	uint64_t fs;         /* handled filesystem rights */
	uint64_t write;      /* granted beneath the write paths (directories) */
	uint64_t net;        /* handled network rights */
	uint64_t scoped;
	unsigned char partial, left; /* R_* enforced in part, left out */
};
int restrict_path_check(const char *list);
long restrict_port(const char *text);
int restrict_plan(const struct restrict_cfg *rs, int abi, struct landlock_plan *plan,
		  char *err, size_t errlen);

/* landlock.c: the ruleset, made before the fork, entered by the child;
 * the running kernel's Landlock ABI (0: none). */
int landlock_abi(void);
int landlock_prepare(const struct config *cfg, int *ruleset);
void landlock_enter(int ruleset);

/* drain.c: stop every remaining descendant. */
int drain_signal_below(int sig, pid_t self);
int drain_count_others(pid_t self);
bool proc_is_ours(pid_t self);

#endif
