#!/bin/sh
# check-elf.sh BINARY ARCH: a cross-built pidone is what it claims to be, read
# with readelf: the Debian architecture ARCH's machine, a position-independent
# executable (type DYN), no PT_INTERP and no DT_NEEDED (static, it runs in an
# empty container). gcc-12's arm driver once gave a dynamic PIE asking for
# /lib/ld-linux-armhf.so.3 without a word: that binary fails here.
set -u
bin=$1
arch=$2

case $arch in
arm64) machine='AArch64' class=ELF64 data=little ;;
armhf) machine='ARM' class=ELF32 data=little ;;
i386) machine='Intel 80386' class=ELF32 data=little ;;
ppc64el) machine='PowerPC64' class=ELF64 data=little ;;
s390x) machine='IBM S/390' class=ELF64 data=big ;;
*) echo "check-elf: $arch: unknown architecture" >&2; exit 2 ;;
esac

fails=0
fail() { echo "check-elf: $bin: $*" >&2; fails=$((fails + 1)); }

header=$(readelf -hW "$bin") || { fail "not ELF"; exit 1; }
field() { echo "$header" | sed -n "s/^ *$1: *//p"; }
[ "$(field Machine)" = "$machine" ] || fail "machine '$(field Machine)', not '$machine' ($arch)"
[ "$(field Class)" = "$class" ] || fail "class $(field Class), not $class"
case $(field Data) in
*"$data endian") ;;
*) fail "data $(field Data), not $data endian" ;;
esac
case $(field Type) in
DYN*) ;;
*) fail "type $(field Type), not DYN (not a PIE)" ;;
esac
phdrs=$(readelf -lW "$bin")
if echo "$phdrs" | grep -q '^ *INTERP '; then
	fail "has PT_INTERP, $(echo "$phdrs" | sed -n 's/.*interpreter: \(.*\)]/\1/p'): a dynamic PIE, not static-pie"
fi
needed=$(readelf -dW "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[ -z "$needed" ] || fail "needs shared libraries: $needed"
exit $((fails != 0))
