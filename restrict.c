/* restrict.c: what the --restrict-* options ask for, and what a given
 * Landlock ABI can enforce of it. Pure: landlock.c makes the system calls. */
#include "pidone.h"

#include <limits.h>
#include <string.h>

/* Each option, the first ABI that enforces some of it and the one that
 * enforces all of it. Only --restrict-write comes in part: ABI 1 and 2
 * cannot stop truncate(2) and ftruncate(2), which came with ABI 3. */
const struct restrict_feature restrict_features[6] = {
	{ "--restrict-write", R_WRITE, 1, 3 },
	{ "--restrict-exec", R_EXEC, 1, 1 },
	{ "--restrict-ioctl", R_IOCTL, 5, 5 },
	{ "--restrict-bind", R_BIND, 4, 4 },
	{ "--restrict-connect", R_CONNECT, 4, 4 },
	{ "--restrict-scope", R_SCOPE, 6, 6 },
};

/* Everything that changes the tree or a file's content, as ABI 1 knows it. */
#define WRITE_ABI1 (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
		    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | \
		    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
		    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
		    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

/* A comma list of absolute paths: 0, or -1 for an empty, relative or
 * too long item. A path with a comma in it cannot be named. */
int restrict_path_check(const char *list)
{
	for (const char *s = list;; ) {
		size_t n = (size_t)(strchrnul(s, ',') - s);

		if (n == 0 || s[0] != '/' || n >= PATH_MAX)
			return -1;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

/* A TCP port, 0..65535 (0: binding to a port the kernel picks), or -1. */
long restrict_port(const char *text)
{
	return parse_whole(text, 65535);
}

/* The rights to handle on a kernel with Landlock ABI abi (0: none). What it
 * cannot enforce fails, unless best effort leaves it out (or, for writes,
 * enforces the part it can). Only rights the ABI knows are handled: the
 * kernel refuses a ruleset with any other. */
int restrict_plan(const struct restrict_cfg *rs, int abi, struct landlock_plan *plan,
		  char *err, size_t errlen)
{
	unsigned use;

	memset(plan, 0, sizeof *plan);
	err[0] = '\0';
	for (size_t i = 0; i < sizeof restrict_features / sizeof restrict_features[0]; i++) {
		const struct restrict_feature *f = &restrict_features[i];

		if (!(rs->on & f->bit) || abi >= f->full)
			continue;
		if (!rs->best_effort) {
			char has[16] = "none";

			if (abi > 0)
				fmt(has, sizeof has, "%d", abi);
			fmt(err, errlen, "%s: needs Landlock ABI %u, this kernel has %s "
			    "(--restrict-best-effort applies what it can)", f->option,
			    (unsigned)f->full, has);
			return -1;
		}
		if (abi >= f->least)
			plan->partial |= f->bit;
		else
			plan->left |= f->bit;
	}
	use = rs->on & ~plan->left;
	if (use & R_WRITE) {
		plan->write = WRITE_ABI1;
		if (abi >= 2) /* before it, renames across directories fail anyway */
			plan->write |= LANDLOCK_ACCESS_FS_REFER;
		if (abi >= 3)
			plan->write |= LANDLOCK_ACCESS_FS_TRUNCATE;
		plan->fs |= plan->write;
	}
	if (use & R_EXEC)
		plan->fs |= LANDLOCK_ACCESS_FS_EXECUTE;
	if (use & R_IOCTL)
		plan->fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (use & R_BIND)
		plan->net |= LANDLOCK_ACCESS_NET_BIND_TCP;
	if (use & R_CONNECT)
		plan->net |= LANDLOCK_ACCESS_NET_CONNECT_TCP;
	if (use & R_SCOPE)
		plan->scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
	return 0;
}
