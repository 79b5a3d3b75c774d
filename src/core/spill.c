/*
 * core/spill.c - the spill tracker: upstream's growth-based fold, pure and
 * platform-independent (so it is tested everywhere), fed by the sampler of
 * the backend that has adapter memory counters (PDH "GPU Adapter Memory"
 * on Windows).  Where no backend has them every tracker is honestly "not
 * measurable".
 */
#include "backend.h"
#include "common/grow.h"
#include "core/abi.h"
#include "core/dispatch.h"

#include <stdlib.h>
#include <string.h>

struct episode {
    char start[64], end[64];
    int has_end;
    uint64_t peak_shared, observations, first_ms, last_ms;
};

/* The backend whose row has adapter counters, or NULL (none in this build). */
static const struct hmn__backend *sampler_backend(void)
{
    int id;
    for (id = 0; id < HMN__BK_COUNT; id++) {
        const struct hmn__backend *ops = hmn__backend_ops(id);
        if (ops && ops->sampler_open)
            return ops;
    }
    return NULL;
}

/* A sampler on device `index`; HMN_EUNSUPPORTED / HMN_ENOENT: not measurable. */
static int sampler_open(hmn_ctx *ctx, uint32_t index, const struct hmn__backend **ops,
                        struct hmn__spill_sampler **out, uint64_t *limit)
{
    const struct hmn__dev *dev;
    int rc;
    *ops = sampler_backend();
    *out = NULL;
    *limit = 0;
    if (!*ops)
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "spill not measurable on this platform");
    rc = hmn__device_lookup_locked(ctx, index, &dev);
    if (rc < 0)
        return rc == HMN_ENOGPU ? HMN_ENOENT : rc;
    return (*ops)->sampler_open(ctx, dev, out, limit);
}

int hmn__adapter_usage(hmn_ctx *ctx, const struct hmn__dev *dev, uint64_t *dedicated,
                       uint64_t *shared)
{
    const struct hmn__backend *ops = sampler_backend();
    struct hmn__spill_sampler *s = NULL;
    uint64_t limit;
    int rc;
    if (!ops)
        return HMN_EUNSUPPORTED;
    rc = ops->sampler_open(ctx, dev, &s, &limit);
    if (rc == HMN_OK)
        rc = ops->sampler_sample(s, dedicated, shared);
    if (s)
        ops->sampler_close(s);
    return rc;
}

struct hmn_spill_tracker {
    const struct hmn__backend *ops; /* whose sampler it is */
    struct hmn__spill_sampler *sampler;
    int measurable;
    uint64_t limit;          /* capacity captured at open (0 = unknown) */
    uint64_t threshold_override;
    int has_threshold_override;
    uint64_t growth;
    uint64_t t0_ms;
    /* fold state */
    uint64_t observations, peak_dedicated, peak_shared, limit_seen, baseline;
    int has_baseline, spilling, latched, open_episode;
    struct episode *ep;
    size_t n_ep, cap_ep;
};

int hmn_spill_tracker_open(hmn_ctx *ctx, uint32_t index, hmn_spill_tracker **out)
{
    hmn_spill_tracker *t;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (!t)
        return HMN_ENOMEM;
    t->growth = HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES;
    t->t0_ms = hmn__now_ms();
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0) {
        free(t);
        return rc;
    }
    rc = sampler_open(c, index, &t->ops, &t->sampler, &t->limit);
    /* "Cannot measure here" builds a non-measurable tracker, not an error. */
    t->measurable = rc == HMN_OK && t->sampler != NULL;
    if (rc == HMN_EUNSUPPORTED || rc == HMN_ENOENT)
        rc = HMN_OK;
    rc = hmn__ctx_leave(c, rc);
    if (rc < 0) {
        hmn_spill_tracker_close(t);
        return rc;
    }
    *out = t;
    return HMN_OK;
}

void hmn_spill_tracker_close(hmn_spill_tracker *t)
{
    if (!t)
        return;
    if (t->sampler)
        t->ops->sampler_close(t->sampler);
    free(t->ep);
    free(t);
}

void hmn_spill_tracker_set_dedicated_threshold(hmn_spill_tracker *t, uint64_t bytes)
{
    if (!t)
        return;
    t->threshold_override = bytes;
    t->has_threshold_override = 1;
}

void hmn_spill_tracker_set_shared_growth(hmn_spill_tracker *t, uint64_t bytes)
{
    if (t)
        t->growth = bytes;
}

static struct episode *new_episode(hmn_spill_tracker *t)
{
    if (t->n_ep == t->cap_ep) {
        struct episode *e = hmn__grow(t->ep, &t->cap_ep, t->n_ep + 1, sizeof(*e), 8);
        if (!e)
            return NULL;
        t->ep = e;
    }
    memset(&t->ep[t->n_ep], 0, sizeof(t->ep[0]));
    return &t->ep[t->n_ep++];
}

