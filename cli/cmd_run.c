/*
 * cli/cmd_run.c - `hmn run [OPTIONS] -- CMD [ARGS...]`: run a command and
 * report the peak RAM and GPU memory of its whole process tree, how each
 * figure was obtained, a timeline and an OOM verdict.
 *
 * One context, one library sampler (root = hmn itself, its own figures
 * excluded, so that descendants reparented to hmn stay in the tree), a
 * first sample right after exec and a last one when CMD has ended; the
 * exact high-water mark of the OS where one is kept (cli/run_cgroup.c,
 * the job object of cli/run_spawn_win.c).  The exit status is CMD's own.
 */
#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { R_INTERVAL, R_DEVICE, R_JSON, R_JSONL, R_TSV, R_PLOT, R_QUIET, R_COUNT };

static const struct cli_opt run_opts[R_COUNT] = {
    {"--interval", 0, "DUR", 0}, {"--device", 0, "N|all", 0}, {"--json", 0, "FILE", 0},
    {"--jsonl", 0, "FILE", 0},   {"--tsv", 0, "FILE", 0},     {"--plot", 0, "FILE.svg", 0},
    {"--quiet", 'q', NULL, 0}};
static const struct cli_cmd run_cmd = {"hmn run [OPTIONS] -- <COMMAND>...", run_opts, R_COUNT,
                                       "<COMMAND>...", 1, 1, 1};

static const char run_help[] =
    "Run a command; report the peak RAM and GPU memory of its whole process tree\n"
    "\n"
    "Usage: hmn run [OPTIONS] -- <COMMAND>...\n"
    "\n"
    "Arguments:\n"
    "  <COMMAND>...  The command to run, with its arguments (stdin, stdout, stderr untouched)\n"
    "\n"
    "Options:\n"
    "      --interval <DUR>   Sampling interval, 10ms or more [default: 100ms]\n"
    "      --device <N|all>   GPU to sample [default: all]\n"
    "      --json <FILE>      The report as one JSON object (- = stdout)\n"
    "      --jsonl <FILE>     One JSON record per sample, then the report record\n"
    "      --tsv <FILE>       prmon-compatible samples: Time, wtime, rss, pss, gpufbmem (kB)\n"
    "      --plot <FILE.svg>  A chart of RAM and GPU memory over time, peaks marked\n"
    "  -q, --quiet            No text report on stderr (only the files)\n"
    "  -h, --help             Print help\n"
    "\n"
    "What it reports (each figure names its method):\n"
    "  RAM  the exact high-water mark of a cgroup made for the run (cgroup-v2 memory.peak,\n"
    "       cgroup-v1 memory.max_usage_in_bytes; includes page cache) or, on Windows, the\n"
    "       job object's peak commit; else the sampled peak of the tree's summed RSS.  The\n"
    "       sampled peak and each process's own exact peak (VmHWM) are always given too.\n"
    "  GPU  per device, the sampled peak of the tree's summed per-process memory (NVML,\n"
    "       DRM fdinfo, nvidia-smi, PDH), or NVML accounting's exact per-process peak\n"
    "       when accounting mode is already on (never switched on); the device's used\n"
    "       peak and free minimum; the other processes on it at the tree's peak.\n"
    "  OOM  when CMD dies of SIGKILL: was it the kernel OOM killer (the run's cgroup count,\n"
    "       else the host-wide /proc/vmstat count, saying which)?  Never guessed.\n"
    "\n"
    "Examples:\n"
    "  hmn run -- python train.py --epochs 3\n"
    "  hmn run --interval 20ms --json run.json --plot run.svg -- ./bench\n"
    "  hmn run --quiet --json - -- make -j8 | jq .ram.peak_bytes\n"
    "  hmn run --tsv prmon.txt -- ./job && prmon_plot.py --input prmon.txt\n"
    "\n"
    "Exit status: the command's own; 128+N when it was killed by signal N; 125 when hmn\n"
    "itself failed (usage error, an output file that cannot be written); 126 when the\n"
    "command cannot be executed, 127 when it is not found.  SIGINT, SIGTERM, SIGHUP and\n"
    "SIGQUIT are passed to the command's process group; the report is still written.\n"
    "\n"
    "Limitations: a sampled peak can miss a spike shorter than the interval; a cgroup\n"
    "cannot be made where hmn's own cgroup may not delegate memory (the cgroup v2\n"
    "no-internal-process rule) and the text says why.  Processes that leave hmn's tree\n"
    "by setsid are kept (hmn is a child subreaper); ones started elsewhere are not.\n";

