# Processes 1, 2 and 3 cannot be read (their fdinfo is a directory, which
# fails even as root) and process 100 holds 2 MiB on the AMD card.  `hmn ps`
# counts only the unreadable processes its --pid selection names: --pid 9
# has none (nothing listed: exit 1, not 2), --pid 2 --pid 3 has two; --min
# and --filter cannot be checked against a process that could not be read,
# so they narrow nothing (as upstream).
tree=$WORK/tree
mkdir -p "$tree/proc"
cp -R "$DATA/drm/multi/sys" "$tree/sys"
for p in 1 2 3; do
    mkdir -p "$tree/proc/$p/fd" "$tree/proc/$p/fdinfo/3"
    ln -s /dev/dri/renderD128 "$tree/proc/$p/fd/3"
    printf 'locked%s\0' "$p" > "$tree/proc/$p/cmdline"
done
cp -R "$DATA/drm/multi/proc/100" "$tree/proc/100"
export HMN_PROCFS=$tree/proc HMN_SYSFS=$tree/sys
"$HMN" ps --device 0
"$HMN" ps --pid 9 --exit-status
echo "--pid 9 -> $?"
"$HMN" ps --pid 2 --pid 3 --exit-status
echo "--pid 2 --pid 3 -> $?"
"$HMN" ps --pid 100 --pid 3 --device 0
echo "--pid 100 --pid 3 -> $?"
"$HMN" ps --device 0 --min 1GiB --exit-status
echo "--min 1GiB -> $?"
"$HMN" ps --device 0 --filter nomatch --exit-status
echo "--filter nomatch -> $?"
