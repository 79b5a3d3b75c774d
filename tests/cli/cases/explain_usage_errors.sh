"$HMN" explain --device
echo "-> $?"
"$HMN" explain --device x
echo "-> $?"
"$HMN" explain --frob
echo "-> $?"
use_nvml h100-3procs
"$HMN" explain --device 3
echo "-> $?"
