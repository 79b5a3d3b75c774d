/*
 * cli/diag.c - what the CLI says on stderr: "hmn: ..." messages, clap-style
 * usage errors, help, and which GPU sources were tried.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char g_program[64] = "hmn";

void cli_set_program(const char *argv0)
{
    const char *base = argv0, *p;
    if (!argv0 || !*argv0)
        return;
    for (p = argv0; *p; p++) /* both separators: a Windows argv[0] may use either */
        if (*p == '/' || *p == '\\')
            base = p + 1;
    if (*base)
        snprintf(g_program, sizeof(g_program), "%s", base);
}

const char *cli_program(void)
{
    return g_program;
}

/* One line: whatever it quotes (names, errors, paths) is made safe with it. */
void errf(const char *fmt, ...)
{
    struct line l;
    va_list ap;
    line_init(&l);
    line_add(&l, "hmn: ");
    va_start(ap, fmt);
    line_vadd(&l, fmt, ap);
    va_end(ap);
    line_end(&l, stderr);
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
        linef(stderr, "  %-11s %s%s%s%s", hmn_source_name((int)r.source), state,
              r.reason[0] ? " (" : "", r.reason, r.reason[0] ? ")" : "");
    }
}

int usage_invalid(const struct cli_cmd *cmd, const struct cli_opt *opt, const char *value,
                  const char *why)
{
    struct line l;
    line_init(&l);
    /* The value and the reason (which may quote it) are the user's bytes. */
    line_add(&l, "error: invalid value '%s' for '", value);
    if (opt)
        line_add(&l, "%s%s%s%s", opt->name, opt->value_name ? " <" : "",
                 opt->value_name ? opt->value_name : "", opt->value_name ? ">" : "");
    else
        line_add(&l, "%s", cmd->pos_name);
    line_add(&l, "'");
    if (why && why[0] != '\n')
        line_add(&l, ": %s", why);
    line_end(&l, stderr);
    if (why && why[0] == '\n')
        fprintf(stderr, "%s\n", why + 1); /* our own lines ("[possible values: ...]") */
    fputs("\nFor more information, try '--help'.\n", stderr);
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
