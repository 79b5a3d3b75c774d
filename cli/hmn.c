/*
 * cli/hmn.c - entry point of the hmn tool: global flags and subcommand
 * dispatch.  Data goes to stdout, diagnostics to stderr.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "hmn - what is in memory right now: GPU memory per device and per process\n"
    "\n"
    "Usage: hmn [--json]\n"
    "       hmn <COMMAND> [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  (none)  One line per GPU: free / total memory, reserved, driver\n"
    "  ps      Every process holding GPU memory (table, --json or --csv)\n"
    "  explain Where each GPU's used memory is: processes, owners, what is unattributed\n"
    "  watch   Sample processes over time; closing summary of baseline and peak\n"
    "  fits    Does SIZE fit in a device's free memory? (answer in the exit status)\n"
    "  run     Run a command: peak RAM and GPU memory of its whole tree, timeline, OOM verdict\n"
    "  spill   Run a command and report WDDM spill while it ran\n"
    "  serve   Prometheus metrics over HTTP (/metrics): every GPU, per process opt-in\n"
    "  export  The same metrics written to a file for node_exporter's textfile collector\n"
    "Each command has its own --help with examples.\n"
    "\n"
    "Limitations:\n"
    "  - Spill (WDDM demotion of VRAM to shared memory) is measurable only on Windows;\n"
    "    elsewhere SPILL/PAGED read n/a and JSON spill figures are null.\n"
    "  - Per-process figures on Linux come from NVML (compute and graphics clients),\n"
    "    nvidia-smi (compute clients only) or DRM fdinfo (AMD, Intel).\n"
    "  - Other users' processes may need elevated rights to be named or read.\n"
    "  - A figure the driver does not report is n/a (null), never 0.\n"
    "\n"
    "Options:\n"
    "      --json     Summary as one JSON array (each command has its own --json)\n"
    "  -h, --help     Print help\n"
    "  -V, --version  Print version\n"
    "\n"
    "Examples:\n"
    "  hmn                                  free memory of every GPU\n"
    "  hmn --json | jq '.[0].free_bytes'\n"
    "  hmn ps --sort total --min 1GiB\n"
    "  hmn fits 12GiB && python train.py\n"
    "  hmn run --json run.json -- python train.py   peak RAM + GPU of the whole run\n"
    "  hmn watch --interval 1s --duration 1m --json > run.jsonl\n"
    "  hmn serve --processes                Prometheus metrics on 127.0.0.1:9835\n"
    "\n"
    "Environment:\n"
    "  HMN_NVML_LIBRARY      full path of libnvidia-ml.so.1 / nvml.dll to load\n"
    "  HMN_NVIDIA_SMI        nvidia-smi executable to run for the fallback\n"
    "  HMN_PROCFS, HMN_SYSFS read another /proc or /sys (the host's, from a container)\n"
    "  HMN_SMI_TIMEOUT_MS    nvidia-smi kill timeout in milliseconds (default 5000)\n"
    "  HMN_DEBUG=1           raw backend values on stderr\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error (each command documents its own).\n";

typedef int (*cmd_fn)(hmn_ctx *ctx, int argc, char **argv);

static const struct {
    const char *name;
    cmd_fn fn;
} commands[] = {{"ps", cmd_ps},         {"watch", cmd_watch}, {"fits", cmd_fits},
                {"spill", cmd_spill},   {"explain", cmd_explain}, {"serve", cmd_serve},
                {"export", cmd_export}, {"run", cmd_run}};

static int is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static cmd_fn find_command(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn;
    return NULL;
}

/* clap's wording: "unexpected argument 'x' found" / "unrecognized subcommand 'x'". */
static int usage_error(int subcommand, const char *arg)
{
    if (subcommand)
        linef(stderr, "error: unrecognized subcommand '%s'", arg);
    else
        linef(stderr, "error: unexpected argument '%s' found", arg);
    fputs("\nUsage: hmn [--json] [COMMAND]\n\nFor more information, try '--help'.\n", stderr);
    return EXIT_USAGE;
}

/* `hmn help [COMMAND]`, as clap offers it: the same text as --help. */
static int help_command(int argc, char **argv)
{
    char help_flag[] = "--help";
    char *sub_argv[2];
    cmd_fn fn;
    if (argc < 2) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    fn = find_command(argv[1]);
    if (!fn)
        return usage_error(1, argv[1]);
    sub_argv[0] = argv[1];
    sub_argv[1] = help_flag;
    return fn(NULL, 2, sub_argv); /* --help returns before any query */
}

static int run_command(cmd_fn fn, int json, int argc, char **argv)
{
    hmn_ctx *ctx = NULL;
    int rc = hmn_ctx_open(&ctx);
    if (rc != HMN_OK) {
        /* An invalid HMN_* variable: the library's message names it. */
        errf("cannot start: %s", hmn_errmsg(NULL)[0] ? hmn_errmsg(NULL) : hmn_strerror(rc));
        return EXIT_FAIL;
    }
    rc = fn ? fn(ctx, argc, argv) : cmd_summary(ctx, json);
    hmn_ctx_close(ctx);
    return rc;
}

static int run_main(int argc, char **argv)
{
    int json = 0, i;
    cmd_fn fn;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (is_help(argv[i])) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
            printf("hmn %s\n", hmn_version());
            return EXIT_OK;
        } else if (argv[i][0] == '-') {
            return usage_error(0, argv[i]);
        } else {
            break;
        }
    }
    if (i == argc)
        return run_command(NULL, json, 0, NULL);
    if (strcmp(argv[i], "help") == 0)
        return help_command(argc - i, argv + i);
    fn = find_command(argv[i]);
    if (!fn)
        return usage_error(1, argv[i]);
    if (json) {
        errf("--json before a subcommand is ignored, not applied \xE2\x80\x94 each subcommand has "
             "its own --json (e.g. `hmn %s --json`, not `hmn --json %s`)",
             argv[i], argv[i]);
        return EXIT_USAGE;
    }
    return run_command(fn, 0, argc - i, argv + i);
}

/* Every command's output ends in the one write check (cli/out_check.c). */
int main(int argc, char **argv)
{
    std_fds_guard();
    cli_set_program(argc > 0 ? argv[0] : NULL);
    return out_finish(run_main(argc, argv));
}
