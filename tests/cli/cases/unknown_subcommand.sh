"$HMN" frobnicate
