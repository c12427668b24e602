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
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct proc {
	pid_t pid, ppid;
	unsigned long long start; /* start time: tells a reused pid apart */
	bool below;               /* a descendant of pidone */
};

/* The next space-separated field of /proc/PID/stat as a number. */
static unsigned long long field(const char **s)
{
	unsigned long long v = 0;

	while (**s == ' ')
		(*s)++;
	for (; **s >= '0' && **s <= '9'; (*s)++)
		v = v * 10 + (unsigned long long)(**s - '0');
	while (**s && **s != ' ')
		(*s)++;
	return v;
}

/* pid, ppid and start time from /proc/PID/stat; state 'Z' counts as gone. */
static int read_stat(pid_t pid, struct proc *p)
{
	char path[32], buf[1024];
	const char *s;

	fmt(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof buf) <= 0)
		return -1;
	/* The command name may hold spaces and ')': skip to the last ')'. */
	s = strrchr(buf, ')');
	if (!s || s[1] != ' ' || s[2] == 'Z' || s[2] == '\0')
		return -1;
	s += 3; /* past ") S" */
	p->pid = pid;
	p->ppid = (pid_t)field(&s);
	for (int i = 5; i < 22; i++) /* fields 5..21, then 22: starttime */
		field(&s);
	p->start = field(&s);
	p->below = false;
	return 0;
}

/* A growing array in anonymous memory: mmap() and mremap(), whose system
 * calls the seccomp list names, where malloc() would bring its own. */
struct procs {
	struct proc *at;
	size_t n, cap;
	bool unsorted; /* /proc lists pids in order; in case one day it does not */
};

static int grow(struct procs *ps)
{
	size_t cap = ps->cap ? ps->cap * 2 : 4096;
	void *mem = ps->at
		? mremap(ps->at, ps->cap * sizeof *ps->at, cap * sizeof *ps->at, MREMAP_MAYMOVE)
		: mmap(NULL, cap * sizeof *ps->at, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return -1;
	ps->at = mem;
	ps->cap = cap;
	return 0;
}

static void release(struct procs *ps)
{
	if (ps->at && munmap(ps->at, ps->cap * sizeof *ps->at) != 0)
		say_errno("munmap");
}

/* Every live process /proc shows, in pid order (the order /proc lists them).
 * Returns -1 if /proc cannot be read. */
static int snapshot(struct procs *ps)
{
	int dir = open_cloexec("/proc", O_RDONLY | O_DIRECTORY);
	/* getdents64(), not readdir(): no DIR to allocate. */
	union {
		struct dirent64 first;
		char bytes[4096];
	} buf;
	ssize_t n;

	if (dir < 0)
		return -1;
	while ((n = getdents64(dir, &buf.first, sizeof buf.bytes)) > 0) {
		for (ssize_t off = 0; off < n;) {
			const struct dirent64 *d = (const void *)(buf.bytes + off);
			const char *name = d->d_name;
			pid_t pid = (pid_t)field(&name);

			off += d->d_reclen;
			if (pid <= 0 || *name != '\0')
				continue;
			if (ps->n == ps->cap && grow(ps) != 0)
				break;
			if (read_stat(pid, &ps->at[ps->n]) != 0)
				continue;
			if (ps->n > 0 && pid < ps->at[ps->n - 1].pid)
				ps->unsorted = true;
			ps->n++;
		}
	}
	close(dir);
	return n < 0 ? -1 : 0;
}

/* The entry for pid, or NULL: a binary search, unless /proc was unsorted. */
static struct proc *find(struct procs *ps, pid_t pid)
{
	size_t lo = 0, hi = ps->n;

	if (ps->unsorted) {
		for (size_t i = 0; i < ps->n; i++)
			if (ps->at[i].pid == pid)
				return &ps->at[i];
		return NULL;
	}
	while (lo < hi) { /* the first entry at or past pid is in [lo, hi] */
		size_t mid = lo + (hi - lo) / 2;

		if (ps->at[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->n && ps->at[lo].pid == pid ? &ps->at[lo] : NULL;
}

/* Whether p descends from self: climb its parent chain to self, or to a
 * process already marked, or off the top (at most one step per process). */
static bool is_below(struct procs *ps, const struct proc *p, pid_t self)
{
	for (size_t steps = 0; p && steps < ps->n; steps++) {
		if (p->ppid == self || p->below)
			return true;
		p = find(ps, p->ppid);
	}
	return false;
}

static void mark_below(struct procs *ps, pid_t self)
{
	for (size_t i = 0; i < ps->n; i++)
		ps->at[i].below = is_below(ps, &ps->at[i], self);
}

/* Signal p only if its pid still names the process the snapshot saw: hold it
 * by a pidfd first, then compare start times. The bare system calls: musl
 * has no pidfd wrappers. */
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
bool proc_is_ours(pid_t self)
{
	char link[16], want[16];
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);

	if (n <= 0)
		return false;
	link[n] = '\0';
	fmt(want, sizeof want, "%d", (int)self);
	return strcmp(link, want) == 0;
}

/* The processes /proc shows, if it is this namespace's: another
 * namespace's /proc would name other processes by our pids. */
static int snapshot_ours(pid_t self, struct procs *ps)
{
	return proc_is_ours(self) ? snapshot(ps) : -1;
}

/* As PID 1: how many other live processes the namespace holds, counting
 * those that joined it from outside (docker exec, a pod's containers), which
 * are not pidone's children; -1 if /proc cannot tell. */
int drain_count_others(pid_t self)
{
	struct procs ps = { 0 };
	int count = -1;

	if (snapshot_ours(self, &ps) == 0)
		count = (int)ps.n - (find(&ps, self) != NULL);
	release(&ps);
	return count;
}

/* Not PID 1: send sig to every process below pidone; returns how many were
 * alive to get it (-1 if /proc could not tell). */
int drain_signal_below(int sig, pid_t self)
{
	struct procs ps = { 0 };
	int count = -1;

	if (snapshot_ours(self, &ps) == 0) {
		count = 0;
		mark_below(&ps, self);
		for (size_t i = 0; i < ps.n; i++)
			if (ps.at[i].below && signal_exact(&ps.at[i], sig) == 0)
				count++;
	}
	release(&ps);
	return count;
}
