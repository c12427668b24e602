# shellcheck shell=bash disable=SC2154,SC2034 # T, JOB, code, ...: run.sh's
# tests/e2e/cri/cri.sh: the `cri` group of tests/e2e/run.sh (issue 18),
# sourced by it: pidone as the pod sandbox ("pause") and as an app
# container's init under containerd's CRI, driven over the CRI v1 gRPC API
# the way kubelet drives it.
#
# For each of two sandbox images, pidone's pause image and a control whose
# sandbox is busybox sleep, the group
# - builds the images offline from the binary under test (umoci);
# - starts a private containerd: its own root, state, sockets and config
#   under $T/cri/MODE, in its own mount, network and pid namespaces (a
#   private tmpfs /run for the shim sockets, which containerd 1.6 always
#   puts in /run/containerd/s; runc's Root in $T), so that it never sees or
#   touches the host's containerd, Docker or podman, and everything it
#   starts dies with its pid namespace;
# - imports the images with `ctr -n k8s.io images import`;
# - runs scenarios.py (the CRI client) in those namespaces: the scenarios
#   print run.sh's `ok -` / `not ok -` lines, counted here;
# - stops containerd by pid; run.sh's cleanup removes the cgroups ($CG).
#
# Uses from run.sh: T, RUN, CG, SUM, PIDONE, HERE, JOB, NSPID, finish, ok,
# not_ok, passed, failed.

CRI_HERE=$HERE/cri
CRI_PY=/usr/bin/python3 # Debian's, with python3-grpcio and python3-grpc-tools
CRI_PAUSE=localhost/pidone-e2e/pause:$RUN
CRI_APP=localhost/pidone-e2e/app:$RUN
CRI_SLEEP=localhost/pidone-e2e/sleep:$RUN

cri_ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

# cri_layer TAR DIR: a layer archive of DIR's contents, owned by root.
cri_layer() { tar -C "$2" --owner=0 --group=0 --numeric-owner -cf "$1" .; }

# cri_image NAME LAYER... -- CONFIG_ARGS...: an OCI image layout built with
# umoci from LAYER tars, tagged $RUN, tarred as $T/cri/img/NAME.tar for
# `ctr import --base-name localhost/pidone-e2e/NAME` (= $CRI_NAME). Not
# skopeo: it writes its blob-info cache into the host's /var/lib/containers.
cri_image() {
	local name=$1 oci=$T/cri/img/$1 l layers=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do layers+=("$1") && shift; done
	shift
	umoci init --layout "$oci" && umoci new --image "$oci:$RUN" || return 1
	for l in "${layers[@]}"; do
		umoci raw add-layer --no-history --image "$oci:$RUN" "$l" || return 1
	done
	umoci config --no-history --image "$oci:$RUN" "$@" &&
		tar -C "$oci" -cf "$T/cri/img/$name.tar" .
}

# The three images: pause (only /pause, which is pidone), app (run.sh's
# busybox-static rootfs with pidone, orphans and trapper, plus daemon and
# zombies; ENTRYPOINT pidone --) and sleep (the control sandbox).
cri_images() {
	local d=$T/cri/img
	mkdir -p "$d/pause.root" "$d/extra.root/bin"
	cp "$PIDONE" "$d/pause.root/pause"
	cp "$CRI_HERE/daemon" "$CRI_HERE/zombies" "$d/extra.root/bin/"
	cri_layer "$d/pause.layer" "$d/pause.root" && cri_layer "$d/extra.layer" "$d/extra.root" &&
		cri_image pause "$d/pause.layer" -- \
			--config.user 65535:65535 --config.entrypoint /pause &&
		cri_image app "$T/full.tar" "$d/extra.layer" -- \
			--config.env PATH=/sbin:/bin \
			--config.entrypoint /sbin/pidone --config.entrypoint=-- &&
		cri_image sleep "$T/base.tar" "$d/extra.layer" -- \
			--config.user 65535:65535 --config.env PATH=/sbin:/bin \
			--config.entrypoint /bin/sleep --config.entrypoint 86400
}

cri_config() { # DIR SANDBOX_IMAGE
	cat <<-EOF
		version = 2
		root = "$1/root"
		state = "$1/state"
		disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

		[grpc]
		  address = "$1/containerd.sock"
		[ttrpc]
		  address = "$1/containerd.sock.ttrpc"
		[metrics]
		  address = ""

		[plugins."io.containerd.internal.v1.opt"]
		  path = "$1/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$2"
		  # root lacks CAP_SYS_RESOURCE here: without this runc fails to
		  # set the sandbox's oom_score_adj (-998) and no sandbox starts.
		  restrict_oom_score_adj = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  enable_selinux = false
		  disable_apparmor = true
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "/usr/sbin/runc"
		        Root = "$1/runc"
		        SystemdCgroup = false
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$1/cni/bin"
		    conf_dir = "$1/cni/conf.d"
	EOF
}

