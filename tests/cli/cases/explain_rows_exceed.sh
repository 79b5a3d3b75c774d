# A MIG instance whose process reports more than the instance's used figure:
# said plainly, never a negative remainder (text, then the JSON of that block).
use_nvml mig
export HMN_PROCFS=$DATA/owner/proc
"$HMN" explain
"$HMN" explain --json | /usr/bin/python3 -c 'import json,sys
b = json.load(sys.stdin)[2]
print({k: b[k] for k in ("mig_index", "used_bytes", "attributed_bytes", "unattributed_bytes", "excess_bytes")})'
