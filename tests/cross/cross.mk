# tests/cross/cross.mk: issue 16, included by the Makefile (the cross builds
# themselves are there).
#
#   make cross-deps    as root: dpkg --add-architecture, gcc-TRIPLE,
#                      musl-dev:ARCH, linux-libc-dev-ARCH-cross,
#                      libc6-dev-ARCH-cross, qemu-user-static, and a static
#                      busybox of each architecture in build/ARCH/guest
#                      (tests/cross/deps.sh)
#   make cross-check   every cross binary under qemu-ARCH-static as PID 1 of
#                      a new pid namespace (tests/cross/test_qemu.py);
#                      CROSS_CHECK="arm64 s390x" picks architectures

CROSS_CHECK ?= $(foreach a,$(CROSS_ARCHES),$(call cross_field,$(a),1))

.PHONY: cross-deps cross-check

# The tests' own guest command, static against the cross glibc (see the file).
define cross_test_rules
build/$(1)/guest/sigrecord: tests/cross/sigrecord.c
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	@$(2)-gcc -static -O2 $(WARN) -o $$@ $$<
endef
$(foreach a,$(CROSS_ARCHES),$(eval $(call cross_test_rules,$(call cross_field,$(a),1),$(call cross_field,$(a),2))))

cross-deps:
	@sh tests/cross/deps.sh $(CROSS_ARCHES)

# Every architecture is built before any is tested; one that does not build
# fails the target, and its tests fail too (no binary), the others still run.
cross-check: cross-deps
	@rc=0; for a in $(CROSS_CHECK); do \
		$(MAKE) -s --no-print-directory build/$$a/pidone build/$$a/guest/sigrecord || rc=1; done; \
	PIDONE_CROSS="$(CROSS_CHECK)" $(PYTHON) -m pytest -q -p no:cacheprovider tests/cross || rc=1; \
	exit $$rc

# i386 runs natively on an amd64 kernel, where its seccomp filter is real
# (qemu refuses any): the confinement, core and drain behaviour tests run
# against build/i386/pidone, which checks the i386 allow-list against the
# calls 32-bit musl makes (mmap2, clock_gettime64, rt_sigtimedwait_time64).
.PHONY: i386-native
ifeq ($(shell uname -m),x86_64)
cross-check: i386-native
endif

i386-native: cross-deps build/i386/pidone build/hooks/pidone
	PIDONE=$(CURDIR)/build/i386/pidone $(PYTHON) -m pytest -q -p no:cacheprovider \
		tests/behaviour/test_confine.py tests/behaviour/test_core.py tests/behaviour/test_drain.py
