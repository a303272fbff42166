#!/usr/bin/env bash
# The whole test suite, as README.md and .ci/run run it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/setup-python.sh
# Everything the tests (and `swift test` itself) put in the temporary directory goes away.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/wakusync-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export TMPDIR="$scratch"
swift build --build-tests --explicit-target-dependency-import-check error
swift test --skip-build --explicit-target-dependency-import-check error
