# Watching an AMD GPU through DRM fdinfo: auto-selection by VRAM, and the
# processes whose fdinfo could not be read are counted, not silently ignored.
#@ times
use_drm multi
"$HMN" watch --device 0 --top 2 --interval 200ms --duration 300ms
