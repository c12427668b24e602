# tests/cross/cross.mk: issue 16, included by the Makefile (the cross builds
# themselves are there).
#
#   make cross-deps    as root: dpkg --add-architecture, gcc-TRIPLE,
#                      musl-dev:ARCH, linux-libc-dev-ARCH-cross,
#                      qemu-user-static, and a static busybox of each
#                      architecture in build/ARCH/guest (tests/cross/deps.sh)
#   make cross-check   every cross binary under qemu-ARCH-static as PID 1 of
#                      a new pid namespace (tests/cross/test_qemu.py);
#                      CROSS_CHECK="arm64 s390x" picks architectures

CROSS_CHECK ?= $(foreach a,$(CROSS_ARCHES),$(call cross_field,$(a),1))

.PHONY: cross-deps cross-check

cross-deps:
	@sh tests/cross/deps.sh $(CROSS_ARCHES)

# Every architecture is built before any is tested: one that does not build
# fails here, not as a skipped test.
cross-check: cross-deps
	@rc=0; for a in $(CROSS_CHECK); do $(MAKE) --no-print-directory build/$$a/pidone || rc=1; done; \
	PIDONE_CROSS="$(CROSS_CHECK)" $(PYTHON) -m pytest -q -p no:cacheprovider tests/cross || rc=1; \
	exit $$rc
