#@ jsonl
#@ times
use_nvml h100-3procs
"$HMN" watch --json --interval 200ms --duration 500ms --top 2 --min 2GiB
