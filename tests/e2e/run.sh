#!/bin/bash
# tests/e2e/run.sh [PIDONE]: pidone as PID 1 of real containers (issue 6).
#
# Builds a tiny image from a busybox-static rootfs plus PIDONE (./pidone) and
# runs it under runc and crun, podman, a private dockerd, and as the pod
# sandbox of a Kubernetes-shaped pod (shared pid namespace), with and without
# a runtime. Each check prints `ok - NAME` or `not ok - NAME (why)`; the run
# closes with `N passed, N failed` and exits non-zero on any failure.
#
# Every check that proves reaping or forwarding is run a second time against
# a PID 1 that does neither (busybox sleep): those must fail, and print
# `ok - control: ...` when they do.
#
# Rules kept here: every blocking call runs under `timeout`, every wait loop
# is bounded; containers have unique names and are removed by name; daemons
# are stopped by pid; all state lives in one mktemp -d directory, which is
# unmounted and removed at the end (trap), with the cgroups it made.
#
# The cri group (tests/e2e/cri/) drives a private containerd over the CRI,
# as kubelet does, with pidone as the pod sandbox and as an app's init.
#
# Needs root and the packages of tests/e2e/deps.sh. E2E_ONLY="runc pod"
# runs only the groups named (runc crun control pod podman docker cri).
set -u

PIDONE=$(readlink -f "${1:-./pidone}")
HERE=$(cd "$(dirname "$0")" && pwd)
[ -x "$PIDONE" ] || { echo "e2e: no pidone binary at ${1:-./pidone}" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "e2e: needs root (containers, namespaces)" >&2; exit 2; }

T=""                           # the state directory (made by the run below)
RUN=e2e$$                      # prefix of every container, pod and image name
CG=/pidone-$RUN                # cgroup parent of every container we start
SUM=""                         # sha256 of the pidone under test
passed=0 failed=0 skipped=0
why=""
started=()                     # "runtime name" of every OCI container started
declare -A JOB                 # background job of each container / namespace
declare -A CODE                # exit code of each job that ended
declare -A NSPID               # PID 1 of each namespace made with unshare
DOCKERD_PID=""
DOCKERD_JOB=""
t0=$(date +%s)

# ---- reporting ------------------------------------------------------------

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1${2:+ ($2)}"; failed=$((failed + 1)); }
skip() { echo "ok - $1 # SKIP $2"; skipped=$((skipped + 1)); }

# check NAME CMD...: ok when CMD succeeds; CMD leaves its reason in $why.
check() {
	local name=$1
	shift
	why=""
	if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}

# control NAME CMD...: the same check against an init that neither reaps nor
# forwards; it must fail, or the check proves nothing.
control() {
	local name=$1
	shift
	why=""
	if "$@"; then
		not_ok "control: $name" "passed without a working init: the check cannot fail"
	else
		ok "control: $name # failed as it must: $why"
	fi
}

wanted() { [ -z "${E2E_ONLY:-}" ] || [[ " $E2E_ONLY " == *" $1 "* ]]; }

# ---- predicates (each sets $why when false) ----------------------------------

is() { # WANT GOT [WHAT]
	[ "$2" = "$1" ] || { why="${3:-got} $2, expected $1"; return 1; }
}

has_line() { # FILE REGEX
	grep -qE "$2" "$1" 2>/dev/null && return 0
	why="no line /$2/ in output: $(tail -n 3 "$1" 2>/dev/null | tr '\n' '|')"
	return 1
}

