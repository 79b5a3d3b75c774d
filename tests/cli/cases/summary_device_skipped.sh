# A device whose details cannot be read is said, as `hmn ps` says it, and
# the others are still shown (text and JSON).
use_nvml h100-3procs
{
    cat "$DATA/nvml/h100-3procs.scn"
    echo 'device name="Locked GPU" uuid=GPU-1 pci=0000:0a:00.0 pci_id=0x233010de total=1024MiB used=100MiB deny=1'
} > "$WORK/two.scn"
export HMN_FAKE_NVML_SCENARIO=$WORK/two.scn
"$HMN"
echo "hmn -> $?"
"$HMN" --json
echo "hmn --json -> $?"
