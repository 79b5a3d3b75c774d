#!/usr/bin/env bash
# bench/bench_ps_pids.sh HMN FAKE_NVML [ROWS] [RUNS] [PIDS...] - `hmn ps` with
# many --pid options against a long process listing.
#
# The fake NVML lists ROWS processes (default 15000) on one device; each run
# of `hmn ps` is given P --pid options (every third listed PID) for each P of
# PIDS (default: 0 1000 2000 4000), the sizes interleaved run by run, RUNS
# times each (default 9).  Prints the median wall time of each size and its
# ratio to P = 0 (the listing alone).  Matching is sort + binary search, so
# the cost of the --pid options should stay near the listing's own.
#
#   cmake --build build -j2 --target hmn fake_nvml_modern
#   bash bench/bench_ps_pids.sh build/cli/hmn build/tests/nvml/fake-modern/libnvidia-ml.so.1
set -euo pipefail
hmn=$1
nvml=$2
rows=${3:-15000}
runs=${4:-9}
shift $(($# < 4 ? $# : 4))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(0 1000 2000 4000)

work=$(mktemp -d "${TMPDIR:-/tmp}/hmn-bench-ps.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/proc"
printf 'driver 590.48.01\ndevice name="Bench GPU" uuid=GPU-1 pci=0000:00:09.0 total=80GiB used=40GiB reserved=0\nprocs pid=100000 count=%s used=1MiB kinds=compute\n' \
    "$rows" > "$work/many.scn"
export HMN_NVML_LIBRARY=$nvml HMN_FAKE_NVML_SCENARIO=$work/many.scn
export HMN_PROCFS=$work/proc HMN_SYSFS=$work/sys HMN_NVIDIA_SMI=/nonexistent

args_for() { # the --pid options of size $1, every third listed PID
    local i
    for ((i = 0; i < $1; i++)); do printf -- '--pid\n%d\n' $((100000 + 3 * i)); done
}
for p in "${sizes[@]}"; do args_for "$p" > "$work/args-$p"; done

one_run() { # wall milliseconds of one `hmn ps` with the options of size $1
    local t0 t1
    mapfile -t a < "$work/args-$1"
    t0=$(date +%s%N)
    "$hmn" ps "${a[@]}" > /dev/null 2>&1
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}

for ((r = 0; r < runs; r++)); do
    for p in "${sizes[@]}"; do one_run "$p" >> "$work/times-$p"; done
done
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
base=$(median "$work/times-${sizes[0]}")
printf '%-10s %-10s %12s %10s\n' "rows" "--pid" "median ms" "ratio"
for p in "${sizes[@]}"; do
    m=$(median "$work/times-$p")
    printf '%-10s %-10s %12s %9.2fx\n' "$rows" "$p" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN {print b ? a / b : 0}')"
done
