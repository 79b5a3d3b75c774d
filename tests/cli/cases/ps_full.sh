# -f / --full: who owns each process, in the table and the CSV.
use_nvml h100-3procs
export HMN_PROCFS=$DATA/owner/proc
"$HMN" ps -f
"$HMN" ps --full --csv
