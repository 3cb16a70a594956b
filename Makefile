VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo development)
LDFLAGS := -X github.com/kmsaudit/cq-source-awskms/resources/plugin.Version=$(VERSION)
BIN := $(CURDIR)/bin

.PHONY: build test test-unit lint gen-docs cloudquery demo demo-stop bench audit clean

build: ## the plugin binary
	go build -ldflags "$(LDFLAGS)" -o $(BIN)/cq-source-awskms .

test: cloudquery ## every test, end-to-end ones included (installs PostgreSQL when missing), then a short fuzz run
	bash test/scripts/ensure-postgres.sh
	CI=$${CI:-true} go test -count=1 -timeout 40m ./...
	$(MAKE) --no-print-directory fuzz-short

test-unit: ## tests that need neither PostgreSQL nor the CloudQuery CLI
	PGTEST_SKIP=1 go test -count=1 -short ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: run gofmt -w on the files above"; exit 1)
	go vet ./...

gen-docs: ## regenerate docs/tables from the code (replaced only when generation succeeds)
	rm -rf docs/tables.new
	go run . doc docs/tables.new
	rm -rf docs/tables && mv docs/tables.new docs/tables

cloudquery: ## the pinned CloudQuery CLI, built from the Go module proxy
	bash test/scripts/build-cloudquery.sh

demo: ## offline: sync the emulated organization into a throwaway PostgreSQL and print the audit
	bash test/scripts/demo.sh

demo-stop:
	bash test/scripts/demo-stop.sh

audit: ## the grant audit against DSN=postgres://...
	go run ./cmd/kmsaudit -dsn "$(DSN)"

bench: cloudquery ## syncs against the emulator at AWS's quotas, each vs a reference measured in the same run (docs/performance.md; long: BENCHFLAGS="-scale 0.05" for minutes, -h for the knobs)
	go run ./test/bench $(BENCHFLAGS)

FUZZTIME ?= 10s

.PHONY: fuzz-short
fuzz-short: ## every fuzz target of the repo for FUZZTIME (10s) each; their seed corpora run with every `go test`
	@set -e; for file in $$(git ls-files '*_test.go' | xargs grep -l '^func Fuzz'); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "go test -run='^$$' -fuzz='^$$name\$$' -fuzztime=$(FUZZTIME) ./$$(dirname $$file)"; \
			go test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) ./$$(dirname $$file); \
		done; \
	done

clean:
	rm -rf $(BIN)
