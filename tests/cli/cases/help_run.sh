"$HMN" run --help
