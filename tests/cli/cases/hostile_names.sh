# Real processes named with OSC 52, CSI, C1, bidi, zero-width, newline and
# invalid UTF-8, on a device with a hostile name, through every command and
# format (tests/cli/check_hostile_names.py): no raw control, C1 or bidi
# character reaches a terminal; JSON keeps the exact names.
use_nvml h100-3procs
[ -n "${HMN_CLI_FAKE_SMI:-}" ] || skip "fake nvidia-smi not built"
DATA=$DATA /usr/bin/python3 "$SRC/tests/cli/check_hostile_names.py" "$HMN" "$WORK"
