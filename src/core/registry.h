/*
 * core/registry.h - which backends exist (core/registry.c).
 */
#ifndef HMN_CORE_REGISTRY_H
#define HMN_CORE_REGISTRY_H

/* Backends known to the dispatcher (index into ctx->bk[]). */
enum hmn__backend_id {
    HMN__BK_NVML = 0,
    HMN__BK_SMI = 1,
    HMN__BK_DRM = 2,
    HMN__BK_DXGI = 3,
    HMN__BK_PDH = 4,
    HMN__BK_COUNT = 5
};

struct hmn__backend;

/* NULL where a backend is compiled out. */
const struct hmn__backend *hmn__backend_ops(int id);

#endif /* HMN_CORE_REGISTRY_H */
