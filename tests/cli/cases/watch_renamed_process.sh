# A real process that renames itself (a write to its comm, as prctl does)
# is the same process: its start time has not changed, so the watch keeps
# its baseline and follows the new name - no "PID reuse" reset.
#@ times
use_nvml h100-3procs
bash -c 'sleep 0.5; printf renamed > /proc/$$/comm; sleep 5; true' &
proc=$!
{
    grep -v '^proc ' "$DATA/nvml/h100-3procs.scn"
    echo "proc pid=$proc used=1GiB kinds=compute"
} > "$WORK/r.scn"
export HMN_FAKE_NVML_SCENARIO=$WORK/r.scn HMN_PROCFS=/proc
"$HMN" watch "$proc" --interval 300ms --duration 1300ms > "$WORK/out" 2> "$WORK/err"
echo "watch -> $?"
kill "$proc"
grep -q 'PID reuse' "$WORK/err" && echo "baseline reset: yes" || echo "baseline reset: no"
echo "first name: $(awk '$1 == "+0.0s" {print $3}' "$WORK/out")"
echo "last name: $(awk -v p="$proc" '$1 == p {print $2}' "$WORK/out")"
