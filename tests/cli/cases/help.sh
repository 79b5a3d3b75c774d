"$HMN" --help
