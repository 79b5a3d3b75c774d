#@ json
"$HMN" --json
