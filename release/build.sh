#!/bin/sh
# build.sh ARCH...: write dist/ from this tree, which must be clean (release.sh
# exports one). SOURCE_DATE_EPOCH dates everything, so that two runs anywhere,
# at any time, give the same bytes. The native architecture's binary is
# ./pidone; another's is build/ARCH/pidone, from make CROSS=<triplet>-.
set -eu
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH: the time of the last commit, set by make release}"
export SOURCE_DATE_EPOCH TZ=UTC LC_ALL=C.UTF-8
umask 022
[ $# -gt 0 ] || { echo "build.sh: no architecture named" >&2; exit 2; }

version=$(cat VERSION)
native=$(dpkg --print-architecture)
work=build/release
# Every binary built here, none left from before.
make --no-print-directory clean >/dev/null
rm -rf dist
mkdir -p dist "$work"

triplet() { dpkg-architecture -a"$1" -qDEB_HOST_GNU_TYPE 2>/dev/null; }

# The Makefile's own flags only: a CFLAGS from the environment would change
# the binary.
build_binary() {
	if [ "$1" = "$native" ]; then
		set -- "$1" pidone pidone
	else
		set -- "$1" "build/$1/pidone" CROSS="$(triplet "$1")-"
	fi
	make --no-print-directory CFLAGS= "$3" >"$work/make-$1.log" 2>&1 ||
		{ cat "$work/make-$1.log" >&2; echo "build.sh: $1: the build failed" >&2; exit 1; }
	if [ "$2" = pidone ] && ! grep -q '(musl static-pie)' "$work/make-$1.log"; then
		echo "build.sh: $1: not linked with musl (is musl-tools installed?)" >&2
		exit 1
	fi
	echo "$2"
}

# The Debian package and version of the libgcc.a on the link line.
libgcc() { # ARCH
	if [ "$1" = "$native" ]; then cc=gcc; else cc=$(triplet "$1")-gcc; fi
	pkg=$(dpkg-query -S "$(realpath "$($cc -print-libgcc-file-name)")" | cut -d: -f1)
	echo "$pkg $(dpkg-query -W -f '${Version}' "$pkg")"
}

# One top-level directory; names sorted, owned by 0:0, dated SOURCE_DATE_EPOCH.
tarball() { # ARCH BINARY
	name=pidone-$version-linux-$1
	rm -rf "${work:?}/$name"
	mkdir -p "$work/$name"
	install -m 0755 "$2" "$work/$name/pidone"
	install -m 0644 LICENSE README.md man/pidone.1 "$work/$name/"
	tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu \
		--mtime="@$SOURCE_DATE_EPOCH" -C "$work" -cf - "$name" |
		gzip -9n >"dist/$name.tar.gz"
}

# The .deb, from a copy of the tree (dpkg-buildpackage cleans it, and writes
# beside it); its changelog is made from VERSION, the one place it is kept.
deb() { # ARCH
	src=$work/deb/pidone-$version
	rm -rf "$work/deb"
	mkdir -p "$src"
	tar --exclude=./build --exclude=./dist --exclude=./pidone -cf - . | tar -xf - -C "$src"
	{
		echo "pidone ($version-1) unstable; urgency=medium"
		echo
		echo "  * Release $version."
		echo
		echo " -- $(sed -n 's/^Maintainer: //p' debian/control)  $(date -R -d "@$SOURCE_DATE_EPOCH")"
	} >"$src/debian/changelog"
	if [ "$1" = "$native" ]; then
		set -- -b
	else # cross: Build-Depends name native tools, checked on the build machine
		set -- -b -d -a"$1"
	fi
	(cd "$src" && dpkg-buildpackage "$@" -us -uc) >"$work/deb.log" 2>&1 ||
		{ cat "$work/deb.log" >&2; exit 1; }
	cp "$work"/deb/pidone_*.deb dist/
}

images=""
for arch; do
	echo "release: $arch"
	bin=$(build_binary "$arch")
	musl=$(dpkg-query -W -f '${Version}' "musl-dev:$arch")
	tarball "$arch" "$bin"
	/usr/bin/python3 release/sbom.py --version "$version" --epoch "$SOURCE_DATE_EPOCH" \
		--arch "$arch" --musl "$musl" --libgcc "$(libgcc "$arch")" "$bin" >"dist/pidone-$version-linux-$arch.spdx.json"
	mkdir -p "$work/bin/$arch"
	cp "$bin" "$work/bin/$arch/pidone"
	images="$images $arch=$work/bin/$arch/pidone"
	deb "$arch"
	# The .deb's binary, built in the copy, must be the tarball's.
	dpkg-deb --fsys-tarfile "dist/pidone_$version-1_$arch.deb" |
		tar -xOf - ./usr/bin/pidone | cmp - "$bin"
done
# shellcheck disable=SC2086 # one word per architecture
/usr/bin/python3 release/oci.py --version "$version" --epoch "$SOURCE_DATE_EPOCH" --out dist $images
(cd dist && sha256sum -- * >SHA256SUMS)
echo "release: dist/ for $*:"
(cd dist && ls -l)
