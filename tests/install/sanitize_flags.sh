#!/usr/bin/env bash
# sanitize_flags.sh SOURCE CLANG - a sanitizer build made through the plain
# compiler flags (-DCMAKE_C_FLAGS=-fsanitize=address,undefined, as many CI
# setups do it), not through HMN_SANITIZE, configures, links (the shared
# library included) and runs.  A minimal build: library and hmn only.
set -euo pipefail
source=$1
clang=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$source" -B "$work/b" -DCMAKE_C_COMPILER="$clang" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
  -DHMN_BUILD_TESTS=OFF -DHMN_BUILD_BENCH=OFF >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
cmake --build "$work/b" -j2 >>"$work/log" 2>&1 || { tail -n 40 "$work/log"; exit 1; }
nm -D "$work/b/src/libhypomnesis.so" >"$work/syms"
grep -q ' U __asan_' "$work/syms" || { echo "the shared library is not instrumented" >&2; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1
"$work/b/cli/hmn" --version
HMN_NVML_LIBRARY=/nonexistent HMN_NVIDIA_SMI=/nonexistent HMN_SYSFS=/nonexistent \
  "$work/b/cli/hmn" >/dev/null 2>&1
echo "1 passed, 0 failed"
