# gitsm — make demo builds gitsm and shows every command on a records repo made from examples/;
# make test runs the whole test suite (unit, end-to-end scripts, a short fuzz of the loader and
# of the summary's field encoding, which warm runs read straight from the cache file).
GO        ?= go
BIN       ?= $(CURDIR)/bin
GITSM     := $(BIN)/gitsm
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/gitsm/gitsm/internal/cli.Version=$(VERSION)
FUZZTIME  ?= 10s

.PHONY: build test fuzz lint demo bench bench-go clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(GITSM) ./cmd/gitsm

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/record/
	$(GO) test -run '^$$' -fuzz '^FuzzFields$$' -fuzztime 5s ./internal/record/

lint:
	@unformatted=$$(gofmt -l cmd internal schemas); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# demo: `gitsm demo` makes a records repo with a year of history from examples/ in a temp folder;
# every command is run on it, then on a pull-request branch (docs/demo.sh).
demo: build
	@GITSM=$(GITSM) sh docs/demo.sh

# bench: every side-by-side script of docs/bench/ (slow: minutes each), then one table of the rows
# the scripts append to $$BENCH_TABLE: command, median s, peer, peer's median s (tab-separated).
# Each script's own report goes to stderr. bench-go runs the Go benchmarks.
bench:
	@table=$$(mktemp); \
	for s in docs/bench/*.sh; do echo "== $$s" >&2; BENCH_TABLE=$$table bash $$s >&2 || echo "== $$s failed" >&2; done; \
	echo "machine: $$(nproc) cores, $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	awk -F '\t' 'BEGIN {printf "%-45s %10s  %-32s %10s %7s\n", "command", "median s", "peer", "peer s", "ratio"} \
		{r = ($$4 > 0) ? sprintf("%.2f", $$2 / $$4) : "-"; printf "%-45s %10s  %-32s %10s %7s\n", $$1, $$2, $$3, $$4, r}' $$table; \
	rm -f $$table

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN)
