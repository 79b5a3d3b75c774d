#@ json
use_drm multi
"$HMN" ps --json --device 0
