/*
 * backend.h - the interface every GPU backend implements.
 *
 * One file per backend under src/backends/, each exporting exactly one
 * `const struct hmn__backend hmn__backend_<name>` object; everything else in
 * the file is static.  Its identity (name, source, option) is its row in
 * core/registry.c; the dispatcher (core/dispatch.c) owns the device table,
 * the order in which backends are asked (core/platform_<os>.c) and the
 * fallbacks, so a backend only answers for the devices it enumerated.
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
 *  - A backend reads the device entry it is given, never another backend's
 *    state and never the dispatcher: what one backend learns for another
 *    (DXGI's adapter LUID for PDH) is stored on the device entry.
 */
#ifndef HMN_BACKEND_H
#define HMN_BACKEND_H

#include "backends/procfs.h"
#include "core/ctx.h"
#include "core/proc_vec.h"

struct hmn__spill_sampler;

struct hmn__backend {
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
    /*
     * Adapter memory counters of dev (PDH only): the spill sampler and the
     * device-wide "used" of DXGI adapters.  Stateless: usable whether or not
     * open() succeeded.  open: HMN_EUNSUPPORTED when not measurable; *limit
     * gets the dedicated capacity (0 unknown).  sample: dedicated and shared
     * bytes adapter-wide, negative when this sample failed.
     */
    int (*sampler_open)(hmn_ctx *ctx, const struct hmn__dev *dev,
                        struct hmn__spill_sampler **out, uint64_t *limit);
    int (*sampler_sample)(struct hmn__spill_sampler *s, uint64_t *dedicated, uint64_t *shared);
    void (*sampler_close)(struct hmn__spill_sampler *s);
    /*
     * The driver's exact per-process peaks (NVML accounting mode, read only:
     * never switched on): *sum gets the sum of maxMemoryUsage over the pids
     * (driver PIDs) that have a record; a PID without one adds nothing.
     * HMN_EUNSUPPORTED when accounting is off or not supported on dev.
     */
    int (*accounting)(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                      const uint32_t *pids, size_t n, uint64_t *sum);
};

extern const struct hmn__backend hmn__backend_nvml;
extern const struct hmn__backend hmn__backend_smi;
extern const struct hmn__backend hmn__backend_drm;
extern const struct hmn__backend hmn__backend_dxgi;
extern const struct hmn__backend hmn__backend_pdh;

/* Append a device to the table; HMN_ENOBUFS when full (core/dispatch.c). */
int hmn__devtab_add(struct hmn__devtab *tab, const struct hmn__dev *dev);

/* One reading of dev's adapter counters through the backend that has them
 * (core/spill.c); HMN_EUNSUPPORTED when none can. */
int hmn__adapter_usage(hmn_ctx *ctx, const struct hmn__dev *dev, uint64_t *dedicated,
                       uint64_t *shared);

/* RAM backend (one per OS, chosen by CMake: ram_linux.c, ram_win.c, ram_null.c);
 * what it keeps open lives in the context (statm_fd), closed with it. */
/* enum hmn_source of this platform's RSS figures. */
extern const int hmn__ram_source;
/* Current RSS (fast path); peak too when want_peak (costs a status read). */
int hmn__ram_read(hmn_ctx *ctx, hmn_rss *out, int want_peak);
int hmn__ram_process_exists(hmn_ctx *ctx, uint32_t pid);
int hmn__ram_process_start(hmn_ctx *ctx, uint32_t pid, uint64_t *start);

/* One process of the machine as a tree scan sees it. */
struct hmn__ptab_entry {
    uint32_t pid, ppid;
    int has_start;       /* Linux: from the same stat line; Windows: asked only when needed */
    uint64_t start;      /* as hmn__ram_process_start gives it */
    char name[64];       /* Windows: the image name of the snapshot; Linux: "" */
    uint64_t ino;        /* Linux: inode of <procfs>/<pid> (the scan's cache key) */
};
struct hmn__ptab {
    struct hmn__ptab_entry *v;
    size_t n, cap;
    struct hmn__ptab_entry *prev; /* the previous table, sorted by PID (Linux cache) */
    size_t prev_n, prev_cap;
    int real_procfs;              /* the context's procfs is the kernel's: 1, not: -1, unasked: 0 */
};
/* Every live process (zombies left out) into tab, replacing what it held, in
 * any order; a caller that sorts tab->v by PID between calls lets the Linux
 * scan reuse the entries of processes that did not change (see ram_linux.c).
 * HMN_ENOMEM, or the error of the listing itself (one unreadable entry is skipped). */
int hmn__ram_process_table(hmn_ctx *ctx, struct hmn__ptab *tab);

/* Memory of another process (the sampler, hmn_pid_rss_info). */
#define HMN__PM_HAS_PSS (1u << 2) /* beside HMN_RSS_HAS_CURRENT / _PEAK */
#define HMN__PM_HAS_COMM (1u << 3)
struct hmn__pid_mem {
    uint64_t valid;
    uint64_t rss, hwm, pss;
    char comm[64];       /* Linux: status Name (kernel comm, escaped); Windows: "" */
};
/* HMN_OK (a process without memory, a kernel thread, has no bit set),
 * HMN_ENOENT (gone, a zombie, or a thread id), HMN_EACCES, HMN_EPARSE (a
 * VmRSS that is not a number), or another error. */
int hmn__ram_pid_read(hmn_ctx *ctx, uint32_t pid, int want_pss, struct hmn__pid_mem *out);

/* Owner of pid (uid, user, cgroup placement) into out, which arrives zeroed
 * with size and pid set (backends/owner_procfs.c; owner_null.c on Windows). */
int hmn__owner_read(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out);

#endif /* HMN_BACKEND_H */
