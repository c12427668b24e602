#!/bin/sh
# Install what `make e2e` needs, once: as root with apt-get, otherwise print
# the exact command and stop. Each line: a file that proves it is there, the
# package. (Installing docker.io starts no daemon here: the test runs its own.)
set -eu

missing=""
need() { [ -e "$1" ] || missing="$missing $2"; }

need /usr/sbin/runc runc
need /usr/bin/crun crun
need /usr/bin/podman podman
need /usr/bin/conmon conmon
need /usr/sbin/dockerd docker.io
need /usr/bin/docker docker.io
need /usr/bin/containerd containerd
need /usr/bin/ctr containerd
need /usr/bin/containerd-shim-runc-v2 containerd
# The cri group: images built offline (umoci), a CRI client in Debian's python3.
need /usr/bin/umoci umoci
need /usr/lib/python3/dist-packages/grpc/__init__.py python3-grpcio
need /usr/lib/python3/dist-packages/grpc_tools/protoc.py python3-grpc-tools
need /sbin/ip iproute2
need /usr/bin/unshare util-linux
need /usr/bin/nsenter util-linux
need /usr/bin/timeout coreutils
# The image's rootfs needs a static busybox: the busybox package's own
# /bin/busybox is dynamic and would not run in it.
dpkg-query -W -f='${Status}\n' busybox-static 2>/dev/null | grep -q 'ok installed' ||
	missing="$missing busybox-static"

# shellcheck disable=SC2086 # one word per package
exec sh "$(dirname "$0")/../apt-install.sh" "make e2e" $missing
