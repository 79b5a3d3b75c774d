#!/usr/bin/env bash
# bench/bench_run.sh HMN WORKLOAD [RUNS] - what `hmn run` costs and what it catches.
#
#   cmake --build build -j2 --target hmn run_workload
#   PRMON=/path/to/prmon bash bench/bench_run.sh build/cli/hmn build/tests/run/run_workload
#
# 1. CPU overhead on one workload, side by side in one run: a tree of 100
#    processes (each touching 1 MiB) living SECS seconds (default 5), run
#    bare, under `hmn run --interval 100ms`, `--interval 10ms` and, when
#    $PRMON names a prmon binary, `prmon --interval 1` (its shortest; its
#    default is 30 s), the configurations interleaved run by run, RUNS times
#    each (default 5).  The monitor's cost is the CPU time of everything
#    (the rusage of the waited-for children) minus the bare run's median,
#    as a share of one core over the wall time.  Medians.
# 2. Spikes: one spike of 200 MiB (touched, then held D ms) starting 0-199 ms
#    into the run at random, at D = 5 .. 200 ms, each run
#    TRIALS times (default 10) per interval: how often the sampled tree peak
#    saw at least 90 % of it, and how often the exact cgroup peak did
#    (within 1 % of the allocation) where one can be made.
# 3. The exact path against known allocations of 64, 256 and 1024 MiB held
#    300 ms: the cgroup high-water mark / the allocation.
# GPU rows need a GPU (or the fake NVML); this machine's figures are RAM only.
set -euo pipefail
hmn=$(realpath "$1")
wl=$(realpath "$2")
runs=${3:-5}
secs=${SECS:-5}
trials=${TRIALS:-10}
prmon=${PRMON:-}
export HMN_NVML_LIBRARY=/nonexistent HMN_NVIDIA_SMI=/nonexistent HMN_SYSFS=/nonexistent

work=$(mktemp -d "${TMPDIR:-/tmp}/hmn-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# cpu_of CMD...: "<cpu seconds of CMD and its waited-for children> <wall seconds>"
cpu_of() {
    (cd "$work" && python3 -c '
import resource, subprocess, sys, time
t0 = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
wall = time.monotonic() - t0
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.4f %.4f" % (r.ru_utime + r.ru_stime, wall))' "$@")
}
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

ms=$((secs * 1000))
load=("$wl" forest 100 "$ms")
configs=(bare hmn100 hmn10)
[ -n "$prmon" ] && configs+=(prmon1)
run_config() {
    case $1 in
        bare) cpu_of "${load[@]}" ;;
        hmn100) cpu_of "$hmn" run --quiet --interval 100ms -- "${load[@]}" ;;
        hmn10) cpu_of "$hmn" run --quiet --interval 10ms -- "${load[@]}" ;;
        prmon1) cpu_of "$prmon" --interval 1 --filename "$work/p.txt" --json-summary "$work/p.json" \
                    --log-filename "$work/p.log" -- "${load[@]}" ;;
    esac
}
echo "== CPU overhead: 100-process tree for ${secs} s, ${runs} runs per configuration, interleaved"
for ((r = 0; r < runs; r++)); do
    for c in "${configs[@]}"; do
        read -r cpu wall < <(run_config "$c")
        echo "$cpu" >> "$work/cpu-$c"
        echo "$wall" >> "$work/wall-$c"
    done
done
base=$(median "$work/cpu-bare")
printf '%-22s %14s %12s %18s\n' "configuration" "median CPU s" "median wall" "overhead (% core)"
for c in "${configs[@]}"; do
    cpu=$(median "$work/cpu-$c")
    wall=$(median "$work/wall-$c")
    label=$c
    case $c in hmn100) label="hmn run 100ms" ;; hmn10) label="hmn run 10ms" ;; prmon1) label="prmon --interval 1" ;; esac
    printf '%-22s %14s %12s %17.2f%%\n' "$label" "$cpu" "$wall" \
        "$(awk -v a="$cpu" -v b="$base" -v w="$wall" 'BEGIN {print (w > 0 ? (a - b) / w * 100 : 0)}')"
done
[ -n "$prmon" ] || echo "(prmon column skipped: set PRMON to a prmon binary)"

# field FILE KEY: a number out of the --json report (python: the standard library only)
field() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval("d" + sys.argv[2]))' "$1" "$2"; }

echo
echo "== Spikes of 200 MiB: runs out of ${trials} whose peak saw >= 90 % (sampled) / within 1 % (exact)"
printf '%-10s %-16s %-16s %-16s\n' "spike ms" "sampled 100ms" "sampled 10ms" "exact (method)"
want=$((200 * 1048576))
for d in 5 10 20 50 100 200; do
    line=$(printf '%-10s' "$d")
    exact=0
    method=none
    for iv in 100ms 10ms; do
        seen=0
        for ((t = 0; t < trials; t++)); do
            # The spike starts at a random moment (0-199 ms in), not in phase with the samples.
            "$hmn" run --quiet --interval "$iv" --json "$work/s.json" -- "$wl" spikes 200 "$d" 1 0 \
                $((RANDOM % 200)) >/dev/null 2>&1
            sp=$(field "$work/s.json" "['ram']['sampled_peak_bytes']")
            [ "$sp" != None ] && [ "$sp" -ge $((want * 9 / 10)) ] && seen=$((seen + 1))
            m=$(field "$work/s.json" "['ram']['peak_method']")
            if [ "$m" != sampled ] && [ "$m" != None ]; then
                method=$m
                pk=$(field "$work/s.json" "['ram']['peak_bytes']")
                awk -v p="$pk" -v w="$want" 'BEGIN {exit !(p >= w && p <= w * 1.01)}' && exact=$((exact + 1))
            fi
        done
        line="$line $(printf '%-16s' "$seen/$trials")"
    done
    printf '%s %s\n' "$line" "$exact/$((2 * trials)) ($method)"
done

echo
echo "== The exact path against known allocations (held 300 ms)"
printf '%-14s %-18s %-14s %-10s\n' "allocated MiB" "peak bytes" "method" "ratio"
for mib in 64 256 1024; do
    "$hmn" run --quiet --json "$work/a.json" -- "$wl" alloc "$mib" 300 >/dev/null 2>&1
    pk=$(field "$work/a.json" "['ram']['peak_bytes']")
    m=$(field "$work/a.json" "['ram']['peak_method']")
    printf '%-14s %-18s %-14s %-10s\n' "$mib" "$pk" "$m" \
        "$(awk -v p="$pk" -v w="$((mib * 1048576))" 'BEGIN {printf "%.4f", p / w}')"
done
