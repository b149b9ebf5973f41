# DriftMgr build and test entry points. `make test` is what CI runs.

GO        ?= go
BIN       := bin/driftmgr
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/driftmgr/driftmgr/internal/cli.Version=$(VERSION)
PKGS      := ./...
FUZZTIME  ?= 10s
STATICCHECK_VERSION := v0.8.2
BUF_VERSION         := v1.75.0
PROTOC_GEN_GO       := v1.36.12
PROTOC_GEN_CONNECT  := v1.21.1
TOOLS               := $(CURDIR)/bin/tools

.PHONY: perf all build console console-deps console-test console-e2e-deps run example e2e test emulators bench lint fuzz cover clean proto proto-check

all: build

# The binary embeds the console's build (console/dist).
build: console
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/driftmgr

# The web console: dependencies pinned by console/package-lock.json.
console/node_modules/.package-lock.json: console/package.json console/package-lock.json
	npm ci --prefix console --no-audit --no-fund --loglevel=error

console-deps: console/node_modules/.package-lock.json

console: console-deps
	npm run build --prefix console

console-test: console-deps
	npm test --prefix console

# The console's browser tests: playwright-core and axe-core pinned by
# e2e/console/package-lock.json.
e2e/console/node_modules/.package-lock.json: e2e/console/package.json e2e/console/package-lock.json
	npm ci --prefix e2e/console --no-audit --no-fund --loglevel=error

console-e2e-deps: e2e/console/node_modules/.package-lock.json

# The whole product on this machine: a controller, an agent and the
# simulated clouds with drift in them (Ctrl-C stops it).
run: build
	./$(BIN) dev

# The bundled one-shot example: exit code 1 means "drift found".
example: build
	./$(BIN) scan --state examples/terraform.tfstate --live examples/live.json --driftignore examples/.driftignore || [ $$? -eq 1 ]

# The multi-process cluster test (also part of `make test`).
e2e: console console-e2e-deps
	$(GO) test -count=1 ./e2e/...

# Local emulators (azurite) that the state-source tests start for real.
emulators: e2e/emulators/node_modules/.package-lock.json

e2e/emulators/node_modules/.package-lock.json: e2e/emulators/package.json e2e/emulators/package-lock.json
	npm ci --prefix e2e/emulators --no-audit --no-fund --loglevel=error

# The console is rebuilt first: the browser tests run the binary that
# embeds it.
test: emulators console-test console console-e2e-deps
	$(GO) test -race -count=1 $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Performance targets that need a quiet machine: run alone, no race
# detector (the noisy-neighbour p99 bound).
perf:
	DRIFTMGR_PERF=1 $(GO) test -count=1 -timeout 20m -run 'TestNoisyNeighbour' -v ./controller/

lint:
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

# Short runs of every fuzz target (FUZZTIME each).
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# Statement coverage per package, counting statements any package's tests
# run (controller/node is exercised through the controller's real
# clusters, not tests of its own).
cover: emulators
	$(GO) test -count=1 -coverpkg=./... -coverprofile=coverage.out $(PKGS) > coverage.log 2>&1 || \
	  { grep -E -A 30 '^(--- FAIL|FAIL|panic:)' coverage.log | head -120; exit 1; }
	@awk -f scripts/coverpkg.awk coverage.out

# The Connect contract: pinned generators from the Go module proxy, local
# plugins only (works offline once installed). Generated code is committed.
$(TOOLS)/buf:
	GOBIN=$(TOOLS) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
$(TOOLS)/protoc-gen-go:
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO)
$(TOOLS)/protoc-gen-connect-go:
	GOBIN=$(TOOLS) $(GO) install connectrpc.com/connect/cmd/protoc-gen-connect-go@$(PROTOC_GEN_CONNECT)

proto: $(TOOLS)/buf $(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-connect-go console-deps
	cd proto && PATH=$(TOOLS):$(CURDIR)/console/node_modules/.bin:$$PATH buf lint && \
	  PATH=$(TOOLS):$(CURDIR)/console/node_modules/.bin:$$PATH buf generate

# Lint and check for breaking changes against main.
proto-check: $(TOOLS)/buf
	cd proto && $(TOOLS)/buf lint && $(TOOLS)/buf breaking --against '$(CURDIR)/.git#branch=main,subdir=proto'

clean:
	rm -rf bin
