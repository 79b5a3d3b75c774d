/*
 * core/sampler.c - the sampler's public entry points: open and close, one
 * sample, the background thread, and the readers.
 *
 * Locking: s->lock is held for a whole sample and by every reader, so a
 * reader sees one sample's figures, never half of two.  A sample takes the
 * context's lock inside it (s->lock, then the context) for its queries and
 * drops it before the callback runs, so a callback may use the context.  The
 * thread's own state (running, stopping) has its lock, s->tlock, with the
 * condition variable that wakes it at once for a stop.
 */
#include "core/abi.h"
#include "core/sampler.h"

#include <stdlib.h>
#include <string.h>

#define KNOWN_FLAGS                                                                  \
    (HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT | HMN_SAMPLER_GPU | HMN_SAMPLER_PSS)

static int check_config(hmn_ctx *ctx, const hmn_sampler_config *cfg, hmn_sampler_config *out)
{
    memset(out, 0, sizeof(*out));
    if (cfg->size < HMN__SAMPLER_CONFIG_SIZE_V1)
        return hmn__fail(ctx, HMN_EVERSION, "hmn_sampler_config.size %u too small",
                         (unsigned)cfg->size);
    memcpy(out, cfg, cfg->size < sizeof(*out) ? cfg->size : sizeof(*out));
    out->size = sizeof(*out);
    if (out->flags & ~(uint32_t)KNOWN_FLAGS)
        return hmn__fail(ctx, HMN_EINVAL, "sampler: unknown flags 0x%x",
                         (unsigned)(out->flags & ~(uint32_t)KNOWN_FLAGS));
    if (out->interval_ms < HMN_SAMPLER_MIN_INTERVAL_MS)
        return hmn__fail(ctx, HMN_EINVAL, "sampler: interval %llu ms is below %u ms",
                         (unsigned long long)out->interval_ms, HMN_SAMPLER_MIN_INTERVAL_MS);
    return HMN_OK;
}

static void free_sampler(hmn_sampler *s)
{
    hmn__tree_free(s);
    hmn__sgpu_free(s);
    hmn__cond_destroy(&s->cond);
    hmn__mutex_destroy(&s->tlock);
    hmn__mutex_destroy(&s->lock);
    free(s);
}

static int open_locked(hmn_ctx *ctx, hmn_sampler *s)
{
    int rc = hmn__tree_open(s, ctx);
    if (rc == HMN_OK)
        rc = hmn__sgpu_open(s, ctx);
    return rc;
}

int hmn_sampler_open(hmn_ctx *ctx, const hmn_sampler_config *cfg, hmn_sampler **out)
{
    hmn_sampler *s;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    *out = NULL;
    /* A sampler lives on one long-lived context (NVML stays initialised). */
    if (!ctx || !cfg)
        return HMN_EINVAL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return HMN_ENOMEM;
    if (hmn__mutex_init(&s->lock) != HMN_OK) {
        free(s);
        return HMN_ENOMEM;
    }
    if (hmn__mutex_init(&s->tlock) != HMN_OK) {
        hmn__mutex_destroy(&s->lock);
        free(s);
        return HMN_ENOMEM;
    }
    if (hmn__cond_init(&s->cond) != HMN_OK) {
        hmn__mutex_destroy(&s->tlock);
        hmn__mutex_destroy(&s->lock);
        free(s);
        return HMN_ENOMEM;
    }
    s->ctx = ctx;
    s->view.s = s;
    s->sum.size = sizeof(s->sum);
    s->latest.size = sizeof(s->latest);
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0) {
        free_sampler(s);
        return rc;
    }
    rc = check_config(c, cfg, &s->cfg);
    if (rc == HMN_OK) {
        s->root = s->cfg.root_pid ? s->cfg.root_pid : hmn__getpid();
        s->t0_ms = hmn__now_ms();
        rc = open_locked(c, s);
    }
    rc = hmn__ctx_leave(c, rc);
    if (rc < 0) {
        free_sampler(s);
        return rc;
    }
    s->sum.device_count = (uint32_t)s->ndev;
    s->sum.rss_source = (uint32_t)hmn__ram_source;
    *out = s;
    return HMN_OK;
}

void hmn_sampler_close(hmn_sampler *s)
{
    if (!s)
        return;
    (void)hmn_sampler_stop(s);
    free_sampler(s);
}

