/* oom.c: how many times the kernel's out-of-memory killer has struck in
 * pidone's memory cgroup (v1 memory.oom_control or v2 memory.events, both
 * "oom_kill N"), so an exit report can say who killed the command. */
#include "pidone.h"

#include <string.h>

/* The start of the line after the one at line, or the end of the text. */
static const char *next_line(const char *line)
{
	const char *end = strchrnul(line, '\n');

	return *end ? end + 1 : end;
}

/* The number after "key " at the start of a line of text, or -1. */
static long value_of(const char *text, const char *key)
{
	for (const char *line = text; *line; line = next_line(line)) {
		const char *d = skip_prefix(line, key);
		long v = 0;

		if (!d || *d != ' ')
			continue;
		for (d++; *d >= '0' && *d <= '9'; d++)
			v = v * 10 + (*d - '0');
		return v;
	}
	return -1;
}

/* The cgroup path after "prefix" in /proc/self/cgroup ("4:memory:" for
 * v1, "0::" for v2), copied into path; -1 if there is none. */
static int cgroup_path(const char *cgroups, const char *tag, char *path, size_t size)
{
	for (const char *line = cgroups; *line; line = next_line(line)) {
		const char *end = strchrnul(line, '\n');
		const char *colon = strchrnul(line, ':');
		const char *at = colon < end ? skip_prefix(colon + 1, tag) : NULL;

		if (at) {
			fmt(path, size, "%.*s", (int)(end - at), at);
			return 0;
		}
	}
	return -1;
}

/* Static buffers: this runs at start-up, and every stack page it touched
 * would stay in pidone's resident memory for the life of the container;
 * these share the data page pidone dirties anyway. Never called from a
 * signal handler. */
long oom_kills(void)
{
	static char cgroups[1024], path[256], file[320], text[512];

	if (read_small("/proc/self/cgroup", cgroups, sizeof cgroups) < 0)
		return -1;
	if (cgroup_path(cgroups, "memory:", path, sizeof path) == 0) {
		fmt(file, sizeof file, "/sys/fs/cgroup/memory%s/memory.oom_control", path);
		if (read_small(file, text, sizeof text) >= 0)
			return value_of(text, "oom_kill");
	}
	if (cgroup_path(cgroups, ":", path, sizeof path) == 0) {
		fmt(file, sizeof file, "/sys/fs/cgroup%s/memory.events", path);
		if (read_small(file, text, sizeof text) >= 0)
			return value_of(text, "oom_kill");
	}
	return -1;
}
