#@ times
use_nvml h100-3procs
"$HMN" watch 11327 999999 11327 --interval 200ms --duration 300ms
