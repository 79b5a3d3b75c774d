/*
 * backends/gpu_nvml.c - NVIDIA Management Library, loaded at run time.
 *
 * Lifecycle: open() loads libnvidia-ml, resolves every symbol from one
 * table (newest name first) and calls nvmlInit once; close() calls
 * nvmlShutdown once and unloads.  A long-lived context therefore pays the
 * init cost once; a NULL-context call gets a temporary context from the core
 * and with it upstream's init/shutdown around every call.
 *
 * Traps handled here (see docs/backends/nvml.md for the evidence):
 *  - nvmlMemory_v2_t needs the version word 0x02000028, not 2; on failure we
 *    fall back to v1 and say so (memory_api), reserved then unknown.
 *  - The `_v3` process calls wrote a 32-byte struct on R535.43 only; the
 *    stride is guessed from the symbols present, every row is validated, and
 *    the other stride is tried when validation fails.  The buffer is always
 *    sized for the larger stride so a wrong guess cannot overflow it.
 *  - Compute, graphics and MPS lists overlap: rows are merged by PID, the
 *    memory is the larger figure, never the sum.
 *  - usedGpuMemory == all ones means "not available": the row stays, its
 *    figure is unknown.  A figure above the device total is garbage: same.
 *  - INSUFFICIENT_SIZE: bounded retry with headroom, no 64-process cap.
 */
#include "backend.h"
#include "backends/nvml_abi.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define NVML_MAX_ROWS 65536u /* more rows than any driver reports: refuse */
#define NVML_RETRIES 4
#define NVML_MAX_STRIDE sizeof(hmn_nvmlProcessDetail_v1_t)

enum proc_kind { K_COMPUTE, K_GRAPHICS, K_MPS, K_COUNT };

/* Resolved entry points: one context's copy, never global. */
struct nvml_fns {
    hmn_nvml_void_fn init, shutdown;
    hmn_nvml_errstr_fn error_string;
    hmn_nvml_sysstr_fn driver_version, nvml_version;
    hmn_nvml_int_fn cuda_version;
    hmn_nvml_count_fn count;
    hmn_nvml_handle_fn handle;
    hmn_nvml_devstr_fn name, uuid;
    hmn_nvml_pci_fn pci;
    hmn_nvml_mem_fn mem_v1;
    hmn_nvml_mem2_fn mem_v2;
    hmn_nvml_migmode_fn mig_mode;
    hmn_nvml_devuint_fn max_mig, gi_id, ci_id;
    hmn_nvml_mighandle_fn mig_handle;
    hmn_nvml_detail_fn detail_list;
    hmn_nvml_procs_fn procs_v3[K_COUNT], procs_v2[K_COUNT], procs_v1[K_COUNT];
    hmn_nvml_any_fn conf_compute_mem;
};

/* Names newest-first; the first one the library exports wins. */
struct sym_entry {
    const char *names[3];
    size_t offset;
    int required;
};

#define SYM(field, req, ...) {{__VA_ARGS__}, offsetof(struct nvml_fns, field), req}

