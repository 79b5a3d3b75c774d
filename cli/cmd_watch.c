/*
 * cli/cmd_watch.c - `hmn watch [PID...]`: sample chosen processes' GPU
 * memory every interval until --duration or Ctrl+C, then print a closing
 * summary on stdout, as upstream hmn 0.2.14 does (docs/cli.md lists where
 * we differ).  Text, JSON Lines
 * (start / sample / summary records) or CSV.
 */
#include "watch.h"
#include "grow.h" /* src/common/ */

#include <stdlib.h>
#include <string.h>

static const struct cli_opt watch_opts[W_COUNT] = {
    {"--interval", 0, "DUR", 0}, {"--duration", 0, "DUR", 0},       {"--top", 0, "N", 0},
    {"--follow-new", 0, NULL, 0}, {"--device", 0, "INDEX", 0},      {"--filter", 0, "PATTERN", OPT_MULTI},
    {"--min", 0, "SIZE", 0},     {"--json", 0, NULL, 0},            {"--csv", 0, NULL, 0},
};
static const struct cli_cmd watch_cmd = {"hmn watch [OPTIONS] [PID]...", watch_opts, W_COUNT,
                                         "[PID]...", 0, 1, 0};

static const char watch_help[] =
    "Sample processes' GPU memory over time, then summarise baseline and peak per PID\n"
    "\n"
    "Usage: hmn watch [OPTIONS] [PID]...\n"
    "\n"
    "Arguments:\n"
    "  [PID]...  Processes to watch (default: the top --top by committed VRAM)\n"
    "\n"
    "Options:\n"
    "      --interval <DUR>    Time between samples: 500ms, 5s, 1m, 1h [default: 5s]\n"
    "      --duration <DUR>    Stop after this long (default: until Ctrl+C)\n"
    "      --top <N>           How many processes to auto-select [default: 5]\n"
    "      --follow-new        Re-select the top processes every interval\n"
    "      --device <INDEX>    Device to watch [default: 0]\n"
    "      --filter <PATTERN>  Auto-select only names containing PATTERN (repeatable)\n"
    "      --min <SIZE>        Auto-select only footprints of at least SIZE\n"
    "      --json              JSON Lines: a start record, sample records, a summary record\n"
    "      --csv               One CSV row per sample (summary goes to stderr)\n"
    "  -h, --help              Print help\n"
    "\n"
    "Examples:\n"
    "  hmn watch                          top 5 processes every 5 s until Ctrl+C\n"
    "  hmn watch 4242 --interval 1s --duration 1m\n"
    "  hmn watch --follow-new --filter python --json > run.jsonl\n"
    "\n"
    "Exit status: 0 no spill observed (also where spill is not measurable), 1 spill\n"
    "observed, 2 usage error or the device could not be queried.  Ctrl+C, SIGTERM,\n"
    "SIGHUP and --duration all end with the closing summary.\n"
    "\n"
    "Limitations: SPILL and PAGED are measurable only on Windows (n/a elsewhere); a\n"
    "process absent from a listing reads 0 MiB for that interval.\n";

/* ------------------------------------------------------------ options */

static int check_opts(struct watch *w)
{
    const char *v = NULL;
    char err[200];
    size_t i;
    w->interval_ms = 5000;
    w->top = 5;
    if (cli_args_count(w->a, W_INTERVAL, &v) && hmn_parse_duration_ms(v, &w->interval_ms, err, sizeof(err)))
        return usage_invalid(&watch_cmd, &watch_opts[W_INTERVAL], v, err);
    if (cli_args_count(w->a, W_DURATION, &v)) {
        if (hmn_parse_duration_ms(v, &w->duration_ms, err, sizeof(err)))
            return usage_invalid(&watch_cmd, &watch_opts[W_DURATION], v, err);
        w->has_duration = 1;
    }
    if (cli_args_count(w->a, W_TOP, &v) && parse_u64(v, &w->top) != 0)
        return usage_invalid(&watch_cmd, &watch_opts[W_TOP], v, "invalid digit found in string");
    if (cli_args_count(w->a, W_DEVICE, &v) && parse_u32(v, &w->device) != 0)
        return usage_invalid(&watch_cmd, &watch_opts[W_DEVICE], v, "invalid digit found in string");
    if (cli_args_count(w->a, W_MIN, &v)) {
        if (hmn_parse_size(v, &w->min, err, sizeof(err)) != HMN_OK)
            return usage_invalid(&watch_cmd, &watch_opts[W_MIN], v, err);
        w->has_min = 1;
    }
    for (i = 0; (v = cli_args_value(w->a, W_FILTER, i)) != NULL; i++)
        if (is_blank(v))
            return usage_invalid(&watch_cmd, &watch_opts[W_FILTER], v, "pattern must not be blank");
    for (i = 0; (v = cli_args_value(w->a, -1, i)) != NULL; i++) {
        uint32_t pid;
        if (parse_u32(v, &pid) != 0)
            return usage_invalid(&watch_cmd, NULL, v, "invalid digit found in string");
    }
    w->follow = cli_args_count(w->a, W_FOLLOW, NULL) > 0;
    w->has_filter = cli_args_count(w->a, W_FILTER, NULL) > 0;
    w->out = cli_args_count(w->a, W_JSON, NULL) ? OUT_JSON : OUT_TEXT;
    if (cli_args_count(w->a, W_CSV, NULL)) {
        if (w->out == OUT_JSON) {
            fputs("error: the argument '--json' cannot be used with '--csv'\n\nUsage: "
                  "hmn watch [OPTIONS] [PID]...\n\nFor more information, try '--help'.\n",
                  stderr);
            return EXIT_USAGE;
        }
        w->out = OUT_CSV;
    }
    return CLI_CONTINUE;
}

