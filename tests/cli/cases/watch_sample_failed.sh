# A listing that fails mid-run is reported and skipped; the watch goes on and
# the next interval is sampled again.
#@ times
scn=$DATA/smi/h100-3procs.scn
cp "$scn" "$WORK/s.scn"
use_smi "$WORK/s.scn"
"$HMN" watch 11345 --interval 400ms --duration 1300ms &
pid=$!
sleep 0.6
cp "$DATA/smi/no-driver.scn" "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/s.scn"
sleep 0.4
cp "$scn" "$WORK/s.tmp"
mv "$WORK/s.tmp" "$WORK/s.scn"
wait "$pid"
