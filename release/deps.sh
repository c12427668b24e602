#!/bin/sh
# deps.sh ARCH...: install what make release and make release-check need, the
# way tests/deps.sh does for make check; the cross compilers and musl-dev:ARCH
# come from the Makefile's cross-deps.
set -eu
native=$(dpkg --print-architecture)
for arch; do
	[ "$arch" = "$native" ] || { make --no-print-directory cross-deps; break; }
done

missing=""
need() { [ -e "$1" ] || missing="$missing $2"; }
need /usr/bin/musl-gcc musl-tools
need /usr/bin/gcc gcc
need /usr/bin/make make
need /usr/bin/git git
need /usr/include/linux/seccomp.h linux-libc-dev
need /usr/bin/python3 python3
need /usr/bin/dpkg-buildpackage dpkg-dev
need /usr/bin/dh debhelper
need /usr/bin/lintian lintian
need /usr/bin/podman podman
need /usr/sbin/runc runc
need /bin/busybox busybox-static

# shellcheck disable=SC2086 # one word per package
exec sh "$(dirname "$0")/../tests/apt-install.sh" "make release" $missing
