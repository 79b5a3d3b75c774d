# --follow-new --filter train: PID 20001 is followed because its name
# matched; when a later listing cannot name it, it keeps the name it had
# (upstream's sticky name) and stays followed - no "left" breadcrumb.
#@ times
base=$DATA/smi/h100-idle.scn
app() { printf '[app]\ngpu = 0\npid = 20001\nprocess_name = %s\nused_memory = 2000\n' "$1"; }
{ cat "$base"; app train.py; } > "$WORK/s.scn"
use_smi "$WORK/s.scn"
"$HMN" watch --follow-new --filter train --interval 400ms --duration 1300ms &
pid=$!
sleep 0.6
{ cat "$base"; app '[N/A]'; } > "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/s.scn"
wait "$pid"
