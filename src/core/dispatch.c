/*
 * core/dispatch.c - which backend answers which question, and the fallbacks.
 *
 * The context holds one device table: NVIDIA GPUs first in NVML order (from
 * nvidia-smi when NVML is unusable - upstream has no such fallback for the
 * count, we do), then DXGI adapters on Windows, then DRM cards on Linux that
 * were not already listed (matched by PCI bus id).  Every query looks the
 * index up there and asks the owning backend, falling back along the chain
 * documented per function below.
 */
#include "backend.h"
#include "core/abi.h"
#include "core/dispatch.h"

#include <stdlib.h>
#include <string.h>

/* Upstream's exact Display text for NoGpuSource (Linux and Windows). */
static const char no_gpu_text[] =
    "no GPU measurement source available (NVML, DXGI, PDH, and nvidia-smi all failed or are "
    "disabled)";

/* GPU backends in the order they are asked to enumerate. */
static const int enum_order[] = {HMN__BK_NVML, HMN__BK_SMI, HMN__BK_DXGI, HMN__BK_DRM};

static int enumerate_one(hmn_ctx *ctx, int id, struct hmn__devtab *tab)
{
    const struct hmn__backend *ops = hmn__backend_ops(id);
    struct hmn__bk_slot *slot = &ctx->bk[id];
    uint32_t before = tab->count;
    int rc;
    if (!ops || !ops->enumerate || !hmn__backend_ready(ctx, id))
        return HMN_ENOGPU;
    rc = ops->enumerate(ctx, slot->state, tab);
    if (rc < 0) {
        /* A backend that loads but cannot count is as unusable as one that won't load. */
        tab->count = before;
        if (!slot->reason[0] || slot->rc == HMN_OK)
            hmn__strlcpy(slot->reason, ctx->errmsg, sizeof(slot->reason));
        slot->rc = rc;
        return rc;
    }
    return HMN_OK;
}

static int has_nvidia(const struct hmn__devtab *tab)
{
    uint32_t i;
    for (i = 0; i < tab->count; i++)
        if (tab->dev[i].vendor == HMN_VENDOR_NVIDIA && tab->dev[i].backend != HMN__BK_DRM)
            return 1;
    return 0;
}

/* Build the device table once per context. */
static int devtab_build(hmn_ctx *ctx)
{
    struct hmn__devtab *tab = &ctx->devs;
    int any_source = 0;
    size_t k;
    if (tab->built)
        return tab->rc;
    memset(tab, 0, sizeof(*tab));
    tab->built = 1;
    for (k = 0; k < HMN__ARRAY_LEN(enum_order); k++) {
        int id = enum_order[k];
        /* nvidia-smi only when NVML could not tell us about NVIDIA GPUs. */
        if (id == HMN__BK_SMI && (any_source && ctx->bk[HMN__BK_NVML].rc == HMN_OK))
            continue;
        if (id == HMN__BK_SMI && has_nvidia(tab))
            continue;
        if (enumerate_one(ctx, id, tab) == HMN_OK)
            any_source = 1;
    }
    tab->rc = any_source ? HMN_OK : hmn__fail(ctx, HMN_ENOGPU, "%s", no_gpu_text);
    return tab->rc;
}

int hmn__device_lookup_locked(hmn_ctx *ctx, uint32_t index, const struct hmn__dev **dev)
{
    int rc = devtab_build(ctx);
    *dev = NULL;
    if (rc < 0)
        return rc;
    if (index >= ctx->devs.count)
        return hmn__fail(ctx, HMN_ERANGE, "device index %u out of range (have %u devices)", index,
                         ctx->devs.count);
    *dev = &ctx->devs.dev[index];
    return HMN_OK;
}

int hmn__device_count_locked(hmn_ctx *ctx, uint32_t *count)
{
    int rc = devtab_build(ctx);
    *count = rc == HMN_OK ? ctx->devs.count : 0;
    return rc;
}

int hmn_device_count(hmn_ctx *ctx, uint32_t *count)
{
    hmn_ctx *c;
    int rc;
    if (!count)
        return HMN_EINVAL;
    *count = 0;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__device_count_locked(c, count);
    return hmn__ctx_leave(c, rc);
}

/* What a chain asks each backend. */
enum ask_op { ASK_INFO, ASK_SELF, ASK_PROCS };

