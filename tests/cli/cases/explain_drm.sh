# AMD and Intel through DRM fdinfo: a client shared by two processes counts
# once; devices without a used figure have no remainder. Owners from real
# cgroup files added to a copy of the tree.
use_drm multi
cp -R "$DATA/drm/multi/proc" "$WORK/drm-proc"
cp "$DATA/cgroup/docker-v2-systemd.txt" "$WORK/drm-proc/101/cgroup"
cp "$DATA/cgroup/session-hybrid.txt" "$WORK/drm-proc/100/cgroup"
cp "$DATA/cgroup/session-hybrid.txt" "$WORK/drm-proc/200/cgroup"
export HMN_PROCFS=$WORK/drm-proc
"$HMN" explain
