#@ json
use_nvml h100-3procs
export HMN_PROCFS=$DATA/owner/proc
"$HMN" explain --device 0 --json
