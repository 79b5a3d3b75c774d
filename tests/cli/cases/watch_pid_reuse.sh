# The fake nvidia-smi re-reads its scenario on every call: between samples
# PID 11328 changes name (PID reuse: baseline reset) and grows.
#@ times
cp "$DATA/smi/h100-3procs.scn" "$WORK/s.scn"
use_smi "$WORK/s.scn"
"$HMN" watch 11328 --interval 400ms --duration 1300ms &
pid=$!
sleep 0.6
sed -e 's#^process_name = /root/tools/memhog$#process_name = newproc#' \
    -e 's/^used_memory = 1542$/used_memory = 3590/' "$DATA/smi/h100-3procs.scn" > "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/s.scn"
wait "$pid"
