# Eight GPUs with memory in use and no process listed: one short line.
use_nvml titanx-8gpu
"$HMN" >/dev/null
