/* backends/gpu_nvml.c - placeholder until the backend lands. */
#include "backend.h"

static int open_stub(hmn_ctx *ctx, void **state, char *reason, size_t cap)
{
    (void)ctx;
    *state = NULL;
    hmn__snprintf(reason, cap, "not implemented yet");
    return HMN_EUNSUPPORTED;
}

const struct hmn__backend hmn__backend_nvml = {
    .name = "nvml",
    .source = HMN_SOURCE_NVML,
    .open = open_stub,
};
