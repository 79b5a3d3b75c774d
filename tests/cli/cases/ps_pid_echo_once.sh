# A --pid given twice is matched and echoed once, in the order given.
use_nvml h100-3procs
"$HMN" ps --pid 15503 --pid 15534 --pid 15503
"$HMN" ps --pid 11345 --pid 11327 --pid 11345 --pid 11327