static const struct sym_entry sym_table[] = {
    SYM(init, 1, "nvmlInit_v2", "nvmlInit"),
    SYM(shutdown, 1, "nvmlShutdown"),
    SYM(count, 1, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"),
    SYM(handle, 1, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"),
    SYM(error_string, 0, "nvmlErrorString"),
    SYM(driver_version, 0, "nvmlSystemGetDriverVersion"),
    SYM(nvml_version, 0, "nvmlSystemGetNVMLVersion"),
    SYM(cuda_version, 0, "nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"),
    SYM(name, 0, "nvmlDeviceGetName"),
    SYM(uuid, 0, "nvmlDeviceGetUUID"),
    SYM(pci, 0, "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2", "nvmlDeviceGetPciInfo"),
    SYM(mem_v1, 0, "nvmlDeviceGetMemoryInfo"),
    SYM(mem_v2, 0, "nvmlDeviceGetMemoryInfo_v2"),
    SYM(mig_mode, 0, "nvmlDeviceGetMigMode"),
    SYM(max_mig, 0, "nvmlDeviceGetMaxMigDeviceCount"),
    SYM(mig_handle, 0, "nvmlDeviceGetMigDeviceHandleByIndex"),
    SYM(gi_id, 0, "nvmlDeviceGetGpuInstanceId"),
    SYM(ci_id, 0, "nvmlDeviceGetComputeInstanceId"),
    SYM(detail_list, 0, "nvmlDeviceGetRunningProcessDetailList"),
    SYM(conf_compute_mem, 0, "nvmlDeviceGetConfComputeMemSizeInfo"),
    SYM(procs_v3[K_COMPUTE], 0, "nvmlDeviceGetComputeRunningProcesses_v3"),
    SYM(procs_v3[K_GRAPHICS], 0, "nvmlDeviceGetGraphicsRunningProcesses_v3"),
    SYM(procs_v3[K_MPS], 0, "nvmlDeviceGetMPSComputeRunningProcesses_v3"),
    SYM(procs_v2[K_COMPUTE], 0, "nvmlDeviceGetComputeRunningProcesses_v2"),
    SYM(procs_v2[K_GRAPHICS], 0, "nvmlDeviceGetGraphicsRunningProcesses_v2"),
    SYM(procs_v2[K_MPS], 0, "nvmlDeviceGetMPSComputeRunningProcesses_v2"),
    SYM(procs_v1[K_COMPUTE], 0, "nvmlDeviceGetComputeRunningProcesses"),
    SYM(procs_v1[K_GRAPHICS], 0, "nvmlDeviceGetGraphicsRunningProcesses"),
    SYM(procs_v1[K_MPS], 0, "nvmlDeviceGetMPSComputeRunningProcesses"),
};

/* Which process API this library gets (newest available). */
enum proc_api { API_DETAIL, API_V3, API_V2, API_V1, API_NONE };
static const char *const api_names[] = {"nvmlDeviceGetRunningProcessDetailList",
                                        "_v3 process calls", "_v2 process calls",
                                        "unsuffixed process calls", "none"};

struct nvml_state {
    hmn__dl *dl;
    int initialised;
    struct nvml_fns fn;
    enum proc_api api;
    size_t v3_stride; /* guessed row size of the _v3 calls (24 or 32) */
    char lib[512];    /* the file that was loaded */
};

/* One row before merging. */
struct raw_row {
    uint32_t pid, gi, ci;
    uint64_t used;
};

/* ---------------------------------------------------------------- loading */

/* Candidate files, in order.  An explicit path is the only candidate. */
static size_t lib_candidates(const hmn_ctx *ctx, char out[][512], size_t max)
{
    size_t n = 0;
    if (ctx->nvml_path[0]) {
        hmn__strlcpy(out[n++], ctx->nvml_path, 512);
        return n;
    }
#if defined(_WIN32)
    {
        /* Full paths only: the default DLL search order invites planting.
         * System32 comes from the OS, not from %SystemRoot%. */
        char sys[400];
        const char *pf = hmn__getenv("ProgramFiles");
        if (hmn__system_dir(sys, sizeof(sys)) == HMN_OK && n < max)
            hmn__snprintf(out[n++], 512, "%s\\nvml.dll", sys);
        if (pf && n < max)
            hmn__snprintf(out[n++], 512, "%s\\NVIDIA Corporation\\NVSMI\\nvml.dll", pf);
    }
#else
    hmn__strlcpy(out[n++], "libnvidia-ml.so.1", 512);
    if (n < max)
        hmn__strlcpy(out[n++], "/usr/lib/wsl/lib/libnvidia-ml.so.1", 512);
#endif
    return n;
}

static int load_library(hmn_ctx *ctx, struct nvml_state *st, char *reason, size_t cap)
{
    char cand[2][512], err[256];
    size_t n = lib_candidates(ctx, cand, 2), i;
    if (n == 0) {
        hmn__snprintf(reason, cap, "nvml.dll: no System32 folder and ProgramFiles is unset");
        return HMN_ENODRIVER;
    }
    for (i = 0; i < n; i++) {
        st->dl = hmn__dl_open(cand[i], err, sizeof(err));
        if (st->dl) {
            hmn__strlcpy(st->lib, cand[i], sizeof(st->lib));
            return HMN_OK;
        }
        hmn__debug(ctx, "[NVML debug] load %s: %s", cand[i], err);
        if (i == 0) /* the first candidate's error is the one users recognise */
            hmn__strlcpy(reason, err, cap);
    }
    return HMN_ENODRIVER;
}

static int resolve_symbols(struct nvml_state *st, char *reason, size_t cap)
{
    size_t i, k;
    for (i = 0; i < HMN__ARRAY_LEN(sym_table); i++) {
        const struct sym_entry *e = &sym_table[i];
        void *p = NULL;
        for (k = 0; k < HMN__ARRAY_LEN(e->names) && e->names[k] && !p; k++)
            p = hmn__dl_sym(st->dl, e->names[k]);
        /* Function pointers are stored through memcpy: no object/function cast. */
        memcpy((char *)&st->fn + e->offset, &p, sizeof(p));
        if (!p && e->required) {
            hmn__snprintf(reason, cap, "%s: required symbol %s missing", st->lib, e->names[0]);
            return HMN_EBACKEND;
        }
    }
    return HMN_OK;
}

static const char *nvml_err(const struct nvml_state *st, hmn_nvmlReturn_t r)
{
    const char *s = st->fn.error_string ? st->fn.error_string(r) : NULL;
    return s && s[0] ? s : "error";
}

/*
 * R535.43 to R535.98 wrote 32-byte rows through `_v3` without a version
 * bump.  Those drivers had ConfComputeMemSizeInfo but not yet the detail
 * list; every other driver with `_v3` uses 24 bytes.
 */
static void choose_process_api(hmn_ctx *ctx, struct nvml_state *st)
{
    const struct nvml_fns *f = &st->fn;
    st->v3_stride = sizeof(hmn_nvmlProcessInfo_v2_t);
    if (f->detail_list)
        st->api = API_DETAIL;
    else if (f->procs_v3[K_COMPUTE])
        st->api = API_V3;
    else if (f->procs_v2[K_COMPUTE])
        st->api = API_V2;
    else if (f->procs_v1[K_COMPUTE])
        st->api = API_V1;
    else
        st->api = API_NONE;
    if (f->procs_v3[K_COMPUTE] && f->conf_compute_mem && !f->detail_list)
        st->v3_stride = sizeof(hmn_nvmlProcessDetail_v1_t);
    hmn__debug(ctx, "[NVML debug] process api: %s, _v3 stride %u", api_names[st->api],
               (unsigned)st->v3_stride);
}

static int init_library(hmn_ctx *ctx, struct nvml_state *st, char *reason, size_t cap)
{
    hmn_nvmlReturn_t r = st->fn.init();
    const char *which = hmn__dl_sym(st->dl, "nvmlInit_v2") ? "nvmlInit_v2" : "nvmlInit";
    hmn__debug(ctx, "[NVML debug] %s -> %d", which, r);
    if (r != HMN_NVML_SUCCESS) {
        hmn__snprintf(reason, cap, "%s failed: %s (%d)", which, nvml_err(st, r), r);
        return (r == HMN_NVML_ERROR_DRIVER_NOT_LOADED || r == HMN_NVML_ERROR_LIBRARY_NOT_FOUND ||
                r == HMN_NVML_ERROR_LIB_RM_VERSION_MISMATCH)
                   ? HMN_ENODRIVER
                   : HMN_EBACKEND;
    }
    st->initialised = 1;
    return HMN_OK;
}

static int nvml_open(hmn_ctx *ctx, void **state, char *reason, size_t cap)
{
    struct nvml_state *st = calloc(1, sizeof(*st));
    int rc;
    *state = st;
    if (!st) {
        hmn__snprintf(reason, cap, "out of memory");
        return HMN_ENOMEM;
    }
    rc = load_library(ctx, st, reason, cap);
    if (rc == HMN_OK)
        rc = resolve_symbols(st, reason, cap);
    if (rc == HMN_OK)
        rc = init_library(ctx, st, reason, cap);
    if (rc != HMN_OK)
        return rc;
    choose_process_api(ctx, st);
    hmn__snprintf(reason, cap, "%s loaded", st->lib);
    return HMN_OK;
}

static void nvml_close(hmn_ctx *ctx, void *state)
{
    struct nvml_state *st = state;
    (void)ctx;
    if (!st)
        return;
    if (st->initialised)
        (void)st->fn.shutdown();
    if (st->dl)
        hmn__dl_close(st->dl);
    free(st);
}

/* ---------------------------------------------------------------- devices */

/* NVML's failure as an hmn error with a message naming the call. */
static int fail_nvml(hmn_ctx *ctx, const struct nvml_state *st, const char *call,
                     hmn_nvmlReturn_t r)
{
    int code = r == HMN_NVML_ERROR_NO_PERMISSION ? HMN_EACCES : HMN_EBACKEND;
    return hmn__fail(ctx, code, "%s failed: %s (%d)", call, nvml_err(st, r), r);
}

static int get_handle(hmn_ctx *ctx, const struct nvml_state *st, uint32_t index,
                      hmn_nvmlDevice_t *h)
{
    hmn_nvmlReturn_t r = st->fn.handle(index, h);
    if (r != HMN_NVML_SUCCESS)
        return fail_nvml(ctx, st, "nvmlDeviceGetHandleByIndex", r);
    return HMN_OK;
}

/* Normalised "0000:0c:00.0" from the numbers (the text form differs by version). */
static int pci_bus_id(const struct nvml_state *st, hmn_nvmlDevice_t h, char *buf, size_t cap,
                      hmn_nvmlPciInfo_t *pci)
{
    memset(pci, 0, sizeof(*pci));
    if (!st->fn.pci || st->fn.pci(h, pci) != HMN_NVML_SUCCESS)
        return HMN_ENOENT;
    hmn__snprintf(buf, cap, "%04x:%02x:%02x.0", pci->domain & 0xffffu, pci->bus & 0xffu,
                  pci->device & 0x1fu);
    return HMN_OK;
}

static int nvml_enumerate(hmn_ctx *ctx, void *state, struct hmn__devtab *tab)
{
    struct nvml_state *st = state;
    unsigned int count = 0, i;
    hmn_nvmlReturn_t r = st->fn.count(&count);
    hmn__debug(ctx, "[NVML debug] nvmlDeviceGetCount -> %d, count %u", r, count);
    if (r != HMN_NVML_SUCCESS)
        return fail_nvml(ctx, st, "nvmlDeviceGetCount", r);
    for (i = 0; i < count; i++) {
        struct hmn__dev d;
        hmn_nvmlDevice_t h;
        hmn_nvmlPciInfo_t pci;
        memset(&d, 0, sizeof(d));
        d.backend = HMN__BK_NVML;
        d.local_index = i;
        d.vendor = HMN_VENDOR_NVIDIA;
        /* A device we may not open still takes its index (NVML order is the contract). */
        if (st->fn.handle(i, &h) == HMN_NVML_SUCCESS)
            (void)pci_bus_id(st, h, d.pci_bus_id, sizeof(d.pci_bus_id), &pci);
        if (hmn__devtab_add(tab, &d) != HMN_OK)
            break;
    }
    return HMN_OK;
}

/*
 * A driver can answer "not available" (all ones) or garbage for single
 * figures, and UMA parts report total 0: such a figure is unknown, not a
 * number.  Nothing can exceed the total.
 */
static void sanitize_memory(hmn_ctx *ctx, hmn_gpu_device_info *out)
{
    static const struct {
        uint64_t bit;
        size_t offset;
    } parts[] = {{HMN_DEV_HAS_FREE, offsetof(hmn_gpu_device_info, free_bytes)},
                 {HMN_DEV_HAS_USED, offsetof(hmn_gpu_device_info, used_bytes)},
                 {HMN_DEV_HAS_RESERVED, offsetof(hmn_gpu_device_info, reserved_bytes)}};
    size_t i;
    if (out->total_bytes == 0 || out->total_bytes == UINT64_MAX) {
        out->valid &= ~(uint64_t)(HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED |
                                  HMN_DEV_HAS_RESERVED);
        hmn__debug(ctx, "[NVML debug] device total %llu: memory figures unknown",
                   (unsigned long long)out->total_bytes);
        return;
    }
    for (i = 0; i < HMN__ARRAY_LEN(parts); i++) {
        uint64_t v;
        memcpy(&v, (const char *)out + parts[i].offset, sizeof(v));
        if ((out->valid & parts[i].bit) && v > out->total_bytes)
            out->valid &= ~parts[i].bit;
    }
}

/* Device memory: v2 (reserved split out) when the driver takes it, else v1. */
static void fill_memory(hmn_ctx *ctx, const struct nvml_state *st, hmn_nvmlDevice_t h,
                        hmn_gpu_device_info *out)
{
    hmn_nvmlMemory_v2_t m2;
    hmn_nvmlMemory_t m1;
    hmn_nvmlReturn_t r = HMN_NVML_ERROR_FUNCTION_NOT_FOUND;
    if (st->fn.mem_v2) {
        memset(&m2, 0, sizeof(m2));
        m2.version = HMN_NVML_MEMORY_V2_VERSION;
        r = st->fn.mem_v2(h, &m2);
        hmn__debug(ctx,
                   "[NVML debug] nvmlDeviceGetMemoryInfo_v2 -> %d total=%llu reserved=%llu "
                   "free=%llu used=%llu",
                   r, m2.total, m2.reserved, m2.free, m2.used);
    }
    if (r == HMN_NVML_SUCCESS) {
        out->total_bytes = m2.total;
        out->free_bytes = m2.free;
        out->used_bytes = m2.used;
        out->reserved_bytes = m2.reserved;
        out->memory_api = HMN_MEMORY_API_NVML_V2;
        out->valid |= HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED |
                      HMN_DEV_HAS_RESERVED;
        sanitize_memory(ctx, out);
        return;
    }
    if (!st->fn.mem_v1 || (r = st->fn.mem_v1(h, &m1)) != HMN_NVML_SUCCESS) {
        hmn__debug(ctx, "[NVML debug] no memory figures (last code %d)", r);
        return;
    }
    hmn__debug(ctx, "[NVML debug] nvmlDeviceGetMemoryInfo (v1) total=%llu free=%llu used=%llu",
               m1.total, m1.free, m1.used);
    out->total_bytes = m1.total;
    out->free_bytes = m1.free;
    out->used_bytes = m1.used;
    out->memory_api = HMN_MEMORY_API_NVML_V1; /* used includes reserved; reserved unknown */
    out->valid |= HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED;
    sanitize_memory(ctx, out);
}

/* A driver string into a fixed field: NUL-terminated, valid UTF-8 or dropped. */
static int take_string(hmn_nvmlReturn_t r, char *tmp, size_t tmpcap, char *dst, size_t cap)
{
    size_t n;
    if (r != HMN_NVML_SUCCESS)
        return 0;
    tmp[tmpcap - 1] = '\0';
    n = strlen(tmp);
    if (n == 0 || !hmn__utf8_valid(tmp, n))
        return 0;
    hmn__strlcpy(dst, tmp, cap);
    return 1;
}

static void fill_strings(const struct nvml_state *st, hmn_nvmlDevice_t h,
                         hmn_gpu_device_info *out)
{
    char tmp[HMN_NVML_DEVICE_NAME_V2_BUFFER_SIZE];
    const struct nvml_fns *f = &st->fn;
    if (f->name && take_string(f->name(h, tmp, sizeof(tmp)), tmp, sizeof(tmp), out->name,
                               sizeof(out->name)))
        out->valid |= HMN_DEV_HAS_NAME;
    if (f->uuid && take_string(f->uuid(h, tmp, sizeof(tmp)), tmp, sizeof(tmp), out->uuid,
                               sizeof(out->uuid)))
        out->valid |= HMN_DEV_HAS_UUID;
    if (f->driver_version &&
        take_string(f->driver_version(tmp, HMN_NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE), tmp,
                    HMN_NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE, out->driver_version,
                    sizeof(out->driver_version)))
        out->valid |= HMN_DEV_HAS_DRIVER_VERSION;
    if (f->nvml_version &&
        take_string(f->nvml_version(tmp, HMN_NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE), tmp,
                    HMN_NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE, out->nvml_version,
                    sizeof(out->nvml_version)))
        out->valid |= HMN_DEV_HAS_NVML_VERSION;
}

/* MIG slots hold holes: instance i is the i-th slot with a handle. */
static int mig_nth(const struct nvml_state *st, hmn_nvmlDevice_t h, uint32_t want,
                   hmn_nvmlDevice_t *mig, uint32_t *count)
{
    unsigned int max = 0, slot;
    uint32_t seen = 0;
    if (!st->fn.max_mig || !st->fn.mig_handle ||
        st->fn.max_mig(h, &max) != HMN_NVML_SUCCESS)
        return HMN_EUNSUPPORTED;
    for (slot = 0; slot < max && slot < 64; slot++) {
        hmn_nvmlDevice_t m;
        if (st->fn.mig_handle(h, slot, &m) != HMN_NVML_SUCCESS)
            continue;
        if (seen == want && mig) {
            *mig = m;
            return HMN_OK;
        }
        seen++;
    }
    if (count)
        *count = seen;
    return mig ? HMN_ERANGE : HMN_OK;
}

static void fill_mig_mode(hmn_ctx *ctx, const struct nvml_state *st, hmn_nvmlDevice_t h,
                          hmn_gpu_device_info *out)
{
    unsigned int cur = 0, pending = 0;
    hmn_nvmlReturn_t r;
    if (!st->fn.mig_mode)
        return;
    r = st->fn.mig_mode(h, &cur, &pending);
    hmn__debug(ctx, "[NVML debug] nvmlDeviceGetMigMode -> %d current=%u pending=%u", r, cur,
               pending);
    if (r != HMN_NVML_SUCCESS) /* NOT_SUPPORTED on pre-Ampere: mode unknown */
        return;
    out->mig_mode = cur == HMN_NVML_DEVICE_MIG_ENABLE;
    out->valid |= HMN_DEV_HAS_MIG_MODE;
    if (out->mig_mode)
        (void)mig_nth(st, h, 0, NULL, &out->mig_instance_count);
}

static void fill_system(const struct nvml_state *st, hmn_gpu_device_info *out)
{
    int cuda = 0;
    if (st->fn.cuda_version && st->fn.cuda_version(&cuda) == HMN_NVML_SUCCESS && cuda > 0) {
        out->cuda_driver_version = cuda;
        out->valid |= HMN_DEV_HAS_CUDA_DRIVER_VERSION;
    }
    hmn__strlcpy(out->driver_name, "nvidia", sizeof(out->driver_name));
}

static int nvml_device_info(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                            hmn_gpu_device_info *out)
{
    struct nvml_state *st = state;
    hmn_nvmlDevice_t h;
    hmn_nvmlPciInfo_t pci;
    int rc = get_handle(ctx, st, dev->local_index, &h);
    if (rc < 0)
        return rc;
    out->source = HMN_SOURCE_NVML;
    out->vendor = HMN_VENDOR_NVIDIA;
    fill_memory(ctx, st, h, out);
    fill_strings(st, h, out);
    if (pci_bus_id(st, h, out->pci_bus_id, sizeof(out->pci_bus_id), &pci) == HMN_OK) {
        out->valid |= HMN_DEV_HAS_PCI_BUS_ID | HMN_DEV_HAS_PCI_IDS;
        out->pci_vendor_id = pci.pciDeviceId & 0xffffu;
        out->pci_device_id = pci.pciDeviceId >> 16;
    }
    fill_system(st, out);
    fill_mig_mode(ctx, st, h, out);
    if (!(out->valid & HMN_DEV_HAS_TOTAL))
        return hmn__fail(ctx, HMN_EBACKEND, "NVML gave no memory figures for device %u",
                         dev->local_index);
    return HMN_OK;
}

static int nvml_mig(hmn_ctx *ctx, void *state, const struct hmn__dev *dev, uint32_t i,
                    hmn_mig_info *out)
{
    struct nvml_state *st = state;
    hmn_nvmlDevice_t h, m;
    hmn_nvmlMemory_t mem;
    unsigned int id;
    char tmp[HMN_NVML_DEVICE_NAME_V2_BUFFER_SIZE];
    int rc = get_handle(ctx, st, dev->local_index, &h);
    if (rc < 0)
        return rc;
    rc = mig_nth(st, h, i, &m, NULL);
    if (rc == HMN_EUNSUPPORTED)
        return hmn__fail(ctx, rc, "this NVML library cannot list MIG instances");
    if (rc < 0)
        return hmn__fail(ctx, HMN_ERANGE, "device %u has no MIG instance %u", dev->local_index, i);
    out->index = i;
    out->gpu_instance_id = out->compute_instance_id = UINT32_MAX;
    if (st->fn.gi_id && st->fn.gi_id(m, &id) == HMN_NVML_SUCCESS)
        out->gpu_instance_id = id;
    if (st->fn.ci_id && st->fn.ci_id(m, &id) == HMN_NVML_SUCCESS)
        out->compute_instance_id = id;
    if (st->fn.mem_v1 && st->fn.mem_v1(m, &mem) == HMN_NVML_SUCCESS) {
        out->total_bytes = mem.total;
        out->free_bytes = mem.free;
        out->used_bytes = mem.used;
        out->valid |= HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED;
    }
    if (st->fn.name && take_string(st->fn.name(m, tmp, sizeof(tmp)), tmp, sizeof(tmp), out->name,
                                   sizeof(out->name)))
        out->valid |= HMN_DEV_HAS_NAME;
    if (st->fn.uuid && take_string(st->fn.uuid(m, tmp, sizeof(tmp)), tmp, sizeof(tmp), out->uuid,
                                   sizeof(out->uuid)))
        out->valid |= HMN_DEV_HAS_UUID;
    return HMN_OK;
}

/* ---------------------------------------------------------------- processes */

/* One call of the process API `api` for `kind`, rows written to buf. */
static hmn_nvmlReturn_t call_procs(const struct nvml_state *st, enum proc_api api,
                                   hmn_nvmlDevice_t h, int kind, unsigned int *n, void *buf)
{
    static const unsigned int modes[K_COUNT] = {HMN_NVML_PROCESS_MODE_COMPUTE,
                                                HMN_NVML_PROCESS_MODE_GRAPHICS,
                                                HMN_NVML_PROCESS_MODE_MPS};
    hmn_nvml_procs_fn f = NULL;
    if (api == API_DETAIL) {
        hmn_nvmlProcessDetailList_v1_t list;
        hmn_nvmlReturn_t r;
        memset(&list, 0, sizeof(list));
        list.version = HMN_NVML_PROCESS_DETAIL_LIST_V1_VERSION;
        list.mode = modes[kind];
        list.numProcArrayEntries = *n;
        list.procArray = buf;
        r = st->fn.detail_list(h, &list);
        *n = list.numProcArrayEntries;
        return r;
    }
    if (api == API_V3)
        f = st->fn.procs_v3[kind];
    else if (api == API_V2)
        f = st->fn.procs_v2[kind];
    else if (api == API_V1)
        f = st->fn.procs_v1[kind];
    if (!f)
        return HMN_NVML_ERROR_FUNCTION_NOT_FOUND;
    return f(h, n, buf);
}

static size_t api_stride(const struct nvml_state *st, enum proc_api api)
{
    switch (api) {
    case API_DETAIL:
        return sizeof(hmn_nvmlProcessDetail_v1_t);
    case API_V3:
        return st->v3_stride;
    case API_V2:
        return sizeof(hmn_nvmlProcessInfo_v2_t);
    default:
        return sizeof(hmn_nvmlProcessInfo_v1_t);
    }
}

/* Decode n rows of the given stride (the field offsets are common to all). */
static void decode_rows(const unsigned char *buf, size_t n, size_t stride, struct raw_row *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const unsigned char *p = buf + i * stride;
        hmn_nvmlProcessInfo_v2_t r2;
        out[i].gi = out[i].ci = UINT32_MAX;
        if (stride >= sizeof(hmn_nvmlProcessInfo_v2_t)) {
            memcpy(&r2, p, sizeof(r2));
            out[i].gi = r2.gpuInstanceId;
            out[i].ci = r2.computeInstanceId;
        } else {
            memcpy(&r2, p, sizeof(hmn_nvmlProcessInfo_v1_t));
        }
        out[i].pid = r2.pid;
        out[i].used = r2.usedGpuMemory;
    }
}

/* Plausible row: a real PID, memory within the device, sane MIG ids. */
static int row_plausible(const struct raw_row *r, uint64_t total)
{
    if (r->pid == 0 || r->pid > 0x3fffffffu)
        return 0;
    if (r->used != HMN_NVML_VALUE_NOT_AVAILABLE_ULL && total && r->used > total)
        return 0;
    if ((r->gi != UINT32_MAX && r->gi > 64) || (r->ci != UINT32_MAX && r->ci > 64))
        return 0;
    return 1;
}

static int rows_plausible(const struct raw_row *rows, size_t n, uint64_t total)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!row_plausible(&rows[i], total))
            return 0;
    return 1;
}

