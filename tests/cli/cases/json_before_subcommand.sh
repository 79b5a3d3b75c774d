"$HMN" --json ps
