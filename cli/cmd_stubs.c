/* cli/cmd_stubs.c - subcommands not landed yet. */
#include "cli.h"

static int not_yet(const char *name)
{
    errf("%s: not available in this build yet", name);
    return EXIT_FAIL;
}

int cmd_ps(hmn_ctx *ctx, int argc, char **argv)
{
    (void)ctx, (void)argc, (void)argv;
    return not_yet("ps");
}

int cmd_watch(hmn_ctx *ctx, int argc, char **argv)
{
    (void)ctx, (void)argc, (void)argv;
    return not_yet("watch");
}

int cmd_fits(hmn_ctx *ctx, int argc, char **argv)
{
    (void)ctx, (void)argc, (void)argv;
    return not_yet("fits");
}

int cmd_spill(hmn_ctx *ctx, int argc, char **argv)
{
    (void)ctx, (void)argc, (void)argv;
    return not_yet("spill");
}