/*
 * The INSUFFICIENT_SIZE protocol: ask for the count with an empty buffer,
 * allocate with headroom (processes come and go), retry a bounded number of
 * times.  The buffer always has room for the largest stride.
 */
static int fetch_raw(hmn_ctx *ctx, const struct nvml_state *st, enum proc_api api,
                     hmn_nvmlDevice_t h, int kind, unsigned char **buf, unsigned int *n,
                     hmn_nvmlReturn_t *last)
{
    unsigned int want = 0;
    int attempt;
    hmn_nvmlReturn_t r = call_procs(st, api, h, kind, &want, NULL);
    *buf = NULL;
    *n = 0;
    *last = r;
    if (r == HMN_NVML_SUCCESS)
        return HMN_OK; /* nobody */
    for (attempt = 0; attempt < NVML_RETRIES && r == HMN_NVML_ERROR_INSUFFICIENT_SIZE; attempt++) {
        unsigned int cap = want > (NVML_MAX_ROWS - 5) / 2 ? NVML_MAX_ROWS : want * 2 + 5;
        unsigned char *b;
        if (want > NVML_MAX_ROWS)
            return hmn__fail(ctx, HMN_EBACKEND, "NVML reports %u processes: refusing", want);
        b = calloc(cap, NVML_MAX_STRIDE);
        if (!b)
            return hmn__fail(ctx, HMN_ENOMEM, "out of memory for %u NVML process rows", cap);
        want = cap;
        r = call_procs(st, api, h, kind, &want, b);
        *last = r;
        hmn__debug(ctx, "[NVML debug] %s kind %d attempt %d -> %d, %u rows", api_names[api], kind,
                   attempt, r, want);
        if (r == HMN_NVML_SUCCESS) {
            *buf = b;
            *n = HMN__MIN(want, cap);
            return HMN_OK;
        }
        free(b);
    }
    if (r == HMN_NVML_ERROR_INSUFFICIENT_SIZE)
        return hmn__fail(ctx, HMN_EBACKEND,
                         "NVML process list kept growing: gave up after %d attempts", NVML_RETRIES);
    return fail_nvml(ctx, st, api_names[api], r);
}

