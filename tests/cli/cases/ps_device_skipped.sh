# Two GPUs, one whose listing fails: the failure is reported and skipped,
# the other device is still listed, exit 0.  With --exit-status and nothing
# listed the exit is 2, not 1, because a device was skipped.
use_nvml h100-3procs
{
    cat "$DATA/nvml/h100-3procs.scn"
    echo 'device name="Second GPU" uuid=GPU-1 pci=0000:0a:00.0 pci_id=0x233010de total=1024MiB used=100MiB'
    echo 'proc pid=11328 used=100MiB kinds=compute'
    echo 'fault nvmlDeviceGetRunningProcessDetailList 999 nth=2'
} > "$WORK/two.scn"
export HMN_FAKE_NVML_SCENARIO=$WORK/two.scn
"$HMN" ps
echo "ps -> $?"
"$HMN" ps --pid 1 --exit-status
echo "ps --pid 1 --exit-status -> $?"
