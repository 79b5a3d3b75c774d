#!/usr/bin/env bash
# golden.sh MODE CASE - one exporter output case.
#
#   golden.sh list            the case names, one a line (CMake registers them)
#   golden.sh golden CASE     `hmn export --once` output == golden/CASE.prom (after masking
#                             the collection time and the version); HMN_EXPORTER_REGEN=1 writes it
#   golden.sh values CASE     the figures checked against the scenario file itself
#                             (check_values.py), independently of the golden file
#   golden.sh lint CASE       `promtool check metrics` clean on the output (77 without promtool)
#   golden.sh rules none      promtool check + test of docs/hmn-alerts.yml
#   golden.sh docs none       every metric family documented; the unit in the doc is the file
#
# Cases: nvml_<variant>_<scenario> (fake libnvidia-ml of that driver generation),
# smi_<scenario> (fake nvidia-smi), drm_<tree> (DRM fixture tree), none (no GPU),
# and a few variants: _noprocs, _max1, _owners (a /proc whose processes run in
# containers and pods: tests/data/owner/proc); none-nobackends is `none` in a build
# with every GPU backend compiled out (no source to report).
#
# Environment (tests/exporter/CMakeLists.txt): HMN_CLI, HMN_EX_DATA, HMN_EX_SRC,
# HMN_EX_WORK, HMN_EX_PROMTOOL, HMN_EX_NVML_<variant>, HMN_EX_SMI.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?mode}
case_name=${2:-}

nvml_scenarios="h100-3procs titanx-8gpu mig h100-mig-capture wsl2-na wddm-na desktop-4080 merge denied self-na"
smi_scenarios="h100-3procs titanx-8gpu wsl2 odd-names fan-na no-driver"

list_cases() {
    local v s
    for v in modern r535_43 no_v3 oldest; do
        for s in $nvml_scenarios; do echo "nvml_${v}_${s}"; done
    done
    echo "nvml_modern_h100-3procs_noprocs"
    echo "nvml_modern_h100-3procs_max1"
    for s in h100-3procs mig desktop-4080 wddm-na; do echo "nvml_modern_${s}_owners"; done
    for s in $smi_scenarios; do echo "smi_${s}"; done
    echo "drm_multi"
    echo "none"
}

if [ "$mode" = list ]; then
    list_cases
    exit 0
fi

skip() {
    echo "skipped: $*"
    exit 77
}

: "${HMN_CLI:?}" "${HMN_EX_DATA:?}" "${HMN_EX_SRC:?}"
promtool=${HMN_EX_PROMTOOL:-}
[ -n "$promtool" ] || promtool=$(command -v promtool 2>/dev/null || true)