/* Explicit PIDs exclude the auto-selection flags; checked before any hardware call. */
static int check_conflicts(struct watch *w)
{
    static const struct {
        int opt;
        const char *name;
    } auto_only[] = {{W_FOLLOW, "--follow-new"}, {W_FILTER, "--filter"}, {W_MIN, "--min"}};
    size_t i;
    if (cli_args_count(w->a, -1, NULL) == 0)
        return CLI_CONTINUE;
    for (i = 0; i < 3; i++) {
        if (cli_args_count(w->a, auto_only[i].opt, NULL)) {
            errf("watch %s only applies to auto-selection; drop %s or the explicit PID list",
                 auto_only[i].name, auto_only[i].name);
            return EXIT_USAGE;
        }
    }
    return CLI_CONTINUE;
}

/* ------------------------------------------------------------ sampling */

static struct reading reading_of(const hmn_gpu_process *p, int present, int shared_exists)
{
    struct reading r;
    memset(&r, 0, sizeof(r));
    if (!present) { /* not in the listing: holds nothing on this device */
        r.has_used = 1;
        r.has_shared = shared_exists; /* no WDDM shared memory: stays unknown */
        return r;
    }
    r.has_used = (p->valid & HMN_PROC_HAS_USED) != 0;
    r.used = p->used_bytes;
    r.has_shared = (p->valid & HMN_PROC_HAS_SHARED) != 0;
    r.shared = p->shared_used_bytes;
    return r;
}

static struct pid_state *seed(struct watch *w, uint32_t pid, const struct reading *r)
{
    struct pid_state *s;
    if (w->nst == w->st_cap) {
        struct pid_state *st = hmn__grow(w->st, &w->st_cap, w->nst + 1, sizeof(*st), 64);
        if (!st)
            return NULL;
        w->st = st;
    }
    s = &w->st[w->nst++];
    memset(s, 0, sizeof(*s));
    s->pid = pid;
    s->base = s->prev = s->peak = *r;
    return s;
}

static void fold_peak(struct reading *peak, const struct reading *r)
{
    if (r->has_used && (!peak->has_used || r->used > peak->used))
        peak->used = r->used, peak->has_used = 1;
    if (r->has_shared && (!peak->has_shared || r->shared > peak->shared))
        peak->shared = r->shared, peak->has_shared = 1;
}

/*
 * A new process behind the same PID starts its row over.  The start time
 * decides (a process may rename itself: prctl, a write to its comm); only
 * where it cannot be read (another namespace, a protected Windows process)
 * does a change of name stand in for it, as upstream.
 */
