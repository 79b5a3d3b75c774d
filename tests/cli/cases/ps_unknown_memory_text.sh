use_nvml wsl2-na
"$HMN" ps
