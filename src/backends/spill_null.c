/* backends/spill_null.c - no spill sampler: Linux pages nothing out (CUDA OOMs instead). */
#include "backend.h"

#if !defined(_WIN32) || !HMN_WITH_PDH

int hmn__spill_sampler_open(hmn_ctx *ctx, uint32_t index, struct hmn__spill_sampler **out,
                            uint64_t *limit)
{
    (void)index;
    *out = NULL;
    *limit = 0;
    return hmn__fail(ctx, HMN_EUNSUPPORTED, "spill not measurable on this platform");
}

int hmn__spill_sampler_sample(struct hmn__spill_sampler *s, uint64_t *dedicated, uint64_t *shared)
{
    (void)s;
    *dedicated = *shared = 0;
    return HMN_EUNSUPPORTED;
}

void hmn__spill_sampler_close(struct hmn__spill_sampler *s)
{
    (void)s;
}

int hmn__spill_platform_measurable(hmn_ctx *ctx)
{
    (void)ctx;
    return 0;
}

#endif
