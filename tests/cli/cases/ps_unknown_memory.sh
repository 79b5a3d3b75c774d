# PID 79 has no memory figure (NVML "not available"): shown as n/a, counted.
#@ json
use_nvml wsl2-na
"$HMN" ps --json
"$HMN" ps --min 1MiB >/dev/null
