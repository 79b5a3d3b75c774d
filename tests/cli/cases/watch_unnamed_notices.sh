# --follow-new --filter train --min 1GiB: the "no resolvable name" notice
# goes only to unnamed PIDs that pass --min (21001, not the 100 MiB 21000),
# once each, and to a new unnamed PID (21003) when it appears.
#@ times
base=$DATA/smi/h100-idle.scn
app() { printf '[app]\ngpu = 0\npid = %s\nprocess_name = %s\nused_memory = %s\n' "$1" "$2" "$3"; }
apps() { app 21000 '[N/A]' 100; app 21001 '[N/A]' 3000; app 21002 train 2000; }
{ cat "$base"; apps; } > "$WORK/s.scn"
use_smi "$WORK/s.scn"
"$HMN" watch --follow-new --filter train --min 1GiB --interval 400ms --duration 1300ms &
pid=$!
sleep 0.6
{ cat "$base"; apps; app 21003 '[N/A]' 4000; } > "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/s.scn"
wait "$pid"
