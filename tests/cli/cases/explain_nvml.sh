# An H100 with three compute processes, each owned by a container of a
# different runtime (real cgroup files: tests/data/owner/README.md).
use_nvml h100-3procs
export HMN_PROCFS=$DATA/owner/proc
"$HMN" explain
