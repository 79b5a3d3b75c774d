"$HMN" --frobnicate
