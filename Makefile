# pidone: one static binary, its tests, its man page.
#
#   make           build ./pidone (musl static-pie when musl-tools is there)
#   make demo      show pidone as PID 1 of a new pid namespace
#   make check     install missing test tools (as root) and run every test
#   make install   PREFIX=/usr/local DESTDIR=
#   make CROSS=aarch64-linux-gnu-   build/arm64/pidone (musl static-pie); also
#                  arm-linux-gnueabihf-, i686-linux-gnu-, powerpc64le-linux-gnu-,
#                  s390x-linux-gnu-. make cross: all five; make cross-deps:
#                  their packages; make cross-check: each under qemu-user

PREFIX ?= /usr/local
DESTDIR ?=
PYTHON ?= /usr/bin/python3
# The one place the version is kept; pidone --version prints it.
VERSION := $(shell cat VERSION)

SRCS := init.c options.c signames.c status.c fmt.c text.c log.c signals.c spawn.c tty.c reaper.c drain.c file.c relro.c oom.c confine.c restrict.c landlock.c user.c become.c expand.c explain.c
PURE := options.c signames.c status.c fmt.c text.c restrict.c user.c expand.c explain.c
HDRS := pidone.h

WARN := -Wall -Wextra -Werror
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
SMALL := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-unwind-tables
DEFS := -D_GNU_SOURCE -DPIDONE_VERSION=\"$(VERSION)\"
CFLAGS_ALL := -std=gnu11 $(DEFS) $(WARN) $(HARDEN) $(SMALL) $(CFLAGS)
LDHARDEN := -Wl,-z,relro,-z,now,-z,noexecstack,-z,text,--gc-sections,--build-id=none -s

# Debian's musl-gcc has no static-pie spec, so link with musl's own rcrt1.o.
MUSL_DIR := /usr/lib/$(subst -linux-gnu,-linux-musl,$(shell gcc -dumpmachine))
ifneq ($(shell command -v musl-gcc),)
ifneq ($(wildcard $(MUSL_DIR)/rcrt1.o),)
LIBC := musl
endif
endif

ifneq ($(LIBC),musl)
LIBC := glibc
endif

ifeq ($(LIBC),musl)
# musl-gcc sees only musl's headers; confine.c needs the kernel's (linux/,
# asm/, asm-generic/ from linux-libc-dev), and nothing else of glibc's.
KHDR := build/kernel-headers
CFLAGS_ALL += -isystem $(KHDR)
BUILD_CC := musl-gcc
LINK = gcc -nostdlib -nostartfiles -static-pie $(LDHARDEN) -o $@ \
	$(MUSL_DIR)/rcrt1.o $(MUSL_DIR)/crti.o $^ -L$(MUSL_DIR) -lc \
	$(shell gcc -print-libgcc-file-name) $(MUSL_DIR)/crtn.o
else
BUILD_CC := gcc
LINK = gcc -static-pie $(LDHARDEN) -o $@ $^
endif

OBJS := $(SRCS:%.c=build/bin/%.o)
# Objects of one libc must not be linked with the other's: a stamp per libc.
STAMP := build/bin/libc-$(LIBC)

.PHONY: all check check-all unit behaviour lint-man deps demo install clean

all: pidone

# The version is compiled in: a new one rebuilds every object.
$(OBJS): VERSION

