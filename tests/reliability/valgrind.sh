#!/bin/sh
# tests/reliability/valgrind.sh BUILD_DIR - valgrind memcheck of the hmn CLI
# on the fake scenarios: zero memory errors and zero definite/indirect leaks.
#
# BUILD_DIR is a normal (unsanitized) build with the CLI and the fakes:
#   BUILD_DIR/cli/hmn, the fake libnvidia-ml (tests/nvml/fake-modern/) and
#   fake_nvidia_smi (tests/smi/).  A scenario whose fake was not built is
#   reported as failed, not skipped: CI must build them.
# Each command runs twice: plainly, then under memcheck; the exit status
# must be the same (valgrind's own error status is 99) and memcheck clean.
# `hmn serve` (when built with libmicrohttpd) runs once under memcheck, is
# scraped over loopback and stopped with SIGTERM: exit 0, memcheck clean.
# Environment: VALGRIND (default valgrind).  Last line: "N passed, N failed".
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd) || exit 2
src=$(cd "$(dirname "$0")/../.." && pwd)
data="$src/tests/data"
vg=${VALGRIND:-valgrind}
hmn="$build/cli/hmn"
nvml=$(find "$build" -path '*fake-modern*' -name 'libnvidia-ml.so.1' 2>/dev/null | head -n 1)
smi=$(find "$build" -name fake_nvidia_smi -type f 2>/dev/null | head -n 1)
logs=$(mktemp -d "${TMPDIR:-/tmp}/hmn-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT INT TERM
passed=0
failed=0

if ! command -v "$vg" >/dev/null 2>&1; then
    echo "valgrind.sh: $vg not found" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -x "$hmn" ]; then
    echo "valgrind.sh: $hmn not built" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

# run NAME ENV... -- ARGS...: one hmn invocation, plain then under memcheck.
run() {
    name=$1
    shift
    envs=""
    while [ "$1" != "--" ]; do
        envs="$envs $1"
        shift
    done
    shift
    log="$logs/$(echo "$name" | tr ' /' '__').log"
    # shellcheck disable=SC2086
    env $envs "$hmn" "$@" >/dev/null 2>&1
    want=$?
    # shellcheck disable=SC2086
    env $envs "$vg" --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no \
        --log-file="$log" "$hmn" "$@" >/dev/null 2>&1
    got=$?
    if [ "$got" -eq "$want" ] && [ "$got" -ne 99 ] && [ "$got" -lt 128 ] &&
        grep -q "ERROR SUMMARY: 0 errors" "$log"; then
        passed=$((passed + 1))
        echo "ok   $name (exit $got)"
    else
        failed=$((failed + 1))
        echo "FAIL $name (exit $got under valgrind, $want without)"
        grep -E "^==[0-9]+== " "$log" | tail -n 40
    fi
}

# suite LABEL ENV...: every command of the brief on one scenario.
suite() {
    label=$1
    shift
    run "$label: hmn" "$@" -- 
    run "$label: hmn --json" "$@" -- --json
    run "$label: hmn ps" "$@" -- ps
    run "$label: hmn ps --json" "$@" -- ps --json
    run "$label: hmn ps -f --json" "$@" -- ps -f --json
    run "$label: hmn explain" "$@" -- explain
    run "$label: hmn explain --json" "$@" -- explain --json
    run "$label: hmn fits 1GiB" "$@" -- fits 1GiB
    run "$label: hmn watch" "$@" -- watch --interval 100ms --duration 1s
    run "$label: hmn export" "$@" -- export --textfile "$logs" --once --processes
    # hmn run: the sampler thread, the child, every output; CMD's exit status passed through.
    run "$label: hmn run" "$@" -- run --interval 20ms --json "$logs/run.json" --jsonl "$logs/run.jsonl" \
        --tsv "$logs/run.tsv" --plot "$logs/run.svg" -- sh -c 'sleep 0.3; exit 3'
}

