/*
 * cli/metrics_collect.c - one whole-machine collection for the exporter,
 * through the public API only: every device's information, its MIG
 * instances, optionally every process row, and what each GPU source did.
 *
 * The collector is the only user of its context (scrapes read a rendered
 * copy, see serve_cache.c), so a slow backend slows the next sample, never a
 * scrape.  When not even the device count can be read (no driver loaded yet
 * at boot, a library upgrade), the collector opens a fresh context every
 * REOPEN_MS, because a context enumerates its devices once.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "metrics.h"

#include <stdlib.h>
#include <string.h>
#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

#define REOPEN_MS 30000u
#define MONO_MS_FROM_NS 1000000u
/* An exported process's owner is looked up again after this long (a cgroup
 * move), and at once when its PID shows another name or left the list. */
#define OWNER_TTL_MS 60000u

/* Monotonic nanoseconds: a collection takes microseconds, mono_ms() is too coarse. */
static uint64_t mono_ns(void)
{
#if defined(_WIN32)
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (uint64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

void mx_snapshot_free(struct mx_snapshot *s)
{
    free(s->gpus);
    free(s->migs);
    free(s->procs);
    free(s->accounts);
    memset(s, 0, sizeof(*s));
}

static uint64_t mono_ms(void)
{
    return mono_ns() / MONO_MS_FROM_NS;
}

/* ---------------------------------------------------------------- process selection */

static int cmp_bytes_desc(const void *va, const void *vb)
{
    const struct mx_proc *a = va, *b = vb;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->gpu != b->gpu)
        return a->gpu < b->gpu ? -1 : 1;
    return (a->pid > b->pid) - (a->pid < b->pid);
}

static int cmp_gpu_pid(const void *va, const void *vb)
{
    const struct mx_proc *a = va, *b = vb;
    if (a->gpu != b->gpu)
        return a->gpu < b->gpu ? -1 : 1;
    if (a->pid != b->pid)
        return a->pid < b->pid ? -1 : 1;
    if (a->gpu_instance_id != b->gpu_instance_id)
        return a->gpu_instance_id < b->gpu_instance_id ? -1 : 1;
    return (a->compute_instance_id > b->compute_instance_id) -
           (a->compute_instance_id < b->compute_instance_id);
}

/* Two rows with the same labels would be one series twice: keep the larger. */
static size_t drop_duplicates(struct mx_proc *p, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (o && cmp_gpu_pid(&p[o - 1], &p[i]) == 0) {
            if (p[i].bytes > p[o - 1].bytes)
                p[o - 1] = p[i];
            continue;
        }
        p[o++] = p[i];
    }
    return o;
}

void mx_select_processes(struct mx_snapshot *s, size_t max)
{
    if (!s->procs || !s->nprocs)
        return;
    qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_gpu_pid);
    s->nprocs = drop_duplicates(s->procs, s->nprocs);
    if (s->nprocs > max) {
        qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_bytes_desc);
        s->procs_omitted = s->nprocs - max;
        s->nprocs = max;
        qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_gpu_pid);
    }
}

/* ---------------------------------------------------------------- collector */

void mx_collector_init(struct mx_collector *c, hmn_ctx *ctx, const struct mx_options *opt)
{
    memset(c, 0, sizeof(*c));
    c->ctx = ctx;
    c->opt = *opt;
    c->reopened_ms = mono_ms();
    c->reopen_ms = REOPEN_MS;
}

void mx_collector_close(struct mx_collector *c)
{
    hmn_ctx_close(c->owned);
    free(c->owners);
    c->owners = NULL;
    c->nowners = c->owners_cap = 0;
    c->owned = NULL;
    c->ctx = NULL;
}

/* The report's source for a figure's source: DRM devices read sysfs, list fdinfo. */
static uint32_t backend_source(uint32_t source)
{
    return source == HMN_SOURCE_SYSFS ? (uint32_t)HMN_SOURCE_DRM_FDINFO : source;
}

/* Scratch of one collection. */
struct pass {
    struct mx_collector *c;
    struct mx_snapshot *s;
    size_t gcap, mcap, pcap, acap;
    int failed[MX_SOURCES]; /* a query answered by / owed by this source failed */
    int oom;
    int cancelled;
};

