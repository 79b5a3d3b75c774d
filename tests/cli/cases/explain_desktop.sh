# A KDE desktop (real capture): NVML lists the graphics clients and leaves
# 244 MiB; nvidia-smi lists the compute client only and leaves 571 MiB.
use_nvml desktop-4080
export HMN_PROCFS=$DATA/owner/proc
"$HMN" explain
export HMN_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1
use_smi "$DATA/smi/desktop-4080.scn"
"$HMN" explain
