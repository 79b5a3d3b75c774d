# Windows WDDM (real capture): 21 processes, all with memory "not available".
use_nvml wddm-na
export HMN_PROCFS=$DATA/owner/proc
"$HMN" explain
