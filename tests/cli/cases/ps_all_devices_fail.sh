# Every device's listing fails: nothing on stdout (not even the header or []),
# one line per device and a final line on stderr, exit 2.
use_nvml h100-3procs
{
    cat "$DATA/nvml/h100-3procs.scn"
    echo 'fault nvmlDeviceGetRunningProcessDetailList 999'
} > "$WORK/fail.scn"
export HMN_FAKE_NVML_SCENARIO=$WORK/fail.scn
"$HMN" ps --json
