/* log.c: pidone's messages. Each is one line on stderr, written with a single
 * write(2) so it never interleaves mid-line with the command's output. */
#include "pidone.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void put_line(const char *text, size_t len)
{
	char line[512];
	int n = snprintf(line, sizeof line, "pidone: %.*s\n", (int)len, text);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	/* Nowhere left to report a failed write to stderr. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void say(const char *fmt, ...)
{
	int saved = errno;
	char text[400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (n >= 0)
		put_line(text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
	errno = saved;
}

/* "pidone: <what>: <why>" for the errno of the call that just failed. */
void say_errno(const char *what)
{
	say("%s: %s", what, strerror(errno));
}
