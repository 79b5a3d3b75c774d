# --pid (repeatable), --device, --min and --filter, and the summary clauses.
use_nvml h100-3procs
"$HMN" ps --pid 11327 --pid 11345 --device 0
"$HMN" ps --min 2GiB
"$HMN" ps --min 0 --sort committed
"$HMN" ps --filter BURN --filter nothing
"$HMN" ps --pid 1 --exit-status
echo "exit-status with nothing listed -> $?"
