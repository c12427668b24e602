/* errors.c: the text for an errno, for the failures pidone can meet. musl's
 * strerror() carries every errno's text, a fifteenth of the binary. Pure. */
#include "pidone.h"

#include <errno.h>
#include <string.h>

/* Each entry: the errno as one byte, then its text, then NUL. */
static const char texts[] =
	"\001Operation not permitted\0"
	"\002No such file or directory\0"
	"\003No such process\0"
	"\004Interrupted system call\0"
	"\005Input/output error\0"
	"\007Argument list too long\0"
	"\010Exec format error\0"
	"\011Bad file descriptor\0"
	"\012No child processes\0"
	"\013Resource temporarily unavailable\0"
	"\014Out of memory\0"
	"\015Permission denied\0"
	"\016Bad address\0"
	"\020Device or resource busy\0"
	"\024Not a directory\0"
	"\025Is a directory\0"
	"\026Invalid argument\0"
	"\027Too many open files in system\0"
	"\030Too many open files\0"
	"\031Inappropriate ioctl for device\0"
	"\032Text file busy\0"
	"\034No space left on device\0"
	"\036Read-only file system\0"
	"\040Broken pipe\0"
	"\044File name too long\0"
	"\046Function not implemented\0"
	"\050Too many levels of symbolic links\0"
	"\120Accessing a corrupted shared library\0";

const char *error_text(int err, char buf[16])
{
	for (const char *p = texts; *p; p += strlen(p) + 1)
		if ((unsigned char)*p == err)
			return p + 1;
	fmt(buf, 16, "errno %d", err);
	return buf;
}
