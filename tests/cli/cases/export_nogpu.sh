# hmn export with no GPU source: the file says so (hmn_up 0), exit 0, nothing printed.
mkdir -p "$WORK/tf"
"$HMN" export --textfile "$WORK/tf" --once --processes
echo "exit $?"
ls -A "$WORK/tf"
sed -E 's/^(hmn_collect_duration_seconds) [0-9.]+$/\1 @DURATION@/; s/version="[^"]*"/version="@VERSION@"/' "$WORK/tf/hmn.prom"
