/*
 * core/dispatch.c - which backend answers which question, and the fallbacks.
 *
 * The context holds one device table, built once by asking the backends of
 * this platform's enumeration chain in turn (core/platform_<os>.c): NVIDIA
 * GPUs first in NVML order (from nvidia-smi when NVML is unusable - upstream
 * has no such fallback for the count, we do), then DXGI adapters on Windows
 * or DRM cards on Linux that were not already listed (matched by PCI bus
 * id).  Every query looks the index up there and runs the platform's chain
 * for that question.  Nothing here depends on the platform.
 */
#include "backend.h"
#include "core/abi.h"
#include "core/dispatch.h"
#include "core/plausible.h"

#include <string.h>

/*
 * Upstream's NoGpuSource text, naming the sources of this platform from its
 * report order: "no GPU measurement source available (NVML, DXGI, PDH, and
 * nvidia-smi all failed or are disabled)" on Windows, as upstream prints it;
 * NVML, nvidia-smi and DRM on Linux (a source compiled out counts as disabled).
 */
static int no_gpu_source(hmn_ctx *ctx)
{
    const struct hmn__chain *order = &hmn__orders.report;
    char names[160];
    size_t k, len = 0;
    names[0] = '\0';
    for (k = 0; k < order->n; k++) {
        const struct hmn__backend_desc *d = hmn__backend_desc(HMN__ASK_ID(order->step[k]));
        const char *sep = k == 0 ? "" : k + 1 < order->n ? ", " : order->n > 2 ? ", and " : " and ";
        if (d && len < sizeof(names))
            len += (size_t)hmn__snprintf(names + len, sizeof(names) - len, "%s%s", sep, d->label);
    }
    return hmn__fail(ctx, HMN_ENOGPU, "no GPU measurement source available (%s %s)", names,
                     order->n > 2 ? "all failed or are disabled"
                     : order->n == 2 ? "both failed or are disabled"
                                     : "failed or is disabled");
}

/* ---------------------------------------------------------------- device table */

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

/* An NVIDIA device whose local index is its position in NVML order. */
static int in_nvidia_order(const struct hmn__dev *dev)
{
    const struct hmn__backend_desc *row = hmn__backend_desc((int)dev->backend);
    return dev->vendor == HMN_VENDOR_NVIDIA && row && row->nvidia_order;
}

static int has_nvidia(const struct hmn__devtab *tab)
{
    uint32_t i;
    for (i = 0; i < tab->count; i++)
        if (in_nvidia_order(&tab->dev[i]))
            return 1;
    return 0;
}

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

