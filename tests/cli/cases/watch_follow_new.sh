# --follow-new re-selects every interval: a process that appears between
# samples enters the followed set (breadcrumb on stderr), and an unnamed
# process that grows by 256 MiB or more gets the one-time "re-run elevated" hint.
#@ times
scn=$DATA/smi/h100-3procs.scn
cp "$scn" "$WORK/s.scn"
use_smi "$WORK/s.scn"
"$HMN" watch --follow-new --top 2 --interval 400ms --duration 1300ms &
pid=$!
sleep 0.6
{
    cat "$scn"
    printf '[app]\ngpu = 0\npid = 20000\nused_memory = 30000\n'
} > "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/s.scn"
sleep 0.4
{
    cat "$scn"
    printf '[app]\ngpu = 0\npid = 20000\nused_memory = 31000\n'
} > "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/s.scn"
wait "$pid"
