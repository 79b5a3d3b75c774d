#!/usr/bin/env bash
# run_case.sh CASES_DIR NAME - run one golden case of the hmn CLI.
#
# The case file CASES_DIR/NAME.sh is sourced in a subshell whose stdout and
# stderr are captured; its exit status is the case's exit code.  It starts in
# a GPU-less world (no NVML, no nvidia-smi, empty /sys and /proc) and may call:
#   use_nvml SCENARIO      the fake NVML with tests/data/nvml/SCENARIO.scn
#   use_smi SCENARIO_FILE  the fake nvidia-smi with that scenario file
#   use_drm TREE           HMN_PROCFS/HMN_SYSFS from tests/data/drm/TREE
# Variables: HMN (the binary), DATA (tests/data), WORK (a scratch folder),
# SRC (the source tree).
# Markers in the case file: "#@ json" or "#@ jsonl" (stdout must parse),
# "#@ times" (elapsed-time labels and t_ms values are masked).
#
# Environment: HMN_CLI, HMN_CLI_DATA, HMN_CLI_WORK, HMN_CLI_FAKE_NVML,
# HMN_CLI_FAKE_SMI (set by tests/cli/CMakeLists.txt); HMN_CLI_REGEN=1 writes
# the expectations instead of comparing.
# The case files use the variables and helpers defined here.
# shellcheck disable=SC2034,SC2317
set -u
cases=$1
name=$2
cases=$(cd "$cases" && pwd) || exit 1
case_file=$cases/$name.sh
[ -f "$case_file" ] || { echo "no such case: $case_file"; exit 1; }
: "${HMN_CLI:?HMN_CLI must name the hmn binary}"
: "${HMN_CLI_DATA:?HMN_CLI_DATA must name tests/data}"

work=$(mktemp -d "${HMN_CLI_WORK:-${TMPDIR:-/tmp}}/cli-$name.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sys" "$work/proc"

# The GPU-less baseline; nothing from the caller's environment leaks in.
unset HMN_DEBUG HMN_SMI_TIMEOUT_MS HMN_FAKE_NVML_SCENARIO HMN_FAKE_SMI_SCENARIO HMN_FAKE_SMI_LOG
export HMN_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1
export HMN_NVIDIA_SMI=/nonexistent/nvidia-smi
export HMN_SYSFS=$work/sys
export HMN_PROCFS=$work/proc
export LC_ALL=C

HMN=$HMN_CLI
DATA=$HMN_CLI_DATA
WORK=$work
SRC=$(cd "$cases/../../.." && pwd)

skip() {
    echo "skipped: $*"
    exit 77
}
use_nvml() {
    [ -n "${HMN_CLI_FAKE_NVML:-}" ] || skip "fake NVML not built"
    export HMN_NVML_LIBRARY=$HMN_CLI_FAKE_NVML
    export HMN_FAKE_NVML_SCENARIO=$DATA/nvml/$1.scn
    export HMN_PROCFS=$DATA/nvml/proc
}
use_smi() {
    [ -n "${HMN_CLI_FAKE_SMI:-}" ] || skip "fake nvidia-smi not built"
    export HMN_NVIDIA_SMI=$HMN_CLI_FAKE_SMI
    export HMN_FAKE_SMI_SCENARIO=$1
}
use_drm() {
    [ -d "$DATA/drm/$1" ] || skip "DRM tree $1 not present"
    export HMN_PROCFS=$DATA/drm/$1/proc
    export HMN_SYSFS=$DATA/drm/$1/sys
}

# Preconditions (fakes present) are checked before the capture starts.
grep -q '^use_nvml' "$case_file" && [ -z "${HMN_CLI_FAKE_NVML:-}" ] && skip "fake NVML not built"
grep -q '^use_smi' "$case_file" && [ -z "${HMN_CLI_FAKE_SMI:-}" ] && skip "fake nvidia-smi not built"

(
    cd "$work" || exit 1
    # shellcheck disable=SC1090
    . "$case_file"
) >"$work/stdout.raw" 2>"$work/stderr.raw"
code=$?

normalise() {
    local sedargs=(-e "s#$work#@WORK@#g" -e "s#$DATA#@DATA@#g"
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z/@WALL@/g'
        -e 's/"hmn_version":"[^"]*"/"hmn_version":"@VERSION@"/g')
    if grep -q '^#@ times' "$case_file"; then
        sedargs+=(-e 's/\+0\.0s/@ZERO@/g' -e 's/\+[0-9]+\.[0-9]s/+X.Xs/g' -e 's/@ZERO@/+0.0s/g'
            -e 's/"t_ms":[1-9][0-9]*/"t_ms":@T@/g' -e 's/^[1-9][0-9]*,@WALL@/@T@,@WALL@/')
    fi
    sed -E "${sedargs[@]}" "$1"
}
normalise "$work/stdout.raw" >"$work/stdout"
normalise "$work/stderr.raw" >"$work/stderr"
echo "$code" >"$work/exit"

fail=0
if grep -q '^#@ jsonl' "$case_file"; then
    /usr/bin/python3 -c 'import json,sys
n=0
for line in sys.stdin:
    json.loads(line); n+=1
assert n>0, "no JSON lines"' <"$work/stdout.raw" || { echo "stdout is not JSON Lines"; fail=1; }
elif grep -q '^#@ json' "$case_file"; then
    /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' <"$work/stdout.raw" ||
        { echo "stdout is not one JSON document"; fail=1; }
fi

for part in stdout stderr exit; do
    expect=$cases/$name.$part
    if [ "${HMN_CLI_REGEN:-0}" = 1 ]; then
        cp "$work/$part" "$expect"
        continue
    fi
    if [ ! -f "$expect" ]; then
        echo "missing expectation $expect (HMN_CLI_REGEN=1 writes it)"
        fail=1
    elif ! diff -u "$expect" "$work/$part"; then
        echo "$name: $part differs"
        fail=1
    fi
done
if [ $fail -eq 0 ]; then
    echo "1 passed, 0 failed"
else
    echo "0 passed, 1 failed"
fi
exit $fail
