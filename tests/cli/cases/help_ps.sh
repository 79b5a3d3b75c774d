"$HMN" ps --help
