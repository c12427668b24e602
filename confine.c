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
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The architectures whose list the tests check against the real kernel
 * (x86-64, and i386 on it); elsewhere the filter is left out, with a
 * warning at -v, rather than risk refusing a call that libc makes there. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_I386
#endif

/* Sanitizer and valgrind builds make system calls of their own that no
 * allow-list of pidone's can know. */
#if defined(__SANITIZE_ADDRESS__) || defined(PIDONE_NO_SECCOMP)
#undef AUDIT_ARCH_SELF
#endif

#ifdef AUDIT_ARCH_SELF
/* The system calls allowed, the hot paths first: a reap, a forwarded signal,
 * a resumed wait. */
static const unsigned short allowed[] = {
	SYS_wait4,            /* the loop: reap */
	SYS_kill,             /* forward, drain */
	SYS_rt_sigreturn,     /* back from the forwarding handler */
	SYS_restart_syscall,  /* a wait resumed after a handler */
	SYS_waitid,           /* -w: look at a zombie before reaping */
	SYS_rt_sigtimedwait,  /* the loop once the command is gone */
#ifdef SYS_rt_sigtimedwait_time64
	SYS_rt_sigtimedwait_time64, /* 32-bit libc, tried first */
#endif
	SYS_rt_sigprocmask,
	SYS_rt_sigaction,     /* a fault in pidone: die of it */
	SYS_write,            /* messages */
	/* drain deadlines, JSON times, where the vDSO cannot answer: 32-bit
	 * musl tries the 64-bit time call first, then the old one */
#ifdef SYS_clock_gettime
	SYS_clock_gettime,
#endif
#ifdef SYS_clock_gettime32
	SYS_clock_gettime32,
#endif
#ifdef SYS_clock_gettime64
	SYS_clock_gettime64,
#endif
	SYS_getpid,
	SYS_getpgid,          /* getpgrp(): the terminal hand-back */
	SYS_ioctl,            /* tcgetpgrp, tcsetpgrp */
	SYS_openat,           /* /proc, the memory cgroup */
	SYS_read,
	SYS_close,
	SYS_getdents64,       /* the drain's walk of /proc */
#ifdef SYS_readlink
	SYS_readlink,
#endif
	SYS_readlinkat,
#ifdef SYS_mmap2
	SYS_mmap2,            /* the drain's process list, 32-bit */
#else
	SYS_mmap,             /* the drain's process list */
#endif
	SYS_mremap,
	SYS_munmap,
	SYS_pidfd_open,       /* the drain, not PID 1 */
	SYS_pidfd_send_signal,
	SYS_exit_group,
	SYS_exit,
};

enum { NALLOWED = sizeof allowed / sizeof allowed[0] };

/* The filter: another architecture's calls get EPERM; then one comparison
 * per allowed call, each jumping to the ALLOW at the end, and EPERM for the
 * rest. Built here from the list above, as the kernel takes a copy of it. */
static int install_filter(void)
{
	static struct sock_filter filter[4 + NALLOWED + 2];
	struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };
	struct sock_filter *f = filter;

	*f++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, arch));
	*f++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_SELF, 1, 0);
	*f++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	*f++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, nr));
	for (int i = 0; i < NALLOWED; i++) /* jump over the ones left and the EPERM */
		*f++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allowed[i],
						    NALLOWED - i, 0);
	*f++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	*f = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
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
 * processes), nothing else, in every set; clear the ambient set. The bare
 * capget and capset: neither libc has a declared wrapper (that is libcap). */
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
	if (rc != 0 && cfg->verbosity >= 1)
		note(LVL_WARN, "confine", "%s: %s; carrying on without it", what,
		     strerror(errno));
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
		long rc = syscall(SYS_getuid);

		note(LVL_INFO, "test", "test hook: getuid() = %ld: %s", rc,
		     rc < 0 ? strerror(errno) : "allowed");
	}
#endif
}