struct run_out {
    const char *path[4]; /* json, jsonl, tsv, plot */
    FILE *f[4];
};
enum { O_JSON, O_JSONL, O_TSV, O_PLOT };

struct run_job {
    hmn_ctx *ctx;
    hmn_sampler *sampler;
    hmn_sampler_config cfg;
    struct run_out out;
    struct run_timeline tl;
    struct run_report r;
    struct run_oom_input oom;
    hmn_sample_device *devs; /* the callback's copy of a sample's devices */
    size_t ndevs;
    int quiet;
};

static int usage(const struct cli_opt *opt, const char *v, const char *why)
{
    (void)usage_invalid(&run_cmd, opt, v, why);
    return RUN_EXIT_HMN;
}

static int parse_opts(const struct cli_args *a, struct run_job *j)
{
    const char *v = NULL;
    char err[128];
    size_t i;
    j->cfg.interval_ms = 100;
    if (cli_args_count(a, R_INTERVAL, &v)) {
        if (hmn_parse_duration_ms(v, &j->cfg.interval_ms, err, sizeof(err)) != HMN_OK)
            return usage(&run_opts[R_INTERVAL], v, err);
        if (j->cfg.interval_ms < HMN_SAMPLER_MIN_INTERVAL_MS)
            return usage(&run_opts[R_INTERVAL], v, "the shortest interval is 10ms");
    }
    j->cfg.device = HMN_SAMPLER_ALL_DEVICES;
    if (cli_args_count(a, R_DEVICE, &v) && strcmp(v, "all") != 0 &&
        (parse_u32(v, &j->cfg.device) != 0 || j->cfg.device == HMN_SAMPLER_ALL_DEVICES))
        return usage(&run_opts[R_DEVICE], v, "expected a device index or 'all'");
    for (i = 0; i < 4; i++)
        (void)cli_args_count(a, R_JSON + (int)i, &j->out.path[i]);
    for (i = 0; i < 4; i++)
        if (j->out.path[i] && !j->out.path[i][0])
            return usage(&run_opts[R_JSON + i], "", "an empty file name");
    j->quiet = cli_args_count(a, R_QUIET, NULL) > 0;
    return CLI_CONTINUE;
}

/* Every output file is opened before CMD runs: a bad path costs nothing. */
static int open_outputs(struct run_out *o)
{
    size_t i;
    for (i = 0; i < 4; i++) {
        if (!o->path[i])
            continue;
        o->f[i] = strcmp(o->path[i], "-") == 0 ? stdout : fopen(o->path[i], "wb");
        if (!o->f[i]) {
            linef(stderr, "hmn run: cannot write %s: %s", o->path[i], strerror(errno));
            return RUN_EXIT_HMN;
        }
        if (o->f[i] != stdout)
            run_keep_private(o->f[i]);
    }
    return CLI_CONTINUE;
}

/* Close every file; 0, or -1 after saying which one lost a write. */
static int close_outputs(struct run_out *o)
{
    int rc = 0;
    size_t i, k;
    for (i = 0; i < 4; i++) {
        int bad;
        if (!o->f[i])
            continue;
        for (k = 0; k < i; k++)
            if (o->f[k] == o->f[i])
                break;
        if (k < i) /* the same stream twice (two options given -) */
            continue;
        if (o->f[i] == stdout) {
            if (out_flush() != 0)
                rc = -1; /* out_finish() says why */
            continue;
        }
        errno = 0;
        bad = ferror(o->f[i]) != 0;
        bad |= fclose(o->f[i]) != 0;
        if (bad) {
            linef(stderr, "hmn run: write error on %s: %s", o->path[i],
                  errno ? strerror(errno) : "I/O error");
            rc = -1;
        }
    }
    memset(o->f, 0, sizeof(o->f));
    return rc;
}