/* The sample's figures into the summary. */
static void fold_summary(hmn_sampler *s, const hmn_sample_info *info)
{
    hmn_sampler_summary *m = &s->sum;
    size_t i;
    uint32_t seen = 0;
    if (m->samples == 0)
        m->first_ms = info->t_ms;
    m->samples++;
    m->last_ms = info->t_ms;
    if ((info->valid & HMN_SAMPLE_HAS_RSS) &&
        (!(m->valid & HMN_SAMPLE_HAS_RSS_PEAK) || info->rss_bytes > m->rss_peak_bytes)) {
        m->rss_peak_bytes = info->rss_bytes;
        m->rss_peak_at_ms = info->t_ms;
        m->valid |= HMN_SAMPLE_HAS_RSS_PEAK;
    }
    for (i = 0; i < s->nm; i++)
        seen += s->m[i].counted ? 1u : 0u;
    m->processes_seen = seen;
}

static int sample_locked(hmn_sampler *s)
{
    hmn_sample_info info;
    hmn_ctx *c;
    uint64_t t;
    int rc = hmn__ctx_enter(s->ctx, &c);
    if (rc < 0)
        return rc;
    memset(&info, 0, sizeof(info));
    info.size = sizeof(info);
    t = hmn__now_ms();
    info.t_ms = t >= s->t0_ms ? t - s->t0_ms : 0;
    info.epoch_ms = hmn__epoch_ms();
    rc = hmn__tree_sample(s, c, info.t_ms, &info);
    if (rc == HMN_OK) {
        hmn__sgpu_sample(s, c, info.t_ms);
        hmn__tree_fold_gpu(s);
    }
    rc = hmn__ctx_leave(c, rc);
    if (rc < 0)
        return rc;
    info.seq = s->sum.samples;
    info.device_count = (uint32_t)s->ndev;
    s->latest = info;
    s->have_latest = 1;
    fold_summary(s, &info);
    if (s->cb)
        s->cb(&s->view, s->cb_user);
    return HMN_OK;
}

int hmn_sampler_sample(hmn_sampler *s)
{
    int rc;
    if (!s)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->lock);
    rc = sample_locked(s);
    hmn__mutex_unlock(&s->lock);
    return rc;
}

/* ---------------------------------------------------------------- the thread */

static void thread_main(void *arg)
{
    hmn_sampler *s = arg;
    uint64_t next = hmn__now_ms();
    hmn__mutex_lock(&s->tlock);
    while (!s->stopping) {
        uint64_t now;
        hmn__mutex_unlock(&s->tlock);
        (void)hmn_sampler_sample(s); /* a failed sample is skipped; the next may succeed */
        hmn__mutex_lock(&s->tlock);
        /* A fixed rate, not a fixed pause: a slow sample does not stretch the period,
         * and one that overran it starts the next at once rather than queueing. */
        next += s->cfg.interval_ms;
        now = hmn__now_ms();
        if (next < now)
            next = now;
        while (!s->stopping && (now = hmn__now_ms()) < next)
            hmn__cond_timedwait_ms(&s->cond, &s->tlock, next - now);
    }
    hmn__mutex_unlock(&s->tlock);
}

int hmn_sampler_start(hmn_sampler *s)
{
    int rc;
    if (!s)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->tlock);
    if (s->running) {
        hmn__mutex_unlock(&s->tlock);
        return HMN_EINVAL;
    }
    s->stopping = 0;
    rc = hmn__thread_start(&s->th, thread_main, s);
    if (rc == HMN_OK)
        s->running = 1;
    hmn__mutex_unlock(&s->tlock);
    return rc;
}

int hmn_sampler_stop(hmn_sampler *s)
{
    if (!s)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->tlock);
    if (!s->running) {
        hmn__mutex_unlock(&s->tlock);
        return HMN_OK;
    }
    s->stopping = 1;
    hmn__cond_signal(&s->cond);
    hmn__mutex_unlock(&s->tlock);
    hmn__thread_join(s->th);
    hmn__mutex_lock(&s->tlock);
    s->running = 0;
    s->stopping = 0;
    hmn__mutex_unlock(&s->tlock);
    return HMN_OK;
}

/* ---------------------------------------------------------------- readers */

