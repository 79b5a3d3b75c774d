#@ times
use_nvml h100-3procs
"$HMN" watch --interval 200ms --duration 500ms
