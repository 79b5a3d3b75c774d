#@ times
use_nvml h100-3procs
"$HMN" watch --follow-new --filter nomatch --interval 200ms --duration 300ms