/* The callback's buffer: one slot per device the sampler samples (fixed at open). */
static int alloc_devices(struct run_job *j)
{
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    int rc = hmn_sampler_summary_get(j->sampler, &sum);
    if (rc != HMN_OK || sum.device_count == 0)
        return rc;
    j->devs = calloc(sum.device_count, sizeof(*j->devs));
    if (!j->devs)
        return HMN_ENOMEM;
    j->ndevs = sum.device_count;
    return HMN_OK;
}

/* Runs on the thread that took the sample, with the sampler locked. */
static void on_sample(const hmn_sample *sample, void *user)
{
    struct run_job *j = user;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    size_t i, n;
    if (hmn_sample_get_info(sample, &info) != HMN_OK)
        return;
    n = info.device_count < j->ndevs ? info.device_count : j->ndevs;
    for (i = 0; i < n; i++) {
        hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
        if (hmn_sample_get_device(sample, i, &d) != HMN_OK)
            memset(&d, 0, sizeof(d)); /* every valid bit clear */
        j->devs[i] = d;
    }
    run_timeline_add(&j->tl, &info, j->devs, n);
}

static int open_sampler(struct run_job *j)
{
    int rc;
    j->cfg.size = sizeof(j->cfg);
    j->cfg.root_pid = 0; /* hmn: CMD and whatever is reparented to hmn */
    j->cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT | HMN_SAMPLER_GPU;
    if (j->out.path[O_TSV])
        j->cfg.flags |= HMN_SAMPLER_PSS; /* prmon's pss column */
    rc = hmn_sampler_open(j->ctx, &j->cfg, &j->sampler);
    if (rc == HMN_OK)
        rc = alloc_devices(j);
    if (rc == HMN_OK)
        rc = hmn_sampler_set_callback(j->sampler, on_sample, j);
    if (rc != HMN_OK) {
        linef(stderr, "hmn run: cannot sample: %s",
              rc == HMN_ENOMEM ? "out of memory" : hmn_errmsg(j->ctx));
        return RUN_EXIT_HMN;
    }
    j->tl.jsonl = j->out.f[O_JSONL];
    j->tl.tsv = j->out.f[O_TSV];
    j->tl.tsv_pss = j->out.path[O_TSV] != NULL;
    return CLI_CONTINUE;
}

/* ---------------------------------------------------------------- the figures */

static void fill_processes(struct run_job *j, const hmn_sampler_summary *sum)
{
    struct run_report *r = &j->r;
    size_t i;
    r->procs = calloc(sum->processes_seen ? sum->processes_seen : 1, sizeof(*r->procs));
    if (!r->procs)
        return;
    for (i = 0; i < sum->processes_seen; i++) {
        hmn_tree_process p = HMN_TREE_PROCESS_INIT;
        struct run_process *q = &r->procs[r->nprocs];
        if (hmn_sampler_process(j->sampler, i, &p) != HMN_OK)
            continue;
        q->pid = p.pid;
        q->has_name = (p.valid & HMN_TPROC_HAS_NAME) != 0;
        snprintf(q->name, sizeof(q->name), "%s", p.name);
        q->has_peak = (p.valid & HMN_TPROC_HAS_PEAK) != 0;
        q->peak_bytes = p.peak_bytes;
        r->nprocs++;
    }
}

static size_t fill_others(struct run_job *j, size_t i, int moment, struct run_other **out)
{
    size_t n = 0, cap = 0;
    struct run_other *o = NULL;
    for (;;) {
        hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
        if (hmn_sampler_other(j->sampler, i, moment, n, &p) != HMN_OK)
            break;
        if (n == cap) {
            struct run_other *g = realloc(o, (cap = cap ? cap * 2 : 8) * sizeof(*o));
            if (!g)
                break;
            o = g;
        }
        memset(&o[n], 0, sizeof(o[n]));
        o[n].pid = p.pid;
        o[n].has_name = (p.valid & HMN_PROC_HAS_NAME) != 0;
        snprintf(o[n].name, sizeof(o[n].name), "%s", p.name);
        o[n].has_used = (p.valid & HMN_PROC_HAS_USED) != 0;
        o[n].used_bytes = p.used_bytes;
        n++;
    }
    *out = o;
    return n;
}

