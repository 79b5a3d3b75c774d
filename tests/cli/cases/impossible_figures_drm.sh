# DRM fdinfo on the 16 GiB AMD card: process 600 claims 20 GiB (more than
# the card), process 601 holds two clients of 2^63 - 1 bytes each, whose sum
# saturates to 2^64 - 1.  Both rows stay listed with VRAM n/a; the real one
# (100) keeps its figure.
tree=$WORK/tree
mkdir -p "$tree/proc"
cp -R "$DATA/drm/multi/sys" "$tree/sys"
cp -R "$DATA/drm/multi/proc/100" "$tree/proc/100"
client() { # pid fd client-id vram
    mkdir -p "$tree/proc/$1/fd" "$tree/proc/$1/fdinfo"
    ln -s /dev/dri/renderD128 "$tree/proc/$1/fd/$2"
    printf 'drm-driver:\tamdgpu\ndrm-pdev:\t0000:08:00.0\ndrm-client-id:\t%s\ndrm-memory-vram:\t%s\n' \
        "$3" "$4" > "$tree/proc/$1/fdinfo/$2"
    printf 'claim%s\n' "$1" > "$tree/proc/$1/comm"
    printf 'claim%s\0' "$1" > "$tree/proc/$1/cmdline"
}
client 600 3 700 "20971520 KiB"
client 601 3 701 9223372036854775807
client 601 4 702 9223372036854775807
export HMN_PROCFS=$tree/proc HMN_SYSFS=$tree/sys
"$HMN" ps --device 0
"$HMN" ps --device 0 --json
