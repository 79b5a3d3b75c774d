/*
 * test_smi_real.c - the REAL nvidia-smi from Debian non-free (fetched by
 * scripts/fetch-nvidia-nonfree.sh into HMN_NVIDIA_NONFREE_DIR) through our
 * backend on a machine without an NVIDIA driver: with its NVML library on
 * LD_LIBRARY_PATH it exits 9 ("couldn't communicate with the NVIDIA
 * driver"), without it 12 (libnvidia-ml.so not found).  Both must give a
 * clear reason and no crash, and `hmn` must still exit 0 with
 * "hmn: no visible GPUs.".  Skipped (77) on a machine with the driver loaded.
 */
#include "backend.h"
#include "harness.h"
#include "smi_test_env.h"

static const char real_smi[] = HMN_T_NONFREE "/bin/nvidia-smi";
static const char real_lib[] = HMN_T_NONFREE "/lib";

static void env_common(int with_lib)
{
    t_setenv("HMN_NVIDIA_SMI", real_smi);
    t_setenv("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1");
    t_setenv("HMN_SYSFS", "/nonexistent-sysfs");
    t_setenv("HMN_PROCFS", HMN_T_SMI_DATA "/proc");
    if (with_lib)
        t_setenv("LD_LIBRARY_PATH", real_lib);
    else
        t_unsetenv("LD_LIBRARY_PATH");
}

/* The backend's own code and message for one enumeration. */
static int enumerate_real(int with_lib, char *msg, size_t cap)
{
    const struct hmn__backend *b = &hmn__backend_smi;
    struct hmn__devtab *tab = calloc(1, sizeof(*tab));
    hmn_ctx *ctx = NULL;
    void *state = NULL;
    char reason[256];
    int rc;
    env_common(with_lib);
    if (!tab || hmn_ctx_open(&ctx) != HMN_OK) {
        free(tab);
        return -999;
    }
    rc = b->open(ctx, &state, reason, sizeof(reason));
    if (rc == HMN_OK)
        rc = b->enumerate(ctx, state, tab);
    snprintf(msg, cap, "%s", rc == HMN_OK ? "" : hmn_errmsg(ctx));
    b->close(ctx, state);
    hmn_ctx_close(ctx);
    free(tab);
    return rc;
}

static void real_exit_9_with_library(void)
{
    char m[512];
    CHECK(enumerate_real(1, m, sizeof(m)) == HMN_ENODRIVER);
    CHECK(t_contains(m, "nvidia-smi: exit status 9: NVIDIA-SMI has failed because it couldn't "
                        "communicate with the NVIDIA driver"));
}

static void real_exit_12_without_library(void)
{
    char m[512];
    CHECK(enumerate_real(0, m, sizeof(m)) == HMN_ENODRIVER);
    CHECK(t_contains(m, "nvidia-smi: exit status 12: NVML library not found: NVIDIA-SMI "
                        "couldn't find libnvidia-ml.so"));
}

static void real_public_api_reports_reason(void)
{
    hmn_ctx *ctx;
    hmn_source_report r;
    uint32_t n = 7;
    env_common(1);
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK_EQ_U64(n, 0);
    CHECK(t_smi_report(ctx, &r) == HMN_OK);
    CHECK_EQ_U64(r.state, HMN_SOURCE_UNAVAILABLE);
    CHECK(t_contains(r.reason, "exit status 9"));
    hmn_ctx_close(ctx);
}

/* hmn itself: exit 0, the summary's one line, for both real failure modes. */
static int run_hmn(int with_lib, char *out, size_t cap, struct hmn__run_result *res)
{
    const char *argv[2];
    argv[0] = HMN_T_HMN;
    argv[1] = NULL;
    env_common(with_lib);
    return hmn__run(argv, 20000, out, cap, res, NULL, 0);
}

static void real_hmn_summary(void)
{
    static char out[4096];
    struct hmn__run_result res;
    int with_lib;
    if (!HMN_T_HMN[0]) {
        printf("(hmn not built: summary check skipped)\n");
        return;
    }
    for (with_lib = 0; with_lib <= 1; with_lib++) {
        CHECK(run_hmn(with_lib, out, sizeof(out), &res) == HMN_OK);
        CHECK(res.exited);
        CHECK_EQ_U64(res.exit_code, 0);
        CHECK_STR(out, "hmn: no visible GPUs.\n");
    }
}

static const struct hmn_test tests[] = {
    TEST_ENTRY(real_exit_9_with_library),
    TEST_ENTRY(real_exit_12_without_library),
    TEST_ENTRY(real_public_api_reports_reason),
    TEST_ENTRY(real_hmn_summary),
};

int main(int argc, char **argv)
{
    FILE *f = fopen("/dev/nvidiactl", "rb");
    if (f) {
        fclose(f);
        printf("NVIDIA driver present: the no-driver paths cannot be exercised here (skip)\n");
        return 77;
    }
    f = fopen(real_smi, "rb");
    if (!f) {
        fprintf(stderr, "%s missing: run scripts/fetch-nvidia-nonfree.sh first\n", real_smi);
        return 1;
    }
    fclose(f);
    return RUN_TESTS(tests);
}
