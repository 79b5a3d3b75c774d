# AMD and Intel devices through sysfs / DRM fdinfo.
use_drm multi
"$HMN"
