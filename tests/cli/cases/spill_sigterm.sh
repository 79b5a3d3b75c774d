# SIGTERM sent to hmn alone is forwarded as SIGTERM; the report still comes.
set -m
"$HMN" spill -- sleep 5 &
pid=$!
sleep 0.5
kill -TERM "$pid"
wait "$pid"