$(STAMP): $(KHDR)
	@mkdir -p $(@D)
	@rm -f build/bin/*.o build/bin/libc-*
	@touch $@

build/kernel-headers:
	@mkdir -p $@
	@ln -sfn /usr/include/linux $@/linux
	@ln -sfn /usr/include/asm-generic $@/asm-generic
	@ln -sfn /usr/include/$(shell gcc -dumpmachine)/asm $@/asm

build/bin/%.o: %.c $(HDRS) $(STAMP)
	@echo "  CC      $<"
	@$(BUILD_CC) $(CFLAGS_ALL) -c -o $@ $<

pidone: $(OBJS)
	@echo "  LINK    $@ ($(LIBC) static-pie)"
	@$(LINK)

# A test build with hooks the shipped binary does not have (confine.c).
HOOK_OBJS := $(SRCS:%.c=build/hooks/%.o)

build/hooks/%.o: %.c $(HDRS) $(STAMP)
	@mkdir -p $(@D)
	@$(BUILD_CC) $(CFLAGS_ALL) -DPIDONE_TEST_HOOKS -c -o $@ $<

build/hooks/pidone: $(HOOK_OBJS)
	@$(LINK)

# ---- tests ------------------------------------------------------------
UNIT_TESTS := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))

build/unit/%: tests/unit/%.c $(PURE) $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@gcc -std=gnu11 -D_GNU_SOURCE $(WARN) -g -I. -o $@ $< $(PURE) -lcmocka

deps:
	@sh tests/deps.sh

unit: deps $(UNIT_TESTS)
	@rc=0; for t in $(UNIT_TESTS); do $$t || rc=1; done; exit $$rc

behaviour: deps pidone build/hooks/pidone
	$(PYTHON) -m pytest -q -p no:cacheprovider tests/behaviour

lint-man: deps
	@out=$$(mandoc -T lint -W warning man/pidone.1 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; echo "man/pidone.1: mandoc lint clean"

# deps first, in its own make, so that the build below sees what it installed
# (musl-gcc decides the libc when the Makefile is read).
check: deps
	@$(MAKE) --no-print-directory check-all

check-all: pidone unit lint-man hardening analyze behaviour sanitize glibc valgrind fuzz cross-check

demo: deps
	@$(MAKE) --no-print-directory pidone
	@sh tests/demo.sh ./pidone

install: pidone
	install -D -m 0755 pidone $(DESTDIR)$(PREFIX)/bin/pidone
	install -D -m 0644 man/pidone.1 $(DESTDIR)$(PREFIX)/share/man/man1/pidone.1

clean:
	rm -rf build pidone

# ---- cross builds -------------------------------------------------------
# One musl static-pie per Debian architecture, from Debian's cross gcc and
# musl-dev:ARCH (make cross-deps). Each architecture has its own directory,
# build/ARCH/ (objects, kernel headers, pidone): nothing there is shared with
# build/bin or with another architecture.
# Each entry: Debian arch : CROSS prefix (GNU triple) : musl triple : qemu's
# name (qemu-NAME-static).
CROSS_ARCHES := arm64:aarch64-linux-gnu:aarch64-linux-musl:aarch64 \
	armhf:arm-linux-gnueabihf:arm-linux-musleabihf:arm \
	i386:i686-linux-gnu:i386-linux-musl:i386 \
	ppc64el:powerpc64le-linux-gnu:powerpc64le-linux-musl:ppc64le \
	s390x:s390x-linux-gnu:s390x-linux-musl:s390x
cross_field = $(word $(2),$(subst :, ,$(1)))
CROSS_BINS := $(foreach a,$(CROSS_ARCHES),build/$(call cross_field,$(a),1)/pidone)
# The native flags without the native kernel headers (x86-64's asm/).
XCFLAGS = $(filter-out -isystem $(KHDR),$(CFLAGS_ALL))
# What -static-pie means to ld, said to it directly: gcc-12's arm driver
# drops -static-pie and would link a dynamic PIE with glibc's interpreter.
XSTATIC := -Wl,-static,-pie,--no-dynamic-linker,-z,text

# $(1) Debian arch, $(2) GNU triple, $(3) musl triple
define cross_rules
# The kernel's headers for that architecture, from linux-libc-dev-$(1)-cross
# (make cross-deps; gcc-$(2) only recommends it): /usr/$(2)/include holds
# glibc's headers too, so only these three are seen, as in build/kernel-headers.
build/$(1)/kernel-headers:
	@command -v $(3)-gcc >/dev/null && test -d /usr/$(2)/include/asm \
		|| { echo "no $(3)-gcc or /usr/$(2)/include/asm: run make cross-deps" >&2; exit 1; }
	@mkdir -p $$@
	@for d in linux asm asm-generic; do ln -sfn /usr/$(2)/include/$$$$d $$@/$$$$d; done

build/$(1)/%.o: %.c $$(HDRS) | build/$(1)/kernel-headers
	@echo "  CC      $$@"
	@$(3)-gcc $$(XCFLAGS) -isystem build/$(1)/kernel-headers -c -o $$@ $$<

# libgcc and libc in one group: armhf's libgcc calls raise() from libc.
build/$(1)/pidone: $$(SRCS:%.c=build/$(1)/%.o) tests/cross/check-elf.sh
	@echo "  LINK    $$@ (musl static-pie, $(1))"
	@$(2)-gcc -nostdlib -nostartfiles -static-pie $(XSTATIC) $$(LDHARDEN) -o $$@ \
		/usr/lib/$(3)/rcrt1.o /usr/lib/$(3)/crti.o $$(filter %.o,$$^) \
		-Wl,--start-group /usr/lib/$(3)/libc.a -lgcc -Wl,--end-group /usr/lib/$(3)/crtn.o
	@sh tests/cross/check-elf.sh $$@ $(1) || { rm -f $$@; exit 1; }
endef
$(foreach a,$(CROSS_ARCHES),$(eval $(call cross_rules,$(call cross_field,$(a),1),$(call cross_field,$(a),2),$(call cross_field,$(a),3))))

# make CROSS=aarch64-linux-gnu- builds that architecture's binary alone.
ifdef CROSS
CROSS_ARCH := $(strip $(foreach a,$(CROSS_ARCHES),$(if $(filter $(CROSS),$(call cross_field,$(a),2)-),$(call cross_field,$(a),1))))
ifeq ($(CROSS_ARCH),)
$(error CROSS=$(CROSS): not one of $(foreach a,$(CROSS_ARCHES),$(call cross_field,$(a),2)-))
endif
.DEFAULT_GOAL := build/$(CROSS_ARCH)/pidone
endif

.PHONY: cross
cross: $(CROSS_BINS)

# Benchmarks and hardening checks keep their rules beside their files.
-include bench/bench.mk
-include tests/hardening/hardening.mk
-include tests/e2e/e2e.mk
-include release/release.mk
-include tests/cross/cross.mk
