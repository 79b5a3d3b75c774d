/*
 * cli/diag.c - what the CLI says on stderr: "hmn: ..." messages, clap-style
 * usage errors, help, and which GPU sources were tried.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void errf(const char *fmt, ...)
{
    va_list ap;
    fputs("hmn: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void explain_sources(hmn_ctx *ctx)
{
    size_t i;
    hmn_source_report r = HMN_SOURCE_REPORT_INIT;
    fputs("hmn: GPU sources tried:\n", stderr);
    for (i = 0; hmn_source_report_get(ctx, i, &r) == HMN_OK; i++) {
        const char *state = r.state == HMN_SOURCE_AVAILABLE     ? "available"
                            : r.state == HMN_SOURCE_DISABLED    ? "disabled"
                            : r.state == HMN_SOURCE_UNAVAILABLE ? "unavailable"
                                                                : "not tried";
        fprintf(stderr, "  %-11s %s%s%s%s\n", hmn_source_name((int)r.source), state,
                r.reason[0] ? " (" : "", r.reason, r.reason[0] ? ")" : "");
    }
}

int usage_invalid(const struct cli_cmd *cmd, const struct cli_opt *opt, const char *value,
                  const char *why)
{
    (void)cmd;
    fprintf(stderr, "error: invalid value '%s' for '", value);
    if (opt) {
        fputs(opt->name, stderr);
        if (opt->value_name)
            fprintf(stderr, " <%s>", opt->value_name);
    } else {
        fputs(cmd->pos_name, stderr);
    }
    fputc('\'', stderr);
    if (why && why[0] == '\n')
        fputs(why, stderr);
    else if (why)
        fprintf(stderr, ": %s", why);
    fputs("\n\nFor more information, try '--help'.\n", stderr);
    return EXIT_USAGE;
}

int cli_parse_or_exit(const struct cli_cmd *cmd, const char *help, int argc, char **argv,
                      struct cli_args *out)
{
    char err[1024];
    int rc;
    out->items = malloc(sizeof(*out->items) * (size_t)(argc > 0 ? argc : 1));
    if (!out->items) {
        errf("out of memory");
        return EXIT_FAIL;
    }
    rc = cli_args_parse(cmd, argc, argv, out, err, sizeof(err));
    if (rc == ARGS_HELP) {
        fputs(help, stdout);
        return EXIT_OK;
    }
    if (rc == ARGS_USAGE) {
        fputs(err, stderr);
        return EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

int cli_parse_and_run(const struct cli_cmd *cmd, const char *help, hmn_ctx *ctx, int argc,
                      char **argv, int (*run)(hmn_ctx *ctx, const struct cli_args *a))
{
    struct cli_args a;
    int rc;
    memset(&a, 0, sizeof(a));
    rc = cli_parse_or_exit(cmd, help, argc, argv, &a);
    if (rc == CLI_CONTINUE)
        rc = run(ctx, &a);
    free(a.items);
    return rc;
}
