/*
 * core/sampler_gpu.c - the sampled tree on each GPU, and the device itself.
 *
 * Per device and sample: the context's process listing (every backend the
 * dispatcher asks: NVML compute + graphics + MPS, DRM fdinfo, nvidia-smi,
 * PDH), split into the tree's rows, summed as hmn_process_attributed_bytes()
 * counts them (a DRM client shared by several processes once), and the other
 * processes' rows, kept for the latest sample and for the sample of the
 * tree's peak; then the device's used and free figures; then, where NVML
 * accounting mode is on, the driver's exact per-process peaks.
 */
#include "common/grow.h"
#include "core/abi.h"
#include "core/dispatch.h"
#include "core/sampler.h"

#include <stdlib.h>
#include <string.h>

static int rowvec_push(struct hmn__rowvec *r, const hmn_gpu_process *p)
{
    hmn_gpu_process *v = hmn__grow(r->v, &r->cap, r->n + 1, sizeof(*v), 8);
    if (!v)
        return HMN_ENOMEM;
    r->v = v;
    r->v[r->n++] = *p;
    return HMN_OK;
}

static int rowvec_copy(struct hmn__rowvec *dst, const struct hmn__rowvec *src)
{
    size_t i;
    dst->n = 0;
    for (i = 0; i < src->n; i++)
        if (rowvec_push(dst, &src->v[i]) != HMN_OK)
            return HMN_ENOMEM;
    return HMN_OK;
}

static void rowvec_swap(struct hmn__rowvec *a, struct hmn__rowvec *b)
{
    struct hmn__rowvec t = *a;
    *a = *b;
    *b = t;
}

static void init_device(struct hmn__sdev *d, uint32_t index)
{
    memset(d, 0, sizeof(*d));
    d->agg.size = sizeof(d->agg);
    d->agg.index = index;
    d->cur = d->agg;
}

int hmn__sgpu_open(hmn_sampler *s, hmn_ctx *ctx)
{
    char keep[sizeof(ctx->errmsg)];
    uint32_t count = 0, first = 0, i;
    if (!(s->cfg.flags & HMN_SAMPLER_GPU))
        return HMN_OK;
    memcpy(keep, ctx->errmsg, sizeof(keep));
    /* No GPU source is no error for the sampler: it samples 0 devices. */
    if (hmn__device_count_locked(ctx, &count) != HMN_OK)
        count = 0;
    memcpy(ctx->errmsg, keep, sizeof(keep));
    if (s->cfg.device != HMN_SAMPLER_ALL_DEVICES) {
        if (s->cfg.device >= count)
            return hmn__fail(ctx, HMN_ERANGE, "device index %u out of range (have %u devices)",
                             s->cfg.device, count);
        first = s->cfg.device;
        count = 1;
    }
    if (count == 0)
        return HMN_OK;
    s->dev = calloc(count, sizeof(*s->dev));
    if (!s->dev)
        return hmn__fail(ctx, HMN_ENOMEM, "sampler: out of memory");
    s->ndev = count;
    for (i = 0; i < count; i++)
        init_device(&s->dev[i], first + i);
    return HMN_OK;
}

/* The tree's rows of one listing into cur; the others into others_cur. */
static void split_rows(hmn_sampler *s, struct hmn__sdev *d, const struct hmn__proc_vec *pv)
{
    size_t i;
    int unknown = 0;
    for (i = 0; i < pv->n; i++) {
        const hmn_gpu_process *p = &pv->v[i];
        struct hmn__member *m = hmn__tree_find(s, p->pid);
        uint64_t b = 0;
        if (!m) {
            if (rowvec_push(&d->others_cur, p) != HMN_OK)
                unknown = 1; /* cannot say who else held it: no peak either */
            continue;
        }
        d->cur.tree_processes++;
        m->host_pid = p->host_pid ? p->host_pid : p->pid;
        if (hmn_process_attributed_bytes(p, &b) != HMN_OK) {
            unknown = 1; /* a member's memory the driver does not give: no sum */
            continue;
        }
        m->gpu_seen = 1;
        m->gpu_now = hmn__sat_add(m->gpu_now, b);
        d->cur.tree_used_bytes = hmn__sat_add(d->cur.tree_used_bytes, b);
    }
    d->cur.source = (uint32_t)pv->source;
    if (!unknown)
        d->cur.valid |= HMN_SDEV_HAS_TREE_USED;
}

