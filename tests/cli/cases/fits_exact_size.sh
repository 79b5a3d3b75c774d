# The requested size is printed as it was asked for: upstream's form when
# that is exact ("12.0 GiB"), else the precise one ("1 B", "1.55 GiB"), else
# the bytes; never "0 MiB requested" for 1 byte.
use_nvml h100-3procs
"$HMN" fits 1
"$HMN" fits 12GiB
"$HMN" fits "1.55 GiB"
"$HMN" fits 1073741825
"$HMN" fits 0
