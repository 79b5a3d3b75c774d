/* backends/ram_null.c - RSS on platforms without a backend: an honest error. */
#include "backend.h"

const int hmn__ram_source = HMN_SOURCE_NONE;

int hmn__ram_read(hmn_ctx *ctx, hmn_rss *out, int want_peak)
{
    (void)out;
    (void)want_peak;
    return hmn__fail(ctx, HMN_ERAM,
                     "RAM query failed: RAM measurement not supported on this platform");
}

int hmn__ram_process_exists(hmn_ctx *ctx, uint32_t pid)
{
    (void)pid;
    return hmn__fail(ctx, HMN_EUNSUPPORTED, "process lookup not supported on this platform");
}

int hmn__ram_process_start(hmn_ctx *ctx, uint32_t pid, uint64_t *start)
{
    (void)pid;
    (void)start;
    return hmn__fail(ctx, HMN_EUNSUPPORTED, "process start times not supported on this platform");
}

int hmn__ram_process_table(hmn_ctx *ctx, struct hmn__ptab *tab)
{
    tab->n = 0;
    return hmn__fail(ctx, HMN_EUNSUPPORTED, "process tables not supported on this platform");
}

int hmn__ram_pid_read(hmn_ctx *ctx, uint32_t pid, int want_pss, struct hmn__pid_mem *out)
{
    (void)pid;
    (void)want_pss;
    (void)out;
    return hmn__fail(ctx, HMN_ERAM,
                     "RAM query failed: RAM measurement not supported on this platform");
}