# serve_check LABEL ENV...: hmn serve under memcheck, scraped a few times, then
# SIGTERM: exit 0 and memcheck clean (threads, libmicrohttpd, the sample cache).
serve_check() {
    label=$1
    shift
    log="$logs/serve.log"
    if ! ldd "$hmn" 2>/dev/null | grep -q libmicrohttpd; then
        echo "skip $label: hmn serve (built without libmicrohttpd)"
        return
    fi
    # shellcheck disable=SC2086
    env "$@" "$vg" --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$log" \
        "$hmn" serve --listen 127.0.0.1:0 --interval 200ms --processes 2>"$logs/serve.err" &
    pid=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(grep -o 'serving http://127.0.0.1:[0-9]*' "$logs/serve.err" 2>/dev/null | grep -o '[0-9]*$')
        [ -n "$port" ] && break
        sleep 0.1
    done
    ok=0
    if [ -n "$port" ] && /usr/bin/env python3 - "$port" <<'PY'
import sys, time, urllib.request
port = sys.argv[1]
for path in ['/-/ready'] * 40:
    try:
        if urllib.request.urlopen('http://127.0.0.1:%s%s' % (port, path), timeout=10).status == 200:
            break
    except Exception:
        time.sleep(0.25)
for _ in range(5):
    body = urllib.request.urlopen('http://127.0.0.1:%s/metrics' % port, timeout=10).read()
    assert body.endswith(b'\n') and b'hmn_up 1' in body
    time.sleep(0.3)
PY
    then ok=1; fi
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    got=$?
    if [ "$ok" = 1 ] && [ "$got" -eq 0 ] && grep -q "ERROR SUMMARY: 0 errors" "$log"; then
        passed=$((passed + 1))
        echo "ok   $label: hmn serve + 5 scrapes + SIGTERM (exit 0)"
    else
        failed=$((failed + 1))
        echo "FAIL $label: hmn serve (scrapes ok=$ok, exit $got)"
        grep -E "^==[0-9]+== " "$log" | tail -n 40
        cat "$logs/serve.err"
    fi
}

none="HMN_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1 HMN_NVIDIA_SMI=/nonexistent/nvidia-smi"

if [ -n "$nvml" ]; then
    # shellcheck disable=SC2086
    suite "fake NVML (H100)" HMN_NVML_LIBRARY="$nvml" \
        HMN_FAKE_NVML_SCENARIO="$data/nvml/h100-3procs.scn" HMN_NVIDIA_SMI=/nonexistent/nvidia-smi \
        HMN_PROCFS="$data/owner/proc" HMN_SYSFS=/nonexistent/sys
    # hmn run samples hmn's own tree, so its /proc is the real one (the suite's
    # HMN_PROCFS fixture holds no hmn: there it says so and exits 125).
    run "fake NVML (H100), real /proc: hmn run" HMN_NVML_LIBRARY="$nvml" \
        HMN_FAKE_NVML_SCENARIO="$data/nvml/h100-3procs.scn" HMN_NVIDIA_SMI=/nonexistent/nvidia-smi \
        HMN_SYSFS=/nonexistent/sys -- run --interval 20ms --json "$logs/run.json" \
        --jsonl "$logs/run.jsonl" --tsv "$logs/run.tsv" --plot "$logs/run.svg" -- sh -c 'sleep 0.3; exit 3'
    serve_check "fake NVML (H100)" HMN_NVML_LIBRARY="$nvml" \
        HMN_FAKE_NVML_SCENARIO="$data/nvml/h100-3procs.scn" HMN_NVIDIA_SMI=/nonexistent/nvidia-smi \
        HMN_PROCFS="$data/owner/proc" HMN_SYSFS=/nonexistent/sys
else
    echo "FAIL fake NVML: fake_nvml_modern not built in $build"
    failed=$((failed + 1))
fi
if [ -n "$smi" ]; then
    suite "fake nvidia-smi (H100)" HMN_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1 \
        HMN_NVIDIA_SMI="$smi" HMN_FAKE_SMI_SCENARIO="$data/smi/h100-3procs.scn" \
        HMN_SYSFS=/nonexistent/sys
    # A failing fallback must not leak either.
    run "fake nvidia-smi (hang): hmn" HMN_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1 \
        HMN_NVIDIA_SMI="$smi" HMN_FAKE_SMI_SCENARIO="$data/smi/hang.scn" \
        HMN_SMI_TIMEOUT_MS=300 HMN_SYSFS=/nonexistent/sys --
else
    echo "FAIL fake nvidia-smi: fake_nvidia_smi not built in $build"
    failed=$((failed + 1))
fi
if [ -d "$data/drm/multi" ]; then
    # shellcheck disable=SC2086
    suite "DRM fixtures" $none HMN_PROCFS="$data/drm/multi/proc" HMN_SYSFS="$data/drm/multi/sys"
fi
# shellcheck disable=SC2086
suite "no GPU" $none HMN_SYSFS=/nonexistent/sys

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
