# SIGHUP (the terminal or ssh session went away) ends the watch like SIGINT
# and SIGTERM: with the closing summary, exit 0.
#@ times
use_nvml h100-3procs
"$HMN" watch --interval 200ms --top 1 > "$WORK/out" &
pid=$!
sleep 0.7
kill -HUP "$pid"
wait "$pid"
code=$?
grep -v '^+' "$WORK/out"
[ "$(grep -c '^+' "$WORK/out")" -ge 2 ] && echo "samples: at least 2"
exit $code