/* Ask backend `id` one question about dev; HMN_ENOGPU when it cannot answer at all. */
static int ask(hmn_ctx *ctx, int id, enum ask_op op, const struct hmn__dev *dev, void *out)
{
    const struct hmn__backend *ops = hmn__backend_ops(id);
    void *st;
    int rc = HMN_ENOGPU;
    if (!ops || !hmn__backend_ready(ctx, id))
        return HMN_ENOGPU;
    st = ctx->bk[id].state;
    if (op == ASK_INFO && ops->device_info) {
        hmn_gpu_device_info *d = out;
        memset(d, 0, sizeof(*d));
        d->size = sizeof(*d);
        rc = ops->device_info(ctx, st, dev, d);
        if (rc == HMN_OK && !d->source)
            d->source = (uint32_t)ops->source;
    } else if (op == ASK_SELF && ops->self_gpu) {
        hmn_process_gpu *g = out;
        memset(g, 0, sizeof(*g));
        g->size = sizeof(*g);
        rc = ops->self_gpu(ctx, st, dev, g);
        if (rc == HMN_OK && !g->source)
            g->source = (uint32_t)ops->source;
    } else if (op == ASK_PROCS && ops->processes) {
        struct hmn__proc_vec *pv = out;
        hmn__proc_vec_free(pv);
        hmn__proc_vec_init(pv);
        pv->source = ops->source;
        rc = ops->processes(ctx, st, dev, pv);
        if (rc < 0)
            hmn__proc_vec_free(pv);
    }
    return rc;
}

/*
 * Ask each backend of the chain in turn until one answers.  The error is the
 * last real failure; when no backend could even try, upstream's NoGpuSource.
 */
static int run_chain(hmn_ctx *ctx, const int *chain, int n, enum ask_op op,
                     const struct hmn__dev *dev, void *out)
{
    int i, rc, last = HMN_ENOGPU;
    for (i = 0; i < n; i++) {
        rc = ask(ctx, chain[i], op, dev, out);
        if (rc == HMN_OK)
            return HMN_OK;
        if (rc != HMN_ENOGPU)
            last = rc;
    }
    if (last == HMN_ENOGPU)
        return hmn__fail(ctx, HMN_ENOGPU, "%s", no_gpu_text);
    return last;
}

/* NVIDIA devices found through NVML fall back to nvidia-smi (same index). */
static int fallback_id(const struct hmn__dev *dev)
{
    if (dev->vendor == HMN_VENDOR_NVIDIA && dev->backend != HMN__BK_SMI &&
        dev->backend != HMN__BK_DRM)
        return HMN__BK_SMI;
    return -1;
}

int hmn__device_info_locked(hmn_ctx *ctx, uint32_t index, hmn_gpu_device_info *out)
{
    const struct hmn__dev *dev;
    int chain[2], n = 0, rc = hmn__device_lookup_locked(ctx, index, &dev);
    if (rc < 0)
        return rc;
    chain[n++] = (int)dev->backend;
    if (fallback_id(dev) >= 0)
        chain[n++] = fallback_id(dev);
    rc = run_chain(ctx, chain, n, ASK_INFO, dev, out);
    if (rc == HMN_OK) {
        out->index = index;
        if (!out->vendor)
            out->vendor = dev->vendor;
        if (!(out->valid & HMN_DEV_HAS_PCI_BUS_ID) && dev->pci_bus_id[0]) {
            hmn__strlcpy(out->pci_bus_id, dev->pci_bus_id, sizeof(out->pci_bus_id));
            out->valid |= HMN_DEV_HAS_PCI_BUS_ID;
        }
    }
    return rc;
}

int hmn_device_info(hmn_ctx *ctx, uint32_t index, hmn_gpu_device_info *out)
{
    hmn_gpu_device_info full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    if (out->size < sizeof(hmn_gpu_device_info))
        return HMN_EVERSION;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__device_info_locked(c, index, &full);
    if (rc == HMN_OK)
        rc = hmn__copy_out(out, &full, sizeof(full), sizeof(full));
    return hmn__ctx_leave(c, rc);
}

const char *hmn_device_name_or_unknown(const hmn_gpu_device_info *dev)
{
    if (dev && (dev->valid & HMN_DEV_HAS_NAME) && dev->name[0])
        return dev->name;
    return "unknown GPU";
}

/* ---------------------------------------------------------------- self */

/*
 * Order (upstream): DXGI on Windows (per-process), then the device's own
 * backend (NVML self row, DRM fdinfo of our own fds), then nvidia-smi's
 * device-wide figure with is_per_process = 0.
 */
int hmn__process_gpu_info_locked(hmn_ctx *ctx, uint32_t index, hmn_process_gpu *out)
{
    const struct hmn__dev *dev;
    int chain[3], n = 0, rc = hmn__device_lookup_locked(ctx, index, &dev);
    if (rc < 0)
        return rc;
#if defined(_WIN32)
    if (dev->backend != HMN__BK_DXGI)
        chain[n++] = HMN__BK_DXGI;
#endif
    chain[n++] = (int)dev->backend;
    if (fallback_id(dev) >= 0)
        chain[n++] = fallback_id(dev);
    return run_chain(ctx, chain, n, ASK_SELF, dev, out);
}

