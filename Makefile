# Wattline — build, test and run. `make run` and `make test` work from a fresh clone:
# `setup` installs whatever Debian packages are missing first.

SWIFT       ?= swift
PIPELINE    ?= Pipelines/default.yaml
DEBS        := libmosquitto-dev libsqlite3-dev libzstd-dev mosquitto mosquitto-clients pkg-config sqlite3 zstd python3-venv curl
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup build debug run test bench clean

## setup: install the Debian packages that are missing (apt-get update first, only when needed)
setup:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## build: release build of the wattline executable
build: setup
	$(SWIFT) build -c release --product wattline

debug: setup
	$(SWIFT) build --product wattline

## run: the main job on local defaults
run: build
	./scripts/run-local.sh "$(PIPELINE)"

## test: build and pass every test
test: setup
	./scripts/test.sh

## bench: benchmarks, printed as a table (figures are recorded in BENCHMARKS.md)
bench: setup
	WATTLINE_BENCH=1 $(SWIFT) build -c release --product wattline-bench --scratch-path .build-bench
	WATTLINE_BENCH=1 $(SWIFT) build -c release --product wattline --scratch-path .build-bench
	.build-bench/release/wattline-bench

clean:
	rm -rf .build .build-bench
