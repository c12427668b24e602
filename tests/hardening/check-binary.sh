#!/bin/sh
# check-binary.sh BINARY [OBJDIR]: the protections of the shipped pidone, read
# with readelf (binutils). Each line says PASS, FAIL or NOTE; the script
# exits 1 if any protection is lost.
#
#   static        no PT_INTERP, no DT_NEEDED: runs in an empty container
#   static-pie    ELF type DYN (ASLR for pidone itself), DF_1_PIE
#   W^X           no segment both writable and executable
#   stack         PT_GNU_STACK present and not executable
#   RELRO         PT_GNU_RELRO present, and BIND_NOW (DF_BIND_NOW or DF_1_NOW):
#                 full RELRO, the GOT is read-only before main()
#   no TEXTREL    no relocations in the text (-z text)
#   separate-code the executable segment holds code only: no ELF headers or
#                 read-only data that could be run as instructions
#   canaries      -fstack-protector-strong: the shipped binary is stripped,
#                 so its own functions cannot be told apart from libc's (musl
#                 is built with canaries too) in the disassembly. The objects
#                 it was linked from (OBJDIR, build/bin) are checked instead:
#                 the ones with a char array on the stack must call
#                 __stack_chk_fail, and none may be newer than the binary
#                 (else the objects do not describe it).
#   FORTIFY       only where the libc has fortify headers: glibc turns
#                 _FORTIFY_SOURCE into __*_chk calls; Debian's musl has no
#                 fortify headers, so with musl this is a NOTE, not a failure.
set -u

bin=${1:-./pidone}
objdir=${2:-build/bin}
fails=0

pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*"; fails=$((fails + 1)); }
note() { echo "NOTE  $*"; }

if [ ! -f "$bin" ]; then
	echo "FAIL  $bin: no such file (build it with make)"
	exit 1
fi
if ! command -v readelf >/dev/null; then
	echo "FAIL  readelf not found (binutils)"
	exit 1
fi

header=$(readelf -hW "$bin") || { echo "FAIL  $bin is not ELF"; exit 1; }
phdrs=$(readelf -lW "$bin")
dyn=$(readelf -dW "$bin")
glibc=false
grep -qai glibc "$bin" && glibc=true

# static: no interpreter, no shared libraries
if echo "$phdrs" | grep -q '^ *INTERP '; then
	fail "static: has PT_INTERP ($(echo "$phdrs" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p'))"
elif echo "$dyn" | grep -q '(NEEDED)'; then
	fail "static: needs $(echo "$dyn" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')"
else
	pass "static: no PT_INTERP, no DT_NEEDED"
fi

# static-pie: ELF type DYN; with no interpreter that means self-relocating
type=$(echo "$header" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p')
if [ "$type" = DYN ]; then
	if echo "$dyn" | grep '(FLAGS_1)' | grep -qw PIE; then
		pass "static-pie: ELF type DYN, DF_1_PIE"
	else
		pass "static-pie: ELF type DYN (no DF_1_PIE flag)"
	fi
else
	fail "static-pie: ELF type $type, not DYN: pidone is loaded at a fixed address"
fi

# W^X: the flags column of every program header; RWE or WE is fatal
wx=$(echo "$phdrs" | awk '/^ *[A-Z_]+ +0x/ {
	flags = ""; for (i = 7; i <= NF; i++) if ($i ~ /^[RWE]+$/) flags = flags $i;
	if (flags ~ /W/ && flags ~ /E/) print $1 }')
if [ -n "$wx" ]; then
	fail "W^X: writable and executable segment(s): $wx"
else
	pass "W^X: no segment is both writable and executable"
fi

# non-executable stack
stack=$(echo "$phdrs" | awk '$1 == "GNU_STACK" { f = ""; for (i = 7; i <= NF; i++) if ($i ~ /^[RWE]+$/) f = f $i; print f }')
case "$stack" in
"") fail "stack: no PT_GNU_STACK (the kernel would map the stack executable)" ;;
*E*) fail "stack: PT_GNU_STACK is executable ($stack)" ;;
*) pass "stack: PT_GNU_STACK $stack, not executable" ;;
esac

