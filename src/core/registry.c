/*
 * core/registry.c - which backends this build has.  A static table guarded
 * by the HMN_WITH_* options (no constructor self-registration: it is dropped
 * from static archives and runs code at load time).
 */
#include "backend.h"

#include <string.h>

const struct hmn__backend *hmn__backend_ops(int id)
{
    switch (id) {
#if HMN_WITH_NVML
    case HMN__BK_NVML:
        return &hmn__backend_nvml;
#endif
#if HMN_WITH_NVIDIA_SMI
    case HMN__BK_SMI:
        return &hmn__backend_smi;
#endif
#if HMN_WITH_DRM && defined(__linux__)
    case HMN__BK_DRM:
        return &hmn__backend_drm;
#endif
#if HMN_WITH_DXGI && defined(_WIN32)
    case HMN__BK_DXGI:
        return &hmn__backend_dxgi;
#endif
#if HMN_WITH_PDH && defined(_WIN32)
    case HMN__BK_PDH:
        return &hmn__backend_pdh;
#endif
    default:
        return NULL;
    }
}

int hmn__devtab_add(struct hmn__devtab *tab, const struct hmn__dev *dev)
{
    uint32_t i;
    /* One GPU, one entry: a card seen by NVML and by sysfs is listed once. */
    if (dev->pci_bus_id[0]) {
        for (i = 0; i < tab->count; i++)
            if (strcmp(tab->dev[i].pci_bus_id, dev->pci_bus_id) == 0)
                return HMN_OK;
    }
    if (tab->count >= HMN__MAX_DEVICES)
        return HMN_ENOBUFS;
    tab->dev[tab->count++] = *dev;
    return HMN_OK;
}
