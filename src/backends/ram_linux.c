/*
 * backends/ram_linux.c - RSS of the calling process on Linux, and of any
 * other process (<procfs>/<pid>/status) with the process table a sampler
 * walks (<procfs>/<pid>/stat).
 *
 * Fast path: /proc/self/statm, opened once per context and re-read with
 * pread (about 6x cheaper than open+read+close, see docs/performance.md).
 * Fallback: /proc/self/status VmRSS, upstream's method and error texts.
 * Peak: VmHWM from /proc/self/status, read only when asked for.
 * Always the real /proc for ourselves: HMN_PROCFS is for other processes.
 */
#include "common/grow.h"
#include "backend.h"
#include "parse/proc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char self_status[] = "/proc/self/status";

static int read_statm(hmn_ctx *ctx, uint64_t *bytes)
{
    char buf[256];
    size_t len;
    uint64_t pages;
    int rc;
    if (ctx->statm_fd == HMN__FD_NONE) {
        rc = hmn__fd_open("/proc/self/statm", &ctx->statm_fd);
        if (rc != HMN_OK) {
            ctx->statm_fd = HMN__FD_NONE;
            return rc;
        }
    }
    rc = hmn__fd_pread0(ctx->statm_fd, buf, sizeof(buf), &len);
    if (rc == HMN_OK)
        rc = hmn__parse_statm(buf, len, &pages);
    if (rc != HMN_OK)
        return rc;
    *bytes = hmn__sat_mul(pages, (uint64_t)ctx->page_size);
    return HMN_OK;
}

static int read_status(hmn_ctx *ctx, char *buf, size_t cap, size_t *len)
{
    int rc = hmn__read_file(self_status, buf, cap, len, NULL);
    if (rc != HMN_OK)
        return hmn__fail(ctx, HMN_ERAM, "RAM query failed: failed to read %s: %s", self_status,
                         hmn_strerror(rc));
    return HMN_OK;
}

static int status_kb(hmn_ctx *ctx, const char *st, size_t len, const char *key, uint64_t *bytes)
{
    char why[128];
    uint64_t kb;
    int rc = hmn__parse_status_kb(st, len, key, &kb, why, sizeof(why));
    if (rc == HMN_ENOENT)
        return hmn__fail(ctx, HMN_ERAM, "RAM query failed: %s not found in %s", key, self_status);
    if (rc != HMN_OK)
        return hmn__fail(ctx, HMN_ERAM, "RAM query failed: failed to parse %s value %s", key, why);
    *bytes = hmn__sat_mul(kb, 1024);
    return HMN_OK;
}

const int hmn__ram_source = HMN_SOURCE_PROCFS;

int hmn__ram_read(hmn_ctx *ctx, hmn_rss *out, int want_peak)
{
    char st[8192];
    size_t len = 0;
    int have_status = 0, rc;

    out->source = HMN_SOURCE_PROCFS;
    if (read_statm(ctx, &out->current_bytes) == HMN_OK) {
        out->valid |= HMN_RSS_HAS_CURRENT;
    } else {
        rc = read_status(ctx, st, sizeof(st), &len);
        if (rc != HMN_OK)
            return rc;
        have_status = 1;
        rc = status_kb(ctx, st, len, "VmRSS", &out->current_bytes);
        if (rc != HMN_OK)
            return rc;
        out->valid |= HMN_RSS_HAS_CURRENT;
    }
    hmn__debug(ctx, "[procfs debug] rss %llu bytes", (unsigned long long)out->current_bytes);
    if (!want_peak)
        return HMN_OK;
    if (!have_status && read_status(ctx, st, sizeof(st), &len) != HMN_OK)
        return HMN_OK; /* peak stays unknown; current is what was asked for */
    if (hmn__parse_status_kb(st, len, "VmHWM", &out->peak_bytes, NULL, 0) == HMN_OK) {
        out->peak_bytes = hmn__sat_mul(out->peak_bytes, 1024);
        out->valid |= HMN_RSS_HAS_PEAK;
    }
    return HMN_OK;
}

int hmn__ram_process_exists(hmn_ctx *ctx, uint32_t pid)
{
    char path[600], st[4096];
    size_t len;
    uint32_t tgid;
    int rc;
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/status", pid) != HMN_OK)
        return hmn__fail(ctx, HMN_ENOBUFS, "procfs path too long");
    rc = hmn__read_file(path, st, sizeof(st), &len, NULL);
    if (rc == HMN_ENOENT)
        return 0;
    if (rc != HMN_OK)
        return hmn__fail(ctx, rc, "cannot read %s: %s", path, hmn_strerror(rc));
    /* A thread id also has a /proc entry; only a Tgid equal to pid is a process. */
    if (hmn__parse_status_u32(st, len, "Tgid", &tgid) == HMN_OK)
        return tgid == pid;
    return 1;
}

