/* log.c: pidone's messages. Each is one line on stderr, written with a single
 * write(2) so it never interleaves mid-line with the command's output: plain
 * "pidone: ..." text, or with --log-format=json one JSON object a line. */
#include "pidone.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool json;

static const char level_names[][6] = { "error", "warn", "info" };

void log_json(bool on)
{
	json = on;
}

bool log_is_json(void)
{
	return json;
}

/* text as a JSON string body: quotes, backslashes and controls escaped. */
size_t json_escape(char *out, size_t size, const char *text)
{
	size_t n = 0;

	for (; *text && n + 7 < size; text++) {
		unsigned char c = (unsigned char)*text;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += fmt(out + n, size - n, "\\u00%c%c", "0123456789abcdef"[c >> 4],
				 "0123456789abcdef"[c & 15]);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return n;
}

static void vnote(enum level level, const char *event, const char *fields,
		  const char *format, va_list ap)
{
	int saved = errno;
	char text[400], line[1024];
	size_t n;

	vfmt(text, sizeof text, format, ap);
	if (json) {
		struct timespec t = { 0, 0 };
		char body[800];

		clock_gettime(CLOCK_REALTIME, &t); /* zero if it fails */
		json_escape(body, sizeof body, text);
		n = fmt(line, sizeof line,
			"{\"time\":%ld.%c%c%c,\"level\":\"%s\",\"event\":\"%s\",%s%s\"message\":\"%s\"}",
			(long)t.tv_sec, (char)('0' + t.tv_nsec / 100000000),
			(char)('0' + t.tv_nsec / 10000000 % 10),
			(char)('0' + t.tv_nsec / 1000000 % 10), level_names[level], event,
			fields ? fields : "", fields ? "," : "", body);
	} else {
		n = fmt(line, sizeof line, "pidone: %s", text);
	}
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	/* Nowhere is left to report a failed write to stderr. */
	(void)!write(STDERR_FILENO, line, n);
	errno = saved;
}

void note(enum level level, const char *event, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vnote(level, event, NULL, format, ap);
	va_end(ap);
}

/* note() with fields for the JSON form: a fragment such as "\"pid\":7". */
void note_fields(enum level level, const char *event, const char *fields,
		 const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vnote(level, event, fields, format, ap);
	va_end(ap);
}

void say(const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vnote(LVL_ERROR, "error", NULL, format, ap);
	va_end(ap);
}

/* "pidone: <what>: <why>" for the errno of the call that just failed. */
void say_errno(const char *what)
{
	say("%s: %s", what, strerror(errno));
}
