# The host's /proc seen from a container one PID namespace down: 11327 is
# ours (PID 42); 11328 lives only on the host, in a Kubernetes pod, and keeps
# its owner; 11345 vanished. Nothing is dropped.
use_nvml h100-3procs
export HMN_PROCFS=$DATA/owner/proc-ns
"$HMN" explain
