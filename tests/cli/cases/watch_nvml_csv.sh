#@ times
use_nvml h100-3procs
"$HMN" watch --csv --interval 200ms --duration 300ms 11328
