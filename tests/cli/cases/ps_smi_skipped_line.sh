# One malformed line in nvidia-smi's --query-compute-apps output (used
# memory "12x") costs that line only: the other processes are listed, and
# the skipped line is said (stderr) and counted (JSON of explain and watch).
#@ times
{
    cat "$DATA/smi/h100-3procs.scn"
    printf '[app]\ngpu = 0\npid = 20002\nprocess_name = broken\nused_memory = 12x\n'
} > "$WORK/s.scn"
use_smi "$WORK/s.scn"
"$HMN" ps
echo "ps -> $?"
"$HMN" explain --json > "$WORK/x.json"
echo "explain -> $?"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))[0]; print("explain skipped_rows:", b["skipped_rows"], "rows:", len(b["rows"]))' "$WORK/x.json"
"$HMN" watch 11345 --json --interval 200ms --duration 300ms > "$WORK/w.jsonl"
python3 -c 'import json,sys; print("watch skipped_rows:", json.loads(open(sys.argv[1]).read().splitlines()[-1])["skipped_rows"])' "$WORK/w.jsonl"