static void check_reuse(struct watch *w, struct pid_state *s, uint32_t pid, const char *name,
                        const struct reading *r)
{
    uint64_t start = 0;
    int known = hmn_process_start_time(w->ctx, pid, &start) == HMN_OK;
    if (known && s->has_start) {
        if (start == s->start)
            return; /* the same process, whatever it calls itself now */
        linef(stderr,
              "hmn watch: pid=%u is a new process (%s \xE2\x86\x92 %s, started anew) \xE2\x80\x94 "
              "PID reuse by the OS; baseline reset",
              s->pid, s->name[0] ? s->name : "?", name_is_unresolved(name) ? "?" : name);
        s->name[0] = '\0'; /* the old process's name is not this one's */
    } else if (!known && !s->has_start) {
        if (name_is_unresolved(name) || !s->name[0] || strcmp(s->name, name) == 0)
            return;
        linef(stderr,
              "hmn watch: pid=%u name changed (%s \xE2\x86\x92 %s) \xE2\x80\x94 likely PID reuse "
              "by the OS; baseline reset",
              s->pid, s->name, name);
    } else {
        /* Readable now and not before (or the reverse): nothing to compare yet. */
        s->start = start;
        s->has_start = known;
        return;
    }
    s->start = start;
    s->has_start = known;
    s->base = s->prev = s->peak = *r;
}

static void growth_hint(struct pid_state *s, const hmn_gpu_process *p, const char *name,
                        const struct reading *r)
{
    uint64_t gu = 0, gs = 0, g;
    char b[32];
    if (s->hinted || (name && strcmp(name, "[protected]") != 0))
        return;
    if (r->has_used && s->base.has_used && r->used > s->base.used)
        gu = r->used - s->base.used;
    if (r->has_shared && s->base.has_shared && r->shared > s->base.shared)
        gs = r->shared - s->base.shared;
    g = gu > gs ? gu : gs;
    if (g < HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES)
        return;
    s->hinted = 1;
    if (p && (p->valid & HMN_PROC_PID_UNMAPPED)) /* elevation would not name it */
        linef(stderr,
              "hmn watch: unresolved pid=%u grew +%s since attach \xE2\x80\x94 it belongs to "
              "another PID namespace (container or host)",
              s->pid, vram(b, sizeof(b), g));
    else
        linef(stderr,
              "hmn watch: unresolved pid=%u grew +%s since attach \xE2\x80\x94 re-run elevated "
              "to identify",
              s->pid, vram(b, sizeof(b), g));
}

static int spill_state(struct watch *w, uint64_t t_ms)
{
    char label[32];
    if (!w->tracker || hmn_spill_tracker_is_measurable(w->tracker) != 1)
        return -1;
    snprintf(label, sizeof(label), "+%.1fs", (double)t_ms / 1000.0);
    hmn_spill_tracker_observe(w->tracker, label);
    return hmn_spill_tracker_is_spilling(w->tracker) == 1;
}

static void sample_pid(struct watch *w, uint32_t pid, const hmn_process_list *list, uint64_t t_ms,
                       int spilling, const char *wc)
{
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    int present = watch_find_row(list, pid, &p);
    const char *name = present ? proc_name(&p) : NULL;
    struct reading r = reading_of(&p, present, w->shared_exists);
    struct pid_state *s = watch_state_of(w, pid);
    struct sample_out o;
    if (!s && (s = seed(w, pid, &r)) != NULL)
        s->has_start = present && hmn_process_start_time(w->ctx, pid, &s->start) == HMN_OK;
    else if (s && present)
        check_reuse(w, s, pid, name, &r);
    if (!s)
        return; /* out of memory: skip the row rather than crash */
    memset(&o, 0, sizeof(o));
    o.t_ms = t_ms;
    o.pid = pid;
    o.name = name;
    o.r = r;
    o.has_du = r.has_used && s->prev.has_used;
    o.du = (int64_t)(r.used - s->prev.used);
    o.has_ds = r.has_shared && s->prev.has_shared;
    o.ds = (int64_t)(r.shared - s->prev.shared);
    o.spilling = spilling;
    o.paged = spilling < 0 ? -1 : spilling && r.has_shared && r.shared >= HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES;
    s->prev = r;
    fold_peak(&s->peak, &r);
    if (!name_is_unresolved(name))
        snprintf(s->name, sizeof(s->name), "%s", name);
    growth_hint(s, present ? &p : NULL, name, &r);
    watch_print_sample(w, &o, wc);
}

/* A damaged line of the source's output is said when the count changes, and summed. */
static void note_skipped(struct watch *w, const hmn_process_list *list, uint64_t t_ms)
{
    uint32_t n = hmn_process_list_skipped_rows(list);
    w->skipped_rows += n;
    if (n == w->skipped_last)
        return;
    w->skipped_last = n;
    if (n)
        linef(stderr,
              "hmn watch: +%.1fs: %u line%s of the %s process listing could not be read and %s "
              "skipped",
              (double)t_ms / 1000.0, n, n == 1 ? "" : "s",
              hmn_source_name(hmn_process_list_source(list)), n == 1 ? "was" : "were");
}

