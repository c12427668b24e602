/* text.c: prefixes and the environment as a list (pure: no system calls). */
#include "pidone.h"

#include <string.h>
#include <strings.h>

/* s past prefix if s starts with it, else NULL. */
const char *skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* The same in any case of s ("sigterm" for "SIG"). */
const char *skip_prefix_nocase(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* The value of the variable name in envp, or NULL: getenv() for an
 * environment given as an argument, so that the option parser stays pure. */
const char *env_get(char *const *envp, const char *name)
{
	for (; envp && *envp; envp++) {
		const char *v = skip_prefix(*envp, name);

		if (v && *v == '=')
			return v + 1;
	}
	return NULL;
}