/* Shutdown asked: stop between queries (a hung backend costs one timeout, not one per query). */
static int stop_now(struct pass *p)
{
    if (!p->cancelled && p->c->cancelled && p->c->cancelled(p->c->cancel_arg))
        p->cancelled = 1;
    return p->cancelled || p->oom;
}

static void fail_for(struct pass *p, uint32_t index)
{
    uint32_t src = index < 64 ? p->c->home_source[index] : 0;
    p->c->errors_total++;
    if (src && src < MX_SOURCES)
        p->failed[src] = 1;
}

/* Grow an array of `size`-byte items to hold one more; NULL when out of memory. */
static void *grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        void *v = realloc(*arr, ncap * size);
        if (!v)
            return NULL;
        *arr = v;
        *cap = ncap;
    }
    return (char *)*arr + n * size;
}

static void collect_migs(struct pass *p, const hmn_gpu_device_info *d)
{
    uint32_t k;
    if (!(d->valid & HMN_DEV_HAS_MIG_MODE) || d->mig_mode != 1)
        return;
    for (k = 0; k < d->mig_instance_count && !stop_now(p); k++) {
        hmn_mig_info m = HMN_MIG_INFO_INIT;
        struct mx_mig *slot;
        if (hmn_mig_instance(p->c->ctx, d->index, k, &m) != HMN_OK) {
            fail_for(p, d->index);
            continue;
        }
        slot = grow((void **)&p->s->migs, &p->mcap, p->s->nmigs, sizeof(*slot));
        if (!slot) {
            p->oom = 1;
            return;
        }
        slot->gpu = d->index;
        slot->info = m;
        p->s->nmigs++;
    }
}

/* The unattributed remainder of rows with gpu_instance_id gi against `used`, when known. */
static void add_account(struct pass *p, const hmn_process_list *list, uint32_t gpu, uint32_t gi,
                        uint32_t ci, int used_known, uint64_t used)
{
    hmn_memory_account a = HMN_MEMORY_ACCOUNT_INIT;
    struct mx_account *slot;
    if (hmn_memory_account_rows(list, gi == MX_NO_MIG ? HMN_ANY_GPU_INSTANCE : gi, used_known,
                                used, &a) != HMN_OK ||
        !(a.valid & HMN_ACCT_HAS_UNATTRIBUTED))
        return; /* used unknown, or the rows exceed it: no remainder to report */
    slot = grow((void **)&p->s->accounts, &p->acap, p->s->naccounts, sizeof(*slot));
    if (!slot) {
        p->oom = 1;
        return;
    }
    slot->gpu = gpu;
    slot->gpu_instance_id = gi;
    slot->compute_instance_id = ci;
    slot->unattributed_bytes = a.unattributed_bytes;
    p->s->naccounts++;
}

static void collect_rows(struct pass *p, uint32_t index, const hmn_process_list *list)
{
    size_t i, n = hmn_process_list_count(list);
    for (i = 0; i < n && !p->oom; i++) {
        hmn_gpu_process row = HMN_GPU_PROCESS_INIT;
        struct mx_proc *slot;
        /* A row whose memory the driver does not report has no sample. */
        if (hmn_process_list_get(list, i, &row) != HMN_OK || !(row.valid & HMN_PROC_HAS_USED))
            continue;
        slot = grow((void **)&p->s->procs, &p->pcap, p->s->nprocs, sizeof(*slot));
        if (!slot) {
            p->oom = 1;
            break;
        }
        memset(slot, 0, sizeof(*slot));
        slot->gpu = index;
        slot->pid = row.pid;
        slot->host_pid = row.host_pid ? row.host_pid : row.pid;
        slot->bytes = row.used_bytes;
        slot->gpu_instance_id = row.gpu_instance_id;
        slot->compute_instance_id = row.compute_instance_id;
        if (row.valid & HMN_PROC_HAS_NAME) {
            slot->has_name = 1;
            memcpy(slot->name, row.name, sizeof(slot->name));
            slot->name[sizeof(slot->name) - 1] = '\0';
        }
        p->s->nprocs++;
    }
}

