use_smi "$DATA/smi/h100-3procs.scn"
"$HMN"