int hmn_process_gpu_info(hmn_ctx *ctx, uint32_t index, hmn_process_gpu *out)
{
    hmn_process_gpu full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__process_gpu_info_locked(c, index, &full);
    if (rc == HMN_OK)
        rc = hmn__copy_out(out, &full, sizeof(full), sizeof(full));
    return hmn__ctx_leave(c, rc);
}

/* ---------------------------------------------------------------- listing */

/*
 * Order for NVIDIA devices: NVML then nvidia-smi on Linux; PDH, NVML, then
 * nvidia-smi on Windows.  Other devices: their own backend (DRM fdinfo; PDH
 * for other DXGI adapters).
 */
int hmn__gpu_processes_locked(hmn_ctx *ctx, uint32_t index, struct hmn__proc_vec *pv)
{
    const struct hmn__dev *dev;
    int chain[3], n = 0, rc = hmn__device_lookup_locked(ctx, index, &dev);
    uint32_t k;
    if (rc < 0)
        return rc;
#if defined(_WIN32)
    /* PDH first (WDDM); then the device's own backend: NVML answers in TCC
     * mode, and under WDDM its "not available" rows still name the holders. */
    chain[n++] = HMN__BK_PDH;
    if (dev->backend != HMN__BK_DXGI)
        chain[n++] = (int)dev->backend;
#else
    chain[n++] = (int)dev->backend;
#endif
    if (fallback_id(dev) >= 0)
        chain[n++] = fallback_id(dev);
    rc = run_chain(ctx, chain, n, ASK_PROCS, dev, pv);
    if (rc != HMN_OK)
        return rc;
    hmn__proc_vec_sort_pid(pv);
    for (k = 0; k < pv->n; k++)
        pv->v[k].device_index = index;
    return HMN_OK;
}

/* ---------------------------------------------------------------- MIG */

int hmn_mig_instance(hmn_ctx *ctx, uint32_t index, uint32_t i, hmn_mig_info *out)
{
    const struct hmn__dev *dev;
    const struct hmn__backend *ops;
    hmn_mig_info full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__device_lookup_locked(c, index, &dev);
    if (rc == HMN_OK) {
        ops = hmn__backend_ops((int)dev->backend);
        if (!ops || !ops->mig || !hmn__backend_ready(c, (int)dev->backend)) {
            rc = hmn__fail(c, HMN_EUNSUPPORTED, "device %u has no MIG instances to list", index);
        } else {
            memset(&full, 0, sizeof(full));
            full.size = sizeof(full);
            rc = ops->mig(c, c->bk[dev->backend].state, dev, i, &full);
            if (rc == HMN_OK)
                rc = hmn__copy_out(out, &full, sizeof(full), sizeof(full));
        }
    }
    return hmn__ctx_leave(c, rc);
}

/* ---------------------------------------------------------------- sources */

#if defined(_WIN32)
static const int report_order[] = {HMN__BK_NVML, HMN__BK_DXGI, HMN__BK_PDH, HMN__BK_SMI};
#else
static const int report_order[] = {HMN__BK_NVML, HMN__BK_SMI, HMN__BK_DRM};
#endif

static const int backend_sources[HMN__BK_COUNT] = {HMN_SOURCE_NVML, HMN_SOURCE_NVIDIA_SMI,
                                                   HMN_SOURCE_DRM_FDINFO, HMN_SOURCE_DXGI,
                                                   HMN_SOURCE_PDH};

int hmn_source_report_get(hmn_ctx *ctx, size_t i, hmn_source_report *out)
{
    hmn_source_report full;
    struct hmn__bk_slot *slot;
    hmn_ctx *c;
    uint32_t k;
    int rc, id;
    if (!out)
        return HMN_EINVAL;
    if (i >= HMN__ARRAY_LEN(report_order))
        return HMN_ENOENT;
    id = report_order[i];
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    (void)devtab_build(c);
    memset(&full, 0, sizeof(full));
    full.size = sizeof(full);
    full.source = (uint32_t)backend_sources[id];
    slot = &c->bk[id];
    if (!hmn__backend_ops(id) || !c->use[id]) {
        full.state = HMN_SOURCE_DISABLED;
        hmn__strlcpy(full.reason,
                     !hmn__backend_ops(id) ? "not built into this library"
                                           : "disabled on this context",
                     sizeof(full.reason));
    } else {
        (void)hmn__backend_ready(c, id); /* try it now if enumeration skipped it */
        full.state = slot->rc == HMN_OK ? HMN_SOURCE_AVAILABLE : HMN_SOURCE_UNAVAILABLE;
        hmn__strlcpy(full.reason, slot->reason, sizeof(full.reason));
        for (k = 0; k < c->devs.count; k++)
            if ((int)c->devs.dev[k].backend == id)
                full.device_count++;
    }
    rc = hmn__copy_out(out, &full, sizeof(full), sizeof(full));
    return hmn__ctx_leave(c, rc);
}
