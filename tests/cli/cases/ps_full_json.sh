#@ json
use_nvml h100-3procs
export HMN_PROCFS=$DATA/owner/proc-ns
"$HMN" ps -f --json
