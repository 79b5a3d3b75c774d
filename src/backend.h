/*
 * backend.h - the interface every GPU backend implements.
 *
 * One file per backend under src/backends/, each exporting exactly one
 * `const struct hmn__backend hmn__backend_<name>` object; everything else in
 * the file is static.  The dispatcher (core/dispatch.c) owns the order in
 * which backends are asked, the device table and the fallbacks, so a backend
 * only answers for the devices it enumerated.
 *
 * Rules for implementations:
 *  - open() is called at most once per context, lazily.  On failure it writes
 *    a one-line reason ("libnvidia-ml.so.1: cannot open shared object file")
 *    and returns a negative code; the backend is then never asked again on
 *    that context.  close() gets whatever open() stored, even half-built.
 *  - Every other function may be NULL (not provided) and returns HMN_OK or a
 *    negative code with hmn__fail() describing it.
 *  - Output structs are the library's full internal size and arrive zeroed,
 *    with size set.  Leave a `valid` bit clear for anything not measured.
 */
#ifndef HMN_BACKEND_H
#define HMN_BACKEND_H

#include "backends/procfs.h"
#include "core/ctx.h"
#include "core/proc_vec.h"

struct hmn__backend {
    const char *name; /* "nvml", "nvidia-smi", "drm-fdinfo", ... */
    int source;       /* enum hmn_source it reports */
    int (*open)(hmn_ctx *ctx, void **state, char *reason, size_t cap);
    void (*close)(hmn_ctx *ctx, void *state);
    /* Append the devices this backend serves to tab (dispatcher dedupes). */
    int (*enumerate)(hmn_ctx *ctx, void *state, struct hmn__devtab *tab);
    int (*device_info)(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                       hmn_gpu_device_info *out);
    /* GPU memory of the calling process on dev. */
    int (*self_gpu)(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                    hmn_process_gpu *out);
    /* Every process holding memory on dev (any order; dispatcher sorts). */
    int (*processes)(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                     struct hmn__proc_vec *out);
    /* MIG instance i of dev (NVML only). */
    int (*mig)(hmn_ctx *ctx, void *state, const struct hmn__dev *dev, uint32_t i,
               hmn_mig_info *out);
};

extern const struct hmn__backend hmn__backend_nvml;
extern const struct hmn__backend hmn__backend_smi;
extern const struct hmn__backend hmn__backend_drm;
extern const struct hmn__backend hmn__backend_dxgi;
extern const struct hmn__backend hmn__backend_pdh;

/* Windows: LUID and DedicatedVideoMemory of dev's DXGI adapter (backends/gpu_dxgi.c). */
int hmn__dxgi_adapter_luid(hmn_ctx *ctx, const struct hmn__dev *dev, int32_t *high,
                           uint32_t *low, uint64_t *dedicated);
/* Windows: adapter-wide dedicated and shared usage from PDH (backends/gpu_pdh.c). */
int hmn__pdh_adapter_usage(hmn_ctx *ctx, int32_t high, uint32_t low, uint64_t *dedicated,
                           uint64_t *shared);

/* Append a device to the table; HMN_ENOBUFS when full. */
int hmn__devtab_add(struct hmn__devtab *tab, const struct hmn__dev *dev);

/* RAM backend (one per OS: backends/ram_linux.c, ram_win.c, ram_null.c). */
/* Current RSS (fast path); peak too when want_peak (costs a status read). */
int hmn__ram_read(hmn_ctx *ctx, hmn_rss *out, int want_peak);
int hmn__ram_process_exists(hmn_ctx *ctx, uint32_t pid);
void hmn__ram_close(hmn_ctx *ctx);

/* Spill sampling hook (backends/gpu_pdh.c on Windows; spill_null elsewhere). */
struct hmn__spill_sampler;
int hmn__spill_sampler_open(hmn_ctx *ctx, uint32_t index, struct hmn__spill_sampler **out,
                            uint64_t *limit);
/* One sample: dedicated and shared bytes adapter-wide; negative = skipped. */
int hmn__spill_sampler_sample(struct hmn__spill_sampler *s, uint64_t *dedicated,
                              uint64_t *shared);
void hmn__spill_sampler_close(struct hmn__spill_sampler *s);
int hmn__spill_platform_measurable(hmn_ctx *ctx);

#endif /* HMN_BACKEND_H */
