#@ json
"$HMN" spill --json --interval 10 -- true