/* Rows of one kind, validated; the other `_v3` stride is tried if they look wrong. */
static int fetch_kind(hmn_ctx *ctx, struct nvml_state *st, hmn_nvmlDevice_t h, int kind,
                      uint64_t total, struct raw_row **rows, size_t *n, hmn_nvmlReturn_t *last)
{
    unsigned char *buf;
    unsigned int cnt;
    int rc = fetch_raw(ctx, st, st->api, h, kind, &buf, &cnt, last);
    *rows = NULL;
    *n = 0;
    if (rc < 0 || cnt == 0) {
        free(buf); /* a retry can succeed with zero rows: the processes exited meanwhile */
        return rc;
    }
    *rows = calloc(cnt, sizeof(**rows));
    if (!*rows) {
        free(buf);
        return hmn__fail(ctx, HMN_ENOMEM, "out of memory");
    }
    decode_rows(buf, cnt, api_stride(st, st->api), *rows);
    if (st->api == API_V3 && !rows_plausible(*rows, cnt, total)) {
        size_t other = st->v3_stride == sizeof(hmn_nvmlProcessInfo_v2_t)
                           ? sizeof(hmn_nvmlProcessDetail_v1_t)
                           : sizeof(hmn_nvmlProcessInfo_v2_t);
        struct raw_row *alt = calloc(cnt, sizeof(*alt));
        if (alt) {
            decode_rows(buf, cnt, other, alt);
            if (rows_plausible(alt, cnt, total)) {
                hmn__debug(ctx, "[NVML debug] _v3 rows only make sense with a %u-byte stride",
                           (unsigned)other);
                st->v3_stride = other; /* remember for this library */
                free(*rows);
                *rows = alt;
                alt = NULL;
            }
            free(alt);
        }
    }
    free(buf);
    *n = cnt;
    return HMN_OK;
}

