#!/bin/sh
# apt-install.sh WHAT PACKAGE...: install the packages WHAT needs, as root with
# apt-get (one update first); not root, print the exact command and stop.
# With no package named there is nothing to do.
set -eu
what=$1
shift
[ $# -eq 0 ] && exit 0
packages=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
if [ "$(id -u)" != 0 ]; then
	echo "$what needs these packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y $packages" >&2
	exit 1
fi
echo "installing what $what needs: $packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