/* The device's rows, and what of its used memory (and each MIG instance's) no row explains. */
static void collect_processes(struct pass *p, const hmn_gpu_device_info *d, uint32_t index,
                              size_t first_mig)
{
    hmn_process_list *list = NULL;
    size_t k;
    if (hmn_gpu_processes(p->c->ctx, index, &list) != HMN_OK) {
        fail_for(p, index);
        return;
    }
    collect_rows(p, index, list);
    if (d) {
        add_account(p, list, index, MX_NO_MIG, MX_NO_MIG, (d->valid & HMN_DEV_HAS_USED) != 0,
                    d->used_bytes);
        for (k = first_mig; k < p->s->nmigs && !p->oom; k++) {
            const hmn_mig_info *m = &p->s->migs[k].info;
            if (m->gpu_instance_id != UINT32_MAX)
                add_account(p, list, index, m->gpu_instance_id, m->compute_instance_id,
                            (m->valid & HMN_DEV_HAS_USED) != 0, m->used_bytes);
        }
    }
    hmn_process_list_free(list);
}

static void collect_device(struct pass *p, uint32_t index)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    uint32_t *home = index < 64 ? &p->c->home_source[index] : NULL;
    hmn_gpu_device_info *slot;
    size_t first_mig = p->s->nmigs;
    int known = 0;
    if (hmn_device_info(p->c->ctx, index, &d) != HMN_OK) {
        fail_for(p, index);
    } else {
        known = 1;
        uint32_t src = backend_source(d.source);
        /* Answered by a fallback: the device's own source failed this time. */
        if (home && *home && *home != src && *home < MX_SOURCES)
            p->failed[*home] = 1;
        else if (home && !*home)
            *home = src;
        slot = grow((void **)&p->s->gpus, &p->gcap, p->s->ngpus, sizeof(*slot));
        if (!slot) {
            p->oom = 1;
            return;
        }
        *slot = d;
        p->s->ngpus++;
        collect_migs(p, &d);
    }
    if (p->c->opt.processes && !stop_now(p))
        collect_processes(p, known ? &d : NULL, index, first_mig);
}

static void collect_sources(struct pass *p)
{
    hmn_source_report r = HMN_SOURCE_REPORT_INIT;
    size_t i;
    for (i = 0; hmn_source_report_get(p->c->ctx, i, &r) == HMN_OK; i++) {
        struct mx_source *m;
        if (r.state == HMN_SOURCE_DISABLED || p->s->nsources >= MX_SOURCES)
            continue; /* compiled out or switched off: not a source of this exporter */
        m = &p->s->sources[p->s->nsources++];
        m->source = r.source;
        m->success = r.state == HMN_SOURCE_AVAILABLE &&
                     !(r.source < MX_SOURCES && p->failed[r.source]);
    }
}

/* ---------------------------------------------------------------- owners */

#if !defined(_WIN32)
static int cmp_owner(const void *va, const void *vb)
{
    const struct mx_owner_entry *a = va, *b = vb;
    return (a->pid > b->pid) - (a->pid < b->pid);
}

/* Entries [0, sorted) are sorted by PID; those added in this collection follow. */
static struct mx_owner_entry *owner_find(struct mx_collector *c, size_t sorted, uint32_t pid)
{
    struct mx_owner_entry key, *e;
    size_t i;
    key.pid = pid;
    e = sorted ? bsearch(&key, c->owners, sorted, sizeof(key), cmp_owner) : NULL;
    for (i = sorted; !e && i < c->nowners; i++)
        if (c->owners[i].pid == pid)
            e = &c->owners[i];
    return e;
}

static void owner_fetch(struct mx_collector *c, struct mx_owner_entry *e, const struct mx_proc *p,
                        uint64_t now)
{
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    e->pid = p->pid;
    e->fetched_ms = now;
    memcpy(e->name, p->name, sizeof(e->name));
    e->has_container = e->has_pod = 0;
    if (hmn_process_owner_info(c->ctx, p->host_pid, &o) != HMN_OK)
        return; /* exited, or not readable here: the labels are left out */
    if ((o.valid & HMN_OWNER_HAS_CONTAINER) && o.container_id[0]) {
        e->has_container = 1;
        memcpy(e->container_id, o.container_id, sizeof(e->container_id));
    }
    if ((o.valid & HMN_OWNER_HAS_POD) && o.pod_uid[0]) {
        e->has_pod = 1;
        memcpy(e->pod_uid, o.pod_uid, sizeof(e->pod_uid));
    }
}

