#@ json
# SIGINT sent to hmn alone is forwarded to the child; hmn waits for it and
# still prints its (partial) report.  Job control keeps SIGINT deliverable.
set -m
start=$(date +%s)
"$HMN" spill --json -- sleep 5 &
pid=$!
sleep 0.5
kill -INT "$pid"
wait "$pid"
code=$?
[ $(($(date +%s) - start)) -lt 4 ] && echo "ended early: yes" >&2
exit $code
