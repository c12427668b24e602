#!/bin/sh
# check.sh ARCH...: make release twice, in two temporary directories at two
# times, and require the same bytes; then try what it made: the checksums, the
# SBOMs, the tarball, the .deb installed into a scratch root, the amd64 images
# in a private podman (its own storage, runtime state, cgroup, config; never
# the host's), and lintian. Everything it makes lives under one temporary
# directory, removed at the end with the mounts and cgroups it made.
set -u
start=$(date +%s)
here=$(pwd)
T=$(mktemp -d /tmp/pidone-release-check.XXXXXX)
CG=/pidone-release-check-$$ # cgroup parent of the containers
# Rootful podman 4.3 makes these whatever its configuration says: remove at
# the end what was not there before.
host_before=$(ls -d /var/lib/containers/cache/blob-info-cache-v1.boltdb \
	/var/lib/containers /run/containers/networks /run/containers 2>/dev/null)
failed=0
ok() { echo "ok: $*"; }
not_ok() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}
# shellcheck source=tests/podman-conf.sh
. "$here/tests/podman-conf.sh"
check() { # WHAT COMMAND...: ok when the command succeeds
	what=$1
	shift
	if "$@" >"$T/last.out" 2>&1; then ok "$what"; else
		not_ok "$what"
		sed 's/^/    /' "$T/last.out" | tail -n 20
	fi
}

pm() {
	timeout -k 5 60 podman --root "$T/podman/root" --runroot "$T/podman/run" \
		--tmpdir "$T/podman/tmp" --storage-driver vfs \
		--runtime runc --runtime-flag root="$T/podman/runc" "$@"
}

