/* tests/smi/smi_test_env.c - see smi_test_env.h. */
#include "smi_test_env.h"

#include <stdio.h>

void t_scenario(const char *file)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", HMN_T_SMI_DATA, file);
    t_setenv("HMN_FAKE_SMI_SCENARIO", path);
}

hmn_ctx *t_ctx_smi_only(void)
{
    hmn_ctx *ctx = NULL;
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    hmn_ctx_set_option(ctx, HMN_OPT_USE_NVML, 0);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_DRM, 0);
    return ctx;
}

int t_smi_report(hmn_ctx *ctx, hmn_source_report *out)
{
    size_t i;
    for (i = 0;; i++) {
        hmn_source_report r = HMN_SOURCE_REPORT_INIT;
        if (hmn_source_report_get(ctx, i, &r) != HMN_OK)
            return HMN_ENOENT;
        if (r.source == HMN_SOURCE_NVIDIA_SMI) {
            *out = r;
            return HMN_OK;
        }
    }
}

