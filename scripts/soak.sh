#!/usr/bin/env bash
# The soak: a 5-node loopback cluster for MINUTES (default 30) with churn (a random node
# restarted every minute), 100 msgs/s and 10 % loss; prints the demo report with the process's
# resident memory sampled every 10 s. Exit status 0 only if every archive converged.
#   scripts/soak.sh [MINUTES] > soak.json
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
swift build -c release --product wakusync >&2
exec .build/release/wakusync demo --headless --json \
    --nodes 5 --rate 100 --loss 0.1 --sync-interval 10 \
    --duration "$((minutes * 60))" --churn 60 --settle 120
