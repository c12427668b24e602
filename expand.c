/* expand.c: --expand-env: ${VAR}, ${VAR:-default} and $$ in the command
 * and its arguments, from pidone's environment. Everything else ($VAR, $(...),
 * `...`, ${VAR-x}) stays as written: no shell, so no word splitting, globbing
 * or command substitution. Pure: no system calls. */
#include "pidone.h"

#include <string.h>

/* Output that counts what it would write, like snprintf; off when skipping
 * the default of a variable that is set. */
struct out {
	char *buf;
	size_t size, len;
	bool on;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (!o->on)
		return;
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

static const char *env_getn(char *const *envp, const char *name, size_t n)
{
	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* arg expanded into out (size bytes, always terminated if size > 0): its
 * length, which may be size or more (then out holds what fits), or -1 if a
 * "${" is never closed.
 *
 * One pass, no recursion (an argument can nest thousands deep): depth counts
 * the ${...} we are in; off_at is the depth whose '}' turns the output back
 * on (0: it is on), after the default of a variable that is set, or after a
 * form that is not ours, which is then copied from raw as it is. */
long expand_arg(const char *arg, char *const *envp, char *out, size_t size)
{
	struct out o = { .buf = out, .size = size, .on = true };
	size_t depth = 0, off_at = 0;
	const char *raw = NULL, *s = arg;

	while (*s) {
		if (depth > 0 && *s == '}') {
			s++;
			if (off_at == depth) {
				o.on = true;
				off_at = 0;
				if (raw)
					put(&o, raw, (size_t)(s - raw));
				raw = NULL;
			}
			depth--;
		} else if (s[0] == '$' && s[1] == '$') {
			put(&o, "$", 1);
			s += 2;
		} else if (s[0] == '$' && s[1] == '{') {
			const char *name = s + 2, *end = name, *value;

			while (name_char(*end))
				end++;
			if (!name_start(*name) || (*end != '}' && !(end[0] == ':' && end[1] == '-'))) {
				if (o.on) { /* not ours: find its end, then copy it */
					raw = s;
					o.on = false;
					off_at = depth + 1;
				}
				depth++;
				s = name;
				continue;
			}
			value = env_getn(envp, name, (size_t)(end - name));
			if (value)
				put(&o, value, strlen(value));
			if (*end == '}') {
				s = end + 1;
				continue;
			}
			depth++; /* ":-": the default only for unset or empty */
			if (value && *value && o.on) {
				o.on = false;
				off_at = depth;
			}
			s = end + 2;
		} else {
			put(&o, s++, 1);
		}
	}
	if (size > 0)
		out[o.len < size ? o.len : size - 1] = '\0';
	return depth > 0 ? -1 : (long)o.len;
}

/* Bytes for the new argv's pointers, then its strings. */
size_t expand_argv_size(char *const *argv, char *const *envp, char *err, size_t errlen)
{
	size_t size = sizeof(char *);

	for (char *const *a = argv; *a; a++) {
		long n = expand_arg(*a, envp, NULL, 0);

		if (n < 0) {
			fmt(err, errlen, "--expand-env: '%.100s' has a \"${\" with no \"}\"", *a);
			return 0;
		}
		size += sizeof(char *) + (size_t)n + 1;
	}
	return size;
}

/* The expanded argv, built in buf (expand_argv_size() bytes, pointer
 * aligned). */
char **expand_argv(char *const *argv, char *const *envp, void *buf, size_t size)
{
	size_t argc = 0;
	char **out = buf;
	char *strings;

	while (argv[argc])
		argc++;
	strings = (char *)(out + argc + 1);
	for (size_t i = 0; i < argc; i++) {
		size_t left = size - (size_t)(strings - (char *)buf);
		long n = expand_arg(argv[i], envp, strings, left);

		out[i] = strings;
		strings += n + 1;
	}
	out[argc] = NULL;
	return out;
}
