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
need /usr/bin/gunicorn gunicorn
need /usr/bin/clang clang
need /usr/bin/clang-tidy clang-tidy
need /usr/bin/cppcheck cppcheck
need /usr/bin/valgrind valgrind
need /usr/bin/strace strace
need /usr/bin/readelf binutils
need /usr/bin/gcc gcc
need /usr/include/linux/seccomp.h linux-libc-dev
# --user: compared with gosu; a real PostgreSQL entrypoint (any version).
need /usr/sbin/gosu gosu
need /usr/bin/setpriv util-linux
set -- /usr/lib/postgresql/*/bin/postgres
[ -e "$1" ] || missing="$missing postgresql"
need /usr/bin/make make
# libFuzzer's runtime: a Recommends of clang, so named here.
if [ -x /usr/bin/clang ]; then
	need "$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" libclang-rt-dev
else
	missing="$missing libclang-rt-dev"
fi

# shellcheck disable=SC2086 # one word per package
exec sh "$(dirname "$0")/apt-install.sh" "make check" $missing
