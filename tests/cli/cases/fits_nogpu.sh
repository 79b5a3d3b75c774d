"$HMN" fits 1GiB
