"$HMN" fits --help
