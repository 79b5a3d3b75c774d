/*
 * fuzz/fuzz_cli_args.c - the hmn argument parser and display-width decoder.
 * Input: NUL-separated arguments (argv[0] is the subcommand).  The parser
 * must never read past argv, overrun its error buffer or its item storage,
 * and every accepted item must point into argv.
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

static const struct cli_opt f_opts[] = {
    {"--pid", 0, "PID", OPT_MULTI}, {"--device", 0, "INDEX", 0}, {"--sort", 0, "KEY", 0},
    {"--json", 0, NULL, 0},         {"--filter", 'f', "PATTERN", OPT_MULTI}};
static const struct cli_cmd f_cmds[] = {
    {"hmn ps [OPTIONS]", f_opts, 5, NULL, 0, 0, 0},
    {"hmn watch [OPTIONS] [PID]...", f_opts, 5, "[PID]...", 0, 1, 0},
    {"hmn fits [OPTIONS] <SIZE>", f_opts, 5, "<SIZE>", 1, 0, 0},
    {"hmn spill [OPTIONS] -- <COMMAND>...", f_opts, 5, "<COMMAND>...", 1, 1, 1},
};

static void check_items(const struct cli_args *a, int argc, char **argv)
{
    size_t i;
    for (i = 0; i < a->count; i++) {
        const char *v = a->items[i].value;
        int j, inside = v == NULL;
        for (j = 0; j < argc && !inside; j++)
            inside = v >= argv[j] && v <= argv[j] + strlen(argv[j]);
        if (!inside || a->items[i].opt >= 5 || a->items[i].opt < -1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[MAX_ARGS];
    struct cli_item items[MAX_ARGS];
    struct cli_args a;
    char err[256];
    size_t i, c;
    int argc = 0;
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    argv[argc++] = buf;
    for (i = 0; i < size && argc < MAX_ARGS; i++)
        if (buf[i] == '\0')
            argv[argc++] = buf + i + 1;
    for (c = 0; c < sizeof(f_cmds) / sizeof(f_cmds[0]); c++) {
        a.items = items;
        if (cli_args_parse(&f_cmds[c], argc, argv, &a, err, sizeof(err)) == ARGS_OK)
            check_items(&a, argc, argv);
        if (strlen(err) >= sizeof(err))
            abort();
    }
    for (i = 0; i < (size_t)argc; i++)
        (void)display_width(argv[i]);
    free(buf);
    return 0;
}
