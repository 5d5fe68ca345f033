# gitsm — make demo builds gitsm and shows every command on a records repo made from examples/;
# make test runs the whole test suite (unit, end-to-end scripts, a short fuzz of the loader and
# of the summary's field encoding, which warm runs read straight from the cache file).
GO        ?= go
BIN       ?= $(CURDIR)/bin
GITSM     := $(BIN)/gitsm
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/gitsm/gitsm/internal/cli.Version=$(VERSION)
FUZZTIME  ?= 10s
ACTIONLINT ?= $(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

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
	@# actionlint: the project's workflows, and the ones gitsm init installs, written out by init.
	@tmp=$$(mktemp -d) && $(GO) run ./cmd/gitsm init -q --gitsm-version v0.0.0 "$$tmp/records" >/dev/null && \
	$(ACTIONLINT) .github/workflows/*.yml "$$tmp"/records/.github/workflows/*.yml; status=$$?; rm -rf "$$tmp"; exit $$status

# demo: a records repo made from examples/ in a temp folder, as a git repository with a
# pull-request branch, and every command run on it (docs/demo.sh).
demo: build
	@GITSM=$(GITSM) sh docs/demo.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN)