static void read_device(hmn_ctx *ctx, struct hmn__sdev *d)
{
    hmn_gpu_device_info info;
    memset(&info, 0, sizeof(info));
    info.size = sizeof(info);
    if (hmn__device_info_locked(ctx, d->cur.index, &info) != HMN_OK)
        return;
    if (info.valid & HMN_DEV_HAS_USED) {
        d->cur.device_used_bytes = info.used_bytes;
        d->cur.valid |= HMN_SDEV_HAS_DEVICE_USED;
    }
    if (info.valid & HMN_DEV_HAS_FREE) {
        d->cur.device_free_bytes = info.free_bytes;
        d->cur.valid |= HMN_SDEV_HAS_DEVICE_FREE;
    }
    if (info.valid & HMN_DEV_HAS_TOTAL) {
        d->cur.total_bytes = info.total_bytes;
        d->cur.valid |= HMN_SDEV_HAS_TOTAL;
    }
    if (info.valid & HMN_DEV_HAS_NAME)
        hmn__strlcpy(d->cur.name, info.name, sizeof(d->cur.name));
    if (info.valid & HMN_DEV_HAS_UUID)
        hmn__strlcpy(d->cur.uuid, info.uuid, sizeof(d->cur.uuid));
}

/*
 * NVML accounting: the sum of maxMemoryUsage over every member, living or
 * gone (the driver keeps the records of exited processes).  A gone member's
 * record is final: it is asked for once after it left and added to
 * acct_gone, so a long run of many short processes costs one call per
 * living member and sample, not one per process ever seen.
 */
static void read_accounting(hmn_sampler *s, hmn_ctx *ctx, struct hmn__sdev *d, size_t di)
{
    uint32_t stack[64], *pids = stack;
    size_t i, n = 0, ngone = 0, cap = HMN__ARRAY_LEN(stack);
    uint64_t bit = di < 64 ? 1ull << di : 0, alive = 0, gone = 0;
    int rc;
    if (!bit)
        return; /* past 64 devices: no room for the bookkeeping, no figure */
    for (i = 0; i < s->nm; i++)
        n += s->m[i].counted && (s->m[i].alive || !(s->m[i].acct_final & bit));
    if (n > cap) {
        pids = malloc(n * sizeof(*pids));
        if (!pids)
            return;
    }
    /* The living first, then the newly gone: two calls, one sum each. */
    n = 0;
    for (i = 0; i < s->nm; i++)
        if (s->m[i].counted && s->m[i].alive)
            pids[n++] = s->m[i].host_pid;
    for (i = 0; i < s->nm; i++)
        if (s->m[i].counted && !s->m[i].alive && !(s->m[i].acct_final & bit))
            pids[n + ngone++] = s->m[i].host_pid;
    rc = hmn__accounting_locked(ctx, d->cur.index, pids, n, &alive);
    if (rc == HMN_OK && ngone)
        rc = hmn__accounting_locked(ctx, d->cur.index, pids + n, ngone, &gone);
    if (rc == HMN_OK) {
        uint64_t sum;
        for (i = 0; i < s->nm; i++)
            if (s->m[i].counted && !s->m[i].alive)
                s->m[i].acct_final |= bit;
        d->acct_gone = hmn__sat_add(d->acct_gone, gone);
        sum = hmn__sat_add(d->acct_gone, alive);
        if (!(d->agg.valid & HMN_SDEV_HAS_ACCOUNTING) || sum > d->agg.accounting_peak_bytes)
            d->agg.accounting_peak_bytes = sum;
        d->agg.valid |= HMN_SDEV_HAS_ACCOUNTING;
    }
    if (pids != stack)
        free(pids);
}

