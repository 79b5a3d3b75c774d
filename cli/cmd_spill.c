/*
 * cli/cmd_spill.c - `hmn spill -- CMD...`: run a command with inherited
 * stdio, sample WDDM spill while it runs, report afterwards and pass the
 * command's exit code through, as upstream hmn 0.2.14 does.  Unlike
 * upstream, Ctrl+C does not lose the report: hmn forwards the interrupt to
 * the child, waits for it, then reports what it saw so far.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { S_INTERVAL, S_DEVICE, S_JSON, S_COUNT };

static const struct cli_opt spill_opts[S_COUNT] = {
    {"--interval", 0, "MS", 0}, {"--device", 0, "INDEX", 0}, {"--json", 0, NULL, 0}};
static const struct cli_cmd spill_cmd = {"hmn spill [OPTIONS] -- <COMMAND>...", spill_opts,
                                         S_COUNT, "<COMMAND>...", 1, 1, 1};

static const char spill_help[] =
    "Run a command and report whether its device spilled VRAM into shared memory\n"
    "\n"
    "Usage: hmn spill [OPTIONS] -- <COMMAND>...\n"
    "\n"
    "Arguments:\n"
    "  <COMMAND>...  The command to run, with its arguments (after --)\n"
    "\n"
    "Options:\n"
    "      --interval <MS>   Sampling interval in milliseconds [default: 100]\n"
    "      --device <INDEX>  Device to track [default: 0]\n"
    "      --json            The report as one JSON object on stdout (after the command's output)\n"
    "  -h, --help            Print help\n"
    "\n"
    "Examples:\n"
    "  hmn spill -- python train.py --batch 64\n"
    "  hmn spill --json --interval 250 -- ./bench > report.json\n"
    "\n"
    "Exit status: the command's own exit code (1 when it was killed by a signal or could\n"
    "not be started); 2 usage error.  Ctrl+C is passed to the command; the report of the\n"
    "run so far is still printed.\n"
    "\n"
    "Limitations: spill (WDDM demotion of dedicated VRAM to shared system memory) is\n"
    "measurable only on Windows; elsewhere every figure reads null / not measurable.\n";

struct spill_run {
    hmn_spill_tracker *tracker;
    uint64_t interval_ms, start_ms, observations;
    int interrupted;
};

static void observe(struct spill_run *r)
{
    char label[32];
    if (!r->tracker)
        return;
    snprintf(label, sizeof(label), "+%.1fs", (double)(now_ms() - r->start_ms) / 1000.0);
    hmn_spill_tracker_observe(r->tracker, label);
    r->observations++;
}

static void open_tracker(hmn_ctx *ctx, uint32_t dev, struct spill_run *r)
{
    int rc = hmn_spill_tracker_open(ctx, dev, &r->tracker);
    if (rc != HMN_OK) {
        errf("spill tracking unavailable (%s); running command unmeasured", hmn_errmsg(ctx));
        r->tracker = NULL;
    }
}

/*
 * Sample until the child ends; returns its exit code or -1 on a wait error.
 * The wait between samples ends the moment the child does, so a long
 * --interval never keeps a finished command waiting.
 */
static int supervise(child *c, struct spill_run *r)
{
    int code = 1, st;
    for (;;) {
        st = child_poll(c, &code, 0);
        if (st != 0)
            break;
        observe(r);
        st = child_wait(c, r->interval_ms, &code);
        if (st != 0)
            break;
        if (interrupted()) {
            r->interrupted = 1;
            if (interrupt_from_process())
                child_interrupt(c);
            st = child_poll(c, &code, 1);
            break;
        }
    }
    if (st < 0) {
        errf("failed to wait on wrapped command: %s (os error %d)", strerror(errno), errno);
        return -1;
    }
    observe(r);
    return code;
}

static void report(const struct spill_run *r, int json)
{
    if (r->interrupted)
        fputs("hmn spill: interrupted; the command was stopped, report covers the run so far\n",
              stderr);
    if (json) {
        fputc('{', stdout);
        spill_report_json_fields(stdout, r->tracker, r->observations);
        printf(",\"interrupted\":%s}\n", r->interrupted ? "true" : "false");
        (void)out_flush(); /* main() reports a failure */
    }
    if (!r->tracker)
        fputs("hmn spill: spill not measurable (no tracker)\n", stderr);
    else if (hmn_spill_tracker_is_measurable(r->tracker) != 1)
        fputs("hmn spill: spill not measurable on this platform\n", stderr);
    else
        spill_report_text(stderr, "hmn spill", r->tracker);
}

static int run(hmn_ctx *ctx, const struct cli_args *a)
{
    struct spill_run r;
    const char *v = NULL;
    char **cmdv, err[128], q[512];
    uint32_t dev = 0;
    size_t i, n = cli_args_count(a, -1, NULL);
    child *c = NULL;
    int rc;
    memset(&r, 0, sizeof(r));
    r.interval_ms = 100;
    if (cli_args_count(a, S_INTERVAL, &v) && (parse_u64(v, &r.interval_ms) != 0 || !r.interval_ms))
        return usage_invalid(&spill_cmd, &spill_opts[S_INTERVAL], v,
                             "expected a whole number of milliseconds >= 1");
    if (cli_args_count(a, S_DEVICE, &v) && parse_u32(v, &dev) != 0)
        return usage_invalid(&spill_cmd, &spill_opts[S_DEVICE], v, "invalid digit found in string");
    cmdv = calloc(n + 1, sizeof(*cmdv));
    if (!cmdv)
        return EXIT_FAIL;
    for (i = 0; i < n; i++)
        cmdv[i] = (char *)(uintptr_t)cli_args_value(a, -1, i); /* argv strings are mutable */
    open_tracker(ctx, dev, &r);
    if (interrupt_install(err, sizeof(err)) != 0)
        errf("failed to install Ctrl+C handler (%s); interrupting will skip the report", err);
    r.start_ms = now_ms();
    rc = child_spawn(&c, cmdv);
    if (rc != 0) {
        errf("failed to spawn %s: %s (os error %d)", debug_quote(q, sizeof(q), cmdv[0]),
             strerror(rc), rc);
        rc = EXIT_FAIL;
    } else {
        rc = supervise(c, &r);
        if (rc >= 0)
            report(&r, cli_args_count(a, S_JSON, NULL) > 0);
        else
            rc = EXIT_FAIL;
    }
    child_free(c);
    hmn_spill_tracker_close(r.tracker);
    free(cmdv);
    return rc;
}

int cmd_spill(hmn_ctx *ctx, int argc, char **argv)
{
    return cli_parse_and_run(&spill_cmd, spill_help, ctx, argc, argv, run);
}
