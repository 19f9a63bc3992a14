# The README's two commands are `make run` (the server, with the demo) and
# `make test` (the whole test suite).
GO ?= go

.PHONY: run build test check bench

run: build
	./actiongate serve --demo

build:
	$(GO) build -o actiongate ./cmd/actiongate

test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

check:
	test -z "$$(gofmt -l .)"
	$(GO) vet ./...
	staticcheck ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...
