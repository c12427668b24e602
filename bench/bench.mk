# bench/bench.mk: `make bench` and `make bench-quick` (included by the Makefile).
# pidone against tini, tini-static, dumb-init and catatonit in one run, with a
# minimal pause program built here (refpause) as the floor; prints the
# figures users feel in one Markdown table, instruction and syscall counts in
# a second. Needs root; installs nothing (see bench/README.md).

BENCH_HELPERS := icount orphans sigchild sigsend runtime daemons pausetime
BENCH_BINS := $(BENCH_HELPERS:%=build/bench/%)
BENCH_PY ?= /usr/bin/python3

# The floor is built static with musl, as pidone is; without musl-gcc the
# bench runs without its column.
ifneq ($(shell command -v musl-gcc),)
BENCH_BINS += build/bench/refpause
endif

.PHONY: bench bench-quick

build/bench/%: bench/%.c
	@mkdir -p $(@D)
	gcc -std=gnu11 -O2 -Wall -Wextra -o $@ $<

build/bench/refpause: bench/refpause.c
	@mkdir -p $(@D)
	musl-gcc -static -Os -s -Wall -Wextra -Werror -o $@ $<

build/bench/orphans build/bench/sigchild: bench/orphan.h

bench: pidone $(BENCH_BINS)
	$(BENCH_PY) bench/bench.py --pidone ./pidone --helpers build/bench $(BENCH_ARGS)

bench-quick: pidone $(BENCH_BINS)
	$(BENCH_PY) bench/bench.py --quick --pidone ./pidone --helpers build/bench $(BENCH_ARGS)
