/* backends/gpu_smi.c - placeholder until the backend lands. */
#include "backend.h"

static int open_stub(hmn_ctx *ctx, void **state, char *reason, size_t cap)
{
    (void)ctx;
    *state = NULL;
    hmn__snprintf(reason, cap, "not implemented yet");
    return HMN_EUNSUPPORTED;
}

const struct hmn__backend hmn__backend_smi = {
    .name = "nvidia-smi",
    .source = HMN_SOURCE_NVIDIA_SMI,
    .open = open_stub,
};
