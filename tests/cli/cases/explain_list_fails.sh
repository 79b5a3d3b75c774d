# The device answers, its process list does not: nothing is attributed, and
# the JSON says null rather than 0.
use_nvml h100-3procs
{
    cat "$DATA/nvml/h100-3procs.scn"
    echo 'fault nvmlDeviceGetRunningProcessDetailList 999'
} > "$WORK/fail.scn"
export HMN_FAKE_NVML_SCENARIO=$WORK/fail.scn
"$HMN" explain
"$HMN" explain --json
