# Intel integrated GPU: no free figure, so no answer (exit 2), never "0 free".
use_drm multi
"$HMN" fits 1MiB --device 1