wait_line() { # FILE REGEX SECONDS: bounded poll for a line
	local i n=$(($3 * 20))
	for ((i = 0; i < n; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	has_line "$1" "$2"
}

# /bin/orphans N prints "orphans N unreaped U zombies Z" after giving PID 1
# up to 5 s to reap; U counts orphans still adopted by PID 1.
reaped() { has_line "$1" '^orphans 50 unreaped 0 zombies 0$'; }

is_pidone() { has_line "$1" "^$SUM "; }

exe_is_pidone() { # PID (on the host)
	local sum
	sum=$(sha256sum "/proc/$1/exe" 2>&1 | cut -d' ' -f1)
	is "$SUM" "$sum" "sha256 of /proc/$1/exe:"
}

fast() { # START_NS LIMIT_MS
	local ms=$((($(date +%s%N) - $1) / 1000000))
	[ "$ms" -lt "$2" ] || { why="took ${ms} ms, limit $2 ms"; return 1; }
}

# ---- the image: busybox-static rootfs plus pidone ------------------------------

make_rootfs() {
	local r=$T/rootfs a
	mkdir -p "$r"/bin "$r"/sbin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/etc "$r"/run
	cp /bin/busybox "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	cp "$HERE/orphans" "$HERE/trapper" "$r/bin/"
	echo "root:x:0:0:root:/:/bin/sh" >"$r/etc/passwd"
	echo "root:x:0:" >"$r/etc/group"
	# base.tar: no init at all; full.tar: pidone at /sbin/pidone and as /pause.
	tar -C "$r" -cf "$T/base.tar" .
	cp "$PIDONE" "$r/sbin/pidone"
	ln -s sbin/pidone "$r/pause"
	tar -C "$r" -cf "$T/full.tar" .
	mkdir -p "$T/ctx"
	cp "$PIDONE" "$T/ctx/pidone"
	cat >"$T/ctx/Dockerfile" <<-EOF
		FROM localhost/pidone-e2e:base
		COPY pidone /sbin/pidone
		ENTRYPOINT ["/sbin/pidone", "--"]
	EOF
}

# ---- OCI runtimes ----------------------------------------------------------------

# The runtimes as commands (so that `timeout` can run them): $RUNC, $CRUN.
# crun 1.8 refuses hybrid cgroups (v1 controllers plus a cgroup2 mount at
# /sys/fs/cgroup/unified): there, run it in a private mount namespace
# without that mount and without a cgroup manager.
hybrid() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
		[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]
}
make_runtimes() {
	mkdir -p "$T/rt"
	RUNC=$T/rt/runc CRUN=$T/rt/crun
	printf '#!/bin/sh\nexec runc --root "%s" "$@"\n' "$T/runc" >"$RUNC"
	if hybrid; then
		printf '#!/bin/sh\nexec unshare -m --propagation private sh -c %s crun --root "%s" "$@"\n' \
			"'umount /sys/fs/cgroup/unified && exec crun --cgroup-manager=disabled \"\$@\"'" \
			"$T/crun" >"$CRUN"
	else
		printf '#!/bin/sh\nexec crun --root "%s" "$@"\n' "$T/crun" >"$CRUN"
	fi
	chmod +x "$RUNC" "$CRUN"
}

json_args() {
	local sep="" a
	printf '['
	for a in "$@"; do
		a=${a//\\/\\\\}
		a=${a//\"/\\\"}
		printf '%s"%s"' "$sep" "$a"
		sep=", "
	done
	printf ']'
}

# bundle NAME JOIN_PID ARGS...: an OCI bundle in $T/b/NAME over the shared
# read-only rootfs. JOIN_PID empty: own pid/ipc/uts/net/mount namespaces;
# else join that process's pid, ipc, uts and net namespaces (a pod member;
# then no hostname, which needs an own uts namespace). OCI_USER=N: run as
# uid and gid N (default 0).
bundle() {
	local name=$1 join=$2 ns host='"hostname": "e2e",'
	shift 2
	if [ -z "$join" ]; then
		ns='{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "network"}'
	else
		ns="{\"type\": \"pid\", \"path\": \"/proc/$join/ns/pid\"},"
		ns="$ns {\"type\": \"ipc\", \"path\": \"/proc/$join/ns/ipc\"},"
		ns="$ns {\"type\": \"uts\", \"path\": \"/proc/$join/ns/uts\"},"
		ns="$ns {\"type\": \"network\", \"path\": \"/proc/$join/ns/net\"}"
		host=""
	fi
	mkdir -p "$T/b/$name"
	cat >"$T/b/$name/config.json" <<-EOF
		{
		  "ociVersion": "1.0.2",
		  "process": {
		    "terminal": false,
		    "user": {"uid": ${OCI_USER:-0}, "gid": ${OCI_USER:-0}},
		    "args": $(json_args "$@"),
		    "env": ["PATH=/sbin:/bin"],
		    "cwd": "/",
		    "capabilities": {
		      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
		    },
		    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
		    "noNewPrivileges": true
		  },
		  "root": {"path": "$T/rootfs", "readonly": true},
		  $host
		  "mounts": [
		    {"destination": "/proc", "type": "proc", "source": "proc"},
		    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
		    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
		     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
		    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
		    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		     "options": ["nosuid", "nodev", "mode=1777", "size=65536k"]},
		    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
		     "options": ["nosuid", "noexec", "nodev", "ro"]}
		  ],
		  "linux": {
		    "cgroupsPath": "$CG/$name",
		    "namespaces": [$ns, {"type": "mount"}],
		    "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
		    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
		  }
		}
	EOF
}

# rt_start RT NAME JOIN_PID ARGS...: bundle, then `RT run` in the foreground
# of a background job; output in $T/NAME.out.
rt_start() {
	local rt=$1 name=$2
	shift 2
	bundle "$name" "$@"
	started+=("$rt $name")
	timeout -k 5 60 "$rt" run --bundle "$T/b/$name" "$name" >"$T/$name.out" 2>&1 &
	JOB[$name]=$!
}

# finish NAME SECONDS: wait (bounded) for NAME's job; $code = its exit code,
# or "running" when it is still there after SECONDS. A job that ended is
# forgotten (its pid may be reused), its code kept.
finish() {
	local pid=${JOB[$1]:-} i n=$(($2 * 20))
	if [ -z "$pid" ]; then
		code=${CODE[$1]:-gone}
		return
	fi
	for ((i = 0; i < n; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		code=running
	else
		wait "$pid"
		code=$?
		CODE[$1]=$code
		unset "JOB[$1]"
	fi
}

# rt_stop RT NAME: let it end (1 s), else SIGKILL it through the runtime.
rt_stop() {
	finish "$2" 1
	if [ "$code" = running ]; then
		timeout 10 "$1" kill "$2" KILL >/dev/null 2>&1
		finish "$2" 10
	fi
	timeout 10 "$1" delete -f "$2" >/dev/null 2>&1
}

# rt_run RT NAME ARGS...: run to the end (15 s at most); $code.
rt_run() {
	local rt=$1 name=$2
	shift 2
	rt_start "$rt" "$name" "" "$@"
	finish "$name" 15
	rt_stop "$rt" "$name"
}

# rt_pid RT NAME: the host pid of NAME's PID 1, once it runs (bounded).
rt_pid() {
	local i pid
	for ((i = 0; i < 100; i++)); do
		pid=$(timeout 5 "$1" state "$2" 2>/dev/null | sed -n 's/^ *"pid": *\([0-9]*\),*$/\1/p')
		[ -n "$pid" ] && [ "$pid" != 0 ] && { echo "$pid"; return 0; }
		sleep 0.05
	done
	return 1
}

exits() { # NAME SECONDS WANT: the job ends within SECONDS with WANT
	finish "$1" "$2"
	is "$3" "$code" "exit code"
}

term_reaches() { # RT NAME: the command traps TERM sent to the container
	timeout 10 "$1" kill "$2" TERM
	wait_line "$T/$2.out" '^trapped TERM$' 3
}

# Scenario 1: pidone as the entrypoint of an OCI bundle.
oci_runtime() {
	local rt=$1 l=${1##*/} n=$RUN-${1##*/}
	rt_run "$rt" "$n-pid1" /sbin/pidone -- sha256sum /proc/1/exe
	check "$l: pidone is PID 1 (hash of /proc/1/exe)" is_pidone "$T/$n-pid1.out"
	rt_run "$rt" "$n-exit0" /sbin/pidone -- true
	check "$l: exit code 0" is 0 "$code"
	rt_run "$rt" "$n-exit7" /sbin/pidone -- sh -c 'exit 7'
	check "$l: exit code 7" is 7 "$code"
	rt_run "$rt" "$n-exit143" /sbin/pidone -- sh -c 'kill -TERM $$'
	check "$l: exit code 143 when TERM kills the command" is 143 "$code"

	rt_start "$rt" "$n-term" "" /sbin/pidone -- /bin/trapper 3
	wait_line "$T/$n-term.out" '^ready$' 10
	check "$l: kill TERM reaches a command that traps it" term_reaches "$rt" "$n-term"
	check "$l: the container exits with the command's code (3)" exits "$n-term" 5 3
	rt_stop "$rt" "$n-term"

	rt_run "$rt" "$n-orphans" /sbin/pidone -- /bin/orphans 50
	check "$l: a command that leaves 50 orphans ends with zero zombies" reaped "$T/$n-orphans.out"
	check "$l: ... and exits 0" is 0 "$code"
}

# Scenario 5: the reaping and signal checks of scenario 1 with busybox sleep
# as PID 1 (it neither reaps nor forwards, and ignores TERM).
oci_control() {
	local n=$RUN-ctl
	rt_start "$RUNC" "$n-orphans" "" sh -c '/bin/orphans 50 & exec sleep 60'
	wait_line "$T/$n-orphans.out" '^orphans ' 15
	control "runc: a command that leaves 50 orphans ends with zero zombies" reaped "$T/$n-orphans.out"
	rt_stop "$RUNC" "$n-orphans"

	rt_start "$RUNC" "$n-term" "" sh -c '/bin/trapper 3 & exec sleep 60'
	wait_line "$T/$n-term.out" '^ready$' 10
	control "runc: kill TERM reaches a command that traps it" term_reaches "$RUNC" "$n-term"
	control "runc: the container exits with the command's code (3)" exits "$n-term" 1 3
	rt_stop "$RUNC" "$n-term"
}

# Scenario 4: the pod sandbox. A owns the pid/ipc/uts/net namespaces and runs
# INIT ARGS (pidone invoked as `pause`) as uid 65535, like the Kubernetes
# pause image since 3.5; B (root) joins them and leaves orphans; B
# counts the zombies while it still runs (runc SIGKILLs the rest of B's
# cgroup when B's process ends); TERM to A ends the pod with exit 0.
pod_runc() {
	local verdict=$1 l=$2 a=$RUN-$3-a b=$RUN-$3-b apid
	shift 3
	OCI_USER=65535 rt_start "$RUNC" "$a" "" "$@"
	if ! apid=$(rt_pid "$RUNC" "$a"); then
		not_ok "$l: sandbox container starts" "$(tail -n 3 "$T/$a.out" | tr '\n' '|')"
		rt_stop "$RUNC" "$a"
		return
	fi
	$verdict "$l: A's process is pidone" exe_is_pidone "$apid"
	rt_start "$RUNC" "$b" "$apid" /bin/orphans 50
	finish "$b" 15
	rt_stop "$RUNC" "$b"
	$verdict "$l: B's 50 orphans are reaped by A while B runs" reaped "$T/$b.out"
	timeout 10 "$RUNC" kill "$a" TERM
	$verdict "$l: kill TERM to A ends it with exit 0" exits "$a" 3 0
	rt_stop "$RUNC" "$a"
}

# ns_pid1 UP: the PID 1 of the pid namespace that `timeout ... unshare --fork`,
# started in the background as UP, made; nothing if there is none in 5 s.
ns_pid1() {
	local up=$1 pid i
	for ((i = 0; i < 100; i++)); do # timeout -> unshare -> PID 1
		pid=$(cat "/proc/$up/task/$up/children" 2>/dev/null)
		pid=$(cat "/proc/${pid%% *}/task/${pid%% *}/children" 2>/dev/null)
		pid=${pid%% *}
		if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/$$/ns/pid)" ]; then
			echo "$pid"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# The same pod with no runtime at all: unshare makes the pid namespace,
# nsenter puts the orphan maker in it.
pod_unshare() {
	local verdict=$1 l=$2 name=$RUN-$3 up pid
	shift 3
	timeout -k 5 60 unshare --pid --fork --kill-child --mount-proc "$@" >"$T/$name.init" 2>&1 &
	up=$!
	JOB[$name]=$up
	pid=$(ns_pid1 "$up")
	if [ -z "$pid" ]; then
		not_ok "$l: the namespace's PID 1 starts"
		return
	fi
	NSPID[$name]=$pid
	timeout 20 nsenter -t "$pid" -p -m "$HERE/orphans" 50 >"$T/$name.out" 2>&1
	$verdict "$l: 50 orphans left by an nsenter'ed process are reaped" reaped "$T/$name.out"
	kill -TERM "$pid" # the PID 1 this test started, in its own namespace
	$verdict "$l: kill TERM to PID 1 ends it with exit 0" exits "$name" 3 0
	if [ "$code" = running ]; then
		kill -KILL "$pid"
		finish "$name" 10
	fi
	unset "NSPID[$name]"
}

# ---- podman ------------------------------------------------------------------------

pm() {
	timeout -k 5 60 podman --root "$T/podman/root" --runroot "$T/podman/run" \
		--tmpdir "$T/podman/tmp" --storage-driver vfs \
		--runtime runc --runtime-flag root="$T/podman/runc" "$@"
}


podman_setup() {
	podman_conf "$T/podman" && mkdir -p "$T/tmp" || return 1
	export CONTAINERS_CONF=$T/podman/containers.conf TMPDIR=$T/tmp
	{
		pm import "$T/base.tar" localhost/pidone-e2e:base &&
			pm import --change 'ENTRYPOINT ["/sbin/pidone", "--"]' \
				"$T/full.tar" localhost/pidone-e2e:import &&
			pm import --change 'ENTRYPOINT ["/sbin/pidone", "-P"]' \
				"$T/full.tar" localhost/pidone-e2e:pause &&
			pm import --change 'ENTRYPOINT ["/bin/sleep", "3600"]' \
				"$T/full.tar" localhost/pidone-e2e:sleep
	} >"$T/pm-import.out" 2>&1
}

# pm_run NAME ARGS...: podman run --rm-less (removed by name at the end); $code.
pm_run() {
	local name=$1
	shift
	pm run --name "$name" --cgroup-parent "$CG" "$@" >"$T/$name.out" 2>&1
	code=$?
	pm rm -f "$name" >/dev/null 2>&1
}

# pm_stop NAME STOP_TIMEOUT RUN_ARGS... IMAGE: start `sleep 60` (no TERM
# handler), then time `podman stop`: $start (ns) and $code.
pm_stop() {
	local name=$1 t=$2 i
	shift 2
	pm run -d --name "$name" --cgroup-parent "$CG" "$@" \
		sh -c 'echo ready; exec sleep 60' >/dev/null 2>&1
	for ((i = 0; i < 100; i++)); do
		pm logs "$name" 2>/dev/null | grep -q '^ready$' && break
		sleep 0.05
	done
	start=$(date +%s%N)
	pm stop -t "$t" "$name" >/dev/null 2>&1
	code=$(pm inspect -f '{{.State.ExitCode}}' "$name" 2>/dev/null)
}

stopped_fast() { # NAME: podman/docker stop returned 143 in under 1 s
	fast "$start" 1000 && is 143 "$code" "exit code"
}

podman_group() {
	local n=$RUN-pm
	if ! podman_setup; then
		not_ok "podman: import the images" "$(tail -n 2 "$T/pm-import.out" | tr '\n' '|')"
		return
	fi
	check "podman: image with ENTRYPOINT by podman import --change" \
		pm image exists localhost/pidone-e2e:import
	pm build --pull=never -q -t localhost/pidone-e2e:build -f "$T/ctx/Dockerfile" "$T/ctx" \
		>"$T/pm-build.out" 2>&1
	check "podman: image with ENTRYPOINT by podman build" pm image exists localhost/pidone-e2e:build

	pm_run "$n-pid1" localhost/pidone-e2e:import sha256sum /proc/1/exe
	check "podman (import): pidone is PID 1" is_pidone "$T/$n-pid1.out"
	pm_run "$n-pid1b" localhost/pidone-e2e:build sha256sum /proc/1/exe
	check "podman (build): pidone is PID 1" is_pidone "$T/$n-pid1b.out"
	pm_run "$n-exit0" localhost/pidone-e2e:import true
	check "podman: exit code 0" is 0 "$code"
	pm_run "$n-exit7" localhost/pidone-e2e:build sh -c 'exit 7'
	check "podman (build): exit code 7" is 7 "$code"
	pm_run "$n-exit143" localhost/pidone-e2e:import sh -c 'kill -TERM $$'
	check "podman: exit code 143 when TERM kills the command" is 143 "$code"
	pm_run "$n-orphans" localhost/pidone-e2e:import /bin/orphans 50
	check "podman: 50 orphans, zero zombies" reaped "$T/$n-orphans.out"

	pm_run "$n-init" --init --init-path="$PIDONE" localhost/pidone-e2e:base \
		sh -c 'sha256sum /proc/1/exe; tr "\0" " " </proc/1/cmdline; echo'
	check "podman run --init --init-path: pidone is PID 1" is_pidone "$T/$n-init.out"
	check "podman run --init: PID 1 is /run/podman-init -- CMD" \
		has_line "$T/$n-init.out" '^/run/podman-init -- sh -c '
	pm_run "$n-init-orphans" --init --init-path="$PIDONE" localhost/pidone-e2e:base /bin/orphans 50
	check "podman run --init: 50 orphans, zero zombies" reaped "$T/$n-init-orphans.out"

	pm_stop "$n-stop" 10 localhost/pidone-e2e:import
	check "podman stop (no TERM handler) returns 143 in under a second" stopped_fast
	pm rm -f "$n-stop" >/dev/null 2>&1
	pm_stop "$n-stop-init" 10 --init --init-path="$PIDONE" localhost/pidone-e2e:base
	check "podman stop of podman run --init returns 143 in under a second" stopped_fast
	pm rm -f "$n-stop-init" >/dev/null 2>&1
	pm_stop "$n-ctl-stop" 2 localhost/pidone-e2e:base
	control "podman stop (no init, -t 2) returns 143 in under a second" stopped_fast
	check "control: ... it waits for the stop timeout and returns 137" \
		is 137 "$code" "exit code"
	pm rm -f "$n-ctl-stop" >/dev/null 2>&1

	pm_pod check "podman pod (infra: pidone -P)" pod localhost/pidone-e2e:pause
	pm_pod control "podman pod (infra: sleep)" pod-ctl localhost/pidone-e2e:sleep
}

# pm_pod VERDICT LABEL NAME INFRA_IMAGE: a pod sharing pid, ipc and uts whose
# infra container runs INFRA_IMAGE's entrypoint (podman 4.3's --infra-command
# takes one word only); a member leaves 50 orphans and counts the zombies
# while it still runs; `podman pod stop` ends the infra container with 0.
pm_pod() {
	local verdict=$1 l=$2 pod=$RUN-pm-$3 image=$4 infra
	if pm pod create --name "$pod" --share pid,ipc,uts --cgroup-parent "$CG" \
		--infra-image "$image" >"$T/$pod.out" 2>&1; then
		pm_run "$pod-b" --pod "$pod" localhost/pidone-e2e:base \
			sh -c 'sha256sum /proc/1/exe; exec /bin/orphans 50'
		$verdict "$l: the pod's PID 1 is pidone" is_pidone "$T/$pod-b.out"
		$verdict "$l: zero zombies while the member runs" reaped "$T/$pod-b.out"
		infra=$(pm pod inspect -f '{{.InfraContainerID}}' "$pod" 2>/dev/null)
		pm pod stop -t 2 "$pod" >/dev/null 2>&1
		$verdict "$l: podman pod stop ends the infra container with exit 0" \
			is 0 "$(pm inspect -f '{{.State.ExitCode}}' "$infra" 2>/dev/null)" "exit code"
	else
		not_ok "$l: podman pod create --share pid,ipc,uts --infra-image" \
			"$(tail -n 2 "$T/$pod.out" | tr '\n' '|')"
	fi
	pm pod rm -f "$pod" >/dev/null 2>&1
}

# ---- Docker ------------------------------------------------------------------------

dk() { timeout -k 5 60 /usr/bin/docker "$@"; }

# A private dockerd: its own data-root, exec-root, socket and pidfile, no
# networking set up, pidone as its init. Returns 1 with $why when it cannot run.
dockerd_start() {
	local d=$T/docker i
	mkdir -p "$d/cli"
	cat >"$d/daemon.json" <<-EOF
		{
		  "data-root": "$d/data",
		  "exec-root": "$d/exec",
		  "pidfile": "$d/dockerd.pid",
		  "hosts": ["unix://$d/docker.sock"],
		  "iptables": false,
		  "ip6tables": false,
		  "bridge": "none",
		  "storage-driver": "vfs",
		  "cgroup-parent": "$CG",
		  "init-path": "$PIDONE",
		  "deprecated-key-path": "$d/key.json"
		}
	EOF
	export DOCKER_HOST=unix://$d/docker.sock DOCKER_CONFIG=$d/cli DOCKER_BUILDKIT=0
	timeout -k 10 900 dockerd --config-file "$d/daemon.json" >"$d/dockerd.log" 2>&1 &
	DOCKERD_JOB=$!
	for ((i = 0; i < 300; i++)); do
		[ -z "$DOCKERD_PID" ] && [ -s "$d/dockerd.pid" ] && DOCKERD_PID=$(cat "$d/dockerd.pid")
		[ -S "$d/docker.sock" ] && dk version >/dev/null 2>&1 && return 0
		kill -0 "$DOCKERD_JOB" 2>/dev/null || break
		sleep 0.1
	done
	why="dockerd did not come up in 30 s: $(grep -iE 'fail|error' "$d/dockerd.log" | tail -n 2 | tr '\n' '|')"
	return 1
}

dockerd_stop() {
	local i
	[ -n "$DOCKERD_JOB" ] || return 0
	[ -z "$DOCKERD_PID" ] && [ -s "$T/docker/dockerd.pid" ] && DOCKERD_PID=$(cat "$T/docker/dockerd.pid")
	[ -n "$DOCKERD_PID" ] && kill -TERM "$DOCKERD_PID" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		kill -0 "$DOCKERD_JOB" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$DOCKERD_JOB" 2>/dev/null; then
		[ -n "$DOCKERD_PID" ] && kill -KILL "$DOCKERD_PID" 2>/dev/null
	fi
	wait "$DOCKERD_JOB" 2>/dev/null
	DOCKERD_JOB=""
}

# dk_run NAME ARGS...: docker run, removed by name afterwards; $code.
dk_run() {
	local name=$1
	shift
	dk run --name "$name" --network none --pull never "$@" >"$T/$name.out" 2>&1
	code=$?
	dk rm -f "$name" >/dev/null 2>&1
}

dk_start() { # NAME ARGS...: docker run -d; wait for "ready" in its log
	local name=$1 i
	shift
	dk run -d --name "$name" --network none --pull never "$@" >/dev/null 2>"$T/$name.err"
	for ((i = 0; i < 100; i++)); do
		dk logs "$name" 2>/dev/null | grep -q '^ready$' && return 0
		sleep 0.05
	done
	return 1
}

no_init_warning() {
	local w
	w=$(grep -E 'level=warn.*(parse|retrieve) .*version' "$T/docker/dockerd.log")
	[ -z "$w" ] || { why=$w; return 1; }
	has_line "$T/dk-info.out" '^ *init version:'
}

dk_exit_code() { dk wait "$1" 2>/dev/null; }

docker_group() {
	local n=$RUN-dk
	if ! dockerd_start; then
		skip "docker: every scenario" "$why"
		return
	fi
	dk import --change 'ENTRYPOINT ["/sbin/pidone", "--"]' "$T/full.tar" pidone-e2e:import >/dev/null 2>&1
	check "docker: image with ENTRYPOINT by docker import --change" \
		is '["/sbin/pidone","--"]' "$(dk image inspect -f '{{json .Config.Entrypoint}}' pidone-e2e:import 2>&1)"
	dk import "$T/base.tar" localhost/pidone-e2e:base >/dev/null 2>&1
	dk build -q -t pidone-e2e:build "$T/ctx" >"$T/dk-build.out" 2>&1
	check "docker: image with ENTRYPOINT by docker build" \
		is '["/sbin/pidone","--"]' "$(dk image inspect -f '{{json .Config.Entrypoint}}' pidone-e2e:build 2>&1)"

	# dockerd runs `INIT --version` for docker info and warns when it cannot
	# parse it; docker 20.10 then shows only the " - git.COMMIT" part.
	dk info >"$T/dk-info.out" 2>&1
	check "docker info: Init Binary is pidone" has_line "$T/dk-info.out" "^ *Init Binary: $PIDONE\$"
	check "docker info: dockerd parses pidone --version without a warning" no_init_warning

	dk_run "$n-pid1" pidone-e2e:import sha256sum /proc/1/exe
	check "docker (import): pidone is PID 1" is_pidone "$T/$n-pid1.out"
	dk_run "$n-pid1b" pidone-e2e:build sha256sum /proc/1/exe
	check "docker (build): pidone is PID 1" is_pidone "$T/$n-pid1b.out"
	dk_run "$n-exit0" pidone-e2e:build true
	check "docker: exit code 0" is 0 "$code"
	dk_run "$n-exit7" pidone-e2e:build sh -c 'exit 7'
	check "docker: exit code 7" is 7 "$code"
	dk_run "$n-exit143" pidone-e2e:import sh -c 'kill -TERM $$'
	check "docker: exit code 143 when TERM kills the command" is 143 "$code"
	dk_run "$n-orphans" pidone-e2e:import /bin/orphans 50
	check "docker: 50 orphans, zero zombies" reaped "$T/$n-orphans.out"

	dk_run "$n-init" --init localhost/pidone-e2e:base \
		sh -c 'sha256sum /proc/1/exe; tr "\0" " " </proc/1/cmdline; echo'
	check "docker run --init: pidone is PID 1" is_pidone "$T/$n-init.out"
	check "docker run --init: PID 1 is /sbin/docker-init -- CMD" \
		has_line "$T/$n-init.out" '^/sbin/docker-init -- sh -c '
	dk_run "$n-init-orphans" --init localhost/pidone-e2e:base /bin/orphans 50
	check "docker run --init: 50 orphans, zero zombies" reaped "$T/$n-init-orphans.out"

	dk_start "$n-stop" pidone-e2e:import sh -c 'echo ready; exec sleep 60'
	start=$(date +%s%N)
	dk stop -t 10 "$n-stop" >/dev/null 2>&1
	code=$(dk_exit_code "$n-stop")
	check "docker stop (no TERM handler) returns 143 in under a second" stopped_fast
	dk rm -f "$n-stop" >/dev/null 2>&1

	dk_start "$n-stop-init" --init localhost/pidone-e2e:base sh -c 'echo ready; exec sleep 60'
	start=$(date +%s%N)
	dk stop -t 10 "$n-stop-init" >/dev/null 2>&1
	code=$(dk_exit_code "$n-stop-init")
	check "docker stop of docker run --init returns 143 in under a second" stopped_fast
	dk rm -f "$n-stop-init" >/dev/null 2>&1

	dk_start "$n-kill" pidone-e2e:import /bin/trapper 3
	dk kill -s TERM "$n-kill" >/dev/null 2>&1
	code=$(dk_exit_code "$n-kill")
	dk logs "$n-kill" >"$T/$n-kill.out" 2>&1
	check "docker kill -s TERM reaches a command that traps it" has_line "$T/$n-kill.out" '^trapped TERM$'
	check "docker kill -s TERM: exit code is the command's (3)" is 3 "$code"
	dk rm -f "$n-kill" >/dev/null 2>&1

	dk_start "$n-ctl-stop" localhost/pidone-e2e:base sh -c 'echo ready; exec sleep 60'
	start=$(date +%s%N)
	dk stop -t 2 "$n-ctl-stop" >/dev/null 2>&1
	code=$(dk_exit_code "$n-ctl-stop")
	control "docker stop (no init, -t 2) returns 143 in under a second" stopped_fast
	check "control: ... it waits for the stop timeout and returns 137" is 137 "$code" "exit code"
	dk rm -f "$n-ctl-stop" >/dev/null 2>&1
}

# ---- Kubernetes: containerd's CRI (tests/e2e/cri/cri.sh) ---------------------------

# shellcheck source=tests/podman-conf.sh
. "$HERE/../podman-conf.sh"
# shellcheck source=tests/e2e/cri/cri.sh
. "$HERE/cri/cri.sh"

# ---- cleanup: nothing left behind ------------------------------------------------

cleanup() {
	local c d
	[ -n "$T" ] || return 0
	for c in "${started[@]}"; do
		timeout 10 "${c% *}" kill "${c#* }" KILL >/dev/null 2>&1
		timeout 10 "${c% *}" delete -f "${c#* }" >/dev/null 2>&1
	done
	started=()
	# The PID 1 of each namespace of ours still there, then each job still
	# running (a `timeout` of ours: TERM makes it pass TERM on).
	for c in "${!NSPID[@]}"; do kill -KILL "${NSPID[$c]}" 2>/dev/null; done
	NSPID=()
	for c in "${!JOB[@]}"; do
		finish "$c" 2
		[ "$code" = running ] || continue
		kill -TERM "${JOB[$c]}" 2>/dev/null
		finish "$c" 8
		[ "$code" = running ] && kill -KILL "${JOB[$c]}" 2>/dev/null
		finish "$c" 2
	done
	if [ -d "$T/podman/root" ]; then
		pm pod rm -a -f >/dev/null 2>&1
		pm rm -a -f -t 0 >/dev/null 2>&1
		pm system reset -f >/dev/null 2>&1 # only ever the store in $T
	fi
	if [ -n "$DOCKERD_JOB" ]; then
		dk ps -aq 2>/dev/null | while read -r c; do dk rm -f "$c" >/dev/null 2>&1; done
		dockerd_stop
	fi
	for d in "${HOST_DIRS[@]}"; do # only what the engines made, only if new
		grep -qxF "$d" <<<"$files_before" && continue
		rm -f "$d/cache/blob-info-cache-v1.boltdb"
		[ -d "$d" ] && find "$d" -depth -type d -empty -delete
	done
	# Mounts under $T, deepest first.
	awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$T"
}

# Rootful podman 4.3 always makes the first two (a blob-info cache, a
# network run directory), dockerd 20.10 the third: remove those at the end
# that were not there before the run.
HOST_DIRS=(/var/lib/containers /run/containers /run/docker)

cgroups() { find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d 2>/dev/null | sort; }
files() { ls -d "${HOST_DIRS[@]}" /etc/docker/key.json 2>/dev/null; }

left_behind() {
	local left="" f p
	[ -d "$T" ] && left="$left dir:$T"
	grep -q " $T" /proc/self/mountinfo && left="$left mounts"
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
		# Our daemons and shims name $T; our containers' processes live in it.
		if tr '\0' ' ' 2>/dev/null <"$f" | grep -qF "$T" ||
			[[ "$(readlink "/proc/$p/root" 2>/dev/null)" == "$T"/* ]]; then
			left="$left pid:$p"
		fi
	done
	# New cgroups of ours or of the engines (not those of other test runs).
	for f in $(comm -13 <(echo "$cgroups_before") <(cgroups) |
		grep -E "$RUN|libpod|docker|containerd|conmon|crun|runc"); do
		left="$left cgroup:$f"
	done
	for f in $(comm -13 <(echo "$files_before") <(files)); do left="$left file:$f"; done
	[ -z "$left" ] || { why="left:$left"; return 1; }
}

# ---- the run -----------------------------------------------------------------------

# Taken before the run: what is there already is not ours to report or remove.
cgroups_before=$(cgroups)
files_before=$(files)
T=$(mktemp -d /tmp/pidone-e2e.XXXXXX)
trap 'cleanup; exit 130' INT TERM
trap 'cleanup' EXIT
# One copy, used everywhere (images, --init-path, init-path): a rebuild of
# ./pidone during the run cannot make the hashes disagree.
cp "$PIDONE" "$T/pidone"
PIDONE=$T/pidone
SUM=$(sha256sum "$PIDONE" | cut -d' ' -f1)

echo "# pidone e2e: ${1:-./pidone} ($("$PIDONE" --version 2>&1), sha256 ${SUM:0:12}), state in $T"
make_rootfs
make_runtimes
if wanted runc; then oci_runtime "$RUNC"; fi
if wanted crun; then
	if command -v crun >/dev/null; then oci_runtime "$CRUN"; else skip "crun" "crun is not installed"; fi
fi
if wanted control; then oci_control; fi
if wanted pod; then
	pod_runc check "pod (runc, A is pidone as pause)" pod /pause
	pod_runc control "pod (runc, A is sleep)" pod-ctl sleep 60
	pod_unshare check "pod (unshare, pidone -P)" unshare "$PIDONE" -P
	pod_unshare control "pod (unshare, sleep)" unshare-ctl sleep 60
fi
if wanted podman; then podman_group; fi
if wanted docker; then docker_group; fi
if wanted cri; then cri_group; fi

cleanup
check "nothing left behind (containers, mounts, processes, cgroups, files)" left_behind
trap - EXIT
echo "# $(($(date +%s) - t0)) s"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
