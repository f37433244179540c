#!/usr/bin/env bash
# `make test`: build, run the Swift test suites, then the checks that need tools outside Swift.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --parallel
