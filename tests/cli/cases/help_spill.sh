"$HMN" spill --help