# full RELRO
if ! echo "$phdrs" | grep -q '^ *GNU_RELRO '; then
	fail "RELRO: no PT_GNU_RELRO"
elif echo "$dyn" | grep -E '\((FLAGS|FLAGS_1)\)' | grep -qwE 'BIND_NOW|NOW'; then
	pass "RELRO: full (PT_GNU_RELRO and BIND_NOW)"
elif [ "$type" != DYN ] && ! echo "$dyn" | grep -q 'Dynamic section'; then
	pass "RELRO: PT_GNU_RELRO (static, no dynamic section: nothing binds lazily)"
else
	fail "RELRO: partial only (PT_GNU_RELRO without BIND_NOW / DF_1_NOW)"
fi

# no text relocations
if echo "$dyn" | grep -qE '\(TEXTREL\)|FLAGS\).*TEXTREL'; then
	fail "TEXTREL: the text is relocated at load time (writable text)"
else
	pass "TEXTREL: none"
fi

# separate code: the executable segment maps no headers or data (-z
# separate-code, the linker's default), so they cannot be run as code
exec_offset=$(echo "$phdrs" | awk '$1 == "LOAD" && / E / { print $2 }')
case "$exec_offset" in
"" | *" "*) fail "separate-code: not one executable segment (${exec_offset:-none})" ;;
0x000000 | 0x0) fail "separate-code: the executable segment starts at the ELF header" ;;
*) pass "separate-code: code alone in its segment (file offset $exec_offset)" ;;
esac

# stack protector, from the objects the binary was linked from
objs=$(ls "$objdir"/*.o 2>/dev/null)
if [ -z "$objs" ]; then
	fail "canaries: no objects in $objdir to check (build with make)"
else
	stale=""
	with=""
	without=""
	for o in $objs; do
		[ "$o" -nt "$bin" ] && stale="$stale $(basename "$o")"
		if readelf -sW "$o" | grep -q ' __stack_chk_fail$'; then
			with="$with $(basename "$o" .o)"
		else
			without="$without $(basename "$o" .o)"
		fi
	done
	# These have char buffers on the stack (log line, error text, /proc
	# paths, option names): -fstack-protector-strong must guard them.
	missing=""
	for must in log options drain; do
		[ -f "$objdir/$must.o" ] || continue
		case " $with " in *" $must "*) ;; *) missing="$missing $must.o" ;; esac
	done
	if [ -n "$stale" ]; then
		fail "canaries: objects newer than $bin:$stale (rebuild: make)"
	elif [ -n "$missing" ]; then
		fail "canaries: no __stack_chk_fail in$missing: -fstack-protector-strong is gone"
	else
		pass "canaries: __stack_chk_fail called from$with (none needed in$without)"
	fi
fi

# FORTIFY: glibc's headers turn it into __*_chk calls; musl has none
chk=""
if [ -n "$objs" ]; then
	chk=$(for o in $objs; do readelf -sW "$o"; done | awk '$NF ~ /^__.*_chk$/ && $NF != "__stack_chk_fail" { print $NF }' | sort -u | tr '\n' ' ')
fi
if [ -n "$chk" ]; then
	pass "FORTIFY: active ($chk)"
elif $glibc; then
	fail "FORTIFY: a glibc build without __*_chk calls: -D_FORTIFY_SOURCE (with -O) is gone"
else
	note "FORTIFY: not available: Debian's musl ships no fortify headers, so" \
		"-D_FORTIFY_SOURCE=2 changes nothing in a musl build (no __*_chk calls)"
fi

if [ "$fails" -gt 0 ]; then
	echo "hardening: $fails protection(s) lost in $bin"
	exit 1
fi
echo "hardening: every protection in place in $bin"
