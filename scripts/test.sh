#!/usr/bin/env bash
# The whole test suite, as README.md and .ci/run run it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/setup-python.sh
swift build --build-tests --explicit-target-dependency-import-check error
swift test --skip-build --explicit-target-dependency-import-check error
