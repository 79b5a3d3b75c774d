use_nvml h100-3procs
"$HMN" ps