/* Merge one row: compute + graphics of the same PID are the same memory. */
static int merge_row(struct hmn__proc_vec *pv, const struct raw_row *r, uint32_t kind_bit,
                     uint64_t total)
{
    hmn_gpu_process *row = hmn__proc_vec_find(pv, r->pid);
    int known = r->used != HMN_NVML_VALUE_NOT_AVAILABLE_ULL && (!total || r->used <= total);
    if (!row) {
        row = hmn__proc_vec_push(pv);
        if (!row)
            return HMN_ENOMEM;
        row->pid = r->pid;
        row->source = HMN_SOURCE_NVML;
        row->gpu_instance_id = r->gi;
        row->compute_instance_id = r->ci;
    }
    row->kinds |= kind_bit;
    if (known && (!(row->valid & HMN_PROC_HAS_USED) || r->used > row->used_bytes)) {
        row->used_bytes = r->used;
        row->valid |= HMN_PROC_HAS_USED;
    }
    return HMN_OK;
}

static uint64_t device_total(const struct nvml_state *st, hmn_nvmlDevice_t h)
{
    hmn_nvmlMemory_t m;
    if (st->fn.mem_v1 && st->fn.mem_v1(h, &m) == HMN_NVML_SUCCESS)
        return m.total;
    return 0; /* unknown: no plausibility check on memory */
}

