#!/bin/sh
# analyze.sh FILE.c...: static analysis of pidone's sources with the
# repository's settings; exits 1 on any finding not listed as a false positive.
#
#   cppcheck     --enable=warning,style,performance,portability, POSIX library,
#                suppressions in tests/hardening/cppcheck.supp
#   clang-tidy   checks from /.clang-tidy; findings listed in
#                tests/hardening/clang-tidy.supp (FILE CHECK) are dropped
#   gcc          -fanalyzer with the shipped build's optimisation (-Os),
#                findings listed in tests/hardening/gcc-analyzer.supp dropped
#
# Every tool gets the flags the real build uses (-std=gnu11 -D_GNU_SOURCE -I.):
# analysing another configuration than the shipped one finds the wrong things.
set -u
here=$(dirname "$0")
rc=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

for tool in cppcheck clang-tidy gcc; do
	if ! command -v $tool >/dev/null; then
		echo "analyze: $tool not found (tests/deps.sh installs it)"
		exit 1
	fi
done

# Drop the findings a suppressions file lists. Finding lines look like
#   path/file.c:LINE:COL: warning: text [check-name,...]
# and a suppression line is "FILE CHECK  # why" (blank and # lines ignored).
filter() {
	supp=$1
	awk -v supp="$supp" '
	BEGIN {
		while ((getline line < supp) > 0) {
			sub(/#.*/, "", line)
			if (split(line, f, " ") >= 2) ok[f[1] " " f[2]] = 1
		}
	}
	/^[^ ]+:[0-9]+:[0-9]+: (warning|error):/ {
		file = $1; sub(/:.*/, "", file); sub(/.*\//, "", file)
		n = split($0, parts, "[");
		check = parts[n]; sub(/\].*/, "", check); sub(/,.*/, "", check)
		if ((file " " check) in ok) { dropped++; skip = 1; next }
		skip = 0; kept++; print; next
	}
	/^[^ ]+:[0-9]+:[0-9]+: note:/ { if (!skip) print; next }
	END { printf "%d %d\n", kept + 0, dropped + 0 > "/dev/stderr" }
	'
}

echo "== cppcheck $(cppcheck --version | sed 's/Cppcheck //')"
if cppcheck --enable=warning,style,performance,portability --error-exitcode=1 \
	--inline-suppr --std=c11 --library=posix --platform=unix64 -D_GNU_SOURCE -I. --quiet \
	--suppressions-list="$here/cppcheck.supp" \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]' "$@"; then
	echo "cppcheck: clean"
else
	echo "cppcheck: findings above"
	rc=1
fi

echo "== clang-tidy $(clang-tidy --version | sed -n 's/.*LLVM version //p')"
out=$(clang-tidy --quiet "$@" -- -std=gnu11 -D_GNU_SOURCE -I. 2>/dev/null | filter "$here/clang-tidy.supp" 2>"$tmp")
read kept dropped <"$tmp"
[ -n "$out" ] && echo "$out"
echo "clang-tidy: $kept finding(s), $dropped listed false positive(s) dropped"
[ "$kept" = 0 ] || rc=1

echo "== gcc -fanalyzer $(gcc -dumpfullversion)"
kept=0
dropped=0
for f in "$@"; do
	out=$(gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Os -I. -fanalyzer -fdiagnostics-plain-output \
		-c -o /dev/null "$f" 2>&1 | filter "$here/gcc-analyzer.supp" 2>"$tmp")
	read k d <"$tmp"
	[ -n "$out" ] && echo "$out"
	kept=$((kept + k))
	dropped=$((dropped + d))
done
echo "gcc -fanalyzer: $kept finding(s), $dropped listed false positive(s) dropped"
[ "$kept" = 0 ] || rc=1

[ $rc = 0 ] && echo "analyze: clean"
exit $rc