static void sample_all(struct watch *w, const hmn_process_list *list, uint64_t t_ms)
{
    char wc[40];
    size_t i;
    int spilling = spill_state(w, t_ms);
    wall_clock(wc, sizeof(wc));
    note_skipped(w, list, t_ms);
    for (i = 0; i < w->nsel; i++)
        sample_pid(w, w->sel[i], list, t_ms, spilling, wc);
}


/* ------------------------------------------------------------ run */

static int first_listing(struct watch *w, hmn_process_list **list)
{
    hmn_gpu_device_info info = HMN_GPU_DEVICE_INFO_INIT;
    if (hmn_gpu_processes(w->ctx, w->device, list) != HMN_OK) {
        errf("watch failed to query device %u: %s", w->device, hmn_errmsg(w->ctx));
        return EXIT_USAGE;
    }
    if (hmn_device_info(w->ctx, w->device, &info) == HMN_OK && (info.valid & HMN_DEV_HAS_NAME))
        snprintf(w->dev_name, sizeof(w->dev_name), "%s", info.name);
    return CLI_CONTINUE;
}

/* Explicit PIDs absent from the first listing: gone, or there but unreadable here. */
static void warn_missing_pids(struct watch *w, const hmn_process_list *list)
{
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    size_t i;
    for (i = 0; i < w->nsel; i++) {
        if (watch_find_row(list, w->sel[i], &p))
            continue;
        if (watch_unreadable_has(list, w->sel[i]))
            linef(stderr,
                  "hmn watch: pid=%u is unreadable here; its rows will read 0 MiB \xE2\x80\x94 "
                  "re-run elevated for names",
                  w->sel[i]);
        else if (hmn_process_exists(w->ctx, w->sel[i]) == 0)
            linef(stderr, "hmn watch: pid=%u names no running process; its rows will read 0 MiB",
                  w->sel[i]);
    }
}

static int select_initial(struct watch *w, const hmn_process_list *list)
{
    char crit[512];
    size_t i, n = cli_args_count(w->a, -1, NULL);
    for (i = 0; i < n; i++) {
        uint32_t pid = 0;
        parse_u32(cli_args_value(w->a, -1, i), &pid);
        if (!watch_in_set(w->sel, w->nsel, pid))
            w->sel[w->nsel++] = pid;
    }
    if (n) {
        w->mode = MODE_EXPLICIT;
        warn_missing_pids(w, list);
        return CLI_CONTINUE;
    }
    w->mode = w->follow ? MODE_FOLLOW : MODE_TOP;
    watch_warn_unnamed(w, list);
    if (hmn_process_list_unreadable(list) > 0)
        linef(stderr,
              "hmn watch: device %u: %u unreadable \xE2\x80\x94 re-run elevated for names; they "
              "are not followed",
              w->device, hmn_process_list_unreadable(list));
    w->nsel = watch_auto_select(w, list, w->sel);
    if (w->nsel)
        return CLI_CONTINUE;
    watch_criterion(w, crit, sizeof(crit));
    if (!w->follow) {
        errf("watch found no GPU processes on device %u to auto-select (top %llu%s); re-run with an "
             "explicit PID once a workload is running",
             w->device, (unsigned long long)w->top, crit);
        return EXIT_USAGE;
    }
    errf("watch found no GPU processes on device %u yet (top %llu by committed%s); waiting for work "
         "to appear",
         w->device, (unsigned long long)w->top, crit);
    return CLI_CONTINUE;
}

static void open_tracker(struct watch *w)
{
    w->spilling_at_attach = -1; /* unknown until a measurable tracker says */
    if (hmn_spill_tracker_open(w->ctx, w->device, &w->tracker) != HMN_OK) {
        errf("watch spill tracking unavailable (%s); showing per-PID VRAM only", hmn_errmsg(w->ctx));
        w->tracker = NULL;
        return;
    }
    if (hmn_spill_tracker_is_measurable(w->tracker) == 1) {
        hmn_spill_tracker_observe(w->tracker, "+0.0s");
        w->spilling_at_attach = hmn_spill_tracker_is_spilling(w->tracker) == 1;
    }
    if (w->spilling_at_attach == 1) {
        hmn_spill_report r = HMN_SPILL_REPORT_INIT;
        char b[32];
        hmn_spill_tracker_report(w->tracker, &r);
        linef(stderr,
              "hmn watch: device %u is already spilling at attach (%s shared); spill is measured "
              "as growth from here, so this spill will not be counted \xE2\x80\x94 `hmn ps` "
              "shows it",
              w->device, vram(b, sizeof(b), r.peak_shared_bytes));
    }
}

