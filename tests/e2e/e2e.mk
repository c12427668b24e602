# tests/e2e/e2e.mk: issue 6, included by the Makefile.
#
#   make e2e    pidone as PID 1 of real containers: runc and crun bundles,
#               podman (images, --init, stop, pods), a private dockerd
#               (images, --init, stop, kill), the pod-sandbox shape (runc
#               and unshare/nsenter), Kubernetes' CRI (a private
#               containerd with pidone as the pod sandbox and as an app's
#               init, tests/e2e/cri), each against a negative control.
#               Needs root; installs its packages (tests/e2e/deps.sh).
#               E2E_ONLY="runc crun control pod podman docker cri" picks
#               groups.

.PHONY: e2e e2e-deps

e2e-deps:
	@sh tests/e2e/deps.sh

e2e: e2e-deps pidone
	@bash tests/e2e/run.sh ./pidone