/* Latest figures into agg, and the run's peaks. */
static void fold_device(struct hmn__sdev *d, uint64_t t_ms)
{
    const uint64_t latest = HMN_SDEV_HAS_TREE_USED | HMN_SDEV_HAS_DEVICE_USED |
                            HMN_SDEV_HAS_DEVICE_FREE | HMN_SDEV_HAS_TOTAL;
    hmn_sample_device *a = &d->agg;
    const hmn_sample_device *c = &d->cur;
    a->valid = (a->valid & ~latest) | (c->valid & latest);
    a->source = c->source;
    a->tree_processes = c->tree_processes;
    a->tree_used_bytes = c->tree_used_bytes;
    a->device_used_bytes = c->device_used_bytes;
    a->device_free_bytes = c->device_free_bytes;
    a->total_bytes = c->total_bytes;
    if (c->name[0])
        memcpy(a->name, c->name, sizeof(a->name));
    if (c->uuid[0])
        memcpy(a->uuid, c->uuid, sizeof(a->uuid));
    if ((c->valid & HMN_SDEV_HAS_TREE_USED) &&
        (!(a->valid & HMN_SDEV_HAS_TREE_PEAK) || c->tree_used_bytes > a->tree_peak_bytes)) {
        a->tree_peak_bytes = c->tree_used_bytes;
        a->tree_peak_at_ms = t_ms;
        a->valid |= HMN_SDEV_HAS_TREE_PEAK;
        if (rowvec_copy(&d->others_peak, &d->others_cur) != HMN_OK)
            d->others_peak.n = 0;
    }
    if ((c->valid & HMN_SDEV_HAS_DEVICE_USED) &&
        (!(a->valid & HMN_SDEV_HAS_USED_PEAK) || c->device_used_bytes > a->device_used_peak_bytes)) {
        a->device_used_peak_bytes = c->device_used_bytes;
        a->valid |= HMN_SDEV_HAS_USED_PEAK;
    }
    if ((c->valid & HMN_SDEV_HAS_DEVICE_FREE) &&
        (!(a->valid & HMN_SDEV_HAS_FREE_MIN) || c->device_free_bytes < a->device_free_min_bytes)) {
        a->device_free_min_bytes = c->device_free_bytes;
        a->valid |= HMN_SDEV_HAS_FREE_MIN;
    }
    rowvec_swap(&d->others_last, &d->others_cur);
    d->others_cur.n = 0;
}

static void sample_device(hmn_sampler *s, hmn_ctx *ctx, struct hmn__sdev *d, size_t di,
                          uint64_t t_ms)
{
    struct hmn__proc_vec pv;
    uint32_t index = d->agg.index;
    memset(&d->cur, 0, sizeof(d->cur));
    d->cur.size = sizeof(d->cur);
    d->cur.index = index;
    d->others_cur.n = 0;
    hmn__proc_vec_init(&pv);
    if (hmn__gpu_processes_locked(ctx, index, &pv) == HMN_OK)
        split_rows(s, d, &pv);
    hmn__proc_vec_free(&pv);
    read_device(ctx, d);
    read_accounting(s, ctx, d, di);
    fold_device(d, t_ms);
}

void hmn__sgpu_sample(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms)
{
    char keep[sizeof(ctx->errmsg)];
    size_t i;
    /* Best effort: a device that cannot answer leaves its bits clear, and
     * the caller's last error message stays what it was. */
    memcpy(keep, ctx->errmsg, sizeof(keep));
    for (i = 0; i < s->ndev; i++)
        sample_device(s, ctx, &s->dev[i], i, t_ms);
    memcpy(ctx->errmsg, keep, sizeof(keep));
}

void hmn__sgpu_free(hmn_sampler *s)
{
    size_t i;
    for (i = 0; i < s->ndev; i++) {
        free(s->dev[i].others_cur.v);
        free(s->dev[i].others_last.v);
        free(s->dev[i].others_peak.v);
    }
    free(s->dev);
}
