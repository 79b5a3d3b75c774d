# Figures no card can have become unknown, whichever backend read them: a
# total of 2^64 - 1 (all ones) and a process holding more than the device
# (97656 GiB on an 80 GiB card).  The device and the row stay listed.
{
    sed -e 's/^memory.total = 81559$/memory.total = 18446744073709551615/' "$DATA/smi/h100-3procs.scn"
} > "$WORK/huge-total.scn"
{
    sed -e 's/^used_memory = 15690$/used_memory = 100000000/' "$DATA/smi/h100-3procs.scn"
} > "$WORK/huge-row.scn"
use_smi "$WORK/huge-total.scn"
"$HMN"
"$HMN" --json
use_smi "$WORK/huge-row.scn"
"$HMN" ps
"$HMN" ps --json
