# NVML compute, graphics and MPS clients: one row per process, TYPE says which
# (a process with both contexts is C+G); JSON "kinds" carries the same.
#@ json
use_nvml merge
"$HMN" ps >&2
"$HMN" ps --json --sort committed
