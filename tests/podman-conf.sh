# shellcheck shell=sh
# podman_conf DIR: the containers.conf of a private podman whose temporary
# files, volumes, network configs and event log live under DIR; sourced by
# tests/e2e/run.sh and release/check.sh. No network namespace of the host's,
# rlimits podman may set when root lacks CAP_SYS_RESOURCE, cgroupfs, runc.
podman_conf() {
	mkdir -p "$1/tmp" "$1/net" "$1/volumes" || return 1
	cat >"$1/containers.conf" <<EOF_CONF
[containers]
netns = "none"
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$1/events.log"
tmp_dir = "$1/tmp"
volume_path = "$1/volumes"
runtime = "runc"
[network]
network_config_dir = "$1/net"
EOF_CONF
}