/* Whether the chosen API level has a call for this kind (MPS came later). */
static int kind_available(const struct nvml_state *st, int kind)
{
    switch (st->api) {
    case API_DETAIL:
        return 1;
    case API_V3:
        return st->fn.procs_v3[kind] != NULL;
    case API_V2:
        return st->fn.procs_v2[kind] != NULL;
    case API_V1:
        return st->fn.procs_v1[kind] != NULL;
    default:
        return 0;
    }
}

/* Every process on the device, merged by PID, host PIDs as the driver gave them. */
static int list_raw(hmn_ctx *ctx, struct nvml_state *st, const struct hmn__dev *dev,
                    struct hmn__proc_vec *pv)
{
    static const uint32_t kind_bits[K_COUNT] = {HMN_PROC_KIND_COMPUTE, HMN_PROC_KIND_GRAPHICS,
                                                HMN_PROC_KIND_MPS};
    hmn_nvmlDevice_t h;
    uint64_t total;
    int kind, rc = get_handle(ctx, st, dev->local_index, &h);
    if (rc < 0)
        return rc;
    if (st->api == API_NONE)
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "%s has no process-list call", st->lib);
    total = device_total(st, h);
    for (kind = 0; kind < K_COUNT && rc == HMN_OK; kind++) {
        struct raw_row *rows;
        size_t n, i;
        hmn_nvmlReturn_t last;
        if (!kind_available(st, kind))
            continue;
        rc = fetch_kind(ctx, st, h, kind, total, &rows, &n, &last);
        if (rc < 0 && kind != K_COMPUTE && (last == HMN_NVML_ERROR_NOT_SUPPORTED ||
                                            last == HMN_NVML_ERROR_FUNCTION_NOT_FOUND)) {
            rc = HMN_OK; /* graphics/MPS list not offered here: that list is simply absent */
            continue;
        }
        for (i = 0; i < n && rc == HMN_OK; i++) {
            hmn__debug(ctx, "[NVML debug] kind %d pid %u used %llu gi %u ci %u", kind,
                       rows[i].pid, (unsigned long long)rows[i].used, rows[i].gi, rows[i].ci);
            rc = merge_row(pv, &rows[i], kind_bits[kind], total);
        }
        free(rows);
    }
    if (rc == HMN_ENOMEM)
        hmn__fail(ctx, rc, "out of memory");
    return rc;
}

