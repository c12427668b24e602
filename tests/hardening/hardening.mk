# tests/hardening/hardening.mk: issue 8's checks, included by the Makefile.
#
#   make sanitize    the behaviour suite (and unit tests) against an
#                    ASan+UBSan glibc build: build/asan/pidone
#   make glibc       the signal tests against the glibc static-pie that
#                    pidone is where musl is missing: build/glibc/pidone
#   make valgrind    memcheck over representative scenarios, directly
#                    (subreaper) and as PID 1: build/valgrind/pidone
#   make analyze     cppcheck, clang-tidy and gcc -fanalyzer, all clean
#   make hardening   the protections of the shipped ./pidone
#   make fuzz        libFuzzer over every parser for FUZZ_SECONDS (60)
#
# Only `hardening` depends on ./pidone (it checks the shipped binary); the
# sanitizer, valgrind and fuzz builds are separate binaries under build/.
# Debian packages: clang, libclang-rt-dev (libFuzzer), clang-tidy, cppcheck,
# valgrind, binutils (readelf); gcc's libasan/libubsan come with gcc.

HARD := tests/hardening
FUZZ_SECONDS ?= 60

.PHONY: sanitize glibc valgrind analyze hardening fuzz fuzz-regress

# ---- sanitize: ASan + UBSan ---------------------------------------------
# Dynamic glibc build: the sanitizer runtimes need it. Every report is fatal
# (halt_on_error, -fno-sanitize-recover), makes the process exit 86, and is
# written to build/asan/reports/ so that a report in a test which does not
# look at pidone's exit code or stderr still fails the target; the target
# prints every report it finds. The command under test inherits these
# variables; it is not instrumented, so they do nothing to it.
SAN_CFLAGS := -std=gnu11 $(DEFS) $(WARN) -g -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_REPORTS := $(CURDIR)/build/asan/reports
SAN_ENV := \
	ASAN_OPTIONS=halt_on_error=1:exitcode=86:detect_leaks=1:abort_on_error=0:log_path=$(SAN_REPORTS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$(SAN_REPORTS)/ubsan \
	LSAN_OPTIONS=exitcode=86:log_path=$(SAN_REPORTS)/lsan
SAN_UNIT := $(patsubst tests/unit/%.c,build/asan/unit/%,$(wildcard tests/unit/test_*.c))

build/asan/pidone: $(SRCS) $(HDRS)
	@mkdir -p $(@D)
	gcc $(SAN_CFLAGS) -DPIDONE_TEST_HOOKS -o $@ $(SRCS)

build/asan/unit/%: tests/unit/%.c $(PURE) $(HDRS)
	@mkdir -p $(@D)
	gcc $(SAN_CFLAGS) -I. -o $@ $< $(PURE) -lcmocka

sanitize: deps build/asan/pidone $(SAN_UNIT)
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	@rc=0; \
	for t in $(SAN_UNIT); do $(SAN_ENV) $$t >build/asan/unit.log 2>&1 \
		|| { cat build/asan/unit.log; rc=1; }; done; \
	PIDONE=$(CURDIR)/build/asan/pidone PIDONE_HOOKS=$(CURDIR)/build/asan/pidone $(SAN_ENV) \
		$(PYTHON) -m pytest -q -p no:cacheprovider tests/behaviour || rc=1; \
	n=0; for r in $(SAN_REPORTS)/*; do [ -e "$$r" ] || continue; \
		echo "==== sanitizer report $$r"; cat "$$r"; n=$$((n + 1)); rc=1; done; \
	echo "sanitize: $$n sanitizer report(s)"; \
	exit $$rc

# ---- glibc: the fallback build --------------------------------------------
# Where musl-tools is missing pidone is a glibc static-pie. glibc keeps
# signals 32 and 33 for itself (musl 32..34) in other ways than musl: the
# signal tests run against that build too, with its test hooks.
GLIBC_TESTS := "realtime or signal_mask or catchable or libc or lets_through"

build/glibc/pidone: $(SRCS) $(HDRS)
	@mkdir -p $(@D)
	gcc -std=gnu11 $(DEFS) $(WARN) $(HARDEN) -O2 -DPIDONE_TEST_HOOKS -static-pie \
		$(LDHARDEN) -o $@ $(SRCS)

glibc: deps build/glibc/pidone
	PIDONE=$(CURDIR)/build/glibc/pidone PIDONE_HOOKS=$(CURDIR)/build/glibc/pidone \
		$(PYTHON) -m pytest -q -p no:cacheprovider -k $(GLIBC_TESTS) \
		tests/behaviour/test_core.py tests/behaviour/test_stress.py tests/behaviour/test_confine.py

# ---- valgrind: memcheck ---------------------------------------------------
# Non-PIE dynamic debug build; the scenarios are in test_valgrind.py.
# valgrind keeps signal 64 for itself: pidone leaves a signal it may not
# handle as it is (a warning at -v), so nothing here works around it.
build/valgrind/pidone: $(SRCS) $(HDRS)
	@mkdir -p $(@D)
	gcc -std=gnu11 $(DEFS) -DPIDONE_NO_SECCOMP $(WARN) -O0 -g -fno-pie -no-pie \
		-o $@ $(SRCS)

valgrind: deps build/valgrind/pidone
	PIDONE_VG=$(CURDIR)/build/valgrind/pidone \
		$(PYTHON) -m pytest -q -p no:cacheprovider $(HARD)/test_valgrind.py

# ---- analyze: cppcheck, clang-tidy, gcc -fanalyzer ------------------------
analyze: deps
	@sh $(HARD)/analyze.sh $(SRCS)

# ---- hardening of the shipped binary --------------------------------------
hardening: pidone
	@sh $(HARD)/check-binary.sh ./pidone build/bin

# ---- fuzz: libFuzzer --------------------------------------------------------
# One target for every parser (fuzz/fuzz_parse.c); seeds in fuzz/corpus/,
# what the fuzzer finds goes to build/fuzz/corpus/ (not committed). A crash
# is written to build/fuzz/crash-*: copy it into fuzz/regressions/ and
# `make fuzz-regress` (also run by `make fuzz` first) replays every file
# there, so a fixed crash stays fixed.
FUZZ_CFLAGS := -std=gnu11 $(DEFS) $(WARN) -g -O1 -I. -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer

build/fuzz/fuzz_parse: fuzz/fuzz_parse.c $(PURE) $(HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ fuzz/fuzz_parse.c $(PURE)

fuzz-regress: build/fuzz/fuzz_parse
	@set -- $(wildcard fuzz/regressions/*); \
	if [ $$# -eq 0 ]; then echo "fuzz: no regression inputs yet"; exit 0; fi; \
	build/fuzz/fuzz_parse "$$@" >build/fuzz/regress.log 2>&1 \
		|| { cat build/fuzz/regress.log; exit 1; }; \
	echo "fuzz: $$# regression input(s) replayed, no crash"

fuzz: deps fuzz-regress
	@mkdir -p build/fuzz/corpus
	cd build/fuzz && ./fuzz_parse -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -timeout=5 -rss_limit_mb=1024 \
		-dict=$(CURDIR)/fuzz/parse.dict corpus $(CURDIR)/fuzz/corpus
