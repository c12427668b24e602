#!/bin/sh
# deps.sh ARCH:TRIPLE:MUSL:QEMU...: what make cross and make cross-check need
# (the Makefile's CROSS_ARCHES), as tests/deps.sh does it: as root, installed
# with apt-get; otherwise the exact commands are printed and it stops.
#   dpkg --add-architecture ARCH      musl-dev:ARCH is a package of ARCH
#   gcc-TRIPLE                        the cross compiler and binutils
#   musl-dev:ARCH                     /usr/lib/MUSL (rcrt1.o, libc.a), MUSL-gcc
#   linux-libc-dev-ARCH-cross         /usr/TRIPLE/include/{linux,asm,asm-generic}
#                                     (only a Recommends of gcc-TRIPLE)
#   libc6-dev-ARCH-cross              static glibc for the tests' sigrecord.c
#                                     (also only a Recommends)
#   qemu-user-static                  qemu-QEMU-static, /usr/lib/binfmt.d
#   busybox-static:ARCH               not installed (it would replace the
#                                     host's busybox): fetched with apt-get
#                                     download and unpacked to build/ARCH/guest,
#                                     the guest's commands in the qemu tests
set -eu
here=$(dirname "$0")

missing=""
arches=""
need() { [ -e "$1" ] || missing="$missing $2"; }
foreign=" $(dpkg --print-foreign-architectures | tr '\n' ' ') "
for entry in "$@"; do
	IFS=: read -r arch triple musl qemu <<-END
	$entry
	END
	case $foreign in
	*" $arch "*) ;;
	*) arches="$arches $arch" ;;
	esac
	need "/usr/bin/$triple-gcc" "gcc-$triple"
	need "/usr/lib/$musl/rcrt1.o" "musl-dev:$arch"
	need "/usr/$triple/include/asm/unistd.h" "linux-libc-dev-$arch-cross"
	need "/usr/$triple/lib/libc.a" "libc6-dev-$arch-cross"
	need "/usr/bin/qemu-$qemu-static" qemu-user-static
done
need /usr/bin/readelf binutils
need /usr/bin/unshare util-linux
need /usr/lib/python3/dist-packages/pytest python3-pytest

if [ -n "$arches" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "make cross needs these architectures; run as root:" >&2
		for a in $arches; do echo "  dpkg --add-architecture $a" >&2; done
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	for a in $arches; do
		echo "dpkg --add-architecture $a"
		dpkg --add-architecture "$a"
	done
fi
# shellcheck disable=SC2086 # one word per package
sh "$here/../apt-install.sh" "make cross" $missing

# A static busybox of each architecture, unpacked where the tests look.
for entry in "$@"; do
	arch=${entry%%:*}
	guest=build/$arch/guest
	[ -x "$guest/busybox" ] && continue
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	echo "fetching busybox-static:$arch into $guest"
	(cd "$tmp" && { apt-get download -qq "busybox-static:$arch" 2>&1 |
		{ grep -v '^W: Download is performed unsandboxed' >&2 || true; }; })
	deb=$(find "$tmp" -name "busybox-static_*_$arch.deb")
	if [ -z "$deb" ]; then
		echo "busybox-static:$arch: apt-get download found nothing (apt-get update?)" >&2
		rm -rf "$tmp"
		exit 1
	fi
	dpkg -x "$deb" "$tmp/root"
	mkdir -p "$guest"
	cp "$tmp/root/bin/busybox" "$guest/busybox"
	rm -rf "$tmp"
done
