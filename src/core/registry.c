/*
 * core/registry.c - one row per backend (see registry.h).  A static table:
 * no constructor self-registration, which static archives drop and which
 * runs code at load time.  HMN_HAVE_<BACKEND> comes from CMake: 1 exactly
 * when the backend's file is compiled into this library.
 */
#include "backend.h"

#if HMN_HAVE_NVML
#  define NVML_OPS (&hmn__backend_nvml)
#else
#  define NVML_OPS NULL
#endif
#if HMN_HAVE_NVIDIA_SMI
#  define SMI_OPS (&hmn__backend_smi)
#else
#  define SMI_OPS NULL
#endif
#if HMN_HAVE_DRM
#  define DRM_OPS (&hmn__backend_drm)
#else
#  define DRM_OPS NULL
#endif
#if HMN_HAVE_DXGI
#  define DXGI_OPS (&hmn__backend_dxgi)
#else
#  define DXGI_OPS NULL
#endif
#if HMN_HAVE_PDH
#  define PDH_OPS (&hmn__backend_pdh)
#else
#  define PDH_OPS NULL
#endif

static const struct hmn__backend_desc rows[HMN__BK_COUNT] = {
    /*                name          label         source                 option                  nv-order ops */
    [HMN__BK_NVML] = {"nvml",       "NVML",       HMN_SOURCE_NVML,       HMN_OPT_USE_NVML,       1, NVML_OPS},
    [HMN__BK_SMI] =  {"nvidia-smi", "nvidia-smi", HMN_SOURCE_NVIDIA_SMI, HMN_OPT_USE_NVIDIA_SMI, 1, SMI_OPS},
    [HMN__BK_DRM] =  {"drm-fdinfo", "DRM",        HMN_SOURCE_DRM_FDINFO, HMN_OPT_USE_DRM,        0, DRM_OPS},
    [HMN__BK_DXGI] = {"dxgi",       "DXGI",       HMN_SOURCE_DXGI,       0,                      1, DXGI_OPS},
    [HMN__BK_PDH] =  {"pdh",        "PDH",        HMN_SOURCE_PDH,        0,                      0, PDH_OPS},
};

const struct hmn__backend_desc *hmn__backend_desc(int id)
{
    return id >= 0 && id < HMN__BK_COUNT ? &rows[id] : NULL;
}

const struct hmn__backend *hmn__backend_ops(int id)
{
    const struct hmn__backend_desc *d = hmn__backend_desc(id);
    return d ? d->ops : NULL;
}

int hmn__backend_for_option(int option)
{
    int id;
    for (id = 0; id < HMN__BK_COUNT; id++)
        if (option != 0 && rows[id].option == option)
            return id;
    return -1;
}
