# gitsm — make demo builds gitsm and shows every command on a records repo made from examples/;
# make test runs the whole test suite (unit, end-to-end scripts, a short fuzz of the loader and
# of the summary's field encoding, which warm runs read straight from the cache file).
GO        ?= go
BIN       ?= $(CURDIR)/bin
GITSM     := $(BIN)/gitsm
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/gitsm/gitsm/internal/cli.Version=$(VERSION)
FUZZTIME  ?= 10s

.PHONY: build test fuzz lint demo bench clean

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

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN)
