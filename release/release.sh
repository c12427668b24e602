#!/bin/sh
# release.sh OUT ARCH...: export this checkout's tree (HEAD, or the working
# tree's tracked files when they differ from it) to a fresh directory, run
# build.sh there with SOURCE_DATE_EPOCH from the last commit, and copy its
# dist/ to OUT.
set -eu
out=$1
shift
tree=$(git stash create)
if [ -n "$tree" ]; then
	echo "release: the tree differs from HEAD; releasing its tracked files as they are" >&2
else
	tree=HEAD
fi
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pidone-release.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git archive --prefix=src/ "$tree" | tar -xf - -C "$tmp"
make --no-print-directory -C "$tmp/src" release-build RELEASE_ARCHES="$*"
rm -rf "$out"
cp -R "$tmp/src/dist" "$out"
