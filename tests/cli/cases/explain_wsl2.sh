# WSL2: one row n/a, one with a figure above the device total (garbage, so n/a),
# and PID 4242 is not in this /proc: kept as a row of another namespace.
use_nvml wsl2-na
export HMN_PROCFS=$DATA/owner/proc
"$HMN" explain
