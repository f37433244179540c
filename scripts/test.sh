#!/usr/bin/env bash
# `make test`: build, run the Swift test suites, then the checks that need tools outside Swift.
set -euo pipefail
cd "$(dirname "$0")/.."

# The official OCPP JSON schemas (PyPI's `ocpp` package) in a private virtual environment: the schema check below
# and the simulator's tests use it.
venv=.build/ocpp-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import ocpp, jsonschema, rfc3339_validator' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check ocpp jsonschema rfc3339-validator
fi

swift build --build-tests
# Standard input from /dev/null: CI starts us with none, and a test process missing descriptor 0 would hand that
# number to the next pipe or file it opens, which a child's standard-input set-up then clobbers.
swift test --skip-build --parallel < /dev/null

# Our OCPP fixtures against the official schemas.
"$venv/bin/python" scripts/check-ocpp-schemas.py Fixtures/*.jsonl

# The ring buffer's own package: its tests, then again under ThreadSanitizer in release mode (in debug, the slot
# copies go through unoptimised generic code that TSan does not see), with fewer items.
swift test --package-path Packages/RingBuffer --scratch-path .build-ring
RING_STRESS_ITEMS=200000 swift test -c release --sanitize=thread --package-path Packages/RingBuffer \
    --scratch-path .build-ring-tsan
