/* become.c: --user. Before the fork, pidone reads /etc/passwd and /etc/group
 * (the files: a static binary has no NSS) and refuses what it cannot
 * resolve; after it, the child drops to the user, checks that nothing of
 * pidone's ids is left, and tells the parent through a close-on-exec pipe if
 * that failed: pidone then exits 125, and the command never ran. */
#include "pidone.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A whole file, mapped; a missing one reads as empty. */
static int map(const char *path, const char **text, size_t *len)
{
	struct stat st;
	int fd = open_cloexec(path, O_RDONLY);
	void *p;

	*text = "";
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return -1;
		}
		*text = p;
		*len = (size_t)st.st_size;
	}
	close(fd);
	return 0;
}

static void unmap(const char *text, size_t len)
{
	if (len > 0)
		munmap((void *)(uintptr_t)text, len);
}

/* spec to the identity the child takes, or NULL having said why. It gets
 * memory of its own, so that pidone without --user does not carry its
 * 5 KiB in the data it touches. */
const struct identity *become_lookup(const char *spec)
{
	const char *passwd, *group;
	size_t passwd_len, group_len;
	struct identity *id;
	char err[160];
	int rc;

	id = mmap(NULL, sizeof *id, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (id == MAP_FAILED) {
		say_errno("mmap");
		return NULL;
	}
	if (map("/etc/passwd", &passwd, &passwd_len) != 0) {
		say_errno("/etc/passwd");
		munmap(id, sizeof *id);
		return NULL;
	}
	if (map("/etc/group", &group, &group_len) != 0) {
		say_errno("/etc/group");
		unmap(passwd, passwd_len);
		munmap(id, sizeof *id);
		return NULL;
	}
	rc = user_resolve(id, spec, passwd, passwd_len, group, group_len, getgid(),
			  env_get(environ, "HOME") != NULL, err, sizeof err);
	unmap(passwd, passwd_len);
	unmap(group, group_len);
	if (rc != 0) {
		say("%s", err);
		munmap(id, sizeof *id);
		return NULL;
	}
	return id;
}

int become_report_open(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) != 0) {
		say_errno("pipe2");
		return -1;
	}
	return 0;
}

/* In the child: the reason, a byte on the pipe, then 125. */
static void failed(const struct identity *id, const char *what, const char *why,
		   int report)
{
	say("--user: uid %u: %s: %s%s", (unsigned)id->uid, what, why,
	    errno == EPERM ? " (switching users needs root, or CAP_SETUID and CAP_SETGID)" : "");
	(void)!write(report, "!", 1);
	_exit(EXIT_PIDONE);
}

/* HOME=dir added to a copy of the environment: the command gets it, and
 * pidone's own is left as it was. */
static void add_home(const struct identity *id, int report)
{
	size_t n = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = mmap(NULL, (n + 2) * sizeof *env, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (env == MAP_FAILED)
		failed(id, "HOME", strerror(errno), report);
	if (n > 0)
		memcpy(env, environ, n * sizeof *env);
	env[n] = (char *)(uintptr_t)id->home_env;
	env[n + 1] = NULL;
	environ = env;
}

/* In the child, after the fork: groups first, then the gid, then the uid
 * (after which no other change is allowed); then check all three of each. */
void become(const struct identity *id, int report)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (setgroups(id->ngroups, id->groups) != 0)
		failed(id, "setgroups", strerror(errno), report);
	if (setgid(id->gid) != 0)
		failed(id, "setgid", strerror(errno), report);
	if (setuid(id->uid) != 0)
		failed(id, "setuid", strerror(errno), report);
	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0)
		failed(id, "getresuid", strerror(errno), report);
	if (ruid != id->uid || euid != id->uid || suid != id->uid ||
	    rgid != id->gid || egid != id->gid || sgid != id->gid) {
		errno = 0;
		failed(id, "check", "a real, effective or saved id is not the new one", report);
	}
	if (id->home_env[0])
		add_home(id, report);
}

/* In pidone, after the fork: 0 once the child has exec'd (or failed to, which
 * its exit status says), -1 if it could not become the user. */
int become_report_wait(pid_t child, int fds[2])
{
	char byte;
	ssize_t n;

	close(fds[1]);
	do
		n = read(fds[0], &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		say_errno("read");
	close(fds[0]);
	if (n == 0)
		return 0;
	if (n < 0)
		kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	return -1;
}
