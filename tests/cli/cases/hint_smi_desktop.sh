# nvidia-smi lists compute clients only: on a desktop 571 MiB are held by no
# listed process, and hmn and hmn ps say where to look.
use_smi "$DATA/smi/desktop-4080.scn"
export HMN_PROCFS=$DATA/owner/proc
"$HMN"
"$HMN" ps
"$HMN" --json >/dev/null
"$HMN" ps --json >/dev/null
