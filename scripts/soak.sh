#!/bin/sh
# scripts/soak.sh BUILD_DIR [SECONDS] [INTERVAL] [SCENARIO] - soak test of
# `hmn watch`: run it at a short interval for several minutes and sample its
# resident set (VmRSS from /proc/<pid>/status) and open descriptors
# (/proc/<pid>/fd) every second.  Not part of CI (too long); figures go to
# docs/reliability.md.
#
# SCENARIO: nvml (the fake libnvidia-ml, H100; default), smi (the fake
# nvidia-smi: one subprocess per sample), drm (the DRM fixture tree) or
# real (whatever this machine has).  Defaults: 300 s at 50ms.
#
# Verdict "flat", judged after a warm-up of the first 10% of the run: VmRSS
# at the end exceeds VmRSS at the warm-up mark by less than SOAK_RSS_SLACK_KB
# (default 256), the descriptor count at the end equals the one at the mark,
# and it never exceeds it by more than 2 (a sample taken while nvidia-smi
# runs sees its pipe).  Exit status 0 when flat, 1 otherwise.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [SECONDS] [INTERVAL] [nvml|smi|drm|real]" >&2
    exit 2
fi
build=$(cd "$1" && pwd) || exit 2
secs=${2:-300}
interval=${3:-50ms}
scenario=${4:-nvml}
slack=${SOAK_RSS_SLACK_KB:-256}
src=$(cd "$(dirname "$0")/.." && pwd)
data="$src/tests/data"
hmn="$build/cli/hmn"
[ -x "$hmn" ] || { echo "soak.sh: $hmn not built" >&2; exit 2; }

case $scenario in
nvml)
    lib=$(find "$build" -path '*fake-modern*' -name 'libnvidia-ml.so.1' | head -n 1)
    [ -n "$lib" ] || { echo "soak.sh: fake_nvml_modern not built" >&2; exit 2; }
    set -- HMN_NVML_LIBRARY="$lib" HMN_FAKE_NVML_SCENARIO="$data/nvml/h100-3procs.scn" \
        HMN_NVIDIA_SMI=/nonexistent HMN_SYSFS=/nonexistent HMN_PROCFS="$data/nvml/proc" ;;
smi)
    smi=$(find "$build" -name fake_nvidia_smi -type f | head -n 1)
    [ -n "$smi" ] || { echo "soak.sh: fake_nvidia_smi not built" >&2; exit 2; }
    set -- HMN_NVML_LIBRARY=/nonexistent HMN_NVIDIA_SMI="$smi" \
        HMN_FAKE_SMI_SCENARIO="$data/smi/h100-3procs.scn" HMN_SYSFS=/nonexistent ;;
drm)
    set -- HMN_NVML_LIBRARY=/nonexistent HMN_NVIDIA_SMI=/nonexistent \
        HMN_PROCFS="$data/drm/multi/proc" HMN_SYSFS="$data/drm/multi/sys" ;;
real)
    set -- HMN_SOAK_REAL=1 ;;
*)
    echo "soak.sh: unknown scenario $scenario" >&2
    exit 2 ;;
esac

env "$@" "$hmn" watch --interval "$interval" --duration "${secs}s" >/dev/null 2>&1 &
pid=$!
samples="${TMPDIR:-/tmp}/hmn-soak.$$"
: >"$samples"
trap 'kill "$pid" 2>/dev/null; rm -f "$samples"' EXIT INT TERM
echo "hmn watch --interval $interval --duration ${secs}s ($scenario), pid $pid"
echo "   t_s  vmrss_kb  fds"
t=0
while kill -0 "$pid" 2>/dev/null && [ -r "/proc/$pid/status" ]; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    if [ -n "$rss" ]; then
        echo "$t $rss $fds" >>"$samples"
        # Print every 10th sample (and the first) to keep the table short.
        [ $((t % 10)) -eq 0 ] && printf '%6d %9d %4d\n' "$t" "$rss" "$fds"
    fi
    sleep 1
    t=$((t + 1))
done
wait "$pid"
status=$?

awk -v slack="$slack" -v status="$status" '
    { t[NR] = $1; r[NR] = $2; f[NR] = $3 }
    END {
        if (NR < 3) { print "too few samples"; exit 1 }
        w = int(NR / 10) + 3; if (w > NR) w = NR
        minr = maxr = r[w]; minf = maxf = f[w]
        for (i = w; i <= NR; i++) {
            if (r[i] < minr) minr = r[i]; if (r[i] > maxr) maxr = r[i]
            if (f[i] < minf) minf = f[i]; if (f[i] > maxf) maxf = f[i]
        }
        growth = r[NR] - r[w]
        printf "samples %d; after warm-up (t>=%ds): VmRSS %d..%d kB (start %d, end %d, growth %d kB); fds %d..%d (start %d, end %d); hmn exit %d\n",
               NR, t[w], minr, maxr, r[w], r[NR], growth, minf, maxf, f[w], f[NR], status
        flat = (growth < slack && f[NR] == f[w] && maxf <= f[w] + 2 && status == 0)
        print (flat ? "verdict: flat" : "verdict: NOT flat")
        exit flat ? 0 : 1
    }' "$samples"
