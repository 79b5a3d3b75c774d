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
 *    the other stride is tried when validation fails (parse/nvml_rows.c).
 *    The buffer is always sized for the larger stride so a wrong guess
 *    cannot overflow it.
 *  - Compute, graphics and MPS lists overlap: rows are merged by PID, the
 *    memory is the larger figure, never the sum.
 *  - usedGpuMemory == all ones means "not available": the row stays, its
 *    figure is unknown.  A figure above the device total is garbage: same.
 *  - INSUFFICIENT_SIZE: bounded retry with headroom, no 64-process cap.
 */
#include "backends/nvml.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
    SYM(accounting_mode, 0, "nvmlDeviceGetAccountingMode"),
    SYM(accounting_stats, 0, "nvmlDeviceGetAccountingStats"),
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
    hmn__debug(ctx, "[NVML debug] process api: %s, _v3 stride %u",
               hmn__nvml_api_name(st->api), (unsigned)st->v3_stride);
}

static int init_library(hmn_ctx *ctx, struct nvml_state *st, char *reason, size_t cap)
{
    hmn_nvmlReturn_t r = st->fn.init();
    const char *which = hmn__dl_sym(st->dl, "nvmlInit_v2") ? "nvmlInit_v2" : "nvmlInit";
    hmn__debug(ctx, "[NVML debug] %s -> %d", which, r);
    if (r != HMN_NVML_SUCCESS) {
        hmn__snprintf(reason, cap, "%s failed: %s (%d)", which, hmn__nvml_err(st, r), r);
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
        return hmn__nvml_fail(ctx, st, "nvmlDeviceGetCount", r);
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
        /* All ones ("not available"), a UMA part's total 0, a figure above the
         * total: the dispatcher's one rule makes them unknown (core/plausible.c). */
        out->valid |= HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED |
                      HMN_DEV_HAS_RESERVED;
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
    hmn__copy_text(dst, cap, tmp, n);
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
    int rc = hmn__nvml_handle(ctx, st, dev->local_index, &h);
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
    /* Without memory figures the device is still named and listed (n/a). */
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
    int rc = hmn__nvml_handle(ctx, st, dev->local_index, &h);
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

const struct hmn__backend hmn__backend_nvml = {
    .open = nvml_open,
    .close = nvml_close,
    .enumerate = nvml_enumerate,
    .device_info = nvml_device_info,
    .self_gpu = hmn__nvml_self_gpu,
    .processes = hmn__nvml_processes,
    .mig = nvml_mig,
    .accounting = hmn__nvml_accounting,
};
