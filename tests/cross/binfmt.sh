#!/bin/sh
# binfmt.sh QEMU COMMAND...: run COMMAND with qemu-QEMU-static registered for
# QEMU's executables in a binfmt_misc instance of this user namespace's own
# (kernel >= 6.7: run it under unshare -U -r -m). The host's binfmt_misc is
# not touched. The registration is Debian's (/usr/lib/binfmt.d/qemu-QEMU.conf);
# with F the interpreter is opened now, so it works in any mount namespace.
# Debian has none for i386, which the amd64 kernel runs itself: one is made
# here, from qemu's own magic, so that i386 commands run under qemu too (else
# qemu's renumbering of real-time signals would reach them, and not their
# own numbers: see test_qemu.py).
set -eu
qemu=$1
shift
conf=/usr/lib/binfmt.d/qemu-$qemu.conf
# Mounted where the host would mount its own, in this mount namespace only;
# it stays mounted: the registrations go with the last mount.
dir=/proc/sys/fs/binfmt_misc
mount -t binfmt_misc binfmt_misc "$dir"
if [ -f "$conf" ]; then
	cat "$conf" >"$dir/register"
elif [ "$qemu" = i386 ]; then
	# P keeps argv[0] (busybox re-executes itself under an applet's name);
	# Debian's qemu takes it from an interpreter named *-binfmt-P, as in
	# /usr/libexec/qemu-binfmt. F opens it now: the link can go at once.
	tmp=$(mktemp -d)
	ln -s /usr/bin/qemu-i386-static "$tmp/i386-binfmt-P"
	printf '%s\n' ":qemu-i386:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$tmp/i386-binfmt-P:PF" >"$dir/register"
	rm -r "$tmp"
else
	echo "binfmt.sh: no $conf" >&2
	exit 1
fi
exec "$@"
