"$HMN" watch -h
