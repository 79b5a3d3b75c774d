"$HMN" export --help
