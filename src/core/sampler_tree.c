/*
 * core/sampler_tree.c - who is in the sampled tree, and their RAM.
 *
 * Each sample takes the machine's process table (Linux: one pass over
 * <procfs>/<pid>/stat; Windows: one Toolhelp32 snapshot), keeps every member
 * that is still there with the same start time, and takes in, until nothing
 * changes, every process whose parent is a member and which started no
 * earlier than it.  A member stays one while it lives, whoever its parent
 * becomes (a subreaper or init adopting it), and a PID that comes back with
 * another start time is a new process, not the old member.
 */
#include "common/grow.h"
#include "core/sampler.h"

#include <stdlib.h>
#include <string.h>

static int cmp_entry(const void *a, const void *b)
{
    const struct hmn__ptab_entry *x = a, *y = b;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static long find_entry(const struct hmn__ptab *tab, uint32_t pid)
{
    size_t lo = 0, hi = tab->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tab->v[mid].pid == pid)
            return (long)mid;
        if (tab->v[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The start time of table entry e, asked for where the table has none (Windows). */
static int entry_start(hmn_ctx *ctx, struct hmn__ptab_entry *e)
{
    if (!e->has_start && hmn__ram_process_start(ctx, e->pid, &e->start) == HMN_OK)
        e->has_start = 1;
    return e->has_start;
}

static struct hmn__member *add_member(hmn_sampler *s, uint32_t pid, uint64_t t_ms)
{
    struct hmn__member *m = hmn__grow(s->m, &s->capm, s->nm + 1, sizeof(*m), 16);
    if (!m)
        return NULL;
    s->m = m;
    m = &s->m[s->nm++];
    memset(m, 0, sizeof(*m));
    m->pid = pid;
    m->host_pid = pid;
    m->alive = 1;
    m->counted = 1;
    m->first_ms = m->last_ms = t_ms;
    return m;
}

int hmn__tree_open(hmn_sampler *s, hmn_ctx *ctx)
{
    struct hmn__member *m;
    uint64_t start = 0;
    int rc = hmn__ram_process_start(ctx, s->root, &start), has_start = rc == HMN_OK;
    if (rc == HMN_ENOENT)
        return hmn__fail(ctx, HMN_ENOENT, "sampler: no process %u", s->root);
    if (rc != HMN_OK && rc != HMN_EUNSUPPORTED && rc != HMN_EACCES)
        return rc;
    m = add_member(s, s->root, 0);
    if (!m)
        return hmn__fail(ctx, HMN_ENOMEM, "sampler: out of memory");
    m->is_root = 1;
    m->has_start = has_start;
    m->start = start;
    if (s->cfg.flags & HMN_SAMPLER_EXCLUDE_ROOT) {
        m->counted = 0;
        s->root_hidden = 1;
    }
    return HMN_OK;
}

static int grow_index(hmn_sampler *s, size_t n)
{
    int32_t *v = hmn__grow(s->tab_member, &s->tab_member_cap, n, sizeof(*v), 256);
    if (!v)
        return HMN_ENOMEM;
    s->tab_member = v;
    return HMN_OK;
}

/* Keep the members still in the table (same start time), mark the others gone. */
static void match_members(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms)
{
    size_t i;
    for (i = 0; i < s->tab.n; i++)
        s->tab_member[i] = -1;
    for (i = 0; i < s->nm; i++) {
        struct hmn__member *m = &s->m[i];
        long k;
        if (!m->alive && !m->exited)
            continue; /* gone for good: a PID seen again is another process */
        k = find_entry(&s->tab, m->pid);
        if (k >= 0 && s->tab_member[k] < 0 &&
            (!m->has_start || !entry_start(ctx, &s->tab.v[k]) || s->tab.v[k].start == m->start)) {
            s->tab_member[k] = (int32_t)i;
            if (m->exited)
                continue; /* still listed (the table may keep a zombie): not a new member */
            m->ppid = s->tab.v[k].ppid;
            m->alive = 1;
            m->last_ms = t_ms;
            if (!m->name[0] && s->tab.v[k].name[0]) {
                hmn__strlcpy(m->name, s->tab.v[k].name, sizeof(m->name));
                m->valid |= HMN_TPROC_HAS_NAME;
            }
        } else {
            m->alive = 0;
            m->exited = 0; /* no longer listed: its PID may now be another process's */
        }
    }
}

/* Take in children of members until nothing changes (a grandchild may sort first). */
static int adopt_children(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms)
{
    int changed = 1;
    while (changed) {
        size_t k;
        changed = 0;
        for (k = 0; k < s->tab.n; k++) {
            struct hmn__ptab_entry *e = &s->tab.v[k];
            struct hmn__member *m;
            long p;
            if (s->tab_member[k] >= 0 || e->ppid == 0 || e->ppid == e->pid)
                continue;
            p = find_entry(&s->tab, e->ppid);
            if (p < 0 || s->tab_member[p] < 0)
                continue;
            /* A child cannot be older than its parent: an older one names a
             * parent whose PID was reused after it (Windows keeps stale PPIDs). */
            if (entry_start(ctx, &s->tab.v[p]) && entry_start(ctx, e) &&
                e->start < s->tab.v[p].start)
                continue;
            m = add_member(s, e->pid, t_ms);
            if (!m)
                return HMN_ENOMEM;
            m->ppid = e->ppid;
            m->has_start = e->has_start;
            m->start = e->start;
            if (e->name[0]) {
                hmn__strlcpy(m->name, e->name, sizeof(m->name));
                m->valid |= HMN_TPROC_HAS_NAME;
            }
            s->tab_member[k] = (int32_t)(s->nm - 1);
            changed = 1;
        }
    }
    return HMN_OK;
}

/* The root alone (no HMN_SAMPLER_CHILDREN): is it still the same process? */
static void check_root(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms)
{
    struct hmn__member *m = &s->m[0];
    uint64_t start;
    int rc;
    if (!m->alive)
        return;
    rc = hmn__ram_process_start(ctx, m->pid, &start);
    m->alive = rc == HMN_OK ? (!m->has_start || start == m->start)
                            : rc != HMN_ENOENT; /* unreadable: still there */
    if (m->alive)
        m->last_ms = t_ms;
}

static int find_members(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms)
{
    int rc;
    if (!(s->cfg.flags & HMN_SAMPLER_CHILDREN)) {
        check_root(s, ctx, t_ms);
        return HMN_OK;
    }
    rc = hmn__ram_process_table(ctx, &s->tab);
    if (rc != HMN_OK)
        return rc;
    qsort(s->tab.v, s->tab.n, sizeof(*s->tab.v), cmp_entry);
    if (grow_index(s, s->tab.n) != HMN_OK)
        return hmn__fail(ctx, HMN_ENOMEM, "sampler: out of memory");
    match_members(s, ctx, t_ms);
    rc = adopt_children(s, ctx, t_ms);
    if (rc != HMN_OK)
        return hmn__fail(ctx, rc, "sampler: out of memory");
    return HMN_OK;
}

/* A new kernel name (first sight, exec): the full name by the library's rule. */
static void refresh_name(hmn_ctx *ctx, struct hmn__member *m, const struct hmn__pid_mem *pm)
{
    if (!(pm->valid & HMN__PM_HAS_COMM) || strcmp(pm->comm, m->comm) == 0)
        return;
    hmn__strlcpy(m->comm, pm->comm, sizeof(m->comm));
    if (hmn__proc_name(ctx, m->pid, m->name, sizeof(m->name)) != HMN_OK)
        hmn__strlcpy(m->name, pm->comm, sizeof(m->name));
    if (m->name[0])
        m->valid |= HMN_TPROC_HAS_NAME;
}

/* RAM of one alive member into the sample (it may turn out to be gone). */
static void read_member(hmn_sampler *s, hmn_ctx *ctx, struct hmn__member *m,
                        hmn_sample_info *info)
{
    struct hmn__pid_mem pm;
    int rc = hmn__ram_pid_read(ctx, m->pid, (s->cfg.flags & HMN_SAMPLER_PSS) != 0, &pm);
    if (rc == HMN_ENOENT) {
        m->alive = 0; /* exited between the table and this read */
        m->exited = 1;
        return;
    }
    info->processes++;
    if (rc != HMN_OK) {
        info->unreadable++;
        return;
    }
    refresh_name(ctx, m, &pm);
    if (pm.valid & HMN_RSS_HAS_CURRENT) {
        m->rss_bytes = pm.rss;
        m->valid |= HMN_TPROC_HAS_RSS;
        if (pm.rss > m->sampled_peak_bytes)
            m->sampled_peak_bytes = pm.rss;
        info->rss_bytes = hmn__sat_add(info->rss_bytes, pm.rss);
        info->valid |= HMN_SAMPLE_HAS_RSS;
    }
    if (pm.valid & HMN_RSS_HAS_PEAK) {
        if (!(m->valid & HMN_TPROC_HAS_PEAK) || pm.hwm > m->peak_bytes)
            m->peak_bytes = pm.hwm;
        m->valid |= HMN_TPROC_HAS_PEAK;
        if (!(s->sum.valid & HMN_SAMPLE_HAS_HWM_MAX) || m->peak_bytes > s->sum.hwm_max_bytes)
            s->sum.hwm_max_bytes = m->peak_bytes;
        s->sum.valid |= HMN_SAMPLE_HAS_HWM_MAX;
    }
    if (pm.valid & HMN__PM_HAS_PSS) {
        info->pss_bytes = hmn__sat_add(info->pss_bytes, pm.pss);
        info->valid |= HMN_SAMPLE_HAS_PSS;
    } else if (s->cfg.flags & HMN_SAMPLER_PSS) {
        s->pss_missing = 1; /* a sum without one member's PSS is no figure */
    }
}

static int grow_alive(hmn_sampler *s)
{
    /* Two arrays, one capacity: each grows to the same size from the same start. */
    size_t pcap = s->alive_cap, xcap = s->alive_cap;
    uint32_t *p = hmn__grow(s->alive_pid, &pcap, s->nm, sizeof(*p), 16);
    size_t *x;
    if (!p)
        return HMN_ENOMEM;
    s->alive_pid = p;
    x = hmn__grow(s->alive_idx, &xcap, s->nm, sizeof(*x), 16);
    if (!x)
        return HMN_ENOMEM;
    s->alive_idx = x;
    s->alive_cap = pcap; /* == xcap */
    return HMN_OK;
}

/* Alive counted members sorted by PID, for the GPU pass's lookups. */
static int index_alive(hmn_sampler *s)
{
    size_t i, n = 0;
    if (grow_alive(s) != HMN_OK)
        return HMN_ENOMEM;
    for (i = 0; i < s->nm; i++) {
        size_t j;
        if (!s->m[i].alive || !s->m[i].counted)
            continue;
        /* insertion keeps it sorted: members are mostly added in PID order */
        for (j = n; j > 0 && s->alive_pid[j - 1] > s->m[i].pid; j--) {
            s->alive_pid[j] = s->alive_pid[j - 1];
            s->alive_idx[j] = s->alive_idx[j - 1];
        }
        s->alive_pid[j] = s->m[i].pid;
        s->alive_idx[j] = i;
        n++;
    }
    s->nalive = n;
    return HMN_OK;
}

int hmn__tree_sample(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms, hmn_sample_info *info)
{
    char keep[sizeof(ctx->errmsg)];
    size_t i;
    int rc;
    /* A member that exits between the table and its read is no failure of
     * the sample: the caller's last error message stays what it was. */
    memcpy(keep, ctx->errmsg, sizeof(keep));
    rc = find_members(s, ctx, t_ms);
    if (rc != HMN_OK)
        return rc;
    s->pss_missing = 0;
    for (i = 0; i < s->nm; i++) {
        struct hmn__member *m = &s->m[i];
        m->gpu_seen = 0;
        m->gpu_now = 0;
        if (m->alive && m->counted)
            read_member(s, ctx, m, info);
    }
    if (s->pss_missing)
        info->valid &= ~(uint64_t)HMN_SAMPLE_HAS_PSS;
    if (index_alive(s) != HMN_OK)
        return hmn__fail(ctx, HMN_ENOMEM, "sampler: out of memory");
    memcpy(ctx->errmsg, keep, sizeof(keep));
    return HMN_OK;
}

struct hmn__member *hmn__tree_find(hmn_sampler *s, uint32_t pid)
{
    size_t lo = 0, hi = s->nalive;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->alive_pid[mid] == pid)
            return &s->m[s->alive_idx[mid]];
        if (s->alive_pid[mid] < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void hmn__tree_fold_gpu(hmn_sampler *s)
{
    size_t i;
    for (i = 0; i < s->nm; i++) {
        struct hmn__member *m = &s->m[i];
        if (!m->gpu_seen)
            continue;
        if (!(m->valid & HMN_TPROC_HAS_GPU) || m->gpu_now > m->gpu_peak_bytes)
            m->gpu_peak_bytes = m->gpu_now;
        m->valid |= HMN_TPROC_HAS_GPU;
    }
}

void hmn__tree_free(hmn_sampler *s)
{
    free(s->m);
    free(s->tab.v);
    free(s->tab.prev);
    free(s->tab_member);
    free(s->alive_pid);
    free(s->alive_idx);
}
