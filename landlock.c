/* landlock.c: the --restrict-* rules as a Landlock ruleset for the command.
 * pidone builds the ruleset before the fork, so that anything wrong (a
 * kernel without the ABI needed, a path that is not there, a command outside
 * --restrict-exec) stops pidone with 125 before anything starts; the child
 * only enters it. pidone itself is never restricted. */
#include "pidone.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The attribute grew with ABI 4 (net) and 6 (scoped); our own copies, as
 * Debian 12's headers stop at ABI 2. A kernel that knows less takes the
 * longer struct as long as the fields it does not know are zero. */
struct ruleset_attr {
	uint64_t fs, net, scoped;
};
enum { RULE_NET_PORT = 2 }; /* its attribute: allowed_access, port */

/* The rights a rule on a file, not a directory, may hold. */
#define FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
		     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
		     LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* The Landlock ABI of the running kernel; 0 without Landlock (ENOSYS) or
 * with it turned off at boot (EOPNOTSUPP). The bare landlock_* system calls
 * here and below: neither musl nor glibc has wrappers for them. */
int landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);

	if (abi < 0)
		abi = 0;
#ifdef PIDONE_TEST_HOOKS
	/* Test builds only: a kernel that knows less (PIDONE_TEST_LANDLOCK_ABI=3). */
	const char *lower = env_get(environ, "PIDONE_TEST_LANDLOCK_ABI");

	if (lower && parse_whole(lower, 99) >= 0 && parse_whole(lower, 99) < abi)
		abi = parse_whole(lower, 99);
#endif
	return (int)abi;
}

/* What best effort left out, at -v. */
static void tell(const struct config *cfg, const struct landlock_plan *plan, int abi)
{
	if (cfg->verbosity < 1)
		return;
	for (size_t i = 0; i < sizeof restrict_features / sizeof restrict_features[0]; i++) {
		const struct restrict_feature *f = &restrict_features[i];

		if (plan->left & f->bit)
			note(LVL_WARN, "landlock", "%s left out: it needs Landlock ABI %u, "
			     "this kernel has %d", f->option, (unsigned)f->full, abi);
	}
	if (plan->partial & R_WRITE)
		note(LVL_WARN, "landlock", "--restrict-write in part: truncate(2) and "
		     "ftruncate(2) are not restricted before Landlock ABI 3, this kernel has "
		     "%d%s", abi, abi < 2 ? "; renames and links across directories fail "
		     "everywhere" : "");
	if (plan->fs || plan->net || plan->scoped)
		note(LVL_INFO, "landlock", "the command runs under Landlock (ABI %d)", abi);
}

/* One rule: rights beneath path (the first n bytes of it). ENOENT is
 * returned quietly when quiet_enoent (/dev in a tree without it). */
static int add_path(int ruleset, const char *option, const char *path, size_t n,
		    uint64_t access, bool quiet_enoent)
{
	struct landlock_path_beneath_attr rule = { .allowed_access = access };
	char name[PATH_MAX];
	struct stat st;
	int fd, rc = -1;

	fmt(name, sizeof name, "%.*s", (int)n, path);
	fd = open(name, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && quiet_enoent)
			return 0;
		say("%s %s: %s", option, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		say("%s %s: %s", option, name, strerror(errno));
	} else {
		if (!S_ISDIR(st.st_mode))
			rule.allowed_access &= FILE_RIGHTS;
		rule.parent_fd = fd;
		rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
				  &rule, 0);
		if (rc != 0)
			say("%s %s: landlock_add_rule: %s", option, name, strerror(errno));
	}
	close(fd);
	return rc;
}

static int add_paths(int ruleset, const char *option, const char *const *lists,
		     unsigned nlists, uint64_t access)
{
	for (unsigned i = 0; i < nlists; i++)
		for (const char *s = lists[i];;) {
			size_t n = (size_t)(strchrnul(s, ',') - s);

			if (add_path(ruleset, option, s, n, access, false) != 0)
				return -1;
			if (s[n] == '\0')
				break;
			s += n + 1;
		}
	return 0;
}

