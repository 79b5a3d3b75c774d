#!/usr/bin/env bash
# bench/exporter_idle_cpu.sh HMN FAKE_NVML DATA [SECONDS] - CPU an idle
# `hmn serve` uses at --interval 1s, nobody scraping, on the fake
# libnvidia-ml: the 8-GPU scenario (DATA/nvml/titanx-8gpu.scn) without and
# with --processes, and a generated 8 GPUs x 200 processes with --processes
# (1,600 process rows, each named from /proc/<pid>/comm).  utime+stime from
# /proc/<pid>/stat over SECONDS (default 60) after a 5 s warm-up, as a
# percentage of one core.  Results go to docs/performance.md.
set -eu
hmn=${1:?hmn binary}
nvml=${2:?fake libnvidia-ml.so.1}
data=${3:?tests/data}
secs=${4:-60}
work=$(mktemp -d "${TMPDIR:-/tmp}/hmn-idle.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/proc"
{
    printf 'driver 535.104.05\nnvml 12.535.104.05\ncuda 12020\n'
    for g in 0 1 2 3 4 5 6 7; do
        printf 'device name="NVIDIA H100 80GB HBM3" uuid=GPU-%08d-0000-0000-0000-000000000000 ' "$g"
        printf 'pci=0000:%02x:00.0 pci_id=0x233010de total=81559MiB reserved=529MiB used=40000MiB\n' $((16 + g))
        printf 'procs pid=%d count=200 used=150MiB kinds=compute\n' $((10000 + g * 1000))
        for i in $(seq 0 199); do
            mkdir -p "$work/proc/$((10000 + g * 1000 + i))"
            echo python3 >"$work/proc/$((10000 + g * 1000 + i))/comm"
        done
    done
} >"$work/8gpu.scn"
tck=$(getconf CLK_TCK)

measure() {
    local label=$1 scn=$2 procfs=$3
    shift 3
    HMN_NVML_LIBRARY=$nvml HMN_FAKE_NVML_SCENARIO=$scn HMN_PROCFS=$procfs \
        HMN_SYSFS=/nonexistent/sys HMN_NVIDIA_SMI=/nonexistent/nvidia-smi \
        "$hmn" serve --listen 127.0.0.1:0 --interval 1s "$@" 2>/dev/null &
    local pid=$!
    sleep 5
    local a b
    a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep "$secs"
    b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill -TERM "$pid"
    wait "$pid" || true
    awk -v l="$label" -v a="$a" -v b="$b" -v t="$tck" -v s="$secs" \
        'BEGIN { printf "%-34s %4d ticks in %d s = %.3f %% of one core\n", l, b - a, s, 100 * (b - a) / t / s }'
}
measure "titanx-8gpu" "$data/nvml/titanx-8gpu.scn" "$data/nvml/proc"
measure "titanx-8gpu --processes" "$data/nvml/titanx-8gpu.scn" "$data/nvml/proc" --processes
measure "8x200 --processes (1,600 rows)" "$work/8gpu.scn" "$work/proc" --processes --max-processes 2000
