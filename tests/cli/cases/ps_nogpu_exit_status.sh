"$HMN" ps --exit-status --pid 42
