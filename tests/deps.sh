#!/bin/sh
# Install what the tests need, once: as root with apt-get, otherwise print the
# exact command and stop. Each line: a file that proves it is there, the package.
set -eu

missing=""
need() { [ -e "$1" ] || missing="$missing $2"; }

need /usr/bin/musl-gcc musl-tools
need /usr/include/cmocka.h libcmocka-dev
need /usr/lib/python3/dist-packages/pytest python3-pytest
need /usr/bin/mandoc mandoc
need /usr/bin/unshare util-linux
need /usr/bin/nsenter util-linux
need /usr/bin/tini tini
need /usr/bin/dumb-init dumb-init
need /usr/bin/catatonit catatonit
need /usr/bin/clang clang
need /usr/bin/clang-tidy clang-tidy
need /usr/bin/cppcheck cppcheck
need /usr/bin/valgrind valgrind
need /usr/bin/strace strace
need /usr/bin/readelf binutils
need /usr/bin/gcc gcc
need /usr/include/linux/seccomp.h linux-libc-dev
need /usr/bin/make make
# libFuzzer's runtime: a Recommends of clang, so named here.
if [ -x /usr/bin/clang ]; then
	need "$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" libclang-rt-dev
else
	missing="$missing libclang-rt-dev"
fi

[ -z "$missing" ] && exit 0
packages=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
if [ "$(id -u)" != 0 ]; then
	echo "make check needs these packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y $packages" >&2
	exit 1
fi
echo "installing test dependencies: $packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
