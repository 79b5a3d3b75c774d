"$HMN" ps --device 3