static void fill_gpus(struct run_job *j, const hmn_sampler_summary *sum)
{
    struct run_report *r = &j->r;
    size_t i;
    r->gpus = calloc(sum->device_count ? sum->device_count : 1, sizeof(*r->gpus));
    if (!r->gpus)
        return;
    for (i = 0; i < sum->device_count; i++) {
        struct run_gpu *g = &r->gpus[r->ngpus];
        hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
        if (hmn_sampler_device(j->sampler, i, &d) != HMN_OK)
            continue;
        g->dev = d;
        g->n_at_peak = fill_others(j, i, HMN_SAMPLER_AT_PEAK, &g->at_peak);
        g->n_at_last = fill_others(j, i, HMN_SAMPLER_AT_LAST, &g->at_last);
        r->ngpus++;
    }
    if (r->ngpus == 0)
        snprintf(r->gpu_note, sizeof(r->gpu_note), "%s",
                 j->cfg.device == HMN_SAMPLER_ALL_DEVICES ? "no GPU source answered on this machine"
                                                          : "the device asked for was not sampled");
}

static void fill_ram(struct run_report *r, const hmn_sampler_summary *sum)
{
    r->samples = sum->samples;
    r->has_sampled_peak = (sum->valid & HMN_SAMPLE_HAS_RSS_PEAK) != 0;
    r->sampled_peak_bytes = sum->rss_peak_bytes;
    r->sampled_peak_at_seconds = (double)sum->rss_peak_at_ms / 1000.0;
    if (r->has_group_peak) {
        r->has_ram_peak = 1;
        r->ram_peak_bytes = r->group_peak_bytes;
        r->ram_peak_method = r->group_method;
    } else if (r->has_sampled_peak) {
        r->has_ram_peak = r->has_ram_peak_at = 1;
        r->ram_peak_bytes = r->sampled_peak_bytes;
        r->ram_peak_method = "sampled";
        r->ram_peak_at_seconds = r->sampled_peak_at_seconds;
    }
}

/* The verdict, and what free GPU memory was at the last sample when CMD was killed. */
static void fill_verdict(struct run_report *r, const struct run_oom_input *oom)
{
    size_t i, len;
    r->verdict = run_oom_verdict(oom, r->oom_detail, sizeof(r->oom_detail));
    if (r->signal == 0)
        return;
    for (i = 0; i < r->ngpus; i++) {
        char b[32];
        const hmn_sample_device *d = &r->gpus[i].dev;
        len = strlen(r->oom_detail);
        snprintf(r->oom_detail + len, sizeof(r->oom_detail) - len, "; GPU %lu free at the last sample: %s",
                 (unsigned long)d->index,
                 (d->valid & HMN_SDEV_HAS_DEVICE_FREE) ? vram_precise(b, sizeof(b), d->device_free_bytes) : "n/a");
    }
}

static void fill_report(struct run_job *j)
{
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    if (hmn_sampler_summary_get(j->sampler, &sum) != HMN_OK)
        memset(&sum, 0, sizeof(sum));
    fill_ram(&j->r, &sum);
    fill_processes(j, &sum);
    fill_gpus(j, &sum);
    fill_verdict(&j->r, &j->oom);
}

static void free_report(struct run_report *r)
{
    size_t i;
    for (i = 0; i < r->ngpus; i++) {
        free(r->gpus[i].at_peak);
        free(r->gpus[i].at_last);
    }
    free(r->gpus);
    free(r->procs);
}

/* ---------------------------------------------------------------- the run */

