# bench/bench.mk: `make bench` and `make bench-quick` (included by the Makefile).
# pidone against tini, tini-static, dumb-init and catatonit in one run; prints
# one Markdown table. Needs root; installs nothing (see bench/README.md).

BENCH_HELPERS := icount orphans sigchild sigsend runtime
BENCH_BINS := $(BENCH_HELPERS:%=build/bench/%)
BENCH_PY ?= /usr/bin/python3

.PHONY: bench bench-quick

build/bench/%: bench/%.c
	@mkdir -p $(@D)
	gcc -std=gnu11 -O2 -Wall -Wextra -o $@ $<

build/bench/orphans build/bench/sigchild: bench/orphan.h

bench: pidone $(BENCH_BINS)
	$(BENCH_PY) bench/bench.py --pidone ./pidone --helpers build/bench $(BENCH_ARGS)

bench-quick: pidone $(BENCH_BINS)
	$(BENCH_PY) bench/bench.py --quick --pidone ./pidone --helpers build/bench $(BENCH_ARGS)
