/* core/snapshot.c - RSS entry points and snapshots (RAM mandatory, GPU best-effort). */
#include "backend.h"
#include "core/abi.h"
#include "core/dispatch.h"

#include <stdlib.h>
#include <string.h>

int hmn__rss_locked(hmn_ctx *ctx, hmn_rss *out, int want_peak)
{
    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    return hmn__ram_read(ctx, out, want_peak);
}

int hmn_process_rss_info(hmn_ctx *ctx, hmn_rss *out)
{
    hmn_rss full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__rss_locked(c, &full, 1);
    if (rc == HMN_OK)
        rc = hmn__copy_out(out, &full, sizeof(full), HMN__RSS_SIZE_V1);
    return hmn__ctx_leave(c, rc);
}

int hmn_process_rss(hmn_ctx *ctx, uint64_t *bytes)
{
    hmn_rss full;
    hmn_ctx *c;
    int rc;
    if (!bytes)
        return HMN_EINVAL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__rss_locked(c, &full, 0);
    *bytes = rc == HMN_OK ? full.current_bytes : 0;
    return hmn__ctx_leave(c, rc);
}

/* Current and peak RSS of any process: pid 0 is the caller's own fast path. */
static int pid_rss_locked(hmn_ctx *ctx, uint32_t pid, hmn_rss *out)
{
    struct hmn__pid_mem pm;
    int rc;
    if (pid == 0)
        return hmn__rss_locked(ctx, out, 1);
    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    rc = hmn__ram_pid_read(ctx, pid, 0, &pm);
    if (rc != HMN_OK)
        return rc;
    out->source = (uint32_t)hmn__ram_source;
    out->valid = pm.valid & (HMN_RSS_HAS_CURRENT | HMN_RSS_HAS_PEAK);
    out->current_bytes = pm.rss;
    out->peak_bytes = pm.hwm;
    return HMN_OK;
}

int hmn_pid_rss_info(hmn_ctx *ctx, uint32_t pid, hmn_rss *out)
{
    hmn_rss full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = pid_rss_locked(c, pid, &full);
    if (rc == HMN_OK)
        rc = hmn__copy_out(out, &full, sizeof(full), HMN__RSS_SIZE_V1);
    return hmn__ctx_leave(c, rc);
}

int hmn_process_exists(hmn_ctx *ctx, uint32_t pid)
{
    hmn_ctx *c;
    int rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__ram_process_exists(c, pid);
    return hmn__ctx_leave(c, rc);
}

int hmn_process_start_time(hmn_ctx *ctx, uint32_t pid, uint64_t *start)
{
    hmn_ctx *c;
    uint64_t t = 0;
    int rc;
    if (!start || pid == 0)
        return HMN_EINVAL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = hmn__ram_process_start(c, pid, &t);
    if (rc == HMN_OK)
        *start = t;
    return hmn__ctx_leave(c, rc);
}

/* GPU fields of one snapshot; failures leave the valid bits clear. */
static void fill_gpu(hmn_ctx *ctx, uint32_t index, hmn_snapshot *s)
{
    char keep[sizeof(ctx->errmsg)];
    /* Best-effort: a GPU failure must not overwrite the caller-visible message. */
    memcpy(keep, ctx->errmsg, sizeof(keep));
    if (hmn__process_gpu_info_locked(ctx, index, &s->gpu) == HMN_OK)
        s->valid |= HMN_SNAP_HAS_GPU;
    else
        memset(&s->gpu, 0, sizeof(s->gpu));
    if (hmn__device_info_locked(ctx, index, &s->gpu_device) == HMN_OK)
        s->valid |= HMN_SNAP_HAS_GPU_DEVICE;
    else
        memset(&s->gpu_device, 0, sizeof(s->gpu_device));
    s->gpu.size = sizeof(s->gpu);
    s->gpu_device.size = sizeof(s->gpu_device);
    memcpy(ctx->errmsg, keep, sizeof(keep));
}

