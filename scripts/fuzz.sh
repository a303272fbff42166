#!/usr/bin/env bash
# Fuzzes the decoders fed from the network or from disk with libFuzzer (Fuzz/README.md):
#
#   scripts/fuzz.sh SECONDS [TARGET...]
#
# Builds wakusync-fuzz with -sanitize=fuzzer (FUZZ_SANITIZERS=fuzzer,address adds AddressSanitizer),
# rewrites the seed corpus in Fuzz/corpus/, then runs each target (all by default) for SECONDS, one
# after another. New corpus entries go to .fuzz/corpus/<target>/ (ignored by git), logs to
# .fuzz/logs/. Prints executions and executions per second per target; a crash, timeout or
# out-of-memory input is copied to Fuzz/crashers/<target>/ and makes the script exit 1.
# FUZZ_ARGS adds libFuzzer options (e.g. "-runs=1000000" to stop a target after a million inputs).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift

sanitizers=${FUZZ_SANITIZERS:-fuzzer}
scratch=.build-fuzz
[[ $sanitizers == fuzzer ]] || scratch=.build-fuzz-${sanitizers//[^a-z]/-}
swift build -c release --product wakusync-fuzz --scratch-path "$scratch" \
    -Xswiftc "-sanitize=$sanitizers" -Xswiftc -parse-as-library -Xswiftc -DWAKUSYNC_FUZZ
binary="$scratch/release/wakusync-fuzz"

# A trap must end the process at once so libFuzzer records the input, not wait for a backtrace.
export SWIFT_BACKTRACE=enable=no
WAKUSYNC_FUZZ_SEED_OUTPUT=Fuzz/corpus "$binary"

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(ls Fuzz/corpus)
fi

# One line per target; libFuzzer's final stats (-print_final_stats=1) give the counts.
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }
printf '%-18s %8s %12s %10s %9s %8s  %s\n' target seconds executions exec/s new-units rss-mb result
failed=0
for target in "${targets[@]}"; do
    corpus=.fuzz/corpus/$target
    artifacts=.fuzz/artifacts/$target
    log=.fuzz/logs/$target.log
    mkdir -p "$corpus" "$artifacts" .fuzz/logs
    rm -f "$artifacts"/*
    start=$SECONDS
    status=0
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
    WAKUSYNC_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
        "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
    result=ok
    if [[ $status -ne 0 ]] || compgen -G "$artifacts/*" >/dev/null; then
        result="FAILED (exit $status, see $log)"
        failed=1
        mkdir -p "Fuzz/crashers/$target"
        cp "$artifacts"/* "Fuzz/crashers/$target/" 2>/dev/null || true
    fi
    printf '%-18s %8s %12s %10s %9s %8s  %s\n' "$target" $((SECONDS - start)) \
        "$(final_stat number_of_executed_units "$log")" "$(final_stat average_exec_per_sec "$log")" \
        "$(final_stat new_units_added "$log")" "$(final_stat peak_rss_mb "$log")" "$result"
done
if [[ $failed -ne 0 ]]; then
    echo "crashers copied to Fuzz/crashers/; replay one with: swift run wakusync-fuzz TARGET FILE" >&2
fi
exit $failed