int hmn_sampler_latest(hmn_sampler *s, hmn_sample_info *out)
{
    int rc;
    if (!s || !out)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->lock);
    rc = s->have_latest ? hmn__copy_out(out, &s->latest, sizeof(s->latest),
                                        HMN__SAMPLE_INFO_SIZE_V1)
                        : HMN_ENOENT;
    hmn__mutex_unlock(&s->lock);
    return rc;
}

int hmn_sampler_summary_get(hmn_sampler *s, hmn_sampler_summary *out)
{
    int rc;
    if (!s || !out)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->lock);
    rc = hmn__copy_out(out, &s->sum, sizeof(s->sum), HMN__SAMPLER_SUMMARY_SIZE_V1);
    hmn__mutex_unlock(&s->lock);
    return rc;
}

int hmn_sampler_device(hmn_sampler *s, size_t i, hmn_sample_device *out)
{
    int rc;
    if (!s || !out)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->lock);
    rc = i < s->ndev ? hmn__copy_out(out, &s->dev[i].agg, sizeof(s->dev[i].agg),
                                     HMN__SAMPLE_DEVICE_SIZE_V1)
                     : HMN_ENOENT;
    hmn__mutex_unlock(&s->lock);
    return rc;
}

static void tree_process_of(const struct hmn__member *m, hmn_tree_process *p)
{
    memset(p, 0, sizeof(*p));
    p->size = sizeof(*p);
    p->pid = m->pid;
    p->valid = m->valid;
    p->ppid = m->ppid;
    p->alive = m->alive ? 1u : 0u;
    p->rss_bytes = m->rss_bytes;
    p->peak_bytes = m->peak_bytes;
    p->sampled_peak_bytes = m->sampled_peak_bytes;
    p->gpu_peak_bytes = m->gpu_peak_bytes;
    p->first_ms = m->first_ms;
    p->last_ms = m->last_ms;
    memcpy(p->name, m->name, sizeof(p->name));
}

int hmn_sampler_process(hmn_sampler *s, size_t i, hmn_tree_process *out)
{
    hmn_tree_process p;
    size_t k;
    int rc = HMN_ENOENT;
    if (!s || !out)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->lock);
    k = i + (s->root_hidden ? 1u : 0u);
    if (k >= i && k < s->nm) {
        tree_process_of(&s->m[k], &p);
        rc = hmn__copy_out(out, &p, sizeof(p), HMN__TREE_PROCESS_SIZE_V1);
    }
    hmn__mutex_unlock(&s->lock);
    return rc;
}

int hmn_sampler_other(hmn_sampler *s, size_t i, int moment, size_t j, hmn_gpu_process *out)
{
    const struct hmn__rowvec *r;
    int rc = HMN_ENOENT;
    if (!s || !out || (moment != HMN_SAMPLER_AT_PEAK && moment != HMN_SAMPLER_AT_LAST))
        return HMN_EINVAL;
    hmn__mutex_lock(&s->lock);
    if (i < s->ndev) {
        r = moment == HMN_SAMPLER_AT_PEAK ? &s->dev[i].others_peak : &s->dev[i].others_last;
        if (j < r->n)
            rc = hmn__copy_out(out, &r->v[j], sizeof(r->v[j]), HMN__GPU_PROCESS_SIZE_V1);
    }
    hmn__mutex_unlock(&s->lock);
    return rc;
}

int hmn_sampler_set_callback(hmn_sampler *s, hmn_sample_fn fn, void *user)
{
    if (!s)
        return HMN_EINVAL;
    hmn__mutex_lock(&s->lock);
    s->cb = fn;
    s->cb_user = fn ? user : NULL;
    hmn__mutex_unlock(&s->lock);
    return HMN_OK;
}

int hmn_sample_get_info(const hmn_sample *sample, hmn_sample_info *out)
{
    if (!sample || !out)
        return HMN_EINVAL;
    return hmn__copy_out(out, &sample->s->latest, sizeof(sample->s->latest),
                         HMN__SAMPLE_INFO_SIZE_V1);
}

int hmn_sample_get_device(const hmn_sample *sample, size_t i, hmn_sample_device *out)
{
    if (!sample || !out)
        return HMN_EINVAL;
    if (i >= sample->s->ndev)
        return HMN_ENOENT;
    return hmn__copy_out(out, &sample->s->dev[i].cur, sizeof(sample->s->dev[i].cur),
                         HMN__SAMPLE_DEVICE_SIZE_V1);
}
