# Ctrl+C (a real SIGINT) ends the watch with the closing summary on stdout, exit 0.
#@ times
use_nvml h100-3procs
set -m
"$HMN" watch --interval 200ms --top 1 > "$WORK/out" &
pid=$!
sleep 0.7
kill -INT "$pid"
wait "$pid"
code=$?
# The number of samples depends on timing: show the rest exactly.
grep -v '^+' "$WORK/out"
[ "$(grep -c '^+' "$WORK/out")" -ge 2 ] && echo "samples: at least 2"
exit $code