static void init_name_width(struct watch *w, const hmn_process_list *list)
{
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    size_t i;
    w->name_w = 12;
    for (i = 0; i < w->nsel; i++)
        if (watch_find_row(list, w->sel[i], &p) && proc_name(&p) && display_width(p.name) > w->name_w)
            w->name_w = display_width(p.name);
}

/* Sleep until `due` ms after start; 0 when interrupted first. */
static int sleep_until(const struct watch *w, uint64_t due)
{
    uint64_t now = now_ms() - w->start_ms;
    if (due > now)
        sleep_interruptible(due - now);
    return !interrupted();
}

/*
 * Samples fall on a fixed schedule (k * interval after the first), so a slow
 * listing does not make the clock drift and --duration D with --interval I
 * always takes ceil(D / I) samples.
 */
static void loop(struct watch *w, uint32_t *next)
{
    hmn_process_list *list = NULL;
    uint64_t k, due, t;
    for (k = 1;; k++) {
        due = w->interval_ms > UINT64_MAX / k ? UINT64_MAX : k * w->interval_ms;
        if (w->has_duration && due >= w->duration_ms) {
            sleep_until(w, w->duration_ms);
            return;
        }
        if (!sleep_until(w, due))
            return;
        t = now_ms() - w->start_ms;
        if (hmn_gpu_processes(w->ctx, w->device, &list) != HMN_OK) {
            linef(stderr, "hmn watch: sample failed at +%.1fs (%s); skipping interval",
                  (double)t / 1000.0, hmn_errmsg(w->ctx));
            continue;
        }
        if (w->mode == MODE_FOLLOW)
            watch_reselect(w, list, t, next);
        sample_all(w, list, t);
        hmn_process_list_free(list);
        list = NULL;
        if (out_flush() != 0) /* the reader went away: nothing more can be shown */
            return;
    }
}

static int run(struct watch *w)
{
    hmn_process_list *list = NULL;
    uint32_t *next;
    char err[128];
    size_t cap;
    int rc = first_listing(w, &list);
    if (rc != CLI_CONTINUE)
        return rc;
    cap = hmn_process_list_count(list) + cli_args_count(w->a, -1, NULL) + 1;
    cap = cap < 4096 ? 4096 : cap; /* follow-new selects at most this many */
    w->sel_cap = cap;
    w->sel = calloc(cap, sizeof(*w->sel));
    next = calloc(cap, sizeof(*next));
    if (!w->sel || !next) {
        rc = EXIT_FAIL;
        goto out;
    }
    rc = select_initial(w, list);
    if (rc != CLI_CONTINUE)
        goto out;
    open_tracker(w);
    w->shared_exists = hmn_is_spill_measurable(w->ctx) == 1;
    if (interrupt_install(err, sizeof(err)) != 0)
        errf("watch failed to install Ctrl+C handler (%s); interrupting will skip the closing summary",
             err);
    init_name_width(w, list);
    watch_print_start(w);
    w->start_ms = now_ms();
    sample_all(w, list, 0);
    hmn_process_list_free(list);
    list = NULL;
    if (out_flush() == 0)
        loop(w, next);
    if (out_check() == 0 || w->out == OUT_CSV) /* CSV's summary goes to stderr */
        watch_print_summary(w);
    rc = (w->tracker && hmn_spill_tracker_has_spilled(w->tracker) == 1) ? EXIT_FAIL : EXIT_OK;
out:
    hmn_process_list_free(list);
    hmn_spill_tracker_close(w->tracker);
    free(next);
    return rc;
}

int cmd_watch(hmn_ctx *ctx, int argc, char **argv)
{
    struct watch w;
    struct cli_args a;
    int rc;
    memset(&w, 0, sizeof(w));
    memset(&a, 0, sizeof(a));
    w.ctx = ctx;
    w.a = &a;
    w.argc = argc;
    w.argv = argv;
    rc = cli_parse_or_exit(&watch_cmd, watch_help, argc, argv, &a);
    if (rc == CLI_CONTINUE)
        rc = check_opts(&w);
    if (rc == CLI_CONTINUE)
        rc = check_conflicts(&w);
    if (rc == CLI_CONTINUE)
        rc = run(&w);
    free(w.sel);
    free(w.st);
    free(w.warned);
    free(a.items);
    return rc;
}
