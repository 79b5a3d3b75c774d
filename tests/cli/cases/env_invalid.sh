# Invalid HMN_* variables stop hmn at once with a message naming them (exit 1),
# instead of a silently cut path (an empty listing, exit 0) or an ignored value.
use_drm multi
HMN_PROCFS=/$(printf 'x%.0s' $(seq 599)) "$HMN" ps
echo "600-byte HMN_PROCFS -> $?"
HMN_SYSFS=/$(printf 'y%.0s' $(seq 599)) "$HMN"
echo "600-byte HMN_SYSFS -> $?"
HMN_SMI_TIMEOUT_MS=0 "$HMN" ps
echo "HMN_SMI_TIMEOUT_MS=0 -> $?"
HMN_SMI_TIMEOUT_MS=-5 "$HMN" fits 1GiB
echo "HMN_SMI_TIMEOUT_MS=-5 -> $?"
HMN_SMI_TIMEOUT_MS=99999999999999999999 "$HMN" ps
echo "HMN_SMI_TIMEOUT_MS=99999999999999999999 -> $?"
