#!/usr/bin/env bash
# The whole test suite, as README.md and .ci/run run it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/setup-python.sh
# shellcheck source=scripts/postgres.sh
source ./scripts/postgres.sh
# Everything the tests (and `swift test` itself) put in the temporary directory goes away, and the
# private PostgreSQL server stops, on every way out.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/wakusync-tests.XXXXXX")
cleanup() {
    stop_test_postgres
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_test_postgres
export TMPDIR="$scratch"
swift build --build-tests --explicit-target-dependency-import-check error
# One test at a time: many tests run real nodes, processes and tmux sessions with time limits,
# and on two cores running them side by side only makes them wait on each other.
# Line-buffered, so a log shows how far the suite got; bounded, so a hang fails the run instead of
# eating CI's time (the suite takes about 3 minutes here; timeout stops the whole process group).
timeout --kill-after=30s 30m stdbuf -oL -eL \
    swift test --skip-build --no-parallel --explicit-target-dependency-import-check error