/* Build the device table once per context. */
static int devtab_build(hmn_ctx *ctx)
{
    const struct hmn__chain *chain = &hmn__orders.enumerate;
    struct hmn__devtab *tab = &ctx->devs;
    int any_source = 0, nvidia_answered = 0;
    size_t k;
    if (tab->built)
        return tab->rc;
    memset(tab, 0, sizeof(*tab));
    tab->built = 1;
    for (k = 0; k < chain->n; k++) {
        int id = HMN__ASK_ID(chain->step[k]);
        /* A stand-in (nvidia-smi) only when nothing in NVML order answered. */
        if ((chain->step[k] & HMN__ASK_STANDIN) && (nvidia_answered || has_nvidia(tab)))
            continue;
        if (enumerate_one(ctx, id, tab) != HMN_OK)
            continue;
        any_source = 1;
        if (hmn__backend_desc(id)->nvidia_order)
            nvidia_answered = 1;
    }
    tab->rc = any_source ? HMN_OK : no_gpu_source(ctx);
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

/* ---------------------------------------------------------------- asking */

/* What a chain asks each backend. */
enum ask_op { ASK_INFO, ASK_SELF, ASK_PROCS };

/* Ask backend `id` one question about dev; HMN_ENOGPU when it cannot answer at all. */
static int ask(hmn_ctx *ctx, int id, enum ask_op op, const struct hmn__dev *dev, void *out)
{
    const struct hmn__backend *ops = hmn__backend_ops(id);
    uint32_t source;
    void *st;
    int rc = HMN_ENOGPU;
    if (!ops || !hmn__backend_ready(ctx, id))
        return HMN_ENOGPU;
    st = ctx->bk[id].state;
    source = (uint32_t)hmn__backend_desc(id)->source;
    if (op == ASK_INFO && ops->device_info) {
        hmn_gpu_device_info *d = out;
        memset(d, 0, sizeof(*d));
        d->size = sizeof(*d);
        rc = ops->device_info(ctx, st, dev, d);
        if (rc == HMN_OK && !d->source)
            d->source = source;
        if (rc == HMN_OK)
            hmn__plausible_device(d);
    } else if (op == ASK_SELF && ops->self_gpu) {
        hmn_process_gpu *g = out;
        memset(g, 0, sizeof(*g));
        g->size = sizeof(*g);
        rc = ops->self_gpu(ctx, st, dev, g);
        if (rc == HMN_OK && !g->source)
            g->source = source;
        if (rc == HMN_OK && g->used_bytes == UINT64_MAX)
            g->valid &= ~(uint64_t)HMN_PGPU_HAS_USED; /* "not available", not a figure */
    } else if (op == ASK_PROCS && ops->processes) {
        struct hmn__proc_vec *pv = out;
        hmn__proc_vec_free(pv);
        hmn__proc_vec_init(pv);
        pv->source = (int)source;
        rc = ops->processes(ctx, st, dev, pv);
        if (rc < 0)
            hmn__proc_vec_free(pv);
    }
    return rc;
}

/* The backends a chain step names for dev, -1 when the step does not apply. */
static int step_backend(int step, const struct hmn__dev *dev)
{
    if (step == HMN__ASK_OWN)
        return (int)dev->backend;
    if ((step & HMN__ASK_NVIDIA) && !in_nvidia_order(dev))
        return -1;
    return HMN__ASK_ID(step);
}

/*
 * Ask each backend of the chain in turn until one answers (a backend is
 * asked once even when two steps name it).  The error is the last real
 * failure; when no backend could even try, upstream's NoGpuSource.
 */
static int run_chain(hmn_ctx *ctx, const struct hmn__chain *chain, enum ask_op op,
                     const struct hmn__dev *dev, void *out)
{
    int asked[HMN__BK_COUNT] = {0};
    int rc, id, last = HMN_ENOGPU, have_partial = 0;
    hmn_gpu_device_info partial;
    char keep[sizeof(ctx->errmsg)];
    size_t k;
    for (k = 0; k < chain->n; k++) {
        id = step_backend(chain->step[k], dev);
        if (id < 0 || id >= HMN__BK_COUNT || asked[id])
            continue;
        asked[id] = 1;
        rc = ask(ctx, id, op, dev, out);
        if (rc == HMN_OK && op == ASK_INFO && !have_partial &&
            !(((hmn_gpu_device_info *)out)->valid & HMN_DEV_HAS_TOTAL)) {
            /* An answer without memory figures (a UMA part's NVML): a later
             * backend may know them; if none does, this answer stands. */
            memcpy(&partial, out, sizeof(partial));
            memcpy(keep, ctx->errmsg, sizeof(keep));
            have_partial = 1;
            continue;
        }
        if (rc == HMN_OK)
            return HMN_OK;
        if (rc != HMN_ENOGPU)
            last = rc;
    }
    if (have_partial) {
        memcpy(out, &partial, sizeof(partial));
        memcpy(ctx->errmsg, keep, sizeof(keep)); /* the fallback's failure is not ours */
        return HMN_OK;
    }
    if (last == HMN_ENOGPU)
        return no_gpu_source(ctx);
    return last;
}

/* ---------------------------------------------------------------- questions */

int hmn__device_info_locked(hmn_ctx *ctx, uint32_t index, hmn_gpu_device_info *out)
{
    const struct hmn__dev *dev;
    int rc = hmn__device_lookup_locked(ctx, index, &dev);
    if (rc < 0)
        return rc;
    rc = run_chain(ctx, &hmn__orders.info, ASK_INFO, dev, out);
    if (rc == HMN_OK) {
        struct hmn__dev *entry = &ctx->devs.dev[index];
        if (out->valid & HMN_DEV_HAS_TOTAL) { /* a total does not change: kept for the rows */
            entry->has_total = 1;
            entry->total_bytes = out->total_bytes;
        }
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

int hmn__accounting_locked(hmn_ctx *ctx, uint32_t index, const uint32_t *pids, size_t n,
                           uint64_t *sum)
{
    const struct hmn__dev *dev;
    const struct hmn__backend *ops;
    int rc = hmn__device_lookup_locked(ctx, index, &dev);
    if (rc < 0)
        return rc;
    /* Only the backend that serves the device keeps its records. */
    ops = hmn__backend_ops((int)dev->backend);
    if (!ops || !ops->accounting || !hmn__backend_ready(ctx, (int)dev->backend))
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "no accounting for device %u", index);
    return ops->accounting(ctx, hmn__backend(ctx, (int)dev->backend), dev, pids, n, sum);
}

int hmn_device_info(hmn_ctx *ctx, uint32_t index, hmn_gpu_device_info *out)
{
    hmn_gpu_device_info full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    if (out->size < HMN__GPU_DEVICE_INFO_SIZE_V1)
        return HMN_EVERSION;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__device_info_locked(c, index, &full);
    if (rc == HMN_OK)
        rc = hmn__copy_out(out, &full, sizeof(full), HMN__GPU_DEVICE_INFO_SIZE_V1);
    return hmn__ctx_leave(c, rc);
}

const char *hmn_device_name_or_unknown(const hmn_gpu_device_info *dev)
{
    if (dev && (dev->valid & HMN_DEV_HAS_NAME) && dev->name[0])
        return dev->name;
    return "unknown GPU";
}

int hmn__process_gpu_info_locked(hmn_ctx *ctx, uint32_t index, hmn_process_gpu *out)
{
    const struct hmn__dev *dev;
    int rc = hmn__device_lookup_locked(ctx, index, &dev);
    if (rc < 0)
        return rc;
    return run_chain(ctx, &hmn__orders.self, ASK_SELF, dev, out);
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
        rc = hmn__copy_out(out, &full, sizeof(full), HMN__PROCESS_GPU_SIZE_V1);
    return hmn__ctx_leave(c, rc);
}

/*
 * Make sure the entry knows the device's total when any answer can tell it:
 * enumeration may have stored it; else device info is asked once per
 * context (its failure is not the listing's).
 */
static void device_total(hmn_ctx *ctx, uint32_t index)
{
    struct hmn__dev *entry = &ctx->devs.dev[index];
    hmn_gpu_device_info d;
    char keep[sizeof(ctx->errmsg)];
    if (entry->has_total || entry->total_asked)
        return;
    entry->total_asked = 1;
    memcpy(keep, ctx->errmsg, sizeof(keep));
    (void)hmn__device_info_locked(ctx, index, &d);
    memcpy(ctx->errmsg, keep, sizeof(keep));
}

int hmn__gpu_processes_locked(hmn_ctx *ctx, uint32_t index, struct hmn__proc_vec *pv)
{
    const struct hmn__dev *dev;
    uint32_t k;
    int rc = hmn__device_lookup_locked(ctx, index, &dev);
    if (rc < 0)
        return rc;
    rc = run_chain(ctx, &hmn__orders.procs, ASK_PROCS, dev, pv);
    if (rc != HMN_OK)
        return rc;
    device_total(ctx, index);
    hmn__plausible_rows(pv, dev->has_total && hmn__plausible_total(dev->total_bytes),
                        dev->total_bytes);
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
                rc = hmn__copy_out(out, &full, sizeof(full), HMN__MIG_INFO_SIZE_V1);
        }
    }
    return hmn__ctx_leave(c, rc);
}

/* ---------------------------------------------------------------- sources */

int hmn_source_report_get(hmn_ctx *ctx, size_t i, hmn_source_report *out)
{
    const struct hmn__chain *order = &hmn__orders.report;
    hmn_source_report full;
    struct hmn__bk_slot *slot;
    hmn_ctx *c;
    uint32_t k;
    int rc, id;
    if (!out)
        return HMN_EINVAL;
    if (i >= order->n)
        return HMN_ENOENT;
    id = HMN__ASK_ID(order->step[i]);
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    (void)devtab_build(c);
    memset(&full, 0, sizeof(full));
    full.size = sizeof(full);
    full.source = (uint32_t)hmn__backend_desc(id)->source;
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
    rc = hmn__copy_out(out, &full, sizeof(full), HMN__SOURCE_REPORT_SIZE_V1);
    return hmn__ctx_leave(c, rc);
}