# docs: every metric family of the golden files is documented (docs/exporter.md,
# the man page), and the unit in docs/exporter.md is docs/hmn-serve.service.
if [ "$mode" = docs ]; then
    fail=0
    for name in $(grep -h '^# TYPE ' "$here"/golden/*.prom | awk '{print $3}' | sort -u); do
        grep -q "\`$name\`" "$HMN_EX_SRC/docs/exporter.md" || { echo "$name: not in docs/exporter.md"; fail=1; }
        grep -q "${name//_/\\_}\|$name" "$HMN_EX_SRC/docs/hmn.1" || { echo "$name: not in docs/hmn.1"; fail=1; }
    done
    unit_doc=$(sed -n '/^`docs\/hmn-serve.service`:/,/^```$/p' "$HMN_EX_SRC/docs/exporter.md" | sed '1,3d;$d')
    unit_file=$(sed -n '/^\[Unit\]/,$p' "$HMN_EX_SRC/docs/hmn-serve.service") # past the header
    [ "$unit_doc" = "$unit_file" ] || { echo "docs/exporter.md's unit differs from docs/hmn-serve.service"; fail=1; }
    if command -v systemd-analyze >/dev/null 2>&1; then
        tmpu=$(mktemp -d)
        sed "s#/usr/local/bin/hmn#$HMN_CLI#" "$HMN_EX_SRC/docs/hmn-serve.service" >"$tmpu/hmn-serve.service"
        out=$(systemd-analyze verify "$tmpu/hmn-serve.service" 2>&1 | grep -v "man hmn(1)\|Documentation" || true)
        rm -rf "$tmpu"
        [ -z "$out" ] || { echo "systemd-analyze verify: $out"; fail=1; }
    fi
    [ $fail -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
    exit $fail
fi

if [ "$mode" = rules ]; then
    [ -n "$promtool" ] && [ -x "$promtool" ] || skip "promtool not installed (Debian: prometheus)"
    "$promtool" check rules "$HMN_EX_SRC/docs/hmn-alerts.yml" || exit 1
    cd "$here" && "$promtool" test rules alerts_test.yml || exit 1
    echo "1 passed, 0 failed"
    exit 0
fi

work=$(mktemp -d "${HMN_EX_WORK:-${TMPDIR:-/tmp}}/golden-$case_name.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out" "$work/proc" "$work/sys"

# The GPU-less baseline; a case switches on one source.
unset HMN_DEBUG HMN_SMI_TIMEOUT_MS HMN_FAKE_NVML_SCENARIO HMN_FAKE_SMI_SCENARIO
export HMN_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1
export HMN_NVIDIA_SMI=/nonexistent/nvidia-smi
export HMN_SYSFS=$work/sys HMN_PROCFS=$work/proc LC_ALL=C
args=(export --textfile "$work/out" --once --processes)
scenario=""
case "$case_name" in
nvml_*)
    rest=${case_name#nvml_}
    variant=""
    for v in modern r535_43 no_v3 oldest; do
        case "$rest" in "${v}"_*) variant=$v ;; esac
    done
    [ -n "$variant" ] || { echo "unknown NVML variant in $case_name"; exit 2; }
    rest=${rest#"$variant"_}
    scn=${rest%%_*}
    opts=${rest#"$scn"}
    lib_var=HMN_EX_NVML_$variant
    [ -n "${!lib_var:-}" ] || skip "fake NVML variant $variant not built"
    export HMN_NVML_LIBRARY=${!lib_var}
    scenario=$HMN_EX_DATA/nvml/$scn.scn
    export HMN_FAKE_NVML_SCENARIO=$scenario HMN_PROCFS=$HMN_EX_DATA/nvml/proc
    case "$opts" in
    _noprocs) args=(export --textfile "$work/out" --once) ;;
    _max1) args+=(--max-processes 1) ;;
    _owners) export HMN_PROCFS=$HMN_EX_DATA/owner/proc ;; # containers, pods (cgroup files)
    esac
    ;;
smi_*)
    [ -n "${HMN_EX_SMI:-}" ] || skip "fake nvidia-smi not built"
    scenario=$HMN_EX_DATA/smi/${case_name#smi_}.scn
    export HMN_NVIDIA_SMI=$HMN_EX_SMI HMN_FAKE_SMI_SCENARIO=$scenario
    ;;
drm_*)
    tree=$HMN_EX_DATA/drm/${case_name#drm_}
    [ -d "$tree" ] || skip "no DRM tree $tree"
    export HMN_PROCFS=$tree/proc HMN_SYSFS=$tree/sys
    ;;
none | none-nobackends) ;; # the second: a build with every GPU backend compiled out
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
[ -z "$scenario" ] || [ -f "$scenario" ] || { echo "missing scenario $scenario"; exit 1; }

"$HMN_CLI" "${args[@]}" >"$work/stdout" 2>"$work/stderr"
code=$?
if [ $code -ne 0 ] || [ ! -f "$work/out/hmn.prom" ]; then
    echo "hmn ${args[*]} exited $code"
    cat "$work/stderr"
    exit 1
fi
if [ -s "$work/stdout" ] || [ -s "$work/stderr" ]; then
    echo "hmn export --once printed something:"
    cat "$work/stdout" "$work/stderr"
    exit 1
fi
if [ "$(find "$work/out" -type f | wc -l)" -ne 1 ]; then
    echo "files left next to hmn.prom:"
    ls -la "$work/out"
    exit 1
fi
out=$work/out/hmn.prom

case "$mode" in
golden)
    sed -E -e 's/^hmn_collect_duration_seconds [0-9.]+$/hmn_collect_duration_seconds @DURATION@/' \
        -e 's/^hmn_build_info\{version="[^"]*"\} 1$/hmn_build_info{version="@VERSION@"} 1/' \
        "$out" >"$work/masked"
    expect=$here/golden/$case_name.prom
    if [ "${HMN_EXPORTER_REGEN:-0}" = 1 ]; then
        mkdir -p "$here/golden" && cp "$work/masked" "$expect" || exit 1
        echo "wrote $expect"
        exit 0
    fi
    [ -f "$expect" ] || { echo "missing $expect (HMN_EXPORTER_REGEN=1 writes it)"; exit 1; }
    diff -u "$expect" "$work/masked" || { echo "0 passed, 1 failed"; exit 1; }
    ;;
values)
    command -v python3 >/dev/null || skip "python3 not installed"
    python3 "$here/check_values.py" "$case_name" "${scenario:-none}" "$out" || {
        echo "0 passed, 1 failed"
        exit 1
    }
    ;;
lint)
    [ -n "$promtool" ] && [ -x "$promtool" ] || skip "promtool not installed (Debian: prometheus)"
    if ! "$promtool" check metrics <"$out"; then
        echo "promtool check metrics failed on:"
        cat "$out"
        echo "0 passed, 1 failed"
        exit 1
    fi
    ;;
*)
    echo "unknown mode $mode"
    exit 2
    ;;
esac
echo "1 passed, 0 failed"
