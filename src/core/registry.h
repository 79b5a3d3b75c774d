/*
 * core/registry.h - which backends exist, what identifies each, and in
 * which order the dispatcher asks them on this platform.
 *
 * One row per backend (core/registry.c): its name, the source its figures
 * carry, the context option that switches it, and its ops (NULL when this
 * build does not compile it).  The asking orders are data beside the table,
 * one file per platform (core/platform_posix.c, core/platform_win.c), and
 * CMake alone chooses which of them and which backend files are built.
 */
#ifndef HMN_CORE_REGISTRY_H
#define HMN_CORE_REGISTRY_H

#include <stddef.h>

/* Row ids (index into the table and into ctx->bk[]). */
enum hmn__backend_id {
    HMN__BK_NVML = 0,
    HMN__BK_SMI = 1,
    HMN__BK_DRM = 2,
    HMN__BK_DXGI = 3,
    HMN__BK_PDH = 4,
    HMN__BK_COUNT = 5
};

struct hmn__backend;

/* Everything that identifies one backend. */
struct hmn__backend_desc {
    const char *name;               /* "nvml", "nvidia-smi", "drm-fdinfo", ... */
    const char *label;              /* "NVML", "nvidia-smi", "DRM": messages for people */
    int source;                     /* enum hmn_source its answers carry by default */
    int option;                     /* HMN_OPT_USE_* that switches it per context; 0: none */
    int nvidia_order;               /* its NVIDIA devices are indexed in NVML order */
    const struct hmn__backend *ops; /* NULL when this build does not compile it */
};

/* Row `id`, or NULL outside 0 .. HMN__BK_COUNT-1. */
const struct hmn__backend_desc *hmn__backend_desc(int id);
/* Its ops: NULL when compiled out (or id out of range). */
const struct hmn__backend *hmn__backend_ops(int id);
/* The row switched by context option `option`, or -1. */
int hmn__backend_for_option(int option);

/*
 * A chain: the backends asked in turn, first answer wins.  A step is a row
 * id, HMN__ASK_OWN (the backend that enumerated the device), or a row id
 * with a flag:
 *  - HMN__ASK_NVIDIA: only for a device in NVML order (an NVIDIA device that
 *    a backend with nvidia_order enumerated), e.g. the nvidia-smi fallback;
 *  - HMN__ASK_STANDIN (enumeration only): only when no earlier backend with
 *    nvidia_order enumerated successfully or listed an NVIDIA device.
 * A backend already asked for the same device is not asked again.
 */
#define HMN__ASK_OWN (-1)
#define HMN__ASK_NVIDIA 0x100
#define HMN__ASK_STANDIN 0x200
#define HMN__ASK_ID(step) ((step) & 0xff)
#define HMN__CHAIN_MAX 6

struct hmn__chain {
    size_t n;
    int step[HMN__CHAIN_MAX];
};

/* Per platform: who is asked, in which order. */
struct hmn__orders {
    struct hmn__chain enumerate; /* device table, in device-index order */
    struct hmn__chain info;      /* hmn_device_info */
    struct hmn__chain self;      /* hmn_process_gpu_info */
    struct hmn__chain procs;     /* hmn_gpu_processes */
    struct hmn__chain report;    /* hmn_source_report_get, i = 0, 1, ... */
};

/* This platform's orders (core/platform_<os>.c). */
extern const struct hmn__orders hmn__orders;

#endif /* HMN_CORE_REGISTRY_H */
