use_nvml h100-3procs
"$HMN" fits 12GiB
echo "12GiB -> $?"
"$HMN" fits "70.5 GiB"
echo "70.5 GiB -> $?"
"$HMN" fits 1GiB --device 1
echo "device 1 -> $?"
