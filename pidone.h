/* pidone: the types and functions its files share. */
#ifndef PIDONE_H
#define PIDONE_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* Everything the command line and the environment can set. */
struct config {
	enum action action;
	char **argv;               /* the command; NULL in pause mode */
	int verbosity;             /* 0 errors, 1 lifecycle, 2 every reap */
	bool warn_reap;            /* -w: name every reaped orphan */
	bool single_child;         /* -c: signal the child, not its group */
	bool drain;                /* stop the rest gracefully at exit */
	bool confine;              /* drop privileges once the command runs */
	bool quiet;                /* -q: no exit report */
	enum log_format log_format;
	int pdeath_signal;         /* -p: 0 for none */
	int drain_signal;
	unsigned grace_ms;
	unsigned char rewrite[MAXSIG + 1]; /* what to forward for each signal; 0 drops */
	uint64_t remap_exit[4];    /* -e: child exit codes reported as 0 */
};

/* What pidone knows about itself and its command once it runs. */
struct run {
	pid_t child;      /* the command; 0 in pause mode */
	pid_t target;     /* where signals go: -pgid, or the pid with -c */
	pid_t self;       /* pidone's own pid */
	bool pid1;        /* PID 1 of a pid namespace */
	bool tty;         /* not PID 1, stdin is pidone's terminal, and the
			   * command has a group: job control to follow */
	const char *name; /* the command, for messages */
};

/* options.c: argv and environment to config (pure). */
int config_parse(struct config *cfg, int argc, char **argv, char **envp,
		 char *err, size_t errlen);
extern const char usage_line[];
extern const char help_text[];
extern const char license_text[];

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

/* spawn.c: fork the command and make it the foreground job. */
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

/* drain.c: stop every remaining descendant. */
int drain_signal_below(int sig, pid_t self);
int drain_count_others(pid_t self);
bool proc_is_ours(pid_t self);

#endif
