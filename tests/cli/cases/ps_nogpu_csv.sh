"$HMN" ps --csv
