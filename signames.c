/* signames.c: signal names to numbers and back. Pure: no system calls. */
#include "pidone.h"

#include <stdlib.h>
#include <string.h>

/* Real-time names follow glibc and the shells (bash, procps): RTMIN is 34,
 * whatever SIGRTMIN the libc pidone is built with reserves for itself. */
enum { RTMIN = 34, RTMAX = MAXSIG };

/* Arrays, not pointers: a static-pie binary pays a relocation per pointer. */
static const char names[32][7] = {
	[SIGHUP] = "HUP",   [SIGINT] = "INT",       [SIGQUIT] = "QUIT",
	[SIGILL] = "ILL",   [SIGTRAP] = "TRAP",     [SIGABRT] = "ABRT",
	[SIGBUS] = "BUS",   [SIGFPE] = "FPE",       [SIGKILL] = "KILL",
	[SIGUSR1] = "USR1", [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",     [SIGTERM] = "TERM",
	[SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",
	[SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",     [SIGTTIN] = "TTIN",
	[SIGTTOU] = "TTOU", [SIGURG] = "URG",       [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
	[SIGWINCH] = "WINCH", [SIGIO] = "IO",       [SIGPWR] = "PWR",
	[SIGSYS] = "SYS",
};

/* A whole decimal number in [0, hi], digits only, or -1. */
long parse_whole(const char *s, long hi)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > hi)
			return -1;
	}
	return v;
}

/* "RTMIN", "RTMIN+3", "RTMAX-2" (without the SIG prefix). */
static int parse_realtime(const char *s)
{
	const char *rest;
	int base, off;

	if ((rest = skip_prefix_nocase(s, "RTMIN")))
		base = RTMIN;
	else if ((rest = skip_prefix_nocase(s, "RTMAX")))
		base = RTMAX;
	else
		return 0;
	s = rest;
	if (*s == '\0')
		return base;
	if ((base == RTMIN && *s != '+') || (base == RTMAX && *s != '-'))
		return 0;
	off = (int)parse_whole(s + 1, RTMAX - RTMIN);
	if (off < 0)
		return 0;
	return base == RTMIN ? base + off : base - off;
}

/* A signal from "15", "TERM", "SIGTERM", "sigterm" or "RTMIN+1"; 0 if none. */
int signal_parse(const char *text)
{
	int n = (int)parse_whole(text, MAXSIG);
	const char *rest;

	if (n > 0)
		return n;
	if (n == 0)
		return 0;
	if ((rest = skip_prefix_nocase(text, "SIG")))
		text = rest;
	for (int sig = 1; sig < 32; sig++) {
		rest = names[sig][0] ? skip_prefix_nocase(text, names[sig]) : NULL;
		if (rest && *rest == '\0')
			return sig;
	}
	return parse_realtime(text);
}

const char *signal_name(int sig, char buf[16])
{
	if (sig > 0 && sig < 32 && names[sig][0])
		fmt(buf, 16, "SIG%s", names[sig]);
	else if (sig == RTMIN || sig == RTMAX)
		fmt(buf, 16, "SIGRT%s", sig == RTMIN ? "MIN" : "MAX");
	else if (sig > RTMIN && sig < RTMAX)
		fmt(buf, 16, "SIGRTMIN+%d", sig - RTMIN);
	else
		fmt(buf, 16, "signal %d", sig);
	return buf;
}
