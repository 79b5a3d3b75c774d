# AMD and Intel clients (TYPE DRM), a client with no memory figure, and
# processes whose fdinfo could not be read (counted as unreadable).
use_drm multi
"$HMN" ps
