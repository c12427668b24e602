/* drain.c: signal every process that remains below pidone.
 *
 * As PID 1 of a pid namespace everything else in it is pidone's, and
 * kill(-1, sig) reaches it all at once. Anywhere else kill(-1) would reach the
 * whole machine, so pidone walks /proc for its own descendants and signals
 * each one through a pidfd, after checking that the pid still names the
 * process it saw. */
#include "pidone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct proc {
	pid_t pid, ppid;
	unsigned long long start; /* start time: tells a reused pid apart */
	bool below;               /* a descendant of pidone */
};

/* pid, ppid and start time from /proc/PID/stat; state 'Z' counts as gone. */
static int read_stat(pid_t pid, struct proc *p)
{
	char path[32], buf[1024];
	const char *s;
	char state;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces and ')': skip to the last ')'. */
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &state, &p->ppid, &p->start) != 3)
		return -1;
	p->pid = pid;
	p->below = false;
	return state == 'Z' ? -1 : 0;
}

/* Every live process /proc shows; NULL with n = 0 if /proc cannot be read. */
static struct proc *snapshot(size_t *n)
{
	DIR *dir = opendir("/proc");
	struct proc *procs = NULL;
	size_t cap = 0;
	struct dirent *d;

	*n = 0;
	if (!dir)
		return NULL;
	while ((d = readdir(dir))) {
		long pid = strtol(d->d_name, NULL, 10);

		if (pid <= 0)
			continue;
		if (*n == cap) {
			struct proc *more = realloc(procs, (cap ? cap * 2 : 256) * sizeof *more);

			if (!more)
				break;
			procs = more;
			cap = cap ? cap * 2 : 256;
		}
		if (read_stat((pid_t)pid, &procs[*n]) == 0)
			(*n)++;
	}
	closedir(dir);
	return procs;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;

	return (x > y) - (x < y);
}

static struct proc *find(struct proc *procs, size_t n, pid_t pid)
{
	struct proc key = { .pid = pid };

	return bsearch(&key, procs, n, sizeof *procs, by_pid);
}

/* Mark what descends from self: climb each parent chain to self, or to a
 * process already marked, or off the top. */
static void mark_below(struct proc *procs, size_t n, pid_t self)
{
	qsort(procs, n, sizeof *procs, by_pid);
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = &procs[i];

		for (size_t steps = 0; p && p->ppid != self && !p->below && steps < n; steps++)
			p = find(procs, n, p->ppid);
		procs[i].below = p && (p->ppid == self || p->below);
	}
}

/* Signal p only if its pid still names the process the snapshot saw: hold it
 * by a pidfd first, then compare start times. */
static int signal_exact(const struct proc *p, int sig)
{
	struct proc now;
	int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	int rc;

	if (fd < 0 && errno != ENOSYS)
		return -1;
	if (read_stat(p->pid, &now) != 0 || now.start != p->start) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0)
		return kill(p->pid, sig);
	rc = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	close(fd);
	return rc;
}

/* Whether /proc belongs to pidone's pid namespace: it must show us as self. */
static bool proc_is_ours(pid_t self)
{
	char link[16], want[16];
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);

	if (n <= 0)
		return false;
	link[n] = '\0';
	snprintf(want, sizeof want, "%d", (int)self);
	return strcmp(link, want) == 0;
}

/* Send sig to every process below pidone; returns how many were alive to
 * get it (-1 if /proc could not tell). */
int drain_signal_all(int sig, bool pid1)
{
	pid_t self = getpid();
	size_t n, count = 0;
	struct proc *procs = snapshot(&n);

	if (pid1) {
		if (kill(-1, sig) != 0 && errno != ESRCH)
			say_errno("kill -1");
		/* /proc counts only if it is this namespace's (it shows us as 1). */
		if (!procs || !proc_is_ours(self)) {
			free(procs);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			count += procs[i].pid != self;
		free(procs);
		return (int)count;
	}
	/* Another namespace's /proc would name other processes by our pids. */
	if (!procs || !proc_is_ours(self)) {
		free(procs);
		return -1;
	}
	mark_below(procs, n, self);
	for (size_t i = 0; i < n; i++)
		if (procs[i].below && signal_exact(&procs[i], sig) == 0)
			count++;
	free(procs);
	return (int)count;
}
