/* backends/owner_null.c - no process owners where there is no /proc (Windows). */
#include "backend.h"

int hmn__owner_read(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out)
{
    (void)pid;
    (void)out;
    return hmn__fail(ctx, HMN_EUNSUPPORTED, "process owners are read from /proc (Linux only)");
}
