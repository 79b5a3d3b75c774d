/*
 * cli/watch_select.c - which processes `hmn watch` follows: the automatic
 * selection (top --top by committed memory among the rows passing --min,
 * then --filter), its re-selection under --follow-new with the breadcrumb
 * of who entered and left, and the notices about rows it cannot select.
 * Upstream 0.2.14's rules: a PID once named keeps its name when a later
 * listing cannot name it (the sticky name), and a PID without a name that
 * --filter therefore cannot match is announced once, when it first passes
 * --min.
 */
#include "watch.h"

#include <stdlib.h>
#include <string.h>

struct pid_state *watch_state_of(struct watch *w, uint32_t pid)
{
    size_t i;
    for (i = 0; i < w->nst; i++)
        if (w->st[i].pid == pid)
            return &w->st[i];
    return NULL;
}

int watch_in_set(const uint32_t *set, size_t n, uint32_t pid)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (set[i] == pid)
            return 1;
    return 0;
}

/* Lists are sorted by PID (hmn_gpu_processes): a binary search per watched PID. */
int watch_find_row(const hmn_process_list *list, uint32_t pid, hmn_gpu_process *p)
{
    size_t lo = 0, hi = hmn_process_list_count(list);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        p->size = sizeof(*p);
        if (hmn_process_list_get(list, mid, p) != HMN_OK)
            return 0;
        if (p->pid == pid)
            return 1;
        if (p->pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int watch_unreadable_has(const hmn_process_list *list, uint32_t pid)
{
    size_t lo = 0, hi = hmn_process_list_unreadable(list);
    uint32_t v;
    while (lo < hi) { /* ascending, each PID once */
        size_t mid = lo + (hi - lo) / 2;
        if (hmn_process_list_unreadable_pid(list, mid, &v) != HMN_OK)
            return 0;
        if (v == pid)
            return 1;
        if (v < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The row's name, or the one this PID had when a listing last named it. */
static const char *sticky_name(struct watch *w, const hmn_gpu_process *p)
{
    const char *name = proc_name(p);
    const struct pid_state *s;
    if (!name_is_unresolved(name))
        return name;
    s = watch_state_of(w, p->pid);
    return s && s->name[0] ? s->name : NULL;
}

static int passes_min(const struct watch *w, const hmn_gpu_process *p)
{
    uint64_t sh = (p->valid & HMN_PROC_HAS_SHARED) ? p->shared_used_bytes : 0;
    if (!w->has_min || w->min == 0)
        return 1;
    return (p->valid & HMN_PROC_HAS_USED) && p->used_bytes + sh >= w->min;
}

static int auto_passes(struct watch *w, const hmn_gpu_process *p)
{
    const char *name;
    if (!passes_min(w, p))
        return 0;
    if (!w->has_filter)
        return 1;
    name = sticky_name(w, p);
    return name && matches_any_filter(w->a, W_FILTER, name);
}

static int cmp_dedicated(const void *va, const void *vb)
{
    const hmn_gpu_process *a = va, *b = vb;
    uint64_t ka = (a->valid & HMN_PROC_HAS_USED) ? a->used_bytes : 0;
    uint64_t kb = (b->valid & HMN_PROC_HAS_USED) ? b->used_bytes : 0;
    return row_compare(ka, proc_name(a), a->pid, kb, proc_name(b), b->pid);
}

size_t watch_auto_select(struct watch *w, const hmn_process_list *list, uint32_t *out)
{
    size_t i, n = hmn_process_list_count(list), k = 0;
    hmn_gpu_process *rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows)
        return 0;
    for (i = 0; i < n; i++) {
        rows[k].size = sizeof(rows[k]);
        if (hmn_process_list_get(list, i, &rows[k]) == HMN_OK && auto_passes(w, &rows[k]))
            k++;
    }
    qsort(rows, k, sizeof(*rows), cmp_dedicated);
    for (i = 0; i < k && i < w->top && i < w->sel_cap; i++)
        out[i] = rows[i].pid;
    free(rows);
    return i;
}

/* Remember that pid was announced; 0 when it already was. */
static int first_notice(struct watch *w, uint32_t pid)
{
    uint32_t *v;
    if (watch_in_set(w->warned, w->nwarned, pid))
        return 0;
    if (w->nwarned == w->warned_cap) {
        size_t cap = w->warned_cap ? w->warned_cap * 2 : 16;
        v = realloc(w->warned, cap * sizeof(*v));
        if (!v)
            return 1; /* out of memory: announce it again rather than never */
        w->warned = v;
        w->warned_cap = cap;
    }
    w->warned[w->nwarned++] = pid;
    return 1;
}

void watch_warn_unnamed(struct watch *w, const hmn_process_list *list)
{
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    size_t i, n = hmn_process_list_count(list);
    if (!w->has_filter)
        return;
    for (i = 0; i < n; i++) {
        p.size = sizeof(p);
        if (hmn_process_list_get(list, i, &p) != HMN_OK || sticky_name(w, &p) ||
            !passes_min(w, &p) || !first_notice(w, p.pid))
            continue;
        if (p.valid & HMN_PROC_PID_UNMAPPED)
            linef(stderr,
                  "hmn watch: pid=%u has no resolvable name (it belongs to another PID namespace: "
                  "container or host); --filter cannot match it",
                  p.pid);
        else
            linef(stderr, "hmn watch: pid=%u has no resolvable name; --filter cannot match it",
                  p.pid);
    }
}

static void breadcrumb_item(struct line *l, int *first, uint32_t pid, const char *name)
{
    line_add(l, "%spid=%u", *first ? "" : ", ", pid);
    if (name && name[0])
        line_add(l, " (%s)", name);
    *first = 0;
}

void watch_reselect(struct watch *w, const hmn_process_list *list, uint64_t t_ms, uint32_t *next)
{
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    size_t i, n;
    int entered = 0, left = 0, first;
    struct line l;
    watch_warn_unnamed(w, list); /* new unnamed PIDs, as they appear */
    n = watch_auto_select(w, list, next);
    for (i = 0; i < n; i++)
        entered += !watch_in_set(w->sel, w->nsel, next[i]);
    for (i = 0; i < w->nsel; i++)
        left += !watch_in_set(next, n, w->sel[i]);
    if (entered || left) {
        line_init(&l);
        line_add(&l, "hmn watch: +%.1fs followed set changed: ", (double)t_ms / 1000.0);
        if (entered) {
            line_add(&l, "entered ");
            for (first = 1, i = 0; i < n; i++)
                if (!watch_in_set(w->sel, w->nsel, next[i]))
                    breadcrumb_item(&l, &first, next[i],
                                    watch_find_row(list, next[i], &p) ? sticky_name(w, &p) : NULL);
        }
        if (left) {
            line_add(&l, entered ? "; left " : "left ");
            for (first = 1, i = 0; i < w->nsel; i++) {
                const struct pid_state *s = watch_state_of(w, w->sel[i]);
                if (!watch_in_set(next, n, w->sel[i]))
                    breadcrumb_item(&l, &first, w->sel[i], s ? s->name : NULL);
            }
        }
        line_end(&l, stderr);
    }
    memcpy(w->sel, next, n * sizeof(*next));
    w->nsel = n;
}
