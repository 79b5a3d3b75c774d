# The wait between samples ends when the command does: a 60 s --interval
# does not keep a finished command waiting (timeout would stop it at 5 s).
timeout 5 "$HMN" spill --interval 60000 -- sleep 0.3
echo "spill -> $?"
timeout 5 "$HMN" spill --interval 60000 --json -- sh -c 'sleep 0.3; exit 3'
echo "spill exit 3 -> $?"
