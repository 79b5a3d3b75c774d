# `hmn watch 7` where process 7 cannot be read (its fdinfo is a directory):
# said once, with the remedy, as upstream; its rows read 0 MiB.
#@ times
tree=$WORK/tree
mkdir -p "$tree/proc/7/fd" "$tree/proc/7/fdinfo/3"
cp -R "$DATA/drm/multi/sys" "$tree/sys"
ln -s /dev/dri/renderD128 "$tree/proc/7/fd/3"
printf 'locked\0' > "$tree/proc/7/cmdline"
export HMN_PROCFS=$tree/proc HMN_SYSFS=$tree/sys
"$HMN" watch 7 --interval 200ms --duration 300ms
