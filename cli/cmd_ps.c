/*
 * cli/cmd_ps.c - `hmn ps`: every process holding GPU memory, one row per
 * (process, device), as upstream hmn 0.2.14 lists them (docs/cli.md lists
 * where we differ).  Rows whose memory the
 * driver could not report are kept (n/a / null) and counted, and each row
 * says which kind of client it is (compute, graphics, DRM).
 */
#include "ps.h"
#include "grow.h" /* src/common/ */

#include <stdlib.h>
#include <string.h>

enum { O_PID, O_DEVICE, O_SORT, O_MIN, O_FILTER, O_EXIT_STATUS, O_JSON, O_CSV, O_FULL, O_COUNT };
enum { SORT_DEDICATED, SORT_SHARED, SORT_TOTAL };

static const struct cli_opt ps_opts[O_COUNT] = {
    {"--pid", 0, "PID", OPT_MULTI}, {"--device", 0, "INDEX", 0},   {"--sort", 0, "KEY", 0},
    {"--min", 0, "SIZE", 0},        {"--filter", 0, "PATTERN", OPT_MULTI},
    {"--exit-status", 0, NULL, 0},  {"--json", 0, NULL, 0},        {"--csv", 0, NULL, 0},
    {"--full", 'f', NULL, 0},
};

static const struct cli_cmd ps_cmd = {"hmn ps [OPTIONS]", ps_opts, O_COUNT, NULL, 0, 0, 0};

static const char ps_help[] =
    "Every process holding GPU memory, one row per process and device\n"
    "\n"
    "Usage: hmn ps [OPTIONS]\n"
    "\n"
    "Options:\n"
    "      --pid <PID>          Only this process (repeatable)\n"
    "      --device <INDEX>     Only this device (default: every device)\n"
    "      --sort <KEY>         dedicated (default; aliases vram, committed), shared, total\n"
    "      --min <SIZE>         Only rows whose VRAM + shared is at least SIZE (e.g. 1GiB)\n"
    "      --filter <PATTERN>   Only names containing PATTERN, case-insensitive (repeatable)\n"
    "      --exit-status        Exit 1 when nothing is listed (2 when a device or row was unreadable)\n"
    "      --json               One JSON array on stdout\n"
    "      --csv                RFC 4180 CSV on stdout, with a header line\n"
    "  -f, --full               Also who owns each process: USER and WHERE (pod, container,\n"
    "                           systemd unit); columns in --csv (--json always has them)\n"
    "  -h, --help               Print help\n"
    "\n"
    "Columns: PID NAME VRAM SHARED DEVICE SPILL TYPE.  TYPE is C (compute), G (graphics),\n"
    "C+G, MPS or DRM (AMD/Intel fdinfo client).  n/a: the driver did not report it.\n"
    "A summary line goes to stderr: hmn: N GPU processes found (... committed total);\n"
    "a second one when more than 256 MiB of a device's used memory is held by no listed process.\n"
    "\n"
    "Examples:\n"
    "  hmn ps\n"
    "  hmn ps --sort total --min 1GiB\n"
    "  hmn ps --filter python --filter torchrun --json\n"
    "  hmn ps --pid 4242 --exit-status >/dev/null && echo \"4242 holds GPU memory\"\n"
    "\n"
    "Exit status: 0 listed (or nothing to list); 1 nothing listed with --exit-status;\n"
    "2 usage error, --device failed, or no device could be queried.\n"
    "\n"
    "Limitations: SHARED and SPILL are WDDM (Windows) figures; on Linux they read n/a.\n"
    "Names of other users' processes may need elevated rights (counted as protected).\n";

