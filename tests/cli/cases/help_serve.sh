"$HMN" serve --help
