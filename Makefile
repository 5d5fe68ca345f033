# gitsm — make demo builds gitsm and shows every command on a records repo made from examples/;
# make test runs the whole test suite (unit, end-to-end scripts, a short fuzz of the loader).
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

lint:
	@unformatted=$$(gofmt -l cmd internal schemas); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@2026.2.2 ./...

# demo: a records repo made from examples/ in a temp folder, as a git repository, and every
# command that exists run on it.
demo: build
	@set -e; dir=$$(mktemp -d "$${TMPDIR:-/tmp}/gitsm-demo.XXXXXX"); \
	cp -R examples/. "$$dir"; rm -rf "$$dir/invalid"; \
	git -C "$$dir" init -q -b main; \
	git -C "$$dir" -c user.name=demo -c user.email=demo@example.com add -A; \
	git -C "$$dir" -c user.name=demo -c user.email=demo@example.com commit -q -m "Records from gitsm examples"; \
	echo "== records repo: $$dir"; \
	echo "\$$ gitsm validate"; $(GITSM) -C "$$dir" validate; \
	echo "\$$ gitsm validate --format json | head"; $(GITSM) -C "$$dir" validate --format json | head -5; \
	echo "\$$ gitsm validate examples/invalid/ref.missing (a broken record)"; \
	$(GITSM) -C examples validate invalid/ref.missing/*.yaml || true

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BIN)