static int nvml_processes(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                          struct hmn__proc_vec *out)
{
    int rc = list_raw(ctx, state, dev, out);
    if (rc < 0)
        return rc;
    hmn__proc_resolve_rows(ctx, out, 1);
    return HMN_OK;
}

static hmn_gpu_process *find_self(hmn_ctx *ctx, struct hmn__proc_vec *pv)
{
    uint32_t me = hmn__getpid();
    hmn_gpu_process *row = hmn__proc_vec_find(pv, me);
    size_t i;
    if (row || pv->n == 0)
        return row;
    /* In a PID namespace the driver's host PID differs from ours: map, then look. */
    hmn__proc_resolve_rows(ctx, pv, 0);
    for (i = 0; i < pv->n; i++)
        if (pv->v[i].pid == me && !(pv->v[i].valid & HMN_PROC_PID_UNMAPPED))
            return &pv->v[i];
    return NULL;
}

/* Our own row; a negative code (not ENOGPU) lets the dispatcher fall back to nvidia-smi. */
static int nvml_self_gpu(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                         hmn_process_gpu *out)
{
    struct hmn__proc_vec pv;
    hmn_gpu_process *row;
    int rc;
    hmn__proc_vec_init(&pv);
    rc = list_raw(ctx, state, dev, &pv);
    if (rc == HMN_OK) {
        row = find_self(ctx, &pv);
        if (!row)
            rc = hmn__fail(ctx, HMN_ENOENT, "NVML lists no GPU memory for this process");
        else if (!(row->valid & HMN_PROC_HAS_USED))
            rc = hmn__fail(ctx, HMN_ENOENT, "NVML reports this process's GPU memory as not available");
        else {
            out->source = HMN_SOURCE_NVML;
            out->used_bytes = row->used_bytes;
            out->valid |= HMN_PGPU_HAS_USED;
            out->is_per_process = 1;
        }
    }
    hmn__proc_vec_free(&pv);
    return rc;
}

const struct hmn__backend hmn__backend_nvml = {
    .open = nvml_open,
    .close = nvml_close,
    .enumerate = nvml_enumerate,
    .device_info = nvml_device_info,
    .self_gpu = nvml_self_gpu,
    .processes = nvml_processes,
    .mig = nvml_mig,
};
