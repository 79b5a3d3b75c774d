# Every command with a stdout that cannot be written: /dev/full, closed, a
# pipe whose reader is gone (SIGPIPE ignored, as under systemd, and default),
# and a watch whose reader leaves mid-run (tests/cli/check_write_errors.py).
use_nvml h100-3procs
/usr/bin/python3 "$SRC/tests/cli/check_write_errors.py" "$HMN"
