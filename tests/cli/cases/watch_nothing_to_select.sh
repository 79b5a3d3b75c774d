use_nvml h100-3procs
"$HMN" watch --filter nomatch --top 3
echo "without --follow-new -> $?"