cleanup() {
	if [ -d "$T/podman" ]; then
		pm rm -af >/dev/null 2>&1
		pm rmi -af >/dev/null 2>&1
	fi
	awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	for d in /sys/fs/cgroup"$CG" /sys/fs/cgroup/*"$CG"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} +
	done
	for f in /var/lib/containers/cache/blob-info-cache-v1.boltdb /var/lib/containers/cache \
		/var/lib/containers /run/containers/networks /run/containers; do
		echo "$host_before" | grep -qxF "$f" && continue
		if [ -f "$f" ]; then rm -f "$f"; elif [ -d "$f" ]; then rmdir "$f" 2>/dev/null; fi
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version=$(cat VERSION)
native=$(dpkg --print-architecture)

# ---- reproducible: two make release runs ----------------------------------------
# The second in a deeper directory, with another umask, time zone and locale.
mkdir -p "$T/one" "$T/the-second-build/is/here"
echo "release-check: building twice"
TMPDIR=$T/one sh release/release.sh "$T/dist1" "$@" >"$T/build1.log" 2>&1 ||
	{ cat "$T/build1.log"; not_ok "make release (1)"; exit 1; }
(umask 077 && TZ=Asia/Kolkata LC_ALL=C TMPDIR=$T/the-second-build/is/here \
	sh release/release.sh "$T/dist2" "$@") >"$T/build2.log" 2>&1 ||
	{ cat "$T/build2.log"; not_ok "make release (2)"; exit 1; }
same_bytes() {
	(cd "$T/dist1" && ls) >"$T/ls1" && (cd "$T/dist2" && ls) >"$T/ls2" &&
		cmp "$T/ls1" "$T/ls2" || return 1
	while read -r f; do cmp "$T/dist1/$f" "$T/dist2/$f" || return 1; done <"$T/ls1"
}
check "two builds, two directories, two times: the same $(wc -l <"$T/dist1/SHA256SUMS") files, byte for byte" same_bytes
D=$T/dist1
sed 's/^/    /' "$D/SHA256SUMS"
check "SHA256SUMS verifies" sh -c "cd '$D' && sha256sum --strict -c SHA256SUMS"

# ---- per architecture: tarball, SBOM, .deb ---------------------------------------------
tarball_ok() { # ARCH
	name=pidone-$version-linux-$1
	tar -tzf "$D/$name.tar.gz" >"$T/tar.list" &&
		printf '%s\n' "$name/" "$name/LICENSE" "$name/README.md" "$name/pidone" \
			"$name/pidone.1" | cmp - "$T/tar.list"
}
sbom_ok() { # ARCH: names pidone VERSION and the musl-dev:ARCH it links
	/usr/bin/python3 - "$D/pidone-$version-linux-$1.spdx.json" "$version" \
		"$(dpkg-query -W -f '${Version}' "musl-dev:$1")" <<-'EOF'
		import json, sys
		doc = json.load(open(sys.argv[1]))
		pk = {p["name"]: p for p in doc["packages"]}
		assert doc["spdxVersion"] == "SPDX-2.3"
		assert pk["pidone"]["versionInfo"] == sys.argv[2], pk["pidone"]
		assert pk["musl"]["versionInfo"] == sys.argv[3].rsplit("-", 1)[0], pk["musl"]
		assert sys.argv[3] in pk["musl"]["externalRefs"][0]["referenceLocator"]
		assert pk["libgcc"]["versionInfo"]
		linked = {r["relatedSpdxElement"] for r in doc["relationships"]
		          if r["relationshipType"] == "STATIC_LINK"}
		assert linked == {"SPDXRef-Package-musl", "SPDXRef-Package-libgcc"}, linked
		EOF
}
deb_installs_and_runs() { # ARCH: into a scratch root with dpkg --root
	root=$T/root-$1
	# Another architecture's .deb goes into the scratch root as it would on
	# its own machine; only the native binary is run below.
	force=""
	[ "$1" = "$native" ] || force=--force-architecture
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" &&
		: >"$root/var/lib/dpkg/status" &&
		dpkg --root="$root" --log=/dev/null $force -i "$D/pidone_$version-1_$1.deb" &&
		dpkg --root="$root" -L pidone | grep -qx /usr/bin/pidone &&
		dpkg --root="$root" -L pidone | grep -qx /usr/share/man/man1/pidone.1.gz &&
		[ "$(dpkg --root="$root" -s pidone | sed -n 's/^Built-Using: //p')" = \
			"musl (= $(dpkg-query -W -f '${Version}' "musl-dev:$1"))" ] &&
		tar -xzOf "$D/pidone-$version-linux-$1.tar.gz" "pidone-$version-linux-$1/pidone" |
		cmp - "$root/usr/bin/pidone" || return 1
	[ "$1" = "$native" ] || return 0
	[ "$("$root/usr/bin/pidone" --version)" = "tini version ${version}_pidone - git.pidone" ] &&
		{
			"$root/usr/bin/pidone" -- sh -c 'exit 3'
			[ $? = 3 ]
		} &&
		# As PID 1 of a new pid namespace: TERM to PID 1 reaches the command.
		{
			timeout -k 5 20 unshare -fp --mount-proc "$root/usr/bin/pidone" -- \
				sh -c 'kill -TERM 1; exec sleep 30'
			[ $? = 143 ]
		}
}
lintian_clean() { # ARCH: --pedantic, info tags shown; errors, warnings, pedantic fail
	lintian --pedantic -I "$D/pidone_$version-1_$1.deb" >"$T/lintian.out" 2>&1
	! grep -E '^[EWPX]:' "$T/lintian.out"
}
for arch; do
	check "$arch: tarball holds pidone, LICENSE, README.md, pidone.1 under one directory" tarball_ok "$arch"
	check "$arch: SBOM names pidone $version and the musl it links" sbom_ok "$arch"
	check "$arch: .deb installs into a scratch root (dpkg --root) with the tarball's binary, and runs" \
		deb_installs_and_runs "$arch"
	check "$arch: lintian --pedantic clean (overrides in debian/pidone.lintian-overrides)" \
		lintian_clean "$arch"
	sed 's/^/    /' "$T/lintian.out"
done

# ---- the images, in a private podman ---------------------------------------------
podman_setup() {
	podman_conf "$T/podman" && mkdir -p "$T/podman/tmpdir" || return 1
	cat >"$T/podman/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		graphroot = "$T/podman/root"
		runroot = "$T/podman/run"
	EOF
	export CONTAINERS_CONF="$T/podman/containers.conf"
	export CONTAINERS_STORAGE_CONF="$T/podman/storage.conf" TMPDIR="$T/podman/tmpdir"
}
B=/bin/busybox # a static shell for the tests, mounted into the images

# The docker-archive and the OCI layout's native manifest: one image ID.
same_image() { # NAME
	pm load -q -i "$D/$1-$version-linux-$native-docker.tar" &&
		pm pull -q "oci-archive:$D/$1-$version-oci.tar" >"$T/pulled" &&
		[ "$(pm image inspect -f '{{.Id}}' "localhost/$1:$version")" = "$(cat "$T/pulled")" ]
}
base_runs() {
	[ "$(pm run --rm --cgroup-parent "$CG" "localhost/pidone:$version" \
		/sbin/pidone --version)" = "tini version ${version}_pidone - git.pidone" ] &&
		{
			pm run --rm --cgroup-parent "$CG" -v "$B:$B:ro" "localhost/pidone:$version" \
				"$B" sh -c 'exit 7'
			[ $? = 7 ]
		}
}
# The README's two Dockerfile lines, as they are, build an image (offline,
# from the loaded pidone:latest) whose pidone runs a command.
readme_copy_from() {
	mkdir -p "$T/ctx" &&
		{ echo "FROM scratch" && sed -n '/^    COPY --from=pidone /{p;n;p;q;}' README.md; } >"$T/ctx/Containerfile" &&
		grep -q '^ *COPY --from=pidone ' "$T/ctx/Containerfile" &&
		pm build -q --pull=never --network none -t localhost/pidone-readme "$T/ctx" >/dev/null &&
		{
			pm run --rm --cgroup-parent "$CG" -v "$B:$B:ro" localhost/pidone-readme \
				"$B" sh -c 'exit 7'
			[ $? = 7 ]
		}
}
# An orphan left by an exec'd shell is reparented to /pause and reaped when it
# exits (writing its fifo ends it); TERM ends the pause with 0.
pause_reaps() {
	pm run -d --name pause --cgroup-parent "$CG" --tmpfs /tmp -v "$B:$B:ro" \
		"localhost/pidone-pause:$version" >/dev/null || return 1
	# shellcheck disable=SC2016 # expanded by the shell in the container
	pm exec pause "$B" sh -c 'grep -q "^Uid:[[:space:]]65535[[:space:]]" /proc/1/status &&
		[ "$(cat /proc/1/comm)" = pause ]' || { echo "PID 1: not /pause as 65535"; return 1; }
	o=$(pm exec pause "$B" sh -c "$B mkfifo /tmp/f && { $B cat /tmp/f </dev/null >/dev/null 2>&1 & } && echo \$!") ||
		return 1
	[ "$(pm exec pause "$B" cut -d' ' -f4 "/proc/$o/stat")" = 1 ] ||
		{ echo "the orphan's parent is not PID 1"; return 1; }
	pm exec pause "$B" sh -c "echo >/tmp/f; i=0
		while [ -e /proc/$o ] && [ \$i -lt 200 ]; do $B sleep 0.05; i=\$((i+1)); done
		[ ! -e /proc/$o ]" || { echo "orphan $o not reaped"; return 1; }
	pm kill -s TERM pause >/dev/null &&
		[ "$(pm wait pause)" = 0 ]
}
images() {
	podman_setup
	check "pidone: docker-archive loads; the OCI layout's $native manifest is the same image" same_image pidone
	check "pidone-pause: docker-archive loads; the OCI layout's $native manifest is the same image" same_image pidone-pause
	check "pidone image: /sbin/pidone runs a command and exits with its status" base_runs
	check "README: COPY --from=pidone builds an image whose pidone runs a command" readme_copy_from
	check "pidone-pause image: /pause as 65535:65535 reaps an orphan, exits 0 on SIGTERM" pause_reaps
	pm rm -f pause >/dev/null 2>&1
}
case " $* " in
*" $native "*) images ;;
*) echo "release-check: no $native build, so no images run" ;;
esac

# ---- the result -------------------------------------------------------------------
cd "$here" || exit 1
echo "release-check: $failed failed, $(($(date +%s) - start)) s"
[ "$failed" = 0 ]
