# Names with East Asian wide characters and combining marks: columns line up
# by display width (upstream padded by bytes), and the last column is not padded.
use_nvml h100-3procs
cp -R "$DATA/nvml/proc" "$WORK/proc-wide"
printf '\346\267\261\345\272\246\345\255\246\344\271\240\n' > "$WORK/proc-wide/11327/comm"
printf 'cafe\314\201-ml\n' > "$WORK/proc-wide/11328/comm"
export HMN_PROCFS=$WORK/proc-wide
"$HMN" ps
"$HMN" ps --csv