static void init_snapshot(hmn_snapshot *s, uint32_t index, const hmn_rss *rss)
{
    memset(s, 0, sizeof(*s));
    s->size = sizeof(*s);
    s->device_index = index;
    s->ram_bytes = rss->current_bytes;
    if (rss->valid & HMN_RSS_HAS_PEAK) {
        s->peak_ram_bytes = rss->peak_bytes;
        s->valid |= HMN_SNAP_HAS_PEAK_RAM;
    }
}

static int ram_or_fail(hmn_ctx *ctx, hmn_rss *rss)
{
    int rc = hmn__rss_locked(ctx, rss, 1);
    if (rc < 0 || !(rss->valid & HMN_RSS_HAS_CURRENT))
        return rc < 0 ? rc : hmn__fail(ctx, HMN_ERAM, "RAM query failed: no RSS figure");
    return HMN_OK;
}

int hmn_snapshot_now(hmn_ctx *ctx, uint32_t index, hmn_snapshot *out)
{
    hmn_snapshot full;
    hmn_rss rss;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = ram_or_fail(c, &rss);
    if (rc == HMN_OK) {
        init_snapshot(&full, index, &rss);
        fill_gpu(c, index, &full);
        rc = hmn__copy_out(out, &full, sizeof(full), HMN__SNAPSHOT_SIZE_V1);
    }
    return hmn__ctx_leave(c, rc);
}

struct hmn_snapshot_list {
    size_t n;
    hmn_snapshot *v;
};

int hmn_snapshot_all(hmn_ctx *ctx, hmn_snapshot_list **out)
{
    hmn_snapshot_list *list;
    uint32_t count = 0, i;
    hmn_rss rss;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    *out = NULL;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = ram_or_fail(c, &rss);
    list = rc == HMN_OK ? calloc(1, sizeof(*list)) : NULL;
    if (rc == HMN_OK && !list)
        rc = HMN_ENOMEM;
    if (rc == HMN_OK) {
        /* No GPU source is an empty list, not an error (upstream). */
        if (hmn__device_count_locked(c, &count) != HMN_OK)
            count = 0;
        list->v = count ? calloc(count, sizeof(*list->v)) : NULL;
        if (count && !list->v)
            rc = HMN_ENOMEM;
        for (i = 0; rc == HMN_OK && i < count; i++) {
            init_snapshot(&list->v[i], i, &rss);
            fill_gpu(c, i, &list->v[i]);
            list->n++;
        }
    }
    rc = hmn__ctx_leave(c, rc);
    if (rc < 0) {
        hmn_snapshot_list_free(list);
        return rc;
    }
    *out = list;
    return HMN_OK;
}

size_t hmn_snapshot_list_count(const hmn_snapshot_list *list)
{
    return list ? list->n : 0;
}

int hmn_snapshot_list_get(const hmn_snapshot_list *list, size_t i, hmn_snapshot *out)
{
    if (!list || !out)
        return HMN_EINVAL;
    if (i >= list->n)
        return HMN_ENOENT;
    return hmn__copy_out(out, &list->v[i], sizeof(hmn_snapshot), HMN__SNAPSHOT_SIZE_V1);
}

void hmn_snapshot_list_free(hmn_snapshot_list *list)
{
    if (!list)
        return;
    free(list->v);
    free(list);
}

double hmn_snapshot_ram_mb(const hmn_snapshot *s)
{
    return s ? (double)s->ram_bytes / 1048576.0 : 0.0;
}

int hmn_snapshot_vram_mb(const hmn_snapshot *s, double *mb)
{
    if (!s || !mb)
        return HMN_EINVAL;
    if (!(s->valid & HMN_SNAP_HAS_GPU) || !(s->gpu.valid & HMN_PGPU_HAS_USED))
        return HMN_ENOENT;
    *mb = (double)s->gpu.used_bytes / 1048576.0;
    return HMN_OK;
}
