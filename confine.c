/* confine.c: once the command runs, pidone needs almost nothing: it waits,
 * forwards signals, walks /proc during a drain and writes its messages. So
 * it drops every capability but CAP_KILL, sets no_new_privs, and installs a
 * seccomp allow-list of exactly those system calls. Anything else fails with
 * EPERM, never kills: killing PID 1 would kill the container. Each step that
 * the kernel refuses is said at -v and skipped; confinement never stops a
 * container from starting. */
#include "pidone.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_AARCH64
#endif

#define ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* Sanitizer and valgrind builds make system calls of their own that no
 * allow-list of pidone's can know. */
#if defined(__SANITIZE_ADDRESS__) || defined(PIDONE_NO_SECCOMP)
#undef AUDIT_ARCH_SELF
#endif

#ifdef AUDIT_ARCH_SELF
/* The hot paths first: a reap, a forwarded signal, a resumed wait. */
static const struct sock_filter allow_list[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_SELF, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	ALLOW(SYS_wait4),            /* the loop: reap */
	ALLOW(SYS_kill),             /* forward, drain */
	ALLOW(SYS_rt_sigreturn),     /* back from the forwarding handler */
	ALLOW(SYS_restart_syscall),  /* a wait resumed after a handler */
	ALLOW(SYS_waitid),           /* -w: look at a zombie before reaping */
	ALLOW(SYS_rt_sigtimedwait),  /* the loop once the command is gone */
	ALLOW(SYS_rt_sigprocmask),
	ALLOW(SYS_rt_sigaction),     /* a fault in pidone: die of it */
	ALLOW(SYS_write),            /* messages */
	ALLOW(SYS_clock_gettime),    /* drain deadlines, JSON times */
	ALLOW(SYS_getpid),
	ALLOW(SYS_getpgid),          /* getpgrp(): the terminal hand-back */
	ALLOW(SYS_ioctl),            /* tcgetpgrp, tcsetpgrp */
	ALLOW(SYS_openat),           /* /proc, the memory cgroup */
	ALLOW(SYS_read),
	ALLOW(SYS_close),
	ALLOW(SYS_getdents64),       /* the drain's walk of /proc */
#ifdef SYS_readlink
	ALLOW(SYS_readlink),
#endif
	ALLOW(SYS_readlinkat),
	ALLOW(SYS_mmap),             /* the drain's process list */
	ALLOW(SYS_mremap),
	ALLOW(SYS_munmap),
	ALLOW(SYS_pidfd_open),       /* the drain, not PID 1 */
	ALLOW(SYS_pidfd_send_signal),
	ALLOW(SYS_exit_group),
	ALLOW(SYS_exit),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
};

static int install_filter(void)
{
	struct sock_fprog prog = {
		.len = sizeof allow_list / sizeof allow_list[0],
		.filter = (struct sock_filter *)allow_list,
	};

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}
#else
static int install_filter(void)
{
	errno = ENOSYS;
	return -1;
}
#endif

/* Keep CAP_KILL if pidone has it (root: the drain may signal other users'
 * processes), nothing else, in every set; clear the ambient set. */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	uint32_t kill_bit = 1u << CAP_KILL;

	if (syscall(SYS_capget, &head, caps) != 0)
		return -1;
	caps[0].effective = caps[0].permitted = caps[0].permitted & kill_bit;
	caps[0].inheritable = 0;
	caps[1].effective = caps[1].permitted = caps[1].inheritable = 0;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return -1;
	return (int)syscall(SYS_capset, &head, caps);
}

static void step(const struct config *cfg, const char *what, int rc)
{
	if (rc != 0 && cfg->verbosity >= 1) {
		char buf[16];

		note(LVL_WARN, "confine", "%s: %s; carrying on without it", what,
		     error_text(errno, buf));
	}
}

void confine(const struct config *cfg)
{
	if (!cfg->confine)
		return;
	step(cfg, "dropping capabilities", drop_capabilities());
	step(cfg, "no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	step(cfg, "seccomp filter", install_filter());
#ifdef PIDONE_TEST_HOOKS
	/* Test builds only: show that the filter bites. */
	if (env_get(environ, "PIDONE_TEST_FORBIDDEN")) {
		char buf[16];
		long rc = syscall(SYS_getuid);

		note(LVL_INFO, "test", "test hook: getuid() = %ld: %s", rc,
		     rc < 0 ? error_text(errno, buf) : "allowed");
	}
#endif
}
