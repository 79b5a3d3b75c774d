"$HMN" --version && "$HMN" -V
