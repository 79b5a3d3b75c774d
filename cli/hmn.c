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
    "  (none)   One line per GPU: free / total memory, reserved, driver\n"
    "  ps       Every process holding GPU memory (hmn ps --help)\n"
    "  watch    Sample processes over time (hmn watch --help)\n"
    "  fits     Does SIZE fit in a device's free memory? (hmn fits --help)\n"
    "  spill    Run a command and report WDDM spill (hmn spill --help)\n"
    "\n"
    "Options:\n"
    "  --json         Summary as one JSON array (each subcommand has its own --json)\n"
    "  -h, --help     Print help\n"
    "  -V, --version  Print version\n"
    "\n"
    "Examples:\n"
    "  hmn                      free memory of every GPU\n"
    "  hmn --json | jq '.[0].free_bytes'\n"
    "  hmn ps --sort total --min 1GiB\n"
    "  hmn fits 12GiB && python train.py\n"
    "\n"
    "Environment:\n"
    "  HMN_NVML_LIBRARY  full path of libnvidia-ml.so.1 / nvml.dll to load\n"
    "  HMN_NVIDIA_SMI    nvidia-smi executable to run for the fallback\n"
    "  HMN_PROCFS, HMN_SYSFS  read another /proc or /sys (host from a container)\n"
    "  HMN_DEBUG=1       raw backend values on stderr\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error (see each subcommand).\n"
    "Limitations: per-process figures on Linux NVIDIA are compute and graphics\n"
    "clients reported by NVML; spill is measurable only on Windows (WDDM).\n";

static int is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

int main(int argc, char **argv)
{
    hmn_ctx *ctx = NULL;
    int json = 0, i = 1, rc;
    const char *cmd = NULL;

    for (; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (is_help(argv[i])) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
            printf("hmn %s\n", hmn_version());
            return EXIT_OK;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "error: unexpected argument '%s' found\n\nUsage: hmn [--json] "
                            "[COMMAND]\n\nFor more information, try '--help'.\n",
                    argv[i]);
            return EXIT_USAGE;
        } else {
            cmd = argv[i];
            break;
        }
    }
    if (cmd && json) {
        errf("--json before a subcommand is ignored, not applied \xE2\x80\x94 each subcommand has "
             "its own --json (e.g. `hmn %s --json`, not `hmn --json %s`)",
             cmd, cmd);
        return EXIT_USAGE;
    }
    if (cmd && strcmp(cmd, "ps") && strcmp(cmd, "watch") && strcmp(cmd, "fits") &&
        strcmp(cmd, "spill")) {
        fprintf(stderr, "error: unrecognized subcommand '%s'\n\nUsage: hmn [--json] "
                        "[COMMAND]\n\nFor more information, try '--help'.\n",
                cmd);
        return EXIT_USAGE;
    }
    rc = hmn_ctx_open(&ctx);
    if (rc != HMN_OK) {
        errf("cannot start: %s", hmn_strerror(rc));
        return EXIT_FAIL;
    }
    if (!cmd)
        rc = cmd_summary(ctx, json);
    else if (strcmp(cmd, "ps") == 0)
        rc = cmd_ps(ctx, argc - i, argv + i);
    else if (strcmp(cmd, "watch") == 0)
        rc = cmd_watch(ctx, argc - i, argv + i);
    else if (strcmp(cmd, "fits") == 0)
        rc = cmd_fits(ctx, argc - i, argv + i);
    else
        rc = cmd_spill(ctx, argc - i, argv + i);
    hmn_ctx_close(ctx);
    return rc;
}
