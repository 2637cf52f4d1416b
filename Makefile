# The Makefile is the contract CI and newcomers use: `make run` and `make test`.
GO          ?= go
TAGS        := nomsgpack
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION     ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run test lint bench fuzz docs clean

build: ## build bin/awardflow
	$(GO) build -tags $(TAGS) -ldflags "-X main.version=$(VERSION)" -o bin/awardflow ./cmd/awardflow

run: ## serve on the embedded SQLite file awardflow.db with the demo programme loaded
	$(GO) run -tags $(TAGS) ./cmd/awardflow serve --demo

test: ## every test, on SQLite and PostgreSQL
	$(GO) test -tags $(TAGS) -count=1 -timeout 30m ./...

lint: ## gofmt, go vet, staticcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	$(GO) run $(STATICCHECK) -tags $(TAGS) ./...

bench: ## benchmarks on SQLite and PostgreSQL (3 s each, so latency percentiles settle)
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -benchtime 3s ./...

fuzz: ## fuzz the scoring-sheet importer briefly (CI); FUZZTIME=5m for longer
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz FuzzReadScoringSheet -fuzztime $(or $(FUZZTIME),20s) -fuzzminimizetime 2s ./api/workbook

docs: ## regenerate the generated documents under docs/
	$(GO) test ./workflow -run TestStateDiagramGolden -update
	$(GO) test -tags $(TAGS) ./api -run TestAuthorizationDocGolden -update

clean:
	rm -rf bin awardflow.db awardflow.db-shm awardflow.db-wal