/* CMD from start to reaping, sampled throughout; 0 or an exit status. */
static int supervise(struct run_job *j)
{
    run_child *c = NULL;
    uint64_t t0;
    int rc;
    j->oom.host_known = run_vmstat_oom_kills(&j->oom.host_before) == 0;
    t0 = now_ms();
    rc = run_child_start(&c, j->r.argv, &j->r);
    if (rc != 0)
        return rc;
    (void)hmn_sampler_sample(j->sampler); /* right after exec */
    if (hmn_sampler_start(j->sampler) != HMN_OK)
        linef(stderr, "hmn run: background sampling failed (%s); first and last samples only",
              hmn_errmsg(j->ctx));
    if (run_child_wait(c) != 0)
        linef(stderr, "hmn run: waiting for the command failed: %s", strerror(errno));
    j->r.wall_seconds = (double)(now_ms() - t0) / 1000.0;
    /* Reaped at once, before the thread stops: a zombie is never a sampled member. */
    run_child_finish(c, &j->r, &j->oom);
    (void)hmn_sampler_stop(j->sampler);
    (void)hmn_sampler_sample(j->sampler); /* the last: what CMD left running */
    run_child_free(c);
    if (j->oom.host_known)
        j->oom.host_known = run_vmstat_oom_kills(&j->oom.host_after) == 0;
    return 0;
}

static void write_reports(struct run_job *j)
{
    struct run_out *o = &j->out;
    if (o->f[O_JSON])
        run_json(o->f[O_JSON], &j->r);
    if (o->f[O_JSONL]) {
        fputs("{\"type\":\"summary\",", o->f[O_JSONL]);
        run_json_fields(o->f[O_JSONL], &j->r);
        fputs("}\n", o->f[O_JSONL]);
    }
    if (o->f[O_PLOT] && run_plot(o->f[O_PLOT], &j->tl, &j->r) != 0 && !ferror(o->f[O_PLOT]))
        linef(stderr, "hmn run: the chart could not be drawn (out of memory)");
    if (!j->quiet)
        run_text(stderr, &j->r);
}

static int exit_status(const struct run_report *r)
{
    if (r->signal > 0)
        return 128 + r->signal;
    return r->exit_code >= 0 ? (int)r->exit_code : RUN_EXIT_HMN;
}

static int run(hmn_ctx *ctx, const struct cli_args *a)
{
    struct run_job *j = calloc(1, sizeof(*j));
    int rc;
    size_t i, n = cli_args_count(a, -1, NULL);
    char **argv;
    if (!j)
        return RUN_EXIT_HMN;
    j->ctx = ctx;
    argv = calloc(n + 1, sizeof(*argv));
    rc = argv ? parse_opts(a, j) : RUN_EXIT_HMN;
    for (i = 0; argv && i < n; i++)
        argv[i] = (char *)(uintptr_t)cli_args_value(a, -1, i); /* argv strings are mutable */
    j->r.argv = argv;
    j->r.argc = n;
    j->r.interval_ms = j->cfg.interval_ms;
    if (rc == CLI_CONTINUE)
        rc = open_outputs(&j->out);
    if (rc == CLI_CONTINUE)
        rc = open_sampler(j);
    if (rc == CLI_CONTINUE)
        rc = supervise(j);
    if (rc == 0) {
        fill_report(j);
        write_reports(j);
        rc = exit_status(&j->r);
    }
    if (close_outputs(&j->out) != 0 || (j->tl.failed && j->out.path[O_PLOT]))
        rc = RUN_EXIT_HMN;
    hmn_sampler_close(j->sampler);
    run_timeline_free(&j->tl);
    free(j->devs);
    free_report(&j->r);
    free(argv);
    free(j);
    return rc;
}

int cmd_run(hmn_ctx *ctx, int argc, char **argv)
{
    struct cli_args a;
    int rc;
    memset(&a, 0, sizeof(a));
    rc = cli_parse_or_exit(&run_cmd, run_help, argc, argv, &a);
    if (rc == CLI_CONTINUE)
        rc = run(ctx, &a);
    else if (rc != EXIT_OK)
        rc = RUN_EXIT_HMN; /* usage errors: 125, as env(1) and timeout(1) */
    free(a.items);
    return rc;
}
