# A device whose NVML memory is unknown (total 0, as on unified-memory
# parts) with no nvidia-smi to ask: shown with its name and n/a, not
# "enumerated but none readable".
{
    grep -v '^device\|^proc' "$DATA/nvml/h100-3procs.scn"
    echo 'device name="NVIDIA GH200 (UMA)" uuid=GPU-2 pci=0000:01:00.0 pci_id=0x234210de total=0 reserved=0 used=0 mig=off'
} > "$WORK/uma.scn"
use_nvml h100-3procs
export HMN_FAKE_NVML_SCENARIO=$WORK/uma.scn
"$HMN"
"$HMN" --json
"$HMN" fits 1GiB
echo "fits -> $?"
