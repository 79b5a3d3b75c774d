#!/bin/sh
# scripts/fuzz-ci.sh BUILD_DIR - bounded libFuzzer run of every harness.
#
# Configures a clang build with -DHMN_FUZZ=ON (library instrumented for
# coverage, ASan and UBSan), builds every fuzz/fuzz_<parser>.c as fuzz_<parser>,
# and runs each for FUZZ_SECONDS (default 20) on a scratch COPY of its corpus,
# so CI never writes new inputs into the source tree.  Any crash, leak, UBSan
# report, timeout or out-of-memory fails that harness; the reproducer is
# kept in BUILD_DIR/fuzz-artifacts/<parser>/ (see fuzz/README.md for turning
# it into a regression seed).
#
# Environment: CC (default clang), FUZZ_SECONDS, FUZZ_RSS_MB (default 1024),
# FUZZ_JOBS_CMAKE (default 2).
# Last line: "N passed, N failed" with N counting harnesses.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-20}
rss=${FUZZ_RSS_MB:-1024}
jobs=${FUZZ_JOBS_CMAKE:-2}
cc=${CC:-clang}

# Coverage instrumentation must reach the library, not only the harness:
# without fuzzer-no-link on every object libFuzzer would fuzz blind.
mkdir -p "$build" || exit 1
log="$build/fuzz-ci.configure.log"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
if ! cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DHMN_FUZZ=ON -DHMN_BUILD_TESTS=OFF -DHMN_BUILD_CLI=OFF -DHMN_BUILD_BENCH=OFF \
        -DHMN_WERROR=ON -DCMAKE_C_FLAGS="$flags" \
        -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >"$log" 2>&1; then
    cat "$log" >&2
    echo "fuzz-ci: configure failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

harnesses=""
for f in "$src"/fuzz/fuzz_*.c; do
    [ -e "$f" ] || continue
    harnesses="$harnesses $(basename "$f" .c)"
done
if [ -z "$harnesses" ]; then
    echo "fuzz-ci: no harness in fuzz/" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

# shellcheck disable=SC2086
if ! cmake --build "$build" -j "$jobs" --target $harnesses; then
    echo "fuzz-ci: build failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hmn-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
passed=0
failed=0
for h in $harnesses; do
    parser=${h#fuzz_}
    corpus="$work/$parser"
    art="$build/fuzz-artifacts/$parser"
    mkdir -p "$corpus" "$art"
    if [ -d "$src/fuzz/corpus/$parser" ]; then
        cp -R "$src/fuzz/corpus/$parser/." "$corpus/"
    fi
    echo "== $h: ${secs}s on $(find "$corpus" -type f | wc -l) seeds"
    # ASAN_OPTIONS: leaks are findings too (the default for libFuzzer).
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$build/fuzz/$h" -max_total_time="$secs" -rss_limit_mb="$rss" -timeout=10 \
            -print_final_stats=1 -artifact_prefix="$art/" "$corpus" >"$work/$h.log" 2>&1; then
        passed=$((passed + 1))
        grep -E "^(stat::number_of_executed_units|stat::new_units_added)" "$work/$h.log"
        echo "ok   $h"
    else
        failed=$((failed + 1))
        tail -n 60 "$work/$h.log"
        echo "FAIL $h (reproducer in $art/)"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
