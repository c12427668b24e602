#!/bin/sh
# binfmt.sh QEMU COMMAND...: run COMMAND with qemu-QEMU-static registered for
# QEMU's executables in a binfmt_misc instance of this user namespace's own
# (kernel >= 6.7: run it under unshare -U -r -m). The host's binfmt_misc is
# not touched. The registration is Debian's (/usr/lib/binfmt.d/qemu-QEMU.conf);
# with F the interpreter is opened now, so it works in any mount namespace.
# An architecture the host runs itself (i386 on amd64) has no such file: the
# kernel runs its executables natively, and nothing is registered.
set -eu
qemu=$1
shift
conf=/usr/lib/binfmt.d/qemu-$qemu.conf
if [ -f "$conf" ]; then
	# Mounted where the host would mount its own, in this mount namespace
	# only; it stays mounted: the registrations go with the last mount.
	dir=/proc/sys/fs/binfmt_misc
	mount -t binfmt_misc binfmt_misc "$dir"
	cat "$conf" >"$dir/register"
fi
exec "$@"
