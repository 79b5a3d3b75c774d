# An H100 in MIG mode (real capture): the whole GPU, then each GPU instance.
use_nvml h100-mig-capture
export HMN_PROCFS=$DATA/owner/proc
"$HMN" explain
