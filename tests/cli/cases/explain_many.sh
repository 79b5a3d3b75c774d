# 100 compute processes (more than upstream's old 64-row buffer).
use_nvml many
"$HMN" explain
