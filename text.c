/* text.c: the few string searches pidone makes, each a plain loop. musl's
 * strchr(), strcspn(), strrchr(), strncmp(), strncasecmp(), getenv() and
 * bsearch() are tuned for long inputs and pull in one another: a thirtieth
 * of the binary, for strings of a few dozen bytes. Pure: no system calls. */
#include "pidone.h"

/* The first c in s, or the NUL that ends s (GNU's strchrnul()). */
const char *find_char(const char *s, char c)
{
	while (*s && *s != c)
		s++;
	return s;
}

/* The last c in s, or NULL if there is none (strrchr()). */
const char *find_last(const char *s, char c)
{
	const char *last = NULL;

	for (; *s; s++)
		if (*s == c)
			last = s;
	return last;
}

/* s past prefix if s starts with it, else NULL. */
const char *skip_prefix(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (*s != *prefix)
			return NULL;
	return s;
}

/* s past prefix if s starts with it in any case, else NULL; prefix is in
 * capitals ("SIG", "TERM"). libc's strcasecmp pair costs 300 bytes. */
const char *skip_prefix_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != (unsigned char)*prefix)
			return NULL;
	}
	return s;
}

/* The value of the variable name in envp, or NULL (getenv() for any
 * environment). */
const char *env_get(char *const *envp, const char *name)
{
	for (; envp && *envp; envp++) {
		const char *v = skip_prefix(*envp, name);

		if (v && *v == '=')
			return v + 1;
	}
	return NULL;
}
