# The start record: "pids" holds the selection's own PIDs - those given,
# each once - and is empty for an automatic selection; argv[0] is the name
# hmn was run as, without its folders.
#@ jsonl
#@ times
use_nvml h100-3procs
mkdir -p "$WORK/bin"
ln -s "$HMN" "$WORK/bin/hmn-renamed"
"$HMN" watch 11345 11327 11345 --json --interval 200ms --duration 300ms > "$WORK/a"
"$HMN" watch --follow-new --top 1 --json --interval 200ms --duration 300ms > "$WORK/b"
"$WORK/bin/hmn-renamed" watch --top 1 --json --interval 200ms --duration 300ms > "$WORK/c"
head -q -n 1 "$WORK/a" "$WORK/b" "$WORK/c"
