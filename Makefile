# gitsm — make demo builds gitsm and shows every command on a records repo made from examples/;
# make test runs the whole test suite (unit, end-to-end scripts), then each fuzzer for FUZZTIME:
# the loader, the summary's field encoding (which warm runs read straight from the cache file),
# the in-place editor and the index cache's decoder.
GO        ?= go
BIN       ?= $(CURDIR)/bin
GITSM     := $(BIN)/gitsm
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/gitsm/gitsm/internal/cli.Version=$(VERSION)
# Each fuzzer runs for FUZZTIME; a new failing input is minimised for at most FUZZMINTIME (Go's
# default of 60 s would use up a short run before it reports what it found). Four fuzzers at
# 60 s keep make test under 10 minutes.
FUZZTIME    ?= 60s
FUZZMINTIME ?= 5s
FUZZ        = $(GO) test -run '^$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME)
# fuzz_one TARGET PACKAGE: a finding (the fuzzer writes the failing input under testdata/fuzz/)
# or any other failure fails the run. Go 1.26's fuzz coordinator can also fail a clean run with a
# bare "context deadline exceeded" when -fuzztime ends while a worker is busy (golang/go#75804,
# fixed in Go 1.27): that, with no failing input written, is reported and not counted.
define fuzz_one
	@log=$$(mktemp); echo "$(FUZZ) -fuzz '^$(1)$$' $(2)"; \
	if $(FUZZ) -fuzz '^$(1)$$' $(2) >$$log 2>&1; then grep -v '^fuzz: elapsed' $$log; rm -f $$log; \
	else grep -v '^fuzz: elapsed' $$log; \
	  if grep -q 'context deadline exceeded' $$log && ! grep -q 'Failing input written' $$log; then \
	    echo "$(1): the fuzztime deadline race of Go 1.26 (golang/go#75804), no failing input: not a finding"; rm -f $$log; \
	  else rm -f $$log; exit 1; fi; \
	fi
endef
ACTIONLINT ?= $(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

.PHONY: build test fuzz lint demo bench bench-go clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(GITSM) ./cmd/gitsm

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz

fuzz:
	$(call fuzz_one,FuzzParse,./internal/record/)
	$(call fuzz_one,FuzzFields,./internal/record/)
	$(call fuzz_one,FuzzSet,./internal/yamledit/)
	$(call fuzz_one,FuzzParse,./internal/index/)

lint:
	@unformatted=$$(gofmt -l cmd internal schemas); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	@# actionlint: the project's workflows, and the ones gitsm init installs, written out by init.
	@tmp=$$(mktemp -d) && $(GO) run ./cmd/gitsm init -q --gitsm-version v0.0.0 "$$tmp/records" >/dev/null && \
	$(ACTIONLINT) .github/workflows/*.yml "$$tmp"/records/.github/workflows/*.yml; status=$$?; rm -rf "$$tmp"; exit $$status

# demo: `gitsm demo` makes a records repo with a year of history from examples/ in a temp folder;
# every command is run on it, then on a pull-request branch (docs/demo.sh).
demo: build
	@GITSM=$(GITSM) sh docs/demo.sh

# bench: every side-by-side script of docs/bench/ (slow: minutes each; BENCH_SCALE=small: a few
# minutes in all), each appending its rows to $$BENCH_TABLE (docs/bench/lib.sh), then one table:
# machine, command, median, peer's median, ratio. Each script's own report goes to stderr.
# bench-go runs the Go benchmarks.
BENCH_SCALE ?= full
bench:
	@case "$(BENCH_SCALE)" in small | full) ;; *) echo "BENCH_SCALE=$(BENCH_SCALE): use small or full" >&2; exit 2;; esac; \
	table=$$(mktemp); failed=; empty=; start=$$(cut -d' ' -f1-3 /proc/loadavg); \
	for s in docs/bench/*.sh; do \
		[ "$$s" = docs/bench/lib.sh ] && continue; \
		echo "== $$s" >&2; n=$$(wc -l <$$table); \
		BENCH_SCALE=$(BENCH_SCALE) BENCH_TABLE=$$table bash $$s >&2 || failed="$$failed $$s"; \
		[ "$$(wc -l <$$table)" != "$$n" ] || empty="$$empty $$s"; \
	done; \
	echo; BENCH_LOAD_START="$$start" bash docs/bench/lib.sh table $$table; rm -f $$table; \
	[ -z "$$empty" ] || echo "no rows from:$$empty"; \
	[ -z "$$failed" ] || { echo "failed:$$failed"; exit 1; }

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN)
