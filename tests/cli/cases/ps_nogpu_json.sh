#@ json
"$HMN" ps --json
