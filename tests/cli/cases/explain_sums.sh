# On every NVIDIA scenario, the DRM tree and the nvidia-smi fallback the
# printed parts of each block add up exactly to used, the JSON parts too, and
# text and JSON agree (tests/cli/check_explain.py).  One line per block.
check() {
    "$HMN" explain > "$WORK/t" 2>/dev/null && "$HMN" explain --json > "$WORK/j" 2>/dev/null &&
        /usr/bin/python3 "$SRC/tests/cli/check_explain.py" "$WORK/t" "$WORK/j" | sed "s|^|$1: |"
}
for scn in "$DATA"/nvml/*.scn; do
    name=$(basename "$scn" .scn)
    use_nvml "$name"
    export HMN_PROCFS=$DATA/owner/proc
    check "nvml/$name"
done
use_nvml h100-3procs
export HMN_PROCFS=$DATA/owner/proc-ns
check "nvml/h100-3procs in a PID namespace"
export HMN_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1
for scn in h100-3procs h100-idle desktop-4080 wsl2 titanx-8gpu odd-names; do
    use_smi "$DATA/smi/$scn.scn"
    export HMN_PROCFS=$DATA/owner/proc
    check "nvidia-smi/$scn"
done
export HMN_NVIDIA_SMI=/nonexistent/nvidia-smi
use_drm multi
check "drm/multi"