/* starttime of /proc/<pid>/stat: the same for one process, new for a reused PID. */
int hmn__ram_process_start(hmn_ctx *ctx, uint32_t pid, uint64_t *start)
{
    char path[600], st[1024];
    size_t len;
    int rc;
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/stat", pid) != HMN_OK)
        return hmn__fail(ctx, HMN_ENOBUFS, "procfs path too long");
    rc = hmn__read_file(path, st, sizeof(st), &len, NULL);
    if (rc != HMN_OK)
        return hmn__fail(ctx, rc, "cannot read %s: %s", path, hmn_strerror(rc));
    if (hmn__parse_stat_starttime(st, len, start) != HMN_OK)
        return hmn__fail(ctx, HMN_EPARSE, "%s: no start time in field 22", path);
    return HMN_OK;
}

/* ---------------------------------------------------------------- other processes */

/*
 * The process table.  Reading every process's stat costs about 2 us per
 * process, for every sample, on a machine whose processes mostly never
 * change.  On a real procfs the inode number of <procfs>/<pid> (d_ino, free
 * with the listing) names one process: a new process with a reused PID gets
 * a new inode, and so does a dentry the kernel evicted and rebuilt (a
 * harmless re-read).  A process's parent changes only when the parent goes
 * away (adoption), and its start time never does; so an entry of the
 * previous table is kept when its PID has the same inode and its parent is
 * still the same process, and stat is read only for the others.  Fixture
 * trees (HMN_PROCFS pointing at ordinary files) are read in full each time.
 */
struct scan {
    hmn_ctx *ctx;
    struct hmn__ptab *tab;
    int rc;
};

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int list_one(void *arg, const char *name, uint64_t ino)
{
    struct scan *sc = arg;
    struct hmn__ptab *tab = sc->tab;
    struct hmn__ptab_entry *v;
    uint64_t pid;
    if (!all_digits(name) || hmn__parse_u64(name, strlen(name), &pid) != HMN_OK || pid == 0 ||
        pid > UINT32_MAX)
        return 0;
    v = hmn__grow(tab->v, &tab->cap, tab->n + 1, sizeof(*v), 256);
    if (!v) {
        sc->rc = HMN_ENOMEM;
        return -1;
    }
    tab->v = v;
    memset(&tab->v[tab->n], 0, sizeof(tab->v[0]));
    tab->v[tab->n].pid = (uint32_t)pid;
    tab->v[tab->n].ino = ino;
    tab->n++;
    return 0;
}

