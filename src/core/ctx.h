/*
 * core/ctx.h - the context: what one hmn_ctx holds (options, the lazily
 * opened backends, the device table, the last error) and the helpers every
 * public call goes through.  Backends see it through backend.h.
 */
#ifndef HMN_CORE_CTX_H
#define HMN_CORE_CTX_H

#include "core/registry.h"
#include "os/os.h"
#include "util/util.h"

/* Per-context state of one backend: opened lazily, once. */
struct hmn__bk_slot {
    int tried;        /* open() was called */
    int rc;           /* its result */
    void *state;      /* what open() returned */
    char reason[256]; /* why it is unavailable / what it loaded */
};

/* One entry of the context's device table (index = hmn device index). */
struct hmn__dev {
    uint32_t backend;     /* enum hmn__backend_id serving the memory figures */
    uint32_t local_index; /* the backend's own index (NVML index, DRM card order) */
    uint32_t vendor;      /* enum hmn_vendor */
    char pci_bus_id[32];  /* normalised, "" when unknown */
    char card[32];        /* sysfs card name ("card0"), DRM devices only */
    /* Windows: the DXGI adapter behind the device, stored by DXGI
     * enumeration for the PDH backend (instance names carry the LUID). */
    int has_luid;
    int32_t luid_high;
    uint32_t luid_low;
    uint64_t dedicated_bytes; /* its DedicatedVideoMemory, 0 unknown */
    /* The device's memory total as an answer gave it (enumeration or device
     * info): the dispatcher holds process rows against it. */
    int has_total;
    int total_asked;          /* device info was asked once for it */
    uint64_t total_bytes;
};

#define HMN__MAX_DEVICES 64

struct hmn__devtab {
    int built;
    int rc;             /* result of the last build */
    uint32_t count;
    struct hmn__dev dev[HMN__MAX_DEVICES];
};

struct hmn_ctx {
    hmn__mutex lock;
    int temporary;          /* created for one NULL-context call */
    int debug;
    int64_t smi_timeout_ms;
    int use[HMN__BK_COUNT]; /* options: 0 disables a backend */
    char procfs[512];       /* HMN_PROCFS, default "/proc" */
    char sysfs[512];        /* HMN_SYSFS, default "/sys" */
    char nvml_path[512];    /* HMN_NVML_LIBRARY, "" = default search */
    char smi_path[512];     /* HMN_NVIDIA_SMI, "" = PATH search */
    hmn__fd statm_fd;       /* /proc/self/statm kept open for pread */
    long page_size;
    struct hmn__bk_slot bk[HMN__BK_COUNT];
    struct hmn__devtab devs;
    uint64_t call_seq;      /* bumped by every public call: "same call" caches key on it */
    char errmsg[512];
};

/* Resolve the ctx to use: ctx itself, or a new temporary one for NULL. */
int hmn__ctx_enter(hmn_ctx *ctx, hmn_ctx **use);
/* Finish a public call: copy the message of a temporary ctx, then free it. */
int hmn__ctx_leave(hmn_ctx *use, int rc);
/* Record a failure: formats the detailed message, returns code. */
int hmn__fail(hmn_ctx *ctx, int code, const char *fmt, ...) HMN__PRINTF(3, 4);
/* Same with a va_list. */
int hmn__vfail(hmn_ctx *ctx, int code, const char *fmt, va_list ap) HMN__PRINTF(3, 0);
/* Raw backend values on stderr when HMN_DEBUG=1 / HMN_OPT_DEBUG. */
void hmn__debug(const hmn_ctx *ctx, const char *fmt, ...) HMN__PRINTF(2, 3);
/* Open backend id on first use (once per context); 1 when it is usable. */
int hmn__backend_ready(hmn_ctx *ctx, int id);
/* Its state when usable (may be NULL for a stateless backend), else NULL. */
void *hmn__backend(hmn_ctx *ctx, int id);

#endif /* HMN_CORE_CTX_H */
