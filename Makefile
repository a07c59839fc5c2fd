# Two commands for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/sluice
PIPELINE := Pipelines/supplier-nightly.yaml
SAMPLE := data/sample
DEBIAN_PACKAGES := libcsv-dev zlib1g-dev libsqlite3-dev sqlite3 prometheus chromium postgresql libpq-dev

.PHONY: run test deps build sample sample-mixed clean fuzz bench bench-full bench-stream bench-scenario

## run: install what is missing, build, generate the sample scenario if absent, load it into SQLite
run: build sample
	$(BIN) run $(PIPELINE)
	@echo "staging table: staging_orders in data/staging.sqlite  (sqlite3 data/staging.sqlite 'select count(*) from staging_orders')"

## test: install what is missing, then run every test suite
## Tests that read a rate off request times run alone after the rest: on a machine busy with
## every other suite, scheduling delays of tens of milliseconds would be measured, not the pacer.
ALONE_TESTS := theCappedConfigurationNeverSendsMoreThanTheRateInAnySecond
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(ALONE_TESTS)'
	$(SWIFT) test --skip-build --filter '$(ALONE_TESTS)'

## deps: the Debian packages the build links against
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

## sample: 20 suppliers x 50 files of 20 KB (about 1,000 files, 214,000 rows), written once
sample: build
	@if [ ! -f $(SAMPLE)/manifest.json ]; then \
		$(BIN) sample --out $(SAMPLE) --suppliers 20 --files-per-supplier 50 --file-size 20KB; \
	fi

## sample-mixed: the same rows, each supplier writing its own way, for Pipelines/supplier-mixed.yaml
SAMPLE_MIXED := data/mixed
sample-mixed: build
	@if [ ! -f $(SAMPLE_MIXED)/mixed.json ]; then \
		$(BIN) sample --out $(SAMPLE_MIXED) --style mixed --suppliers 20 --files-per-supplier 50 --file-size 20KB; \
	fi

clean:
	rm -rf .build data

## fuzz: the reader, gzip and validation under libFuzzer for FUZZ_SECONDS (crashes land in data/fuzz/)
FUZZ_SECONDS ?= 60
fuzz: deps
	$(SWIFT) build -c release --scratch-path .build-fuzz --product SluiceFuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	@mkdir -p data/fuzz/corpus data/fuzz/crashes
	@for f in SampleData/suppliers/*/*; do \
		name=$$(basename $$f); \
		case $$f in *.gz) mode='\x01';; *) mode='\x00';; esac; \
		{ printf "$$mode"; head -c 4000 $$f; } > data/fuzz/corpus/seed-$$name; \
	done
	.build-fuzz/release/SluiceFuzz data/fuzz/corpus -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix=data/fuzz/crashes/ -print_final_stats=1

## bench: Sluice against sqlite3 .import, DuckDB, Python and the insert floor on the 20 KB workload
bench: build
	python3 Benchmarks/bench.py

## bench-stream: sluice stream's arrival-to-commit latency, backlog throughput against sluice run, idle poll CPU
bench-stream: build
	python3 Benchmarks/stream_bench.py

## bench-full: the full reference workload (20 suppliers x 500 files x 2 MB, about 20 GB), Sluice only
bench-full: build
	python3 Benchmarks/bench.py --file-size 2MB --runs 1 --skip-baselines --no-gzip --scale 1

## bench-scenario: 20 supplier endpoints at 3 req/s each (sluice-supplier-sim), loaded sequential, naive, capped and recommended
bench-scenario: build
	python3 Benchmarks/scenario_bench.py $(SCENARIO_ARGS)