# cri_start MODE SANDBOX_IMAGE: containerd in new mount, network and pid
# namespaces (lo up, a tmpfs on /run), config in $T/cri/MODE, under pidone
# as PID 1 there: containerd's shims outlive the `shim start` that forked
# them, and an init must reap them when they end (on a node, systemd does).
# NSPID[cri-MODE] is that PID 1's host pid. Returns 1 with $why when
# containerd is not up (its socket answering) within 30 s.
cri_start() {
	local mode=$1 d=$T/cri/$1 up pid i
	mkdir -p "$d/cni/bin" "$d/cni/conf.d" "$d/logs" "$d/tmp"
	cri_config "$d" "$2" >"$d/config.toml"
	# shellcheck disable=SC2016 # expanded by the inner shell
	timeout -k 5 300 unshare --mount --net --pid --fork --kill-child --mount-proc \
		--propagation private "$PIDONE" -- sh -c 'mount -t tmpfs -o mode=0755,size=65536k cri-run /run &&
			ip link set lo up && export TMPDIR="$2" && exec containerd --config "$1"' sh "$d/config.toml" "$d/tmp" \
		>"$d/containerd.log" 2>&1 &
	up=$!
	JOB["cri-$mode"]=$up
	pid=$(ns_pid1 "$up") || { why="no PID 1 in a new pid namespace"; return 1; }
	NSPID["cri-$mode"]=$pid
	for ((i = 0; i < 300; i++)); do
		[ -S "$d/containerd.sock" ] &&
			timeout 5 ctr --address "$d/containerd.sock" version >/dev/null 2>&1 && return 0
		kill -0 "$up" 2>/dev/null || break
		sleep 0.1
	done
	why="containerd did not come up in 30 s: $(grep -iE 'level=(error|fatal)' "$d/containerd.log" |
		tail -n 2 | tr '\n' '|')"
	return 1
}

# cri_stop MODE: TERM to the namespace's PID 1, which passes it to
# containerd; KILL after 10 s (the shims and containers left, if any, die
# with their pid namespace).
cri_stop() {
	local pid=${NSPID["cri-$1"]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	finish "cri-$1" 10
	if [ "$code" = running ]; then
		kill -KILL "$pid" 2>/dev/null
		finish "cri-$1" 10
	fi
	unset "NSPID[cri-$1]"
}

cri_import() { # MODE NAME...: localhost/pidone-e2e/NAME:$RUN
	local sock=$T/cri/$1/containerd.sock a
	shift
	for a in "$@"; do
		timeout 60 ctr --address "$sock" -n k8s.io images import \
			--base-name "localhost/pidone-e2e/$a" "$T/cri/img/$a.tar" \
			>>"$T/cri/import.out" 2>&1 || return 1
	done
}

# cri_scenarios MODE: scenarios.py in containerd's namespaces (so that the
# pids the CRI reports are the pids in its /proc); its check lines counted.
cri_scenarios() {
	local mode=$1 d=$T/cri/$1 line rc=""
	while IFS= read -r line; do
		case $line in
		"exit "*) rc=${line#exit } && continue ;;
		"ok - "*) passed=$((passed + 1)) ;;
		"not ok - "*) failed=$((failed + 1)) ;;
		esac
		echo "$line"
	done < <(timeout -k 5 100 nsenter -t "${NSPID["cri-$mode"]}" -m -n -p -- \
		"$CRI_PY" "$CRI_HERE/scenarios.py" --gen "$T/cri/gen" --mode "$mode" \
		--socket "$d/containerd.sock" --runc-root "$d/runc/k8s.io" --logs "$d/logs" \
		--cgroup-parent "$CG/cri-$mode" --sum "$SUM" --run "$RUN" \
		--app "$CRI_APP" --sandbox "$2" 2>"$d/scenarios.err"
		echo "exit $?")
	[ "$rc" = 0 ] || not_ok "cri ($mode): scenarios.py ran to the end" \
		"exit ${rc:-?}: $(tail -n 3 "$d/scenarios.err" | tr '\n' '|')"
}

# cri_run MODE SANDBOX_IMAGE: one private containerd, its scenarios, stopped.
cri_run() {
	local mode=$1 t
	t=$(date +%s%N)
	if ! cri_start "$mode" "$2"; then
		not_ok "cri ($mode): a private containerd starts" "$why"
		cri_stop "$mode"
		return
	fi
	echo "# cri ($mode): containerd up in $(cri_ms "$t") ms"
	t=$(date +%s%N)
	if ! cri_import "$mode" pause app sleep; then
		not_ok "cri ($mode): ctr -n k8s.io images import" "$(tail -n 2 "$T/cri/import.out" | tr '\n' '|')"
		cri_stop "$mode"
		return
	fi
	echo "# cri ($mode): 3 images imported in $(cri_ms "$t") ms"
	cri_scenarios "$mode" "$2"
	t=$(date +%s%N)
	cri_stop "$mode"
	echo "# cri ($mode): containerd stopped in $(cri_ms "$t") ms"
}

cri_group() {
	local t0 t
	t0=$(date +%s%N)
	mkdir -p "$T/cri/gen"
	if ! cri_images >"$T/cri/images.out" 2>&1; then
		not_ok "cri: build the images (umoci)" "$(tail -n 2 "$T/cri/images.out" | tr '\n' '|')"
		return
	fi
	if ! "$CRI_PY" -m grpc_tools.protoc -I"$CRI_HERE" --python_out="$T/cri/gen" \
		--grpc_python_out="$T/cri/gen" cri.proto >"$T/cri/protoc.out" 2>&1; then
		not_ok "cri: compile cri.proto" "$(tail -n 2 "$T/cri/protoc.out" | tr '\n' '|')"
		return
	fi
	echo "# cri: images and client built in $(cri_ms "$t0") ms; $(containerd --version | cut -d' ' -f3),"\
		"$(runc --version | head -n 1), $(umoci --version),"\
		"grpcio $("$CRI_PY" -c 'import grpc; print(grpc.__version__)' 2>&1)"
	cri_run pidone "$CRI_PAUSE"
	cri_run control "$CRI_SLEEP"
	echo "# cri: $(cri_ms "$t0") ms in all"
}
