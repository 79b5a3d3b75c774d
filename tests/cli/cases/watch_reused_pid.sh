# PID 11345 keeps its name but its start time (field 22 of /proc/<pid>/stat)
# changes between samples: another process now has the PID, so its row
# starts over (baseline reset), whatever the name says.
#@ times
use_nvml h100-3procs
mkdir -p "$WORK/proc/11345"
printf 'gpu_burn\n' > "$WORK/proc/11345/comm"
stat() { printf '11345 (gpu_burn) S 1 11345 11345 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %s 0\n' "$1"; }
stat 1000 > "$WORK/proc/11345/stat"
export HMN_PROCFS=$WORK/proc
"$HMN" watch 11345 --interval 400ms --duration 1300ms &
pid=$!
sleep 0.6
stat 2000 > "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/proc/11345/stat"
wait "$pid"