/* The entry for p, fetched when new, renamed or stale; NULL when out of memory. */
static struct mx_owner_entry *owner_of(struct mx_collector *c, size_t sorted,
                                       const struct mx_proc *p, uint64_t now)
{
    struct mx_owner_entry *e = owner_find(c, sorted, p->pid);
    if (e) {
        if (strcmp(e->name, p->name) != 0 || now - e->fetched_ms >= OWNER_TTL_MS)
            owner_fetch(c, e, p, now);
        return e;
    }
    if (c->nowners == c->owners_cap) {
        size_t cap = c->owners_cap ? c->owners_cap * 2 : 64;
        struct mx_owner_entry *v = realloc(c->owners, cap * sizeof(*v));
        if (!v)
            return NULL;
        c->owners = v;
        c->owners_cap = cap;
    }
    e = &c->owners[c->nowners++];
    owner_fetch(c, e, p, now);
    return e;
}
#endif

/*
 * Container and pod of every exported row.  Owners are kept between
 * collections: reading one costs two files and a user-database lookup, and
 * a process does not change container.  An entry is dropped as soon as its
 * PID is not listed, and read again when the PID shows another name or
 * after OWNER_TTL_MS, so a reused PID is not given an old owner.
 */
static void attach_owners(struct mx_collector *c, struct mx_snapshot *s)
{
#if defined(_WIN32)
    (void)c;
    (void)s; /* owners come from /proc: Linux only */
#else
    uint64_t now = mono_ms();
    size_t i, o = 0, sorted = c->nowners;
    c->generation++;
    for (i = 0; i < s->nprocs; i++) {
        struct mx_proc *p = &s->procs[i];
        struct mx_owner_entry *e = owner_of(c, sorted, p, now);
        if (!e)
            break; /* out of memory: the rest go without owner labels this time */
        e->generation = c->generation;
        if ((p->has_container = e->has_container) != 0)
            memcpy(p->container_id, e->container_id, sizeof(p->container_id));
        if ((p->has_pod = e->has_pod) != 0)
            memcpy(p->pod_uid, e->pod_uid, sizeof(p->pod_uid));
    }
    for (i = 0; i < c->nowners; i++) /* forget PIDs that are no longer listed */
        if (c->owners[i].generation == c->generation)
            c->owners[o++] = c->owners[i];
    c->nowners = o;
    if (c->nowners > 1)
        qsort(c->owners, c->nowners, sizeof(*c->owners), cmp_owner);
#endif
}

/* A fresh context when enumeration has kept failing for REOPEN_MS. */
static void maybe_reopen(struct mx_collector *c, uint64_t now)
{
    hmn_ctx *fresh = NULL;
    if (!c->failed_since_ms || now - c->reopened_ms < c->reopen_ms)
        return;
    c->reopened_ms = now;
    if (hmn_ctx_open(&fresh) != HMN_OK)
        return;
    hmn_ctx_close(c->owned);
    c->owned = fresh;
    c->ctx = fresh;
    memset(c->home_source, 0, sizeof(c->home_source));
}

int mx_collect(struct mx_collector *c, struct mx_snapshot *out)
{
    struct pass p;
    uint64_t t0 = mono_ms(), t0_ns = mono_ns();
    uint32_t n = 0, i;
    memset(out, 0, sizeof(*out));
    memset(&p, 0, sizeof(p));
    p.c = c;
    p.s = out;
    maybe_reopen(c, t0);
    out->version = hmn_version();
    out->processes = c->opt.processes;
    if (hmn_device_count(c->ctx, &n) != HMN_OK) {
        c->errors_total++;
        if (!c->failed_since_ms)
            c->failed_since_ms = t0 ? t0 : 1;
    } else {
        out->up = 1;
        c->failed_since_ms = 0;
    }
    for (i = 0; i < n && !stop_now(&p); i++)
        collect_device(&p, i);
    if (!stop_now(&p))
        collect_sources(&p);
    mx_select_processes(out, c->opt.max_processes);
    if (!p.oom && !stop_now(&p))
        attach_owners(c, out);
    out->errors_total = c->errors_total;
    out->duration_seconds = (double)(mono_ns() - t0_ns) / 1e9;
    if (p.oom || p.cancelled) {
        mx_snapshot_free(out);
        return -1;
    }
    return 0;
}

int mx_collect_render(struct mx_collector *c, struct mx_buf *out)
{
    struct mx_snapshot s;
    int rc = mx_collect(c, &s);
    if (rc == 0) {
        rc = mx_render(&s, out);
        mx_snapshot_free(&s);
    }
    return rc;
}