void hmn_spill_tracker_fold(hmn_spill_tracker *t, uint64_t dedicated, uint64_t shared,
                            uint64_t limit, const char *label, uint64_t t_ms)
{
    int has_threshold;
    uint64_t threshold = 0;
    if (!t)
        return;
    if (!label)
        label = "";
    t->observations++;
    t->peak_dedicated = HMN__MAX(t->peak_dedicated, dedicated);
    t->peak_shared = HMN__MAX(t->peak_shared, shared);
    t->limit_seen = limit;
    if (!t->has_baseline) {
        t->baseline = shared;
        t->has_baseline = 1;
    }
    /* Integer divide first, as upstream does: limit/100*85. */
    has_threshold = t->has_threshold_override || limit >= 100;
    if (t->has_threshold_override)
        threshold = t->threshold_override;
    else if (limit >= 100)
        threshold = limit / 100 * HMN_SPILL_DEFAULT_DEDICATED_THRESHOLD_PCT;
    t->spilling = has_threshold && dedicated >= threshold &&
                  shared >= hmn__sat_add(t->baseline, t->growth);
    if (t->spilling) {
        struct episode *e = t->open_episode ? &t->ep[t->n_ep - 1] : new_episode(t);
        t->latched = 1;
        if (!e)
            return;
        if (!t->open_episode) {
            hmn__strlcpy(e->start, label, sizeof(e->start));
            e->first_ms = t_ms;
            e->peak_shared = shared;
            t->open_episode = 1;
        }
        e->last_ms = t_ms;
        e->peak_shared = HMN__MAX(e->peak_shared, shared);
        e->observations++;
    } else if (t->open_episode) {
        struct episode *e = &t->ep[t->n_ep - 1];
        hmn__strlcpy(e->end, label, sizeof(e->end));
        e->has_end = 1;
        t->open_episode = 0;
    }
}

void hmn_spill_tracker_observe(hmn_spill_tracker *t, const char *label)
{
    uint64_t dedicated, shared;
    if (!t || !t->measurable)
        return;
    if (t->ops->sampler_sample(t->sampler, &dedicated, &shared) != HMN_OK)
        return; /* a failed sample is skipped, not counted */
    hmn_spill_tracker_fold(t, dedicated, shared, t->limit, label, hmn__now_ms() - t->t0_ms);
}

int hmn_spill_tracker_is_measurable(const hmn_spill_tracker *t)
{
    return t && t->measurable;
}

int hmn_spill_tracker_is_spilling(const hmn_spill_tracker *t)
{
    return t && t->spilling;
}

int hmn_spill_tracker_has_spilled(const hmn_spill_tracker *t)
{
    return t && t->latched;
}

int hmn_spill_tracker_report(const hmn_spill_tracker *t, hmn_spill_report *out)
{
    hmn_spill_report r;
    size_t i;
    if (!t || !out)
        return HMN_EINVAL;
    memset(&r, 0, sizeof(r));
    r.size = sizeof(r);
    r.measurable = (uint32_t)t->measurable;
    r.episode_count = t->n_ep;
    r.peak_dedicated_bytes = t->peak_dedicated;
    r.dedicated_limit_bytes = t->limit_seen;
    r.peak_shared_bytes = t->peak_shared;
    r.baseline_shared_bytes = t->has_baseline ? t->baseline : 0;
    r.observations = t->observations;
    for (i = 0; i < t->n_ep; i++)
        r.total_spill_duration_ms += t->ep[i].last_ms - t->ep[i].first_ms;
    return hmn__copy_out(out, &r, sizeof(r), HMN__SPILL_REPORT_SIZE_V1);
}

int hmn_spill_tracker_episode(const hmn_spill_tracker *t, size_t i, hmn_spill_episode *out)
{
    hmn_spill_episode e;
    if (!t || !out)
        return HMN_EINVAL;
    if (i >= t->n_ep)
        return HMN_ENOENT;
    memset(&e, 0, sizeof(e));
    e.size = sizeof(e);
    e.has_end_label = (uint32_t)t->ep[i].has_end;
    e.peak_shared_bytes = t->ep[i].peak_shared;
    e.observations = t->ep[i].observations;
    e.duration_ms = t->ep[i].last_ms - t->ep[i].first_ms;
    hmn__strlcpy(e.start_label, t->ep[i].start, sizeof(e.start_label));
    hmn__strlcpy(e.end_label, t->ep[i].end, sizeof(e.end_label));
    return hmn__copy_out(out, &e, sizeof(e), HMN__SPILL_EPISODE_SIZE_V1);
}

int hmn_is_spill_measurable(hmn_ctx *ctx)
{
    const struct hmn__backend *ops;
    struct hmn__spill_sampler *s = NULL;
    uint64_t limit;
    hmn_ctx *c;
    int measurable;
    if (hmn__ctx_enter(ctx, &c) < 0)
        return 0;
    /* Measurable here: a sampler opens on the first device. */
    (void)sampler_open(c, 0, &ops, &s, &limit);
    measurable = s != NULL;
    if (s)
        ops->sampler_close(s);
    hmn__ctx_leave(c, HMN_OK);
    return measurable;
}

int hmn_snapshot_is_spilling(hmn_ctx *ctx, uint32_t index)
{
    const struct hmn__backend *ops;
    struct hmn__spill_sampler *s = NULL;
    uint64_t limit = 0, dedicated, shared;
    hmn_ctx *c;
    int rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    rc = sampler_open(c, index, &ops, &s, &limit);
    if (rc == HMN_OK && (!s || limit < 100))
        rc = hmn__fail(c, HMN_EUNSUPPORTED, "spill not measurable on this device");
    if (rc == HMN_OK)
        rc = ops->sampler_sample(s, &dedicated, &shared);
    /* One-shot rule: an absolute floor, not growth (upstream 0.2.11). */
    if (rc == HMN_OK)
        rc = dedicated >= limit / 100 * HMN_SPILL_DEFAULT_DEDICATED_THRESHOLD_PCT &&
             shared >= HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES;
    if (s)
        ops->sampler_close(s);
    return hmn__ctx_leave(c, rc);
}
