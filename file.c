/* file.c: opening and reading the small files of /proc and /sys that pidone
 * looks at, each in as few system calls as it can be. */
#include "pidone.h"

#include <fcntl.h>
#include <unistd.h>

/* openat(), not open(): musl's open() follows an O_CLOEXEC open with an
 * fcntl() for kernels before 2.6.23, one more call for the seccomp list. */
int open_cloexec(const char *path, int flags)
{
	return openat(AT_FDCWD, path, flags | O_CLOEXEC);
}

/* Up to size - 1 bytes of path, NUL-terminated: one read, which takes all
 * of a file this small. Returns the bytes read, or -1. */
ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open_cloexec(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}
