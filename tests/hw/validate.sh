#!/usr/bin/env bash
# tests/hw/validate.sh - the real-GPU checks of docs/hardware-validation.md.
# Run on a Linux machine with an NVIDIA GPU, its driver, nvidia-smi, and
# (for the allocation steps) PyTorch and the CUDA runtime.  Not part of CI.
#   bash tests/hw/validate.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-hw}
py=${PYTHON:-python3}

section() { printf '\n## %s\n\n' "$*"; }

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build "$build" -j >/dev/null || exit 1
cc -O2 -I"$root/include" -o "$build/cuda_alloc" "$root/tests/hw/cuda_alloc.c" -L"$build/src" -lhypomnesis -ldl \
   -Wl,-rpath,"$build/src" || echo "(cuda_alloc not built)"
hmn=$build/cli/hmn

section "driver, NVML and GPU"
nvidia-smi --query-gpu=index,name,driver_version,memory.total,memory.used,memory.free,memory.reserved \
  --format=csv,noheader,nounits
lib=$(ldconfig -p | awk '/libnvidia-ml.so.1 /{print $NF; exit}')
echo "libnvidia-ml: $lib -> $(readlink -f "$lib")"

section "hmn vs nvidia-smi vs torch"
"$hmn"; "$hmn" --json
$py - <<'PY' || true
import torch
free, total = torch.cuda.mem_get_info()
print(f"torch.cuda.mem_get_info: free={free} total={total}")
PY

section "per-process: 1 GiB then 4 GiB with PyTorch"
$py - <<'PY' &
import os, time, torch
x = torch.empty(1 << 30, dtype=torch.uint8, device="cuda")
print(f"pid {os.getpid()} holds 1 GiB", flush=True); time.sleep(6)
y = torch.empty(4 << 30, dtype=torch.uint8, device="cuda")
print("now 5 GiB", flush=True); time.sleep(6)
PY
pid=$!
sleep 4; "$hmn" ps --pid "$pid"; "$hmn" ps --json --pid "$pid"
sleep 6; "$hmn" ps --pid "$pid"; "$hmn" ps --json --pid "$pid"
wait "$pid"; "$hmn" ps --pid "$pid" --exit-status; echo "after exit: exit status $?"
nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader,nounits

section "hmn_snapshot_now from a C program using cudaMalloc"
[ -x "$build/cuda_alloc" ] && "$build/cuda_alloc" 1024; echo "exit $?"

section "exported NVML symbols and the calls hmn chose"
nm -D --defined-only "$(readlink -f "$lib")" | awk '{print $3}' | grep -E '^nvml(Init|DeviceGet(Count|HandleByIndex|MemoryInfo|(Compute|Graphics|MPSCompute)RunningProcesses|RunningProcessDetailList|ConfComputeMemSizeInfo|PciInfo|MigMode)|SystemGet)' | sort
HMN_DEBUG=1 "$hmn" ps 2>&1 >/dev/null | grep -i 'debug' | head -20

section "timings (medians)"
"$build/bench/bench_rss"
# Real driver: N snapshots on one context vs N NULL-context snapshots (each a
# full load + nvmlInit + nvmlShutdown), then the same for hmn_device_count.
"$build/bench/bench_nvml_ctx" 200
"$build/bench/bench_nvml_ctx" 100 count
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs 30 "$hmn" "nvidia-smi --query-gpu=memory.used,memory.total --format=csv,noheader,nounits"
else
  for cmd in "$hmn" "nvidia-smi --query-gpu=memory.used,memory.total --format=csv,noheader,nounits"; do
    ts=(); for i in $(seq 1 21); do s=$(date +%s%N); $cmd >/dev/null 2>&1; e=$(date +%s%N); ts+=($(( (e - s) / 1000 ))); done
    echo "$cmd: median $(printf '%s\n' "${ts[@]}" | sort -n | sed -n 11p) us over 21 runs"
  done
fi