static int add_ports(int ruleset, const char *option, const uint16_t *ports,
		     unsigned n, uint64_t access)
{
	for (unsigned i = 0; i < n; i++) {
		const uint64_t rule[2] = { access, ports[i] };

		if (syscall(SYS_landlock_add_rule, ruleset, RULE_NET_PORT, &rule, 0) != 0) {
			say("%s %u: landlock_add_rule: %s", option, (unsigned)ports[i],
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The file the command names, as the child's PATH search will find it
 * (the first executable regular file); false if there is none. */
static bool find_command(const char *cmd, char *out, size_t size)
{
	struct stat st;

	if (*strchrnul(cmd, '/')) {
		fmt(out, size, "%s", cmd);
		return true;
	}
	for (const char *path = exec_path(); path;)
		if (path_next(&path, cmd, out, size) && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return true;
	return false;
}

/* The directory the command's file really lives in, as exec finds it:
 * symlinks in the last component followed here (readlink), those above it
 * by open. Not realpath(): musl's costs 2 KiB and wants /proc. */
static int real_dir(const char *cmd)
{
	char path[PATH_MAX], link[PATH_MAX], next[PATH_MAX];
	const char *slash;

	fmt(path, sizeof path, "%s", cmd);
	for (int hops = 0; hops < 40; hops++) { /* the kernel's ELOOP limit */
		ssize_t n = readlink(path, link, sizeof link - 1);

		if (n < 0)
			break; /* not a symlink: path is the file */
		link[n] = '\0';
		slash = strrchr(path, '/');
		if (link[0] == '/' || !slash)
			fmt(next, sizeof next, "%s", link);
		else
			fmt(next, sizeof next, "%.*s/%s", (int)(slash - path), path, link);
		memcpy(path, next, sizeof path);
	}
	slash = strrchr(path, '/');
	if (!slash)
		return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (slash == path)
		return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	path[slash - path] = '\0';
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

struct node {
	dev_t dev;
	ino_t ino;
};

/* The command's file, then every directory above it up to the root, as
 * Landlock walks them; how many. */
static int ancestry(const char *cmd, struct node *nodes, int max)
{
	struct stat st;
	int n = 0, fd;

	if (stat(cmd, &st) != 0)
		return 0;
	nodes[n++] = (struct node){ st.st_dev, st.st_ino };
	fd = real_dir(cmd);
	while (fd >= 0 && n < max && fstat(fd, &st) == 0) {
		int up;

		if (st.st_dev == nodes[n - 1].dev && st.st_ino == nodes[n - 1].ino)
			break; /* the root's ".." is itself */
		nodes[n++] = (struct node){ st.st_dev, st.st_ino };
		up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = up;
	}
	if (fd >= 0)
		close(fd);
	return n;
}

/* Whether file is beneath (or is) a path --restrict-exec allows. */
static bool exec_beneath(const struct restrict_cfg *rs, const char *file)
{
	char item[PATH_MAX];
	struct node nodes[128];
	struct stat st;
	int n = ancestry(file, nodes, sizeof nodes / sizeof nodes[0]);

	for (unsigned i = 0; i < rs->nexec; i++)
		for (const char *s = rs->exec[i];;) {
			size_t len = (size_t)(strchrnul(s, ',') - s);

			fmt(item, sizeof item, "%.*s", (int)len, s);
			if (stat(item, &st) == 0)
				for (int k = 0; k < n; k++)
					if (st.st_dev == nodes[k].dev && st.st_ino == nodes[k].ino)
						return true;
			if (s[len] == '\0')
				break;
			s += len + 1;
		}
	return false;
}

#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Phdr Phdr;
#define CLASS ELFCLASS64
#else
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Phdr Phdr;
#define CLASS ELFCLASS32
#endif

/* What exec opens for execution besides file, which Landlock checks as
 * well: a script's #! interpreter, or a native ELF file's loader
 * (PT_INTERP). In out; false if there is none. */
static bool exec_needs(const char *file, char *out, size_t size)
{
	char head[256];
	Ehdr eh;
	Phdr ph;
	size_t n;
	ssize_t got;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	bool found = false;

	if (fd < 0)
		return false;
	got = read(fd, head, sizeof head);
	if (got >= 2 && head[0] == '#' && head[1] == '!') {
		size_t at = 2, end;

		while (at < (size_t)got && (head[at] == ' ' || head[at] == '\t'))
			at++;
		for (end = at; end < (size_t)got && !strchr(" \t\n", head[end]); end++)
			;
		fmt(out, size, "%.*s", (int)(end - at), head + at);
		found = end > at;
	} else if (got >= (ssize_t)sizeof eh && memcmp(head, ELFMAG, SELFMAG) == 0 &&
		   head[EI_CLASS] == CLASS) {
		memcpy(&eh, head, sizeof eh);
		for (unsigned i = 0; i < eh.e_phnum && !found; i++) {
			if (pread(fd, &ph, sizeof ph, (off_t)eh.e_phoff + (off_t)i * eh.e_phentsize) !=
			    (ssize_t)sizeof ph || ph.p_type != PT_INTERP)
				continue;
			n = ph.p_filesz < size ? (size_t)ph.p_filesz : size - 1;
			got = pread(fd, out, n, (off_t)ph.p_offset);
			out[got > 0 ? (size_t)got : 0] = '\0';
			found = got > 0;
		}
	}
	close(fd);
	return found;
}

/* --restrict-exec must allow the command itself, and what exec opens with
 * it (a script's interpreter, a program's loader): a clear refusal here, not
 * an EACCES from exec in the child. A command that is not there at all is
 * left to the child, which exits 127 as without the option. */
static int exec_allowed(const struct config *cfg)
{
	char cmd[PATH_MAX], file[PATH_MAX];

	if (!find_command(cfg->argv[0], cmd, sizeof cmd))
		return 0;
	memcpy(file, cmd, sizeof file);
	for (int depth = 0; depth < 4; depth++) { /* the kernel's binfmt limit */
		if (exec_beneath(&cfg->rs, file)) {
			if (!exec_needs(file, file, sizeof file))
				return 0;
			continue;
		}
		if (depth == 0)
			say("--restrict-exec: the command %.200s is not beneath any path it "
			    "allows", cmd);
		else
			say("--restrict-exec: the command %.200s needs %.200s (its interpreter "
			    "or loader), which is not beneath any path it allows", cmd, file);
		return -1;
	}
	return 0;
}

static int add_rules(const struct config *cfg, const struct landlock_plan *plan,
		     int ruleset)
{
	const struct restrict_cfg *rs = &cfg->rs;

	if (plan->write) {
		if (add_paths(ruleset, "--restrict-write", rs->write, rs->nwrite,
			      plan->write) != 0)
			return -1;
		if (!rs->dev && add_path(ruleset, "--restrict-write", "/dev", 4,
					 plan->write, true) != 0)
			return -1;
	}
	if (plan->fs & LANDLOCK_ACCESS_FS_EXECUTE) {
		if (add_paths(ruleset, "--restrict-exec", rs->exec, rs->nexec,
			      LANDLOCK_ACCESS_FS_EXECUTE) != 0 || exec_allowed(cfg) != 0)
			return -1;
	}
	if ((plan->fs & LANDLOCK_ACCESS_FS_IOCTL_DEV) &&
	    add_paths(ruleset, "--restrict-ioctl", rs->ioctl, rs->nioctl,
		      LANDLOCK_ACCESS_FS_IOCTL_DEV) != 0)
		return -1;
	if ((plan->net & LANDLOCK_ACCESS_NET_BIND_TCP) &&
	    add_ports(ruleset, "--restrict-bind", rs->bind, rs->nbind,
		      LANDLOCK_ACCESS_NET_BIND_TCP) != 0)
		return -1;
	if ((plan->net & LANDLOCK_ACCESS_NET_CONNECT_TCP) &&
	    add_ports(ruleset, "--restrict-connect", rs->connect, rs->nconnect,
		      LANDLOCK_ACCESS_NET_CONNECT_TCP) != 0)
		return -1;
	return 0;
}

/* Before the fork: the ruleset (close-on-exec, as the kernel makes every
 * Landlock descriptor) in *ruleset, or -1 when there is nothing to restrict.
 * Without any --restrict-* option nothing is called at all. */
int landlock_prepare(const struct config *cfg, int *ruleset)
{
	struct landlock_plan plan;
	struct ruleset_attr attr;
	char err[200];
	int abi, fd;

	*ruleset = -1;
	if (!cfg->rs.on)
		return 0;
	abi = landlock_abi();
	if (restrict_plan(&cfg->rs, abi, &plan, err, sizeof err) != 0) {
		say("%s", err);
		return -1;
	}
	tell(cfg, &plan, abi);
	if (!plan.fs && !plan.net && !plan.scoped)
		return 0;
	attr = (struct ruleset_attr){ plan.fs, plan.net, plan.scoped };
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (fd < 0) {
		say_errno("landlock_create_ruleset");
		return -1;
	}
	if (add_rules(cfg, &plan, fd) != 0) {
		close(fd);
		return -1;
	}
	*ruleset = fd;
	return 0;
}

/* In the child, before exec. no_new_privs is what lets a process without
 * CAP_SYS_ADMIN restrict itself; it is set whatever pidone was given, so an
 * image behaves the same run as root or not. */
void landlock_enter(int ruleset)
{
	if (ruleset < 0)
		return;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		say_errno("prctl PR_SET_NO_NEW_PRIVS");
		_exit(EXIT_PIDONE);
	}
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
		say_errno("landlock_restrict_self");
		_exit(EXIT_PIDONE);
	}
	close(ruleset);
}