static uint64_t shared_of(const hmn_gpu_process *p)
{
    return (p->valid & HMN_PROC_HAS_SHARED) ? p->shared_used_bytes : 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* qsort has no context argument; set once per run before sorting. */
static int sort_key;

static uint64_t key_of(const hmn_gpu_process *p)
{
    uint64_t used = (p->valid & HMN_PROC_HAS_USED) ? p->used_bytes : 0;
    if (sort_key == SORT_SHARED)
        return shared_of(p);
    if (sort_key == SORT_TOTAL)
        return sat_add(used, shared_of(p));
    return used;
}

static int cmp_rows(const void *va, const void *vb)
{
    const struct ps_row *a = va, *b = vb;
    int c = row_compare(key_of(&a->p), proc_name(&a->p), a->p.pid, key_of(&b->p),
                        proc_name(&b->p), b->p.pid);
    if (c == 0)
        c = a->p.device_index < b->p.device_index ? -1 : a->p.device_index > b->p.device_index;
    return c;
}

static int parse_sort(const char *v)
{
    if (!strcmp(v, "dedicated") || !strcmp(v, "vram") || !strcmp(v, "committed"))
        return SORT_DEDICATED;
    if (!strcmp(v, "shared"))
        return SORT_SHARED;
    if (!strcmp(v, "total"))
        return SORT_TOTAL;
    return -1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int pid_index(const struct ps_opts *o, uint32_t pid, size_t *at)
{
    const uint32_t *hit = bsearch(&pid, o->pids, o->npids, sizeof(*o->pids), cmp_u32);
    if (hit && at)
        *at = (size_t)(hit - o->pids);
    return hit != NULL;
}

/*
 * --pid values, O(n log n) however many: sorted and unique for the per-row
 * lookup, and in the order given, each once, for the summary to echo.
 */
static int take_pids(struct ps_opts *o)
{
    size_t i, n = 0, k, at = 0;
    unsigned char *echoed;
    uint32_t u;
    for (i = 0; i < o->a.count; i++) {
        if (o->a.items[i].opt != O_PID)
            continue;
        if (parse_u32(o->a.items[i].value, &u) != 0)
            return usage_invalid(&ps_cmd, &ps_opts[O_PID], o->a.items[i].value,
                                 "invalid digit found in string");
        n++;
    }
    if (n == 0)
        return CLI_CONTINUE;
    o->pids = malloc(n * sizeof(*o->pids));
    o->pid_echo = malloc(n * sizeof(*o->pid_echo));
    echoed = calloc(n, 1);
    if (!o->pids || !o->pid_echo || !echoed) {
        free(echoed);
        errf("out of memory");
        return EXIT_FAIL;
    }
    for (i = 0, k = 0; i < o->a.count; i++) {
        if (o->a.items[i].opt == O_PID && parse_u32(o->a.items[i].value, &u) == 0) {
            o->pids[k] = o->pid_echo[k] = u;
            k++;
        }
    }
    qsort(o->pids, n, sizeof(*o->pids), cmp_u32);
    for (i = 0, k = 0; i < n; i++)
        if (k == 0 || o->pids[k - 1] != o->pids[i])
            o->pids[k++] = o->pids[i];
    o->npids = k;
    for (i = 0, k = 0; i < n; i++) { /* the given order, first sightings only */
        if (pid_index(o, o->pid_echo[i], &at) && !echoed[at]) {
            echoed[at] = 1;
            o->pid_echo[k++] = o->pid_echo[i];
        }
    }
    free(echoed);
    return CLI_CONTINUE;
}

static int check_opts(struct ps_opts *o)
{
    const char *v = NULL;
    char err[160];
    size_t i;
    int rc = take_pids(o);
    if (rc != CLI_CONTINUE)
        return rc;
    if (cli_args_count(&o->a, O_DEVICE, &v)) {
        if (parse_u32(v, &o->device) != 0)
            return usage_invalid(&ps_cmd, &ps_opts[O_DEVICE], v, "invalid digit found in string");
        o->has_device = 1;
    }
    if (cli_args_count(&o->a, O_SORT, &v) && (o->sort = parse_sort(v)) < 0)
        return usage_invalid(&ps_cmd, &ps_opts[O_SORT], v,
                             "\n  [possible values: dedicated, shared, total]");
    if (cli_args_count(&o->a, O_MIN, &v)) {
        if (hmn_parse_size(v, &o->min, err, sizeof(err)) != HMN_OK)
            return usage_invalid(&ps_cmd, &ps_opts[O_MIN], v, err);
        o->has_min = 1;
    }
    for (i = 0; (v = cli_args_value(&o->a, O_FILTER, i)) != NULL; i++)
        if (is_blank(v))
            return usage_invalid(&ps_cmd, &ps_opts[O_FILTER], v, "pattern must not be blank");
    o->exit_status = cli_args_count(&o->a, O_EXIT_STATUS, NULL) > 0;
    o->json = cli_args_count(&o->a, O_JSON, NULL) > 0;
    o->csv = cli_args_count(&o->a, O_CSV, NULL) > 0;
    o->full = cli_args_count(&o->a, O_FULL, NULL) > 0;
    o->has_filter = cli_args_count(&o->a, O_FILTER, NULL) > 0;
    if (o->json && o->csv) {
        fputs("error: the argument '--json' cannot be used with '--csv'\n\nUsage: hmn ps "
              "[OPTIONS]\n\nFor more information, try '--help'.\n",
              stderr);
        return EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

static int pid_wanted(const struct ps_opts *o, uint32_t pid)
{
    return o->npids == 0 || pid_index(o, pid, NULL);
}

/* --pid, then --min (footprint), then --filter; 1 keeps the row. */
static int row_passes(const struct ps_opts *o, const hmn_gpu_process *p, struct ps_state *st)
{
    const char *name = proc_name(p);
    if (!pid_wanted(o, p->pid))
        return 0;
    if (o->has_min && o->min > 0) {
        if (!(p->valid & HMN_PROC_HAS_USED)) {
            st->unknown_unmatched++; /* an unknown footprint cannot be shown to reach --min */
            return 0;
        }
        if (sat_add(p->used_bytes, shared_of(p)) < o->min)
            return 0;
    }
    if (!o->has_filter)
        return 1;
    if (name_is_unresolved(name)) {
        st->unnamed_unmatched++;
        return 0;
    }
    return matches_any_filter(&o->a, O_FILTER, name);
}

static int push_row(struct ps_state *st, const struct ps_row *r)
{
    if (st->nrows == st->cap) {
        struct ps_row *rows = hmn__grow(st->rows, &st->cap, st->nrows + 1, sizeof(*rows), 16);
        if (!rows)
            return -1;
        st->rows = rows;
    }
    st->rows[st->nrows++] = *r;
    return 0;
}

/* Spill state of one device, computed over every row before filters. */
static void device_spill(hmn_ctx *ctx, struct ps_dev *d, const hmn_process_list *list,
                         const hmn_gpu_device_info *info, int measurable)
{
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    size_t i, n = hmn_process_list_count(list);
    d->spilling = -1;
    d->shared_sum = 0;
    d->paged = 0;
    d->has_free = (info->valid & HMN_DEV_HAS_FREE) != 0;
    d->free_bytes = info->free_bytes;
    if (!measurable)
        return;
    d->spilling = hmn_snapshot_is_spilling(ctx, d->index);
    if (d->spilling < 0)
        d->spilling = -1;
    for (i = 0; i < n; i++) {
        if (hmn_process_list_get(list, i, &p) != HMN_OK)
            continue;
        d->shared_sum = sat_add(d->shared_sum, shared_of(&p));
        if (d->spilling == 1 && shared_of(&p) >= HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES)
            d->paged++;
    }
}

static void fill_row(struct ps_row *r, const struct ps_dev *d, const hmn_gpu_device_info *info)
{
    uint64_t sh = shared_of(&r->p);
    snprintf(r->device_name, sizeof(r->device_name), "%s",
             (info->valid & HMN_DEV_HAS_NAME) ? info->name : "");
    r->spilling = d->spilling;
    r->paged = d->spilling < 0 ? -1 : (d->spilling == 1 && sh >= HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES);
    r->share = d->shared_sum ? (double)sh / (double)d->shared_sum : 0.0;
    if (r->share > 1.0)
        r->share = 1.0;
}

static void count_row(struct ps_state *st, const hmn_gpu_process *p)
{
    const char *name = proc_name(p);
    uint64_t b;
    /* Unnamed because it lives in another PID namespace: elevation would not help. */
    if (!name || !strcmp(name, "[protected]") || !strcmp(name, "?")) {
        if (p->valid & HMN_PROC_PID_UNMAPPED)
            st->other_ns_rows++;
        else
            st->protected_rows++;
    }
    if (p->valid & HMN_PROC_HAS_USED) {
        st->known_rows++;
        /* A DRM client held by several processes is counted once in the total. */
        if (hmn_process_attributed_bytes(p, &b) == HMN_OK)
            st->committed = sat_add(st->committed, b);
    } else {
        st->unknown_rows++;
    }
}

/*
 * The unreadable processes that matter to this listing: all of them, or
 * those --pid asks for (--min and --filter cannot be checked against a
 * process that could not be read).  One /proc scan serves every DRM device,
 * so the same PID comes in each DRM list: they are counted once each.
 */
static int note_unreadable(struct ps_state *st, const struct ps_opts *o,
                           const hmn_process_list *list)
{
    size_t i, n = hmn_process_list_unreadable(list);
    uint32_t pid;
    for (i = 0; i < n; i++) {
        if (hmn_process_list_unreadable_pid(list, i, &pid) != HMN_OK || !pid_wanted(o, pid))
            continue;
        if (st->nunreadable == st->unreadable_cap) {
            uint32_t *v = hmn__grow(st->unreadable, &st->unreadable_cap, st->nunreadable + 1,
                                    sizeof(*v), 16);
            if (!v)
                return -1;
            st->unreadable = v;
        }
        st->unreadable[st->nunreadable++] = pid;
    }
    return 0;
}

static void unique_unreadable(struct ps_state *st)
{
    size_t i, k = 0;
    if (st->nunreadable > 1)
        qsort(st->unreadable, st->nunreadable, sizeof(*st->unreadable), cmp_u32);
    for (i = 0; i < st->nunreadable; i++)
        if (k == 0 || st->unreadable[k - 1] != st->unreadable[i])
            st->unreadable[k++] = st->unreadable[i];
    st->nunreadable = k;
}

/* One damaged line of a source's output costs that line only; it is said. */
static void note_skipped(struct ps_state *st, uint32_t idx, const hmn_process_list *list)
{
    uint32_t n = hmn_process_list_skipped_rows(list);
    if (n == 0)
        return;
    st->skipped_rows += n;
    errf("device %u: %u line%s of the %s process listing could not be read and %s skipped", idx,
         n, n == 1 ? "" : "s", hmn_source_name(hmn_process_list_source(list)),
         n == 1 ? "was" : "were");
}

/* List one device; returns HMN_OK or the library's code. */
static int list_device(hmn_ctx *ctx, const struct ps_opts *o, uint32_t idx, struct ps_state *st,
                       int measurable)
{
    hmn_gpu_device_info info = HMN_GPU_DEVICE_INFO_INIT;
    hmn_memory_account acct;
    hmn_process_list *list = NULL;
    struct ps_dev *d;
    struct ps_row r;
    size_t i, n;
    int rc;
    /* Info first: the device's name for the rows, and its total, which the
     * library then holds the rows against without asking again. */
    if (hmn_device_info(ctx, idx, &info) != HMN_OK)
        info.valid = 0;
    rc = hmn_gpu_processes(ctx, idx, &list);
    if (rc != HMN_OK)
        return rc;
    d = &st->devs[st->ndevs++];
    d->index = idx;
    device_spill(ctx, d, list, &info, measurable);
    acct.size = sizeof(acct);
    hmn_memory_account_rows(list, HMN_ANY_GPU_INSTANCE, (info.valid & HMN_DEV_HAS_USED) != 0,
                            info.used_bytes, &acct);
    d->hint = hint_value(list, &acct, &d->hint_mib);
    note_skipped(st, idx, list);
    if (note_unreadable(st, o, list) != 0) {
        hmn_process_list_free(list);
        return HMN_ENOMEM;
    }
    n = hmn_process_list_count(list);
    for (i = 0; i < n; i++) {
        memset(&r, 0, sizeof(r));
        r.p.size = sizeof(r.p);
        if (hmn_process_list_get(list, i, &r.p) != HMN_OK || !row_passes(o, &r.p, st))
            continue;
        r.p.device_index = idx;
        fill_row(&r, d, &info);
        if (o->full || o->json) /* --json always carries the owner keys */
            owner_lookup(ctx, &r.p, &r.owner);
        if (push_row(st, &r) != 0)
            break;
        count_row(st, &r.p);
    }
    hmn_process_list_free(list);
    return HMN_OK;
}

/* The filter clause: each --pid once, in the order given. */
static void print_matching(struct line *l, const struct ps_opts *o)
{
    const char *v;
    char buf[160];
    size_t i;
    int any = 0;
    if (o->npids) {
        line_add(l, " matching pid=");
        for (i = 0; i < o->npids; i++)
            line_add(l, "%s%u", i ? "," : "", o->pid_echo[i]);
        any = 1;
    }
    if (o->has_device)
        line_add(l, "%sdevice=%u", any++ ? " " : " matching ", o->device);
    if (o->has_min)
        line_add(l, "%smin=%s", any++ ? " " : " matching ", vram_precise(buf, sizeof(buf), o->min));
    if (o->has_filter) {
        line_add(l, "%sfilter=", any++ ? " " : " matching ");
        for (i = 0; (v = cli_args_value(&o->a, O_FILTER, i)) != NULL; i++)
            line_add(l, "%s%s", i ? "," : "", debug_quote(buf, sizeof(buf), v));
    }
}

static void print_parts(struct line *l, const struct ps_state *st)
{
    char buf[32];
    int parts = 0;
    if (st->known_rows > 0) { /* a total of nothing known would read as a false 0 MiB */
        line_add(l, " (%s committed total", vram(buf, sizeof(buf), st->committed));
        parts = 1;
    }
    if (st->unknown_rows)
        line_add(l, "%s%u with VRAM n/a", parts++ ? "; " : " (", st->unknown_rows);
    if (st->nunreadable || st->protected_rows) {
        line_add(l, "%s", parts++ ? "; " : " (");
        if (st->nunreadable)
            line_add(l, "%zu unreadable%s", st->nunreadable, st->protected_rows ? ", " : "");
        if (st->protected_rows)
            line_add(l, "%u protected", st->protected_rows);
        line_add(l, " \xE2\x80\x94 re-run elevated for names");
    }
    if (st->other_ns_rows)
        line_add(l, "%s%u unnamed in another PID namespace (container or host)",
                 parts++ ? "; " : " (", st->other_ns_rows);
    if (st->unnamed_unmatched)
        line_add(l, "%s%u unnamed not matched", parts++ ? "; " : " (", st->unnamed_unmatched);
    if (st->unknown_unmatched)
        line_add(l, "%s%u with VRAM n/a not matched", parts++ ? "; " : " (",
                 st->unknown_unmatched);
    if (st->skipped_rows)
        line_add(l, "%s%u unparsable line%s skipped", parts++ ? "; " : " (", st->skipped_rows,
                 st->skipped_rows == 1 ? "" : "s");
    if (parts)
        line_add(l, ")");
}

static void print_spill_clauses(struct line *l, const struct ps_state *st)
{
    char a[32], b[32];
    size_t i;
    for (i = 0; i < st->ndevs; i++) {
        const struct ps_dev *d = &st->devs[i];
        if (d->spilling != 1)
            continue;
        line_add(l, "; device %u spilling: ", d->index);
        if (d->has_free)
            line_add(l, "%s free, ", vram(a, sizeof(a), d->free_bytes));
        line_add(l, "%s shared, %u process%s paged", vram(b, sizeof(b), d->shared_sum), d->paged,
                 d->paged == 1 ? "" : "es");
    }
}

/* Devices with more than the hint threshold held by no listed process (table output only). */
static void print_hint(const struct ps_state *st)
{
    struct hint_list h;
    size_t i;
    h.n = 0;
    for (i = 0; i < st->ndevs; i++)
        if (st->devs[i].hint)
            hint_add(&h, st->devs[i].index, st->devs[i].hint_mib);
    hint_print(stderr, &h);
}

/* One line, made safe as a whole: the filters it quotes are the user's bytes. */
static void print_summary(const struct ps_opts *o, const struct ps_state *st)
{
    struct line l;
    line_init(&l);
    line_add(&l, "hmn: %zu GPU process%s found", st->nrows, st->nrows == 1 ? "" : "es");
    print_matching(&l, o);
    print_parts(&l, st);
    print_spill_clauses(&l, st);
    line_add(&l, ".");
    line_end(&l, stderr);
    if (!o->json && !o->csv)
        print_hint(st);
}

static int list_all(hmn_ctx *ctx, const struct ps_opts *o, struct ps_state *st)
{
    uint32_t n = 0, i;
    int measurable = hmn_is_spill_measurable(ctx) == 1;
    if (o->has_device) {
        st->devs = calloc(1, sizeof(*st->devs));
        if (!st->devs)
            return EXIT_FAIL;
        st->tried = 1;
        if (list_device(ctx, o, o->device, st, measurable) != HMN_OK) {
            errf("ps failed to query device %u: %s", o->device, hmn_errmsg(ctx));
            return EXIT_USAGE;
        }
        return CLI_CONTINUE;
    }
    if (hmn_device_count(ctx, &n) != HMN_OK)
        n = 0; /* nothing to try: an empty listing, as upstream */
    st->devs = calloc(n ? n : 1, sizeof(*st->devs));
    if (!st->devs)
        return EXIT_FAIL;
    for (i = 0; i < n; i++) {
        st->tried++;
        if (list_device(ctx, o, i, st, measurable) != HMN_OK) {
            errf("ps failed to query device %u: %s (skipped)", i, hmn_errmsg(ctx));
            st->failed++;
        }
    }
    if (st->tried > 0 && st->failed == st->tried) {
        errf("ps: no device could be queried, so nothing could be listed");
        return EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

int cmd_ps(hmn_ctx *ctx, int argc, char **argv)
{
    struct ps_opts o;
    struct ps_state st;
    int rc;
    memset(&o, 0, sizeof(o));
    memset(&st, 0, sizeof(st));
    rc = cli_parse_or_exit(&ps_cmd, ps_help, argc, argv, &o.a);
    if (rc == CLI_CONTINUE)
        rc = check_opts(&o);
    if (rc == CLI_CONTINUE)
        rc = list_all(ctx, &o, &st);
    if (rc == CLI_CONTINUE) {
        sort_key = o.sort;
        if (st.nrows > 1)
            qsort(st.rows, st.nrows, sizeof(*st.rows), cmp_rows);
        unique_unreadable(&st);
        if (o.json)
            ps_print_json(&st);
        else if (o.csv)
            ps_print_csv(&st, o.full);
        else
            ps_print_table(&st, o.full);
        (void)out_flush(); /* main() reports a failure */
        print_summary(&o, &st);
        rc = EXIT_OK;
        if (o.exit_status && st.nrows == 0)
            rc = (st.failed || st.nunreadable) ? EXIT_USAGE : EXIT_FAIL;
    }
    free(st.rows);
    free(st.devs);
    free(st.unreadable);
    free(o.pids);
    free(o.pid_echo);
    free(o.a.items);
    return rc;
}