static int cmp_pid(const void *a, const void *b)
{
    const struct hmn__ptab_entry *x = a, *y = b;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static const struct hmn__ptab_entry *find_pid(const struct hmn__ptab_entry *v, size_t n,
                                              uint32_t pid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].pid == pid)
            return &v[mid];
        if (v[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The previous entry of e's process, when neither it nor its parent changed. */
static const struct hmn__ptab_entry *unchanged(const struct hmn__ptab *tab,
                                               const struct hmn__ptab_entry *e)
{
    const struct hmn__ptab_entry *p = find_pid(tab->prev, tab->prev_n, e->pid), *was, *now;
    if (!p || p->ino != e->ino || !p->has_start)
        return NULL;
    if (p->ppid == 0)
        return p;
    was = find_pid(tab->prev, tab->prev_n, p->ppid);
    now = find_pid(tab->v, tab->n, p->ppid);
    return was && now && was->ino == now->ino ? p : NULL;
}

/* stat of one entry; 0 when it is gone, a zombie or unreadable (dropped). */
static int read_stat(hmn_ctx *ctx, struct hmn__ptab_entry *e)
{
    struct hmn__stat_tree st;
    char path[600], buf[1024];
    size_t len;
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/stat", e->pid) != HMN_OK ||
        hmn__read_file(path, buf, sizeof(buf), &len, NULL) != HMN_OK ||
        hmn__parse_stat_tree(buf, len, &st) != HMN_OK)
        return 0; /* gone since the listing, or not a process */
    if (st.state == 'Z' || st.state == 'X')
        return 0; /* exited: its memory is gone, only its exit status waits */
    e->ppid = st.ppid;
    e->start = st.start;
    e->has_start = 1;
    return 1;
}

int hmn__ram_process_table(hmn_ctx *ctx, struct hmn__ptab *tab)
{
    struct scan sc = {ctx, tab, HMN_OK};
    struct hmn__ptab_entry *t;
    size_t i, k, cap;
    int rc, cache;
    /* The last table becomes the cache; its array is reused for this one. */
    t = tab->prev, tab->prev = tab->v, tab->v = t;
    cap = tab->prev_cap, tab->prev_cap = tab->cap, tab->cap = cap;
    tab->prev_n = tab->n;
    tab->n = 0;
    if (tab->real_procfs == 0) /* asked once: a context's procfs root never changes */
        tab->real_procfs = hmn__is_procfs(ctx->procfs) ? 1 : -1;
    cache = tab->prev_n > 0 && tab->real_procfs > 0;
    rc = hmn__list_dir_ino(ctx->procfs, list_one, &sc);
    if (sc.rc != HMN_OK)
        return hmn__fail(ctx, sc.rc, "process table: out of memory");
    if (rc < 0)
        return hmn__fail(ctx, rc, "cannot list %s: %s", ctx->procfs, hmn_strerror(rc));
    qsort(tab->v, tab->n, sizeof(*tab->v), cmp_pid);
    /* Fill in place first (the parent checks search the listing), then drop the gone. */
    for (i = 0; i < tab->n; i++) {
        struct hmn__ptab_entry *e = &tab->v[i];
        const struct hmn__ptab_entry *p = cache ? unchanged(tab, e) : NULL;
        if (p) {
            e->ppid = p->ppid;
            e->start = p->start;
            e->has_start = 1;
        } else {
            (void)read_stat(ctx, e);
        }
    }
    for (i = k = 0; i < tab->n; i++)
        if (tab->v[i].has_start)
            tab->v[k++] = tab->v[i];
    tab->n = k;
    return HMN_OK;
}

/* PSS from smaps_rollup (one summary line; the kernel walks the page tables for it). */
static void read_pss(hmn_ctx *ctx, uint32_t pid, struct hmn__pid_mem *out)
{
    char path[600], buf[4096];
    size_t len;
    uint64_t kb;
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/smaps_rollup", pid) != HMN_OK ||
        hmn__read_file(path, buf, sizeof(buf), &len, NULL) != HMN_OK)
        return;
    if (hmn__parse_status_kb(buf, len, "Pss", &kb, NULL, 0) == HMN_OK) {
        out->pss = hmn__sat_mul(kb, 1024);
        out->valid |= HMN__PM_HAS_PSS;
    }
}

int hmn__ram_pid_read(hmn_ctx *ctx, uint32_t pid, int want_pss, struct hmn__pid_mem *out)
{
    char path[600], st[8192];
    size_t len, vlen;
    uint32_t tgid;
    uint64_t kb;
    const char *v;
    int rc;
    memset(out, 0, sizeof(*out));
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/status", pid) != HMN_OK)
        return hmn__fail(ctx, HMN_ENOBUFS, "procfs path too long");
    rc = hmn__read_file(path, st, sizeof(st), &len, NULL);
    if (rc != HMN_OK)
        return hmn__fail(ctx, rc, "cannot read %s: %s", path, hmn_strerror(rc));
    /* A thread id has a /proc entry too: only a Tgid equal to pid is a process. */
    if (hmn__parse_status_u32(st, len, "Tgid", &tgid) == HMN_OK && tgid != pid)
        return hmn__fail(ctx, HMN_ENOENT, "%u is a thread of process %u", pid, tgid);
    v = hmn__status_field(st, len, "State", &vlen);
    if (v) {
        size_t tlen;
        const char *t = hmn__trim(v, vlen, &tlen);
        if (tlen && (t[0] == 'Z' || t[0] == 'X'))
            return hmn__fail(ctx, HMN_ENOENT, "process %u has exited", pid);
    }
    v = hmn__status_field(st, len, "Name", &vlen);
    if (v) {
        size_t tlen;
        const char *t = hmn__trim(v, vlen, &tlen);
        hmn__copy_text(out->comm, sizeof(out->comm), t, tlen);
        out->valid |= HMN__PM_HAS_COMM;
    }
    /* A kernel thread has no Vm* lines: no memory of its own, nothing is
     * valid.  A VmRSS line that is not a number is no figure either. */
    rc = hmn__parse_status_kb(st, len, "VmRSS", &kb, NULL, 0);
    if (rc == HMN_EPARSE)
        return hmn__fail(ctx, HMN_EPARSE, "%s: VmRSS is not a number", path);
    if (rc == HMN_OK) {
        out->rss = hmn__sat_mul(kb, 1024);
        out->valid |= HMN_RSS_HAS_CURRENT;
    }
    if (hmn__parse_status_kb(st, len, "VmHWM", &kb, NULL, 0) == HMN_OK) {
        out->hwm = hmn__sat_mul(kb, 1024);
        out->valid |= HMN_RSS_HAS_PEAK;
    }
    if (want_pss && (out->valid & HMN_RSS_HAS_CURRENT))
        read_pss(ctx, pid, out);
    return HMN_OK;
}
