/*
 * tests/nvml/test_nvml_real.c - the real libnvidia-ml from Debian non-free
 * (HMN_NVML_LIBRARY).  On a machine without the NVIDIA kernel driver it must
 * fail at init with a clear reason and no crash; `hmn` (HMN_CLI) must then
 * print the one summary line and exit 0.  With a driver it must count GPUs.
 */
#include "harness.h"

#include "hypomnesis.h"
#include "os/os.h"

#include <string.h>

static void library_gives_a_clear_reason(void)
{
    hmn_source_report rep = HMN_SOURCE_REPORT_INIT;
    hmn_ctx *ctx = NULL;
    uint32_t n = 0;
    size_t i;
    int rc;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_NVIDIA_SMI, 0);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_DRM, 0);
    rc = hmn_device_count(ctx, &n);
    for (i = 0; hmn_source_report_get(ctx, i, &rep) == HMN_OK; i++)
        if (rep.source == HMN_SOURCE_NVML)
            break;
    hmn_ctx_close(ctx);
    printf("nvml: state %u, reason [%s], count rc %d n %u\n", rep.state, rep.reason, rc, n);
    CHECK_EQ_U64(rep.source, HMN_SOURCE_NVML);
    if (rep.state == HMN_SOURCE_AVAILABLE) { /* a machine with a GPU */
        CHECK(rc == HMN_OK && n > 0);
        return;
    }
    CHECK(rc == HMN_ENOGPU);
    CHECK(strstr(rep.reason, "nvmlInit_v2 failed: Driver Not Loaded (9)") != NULL);
}

static void null_context_too(void)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    int rc = hmn_device_info(NULL, 0, &d);
    if (rc == HMN_OK)
        return;
    CHECK(rc == HMN_ENOGPU);
    CHECK(strstr(hmn_errmsg(NULL), "no GPU measurement source available") != NULL);
}

static void cli_summary_line(void)
{
    const char *cli = getenv("HMN_CLI");
    const char *argv[] = {cli, NULL};
    struct hmn__run_result res;
    char out[4096], err[256];
    if (!cli)
        return; /* built without the CLI */
    CHECK(hmn__run(argv, 30000, out, sizeof(out), &res, err, sizeof(err)) == HMN_OK);
    out[res.len] = '\0';
    printf("hmn: exit %d, stdout [%s]\n", res.exit_code, out);
    CHECK(res.exited);
    CHECK_EQ_U64(res.exit_code, 0);
    if (strstr(out, "GPU") && !strstr(out, "no visible GPUs"))
        return; /* a machine with a GPU prints its summary */
    CHECK_STR(out, "hmn: no visible GPUs.\n");
}

static const struct hmn_test tests[] = {
    TEST_ENTRY(library_gives_a_clear_reason),
    TEST_ENTRY(null_context_too),
    TEST_ENTRY(cli_summary_line),
};

int main(int argc, char **argv)
{
    return RUN_TESTS(tests);
}
