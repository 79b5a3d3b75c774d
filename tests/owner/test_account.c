/*
 * tests/owner/test_account.c - used = rows + unattributed, as
 * hmn_memory_account_rows() computes it, on real listings: the fake NVML's
 * scenarios (graphics and MPS merged by PID, MIG instances, rows with no
 * figure) and the DRM fixture tree (a client shared by two processes).
 */
#include "harness.h"
#include "test_support.h"
#include "hypomnesis.h"

#include <stdlib.h>
#include <string.h>

#define MIB 1048576ull
#define KIB 1024ull

static hmn_ctx *nvml_ctx(const char *scn)
{
    char path[1024];
    hmn_ctx *ctx = NULL;
    snprintf(path, sizeof(path), "%s/nvml/%s", HMN_TEST_DATA, scn);
    t_setenv("HMN_FAKE_NVML_SCENARIO", path);
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    hmn_ctx_set_option(ctx, HMN_OPT_USE_NVIDIA_SMI, 0);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_DRM, 0);
    return ctx;
}

/* Account device `index` of ctx against its own used figure. */
static int account(hmn_ctx *ctx, uint32_t index, uint32_t gi, uint64_t used, int used_known,
                   hmn_memory_account *a)
{
    hmn_process_list *l = NULL;
    int rc = hmn_gpu_processes(ctx, index, &l);
    if (rc != HMN_OK)
        return rc;
    a->size = sizeof(*a);
    rc = hmn_memory_account_rows(l, gi, used_known, used, a);
    hmn_process_list_free(l);
    return rc;
}

static uint64_t device_used(hmn_ctx *ctx, uint32_t index)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    if (hmn_device_info(ctx, index, &d) != HMN_OK || !(d.valid & HMN_DEV_HAS_USED))
        return 0;
    return d.used_bytes;
}

/* A compute+graphics process counts once (the larger figure), MPS too. */
static void merged_rows_are_counted_once(void)
{
    hmn_memory_account a;
    hmn_ctx *ctx;
    if (!HMN_ACCT_HAVE_NVML)
        return;
    ctx = nvml_ctx("merge.scn");
    CHECK(ctx);
    CHECK(account(ctx, 0, HMN_ANY_GPU_INSTANCE, device_used(ctx, 0), 1, &a) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(a.rows, 3);
    CHECK_EQ_U64(a.attributed_bytes, (1200 + 500 + 700) * MIB);
    CHECK(a.valid & HMN_ACCT_HAS_UNATTRIBUTED);
    CHECK_EQ_U64(a.unattributed_bytes, 600 * MIB);
    CHECK_EQ_U64(a.attributed_bytes + a.unattributed_bytes, a.used_bytes);
    CHECK_EQ_U64(a.unreported_rows, 0);
}

/* Rows without a figure are counted, and their bytes sit in the remainder. */
static void unreported_rows_are_counted(void)
{
    hmn_memory_account a;
    hmn_ctx *ctx;
    if (!HMN_ACCT_HAVE_NVML)
        return;
    ctx = nvml_ctx("wsl2-na.scn");
    CHECK(ctx);
    CHECK(account(ctx, 0, HMN_ANY_GPU_INSTANCE, device_used(ctx, 0), 1, &a) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(a.rows, 2);
    CHECK_EQ_U64(a.unreported_rows, 2); /* "not available" and a garbage figure */
    CHECK_EQ_U64(a.attributed_bytes, 0);
    CHECK_EQ_U64(a.unattributed_bytes, 14360 * MIB);
}

/* MIG: each GPU instance against its own used; rows beyond used are said, never negative. */
static void mig_instances_and_rows_beyond_used(void)
{
    hmn_mig_info m = HMN_MIG_INFO_INIT;
    hmn_memory_account a;
    hmn_ctx *ctx;
    if (!HMN_ACCT_HAVE_NVML)
        return;
    ctx = nvml_ctx("mig.scn");
    CHECK(ctx);
    CHECK(account(ctx, 0, HMN_ANY_GPU_INSTANCE, device_used(ctx, 0), 1, &a) == HMN_OK);
    CHECK_EQ_U64(a.attributed_bytes, (7990 + 3062) * MIB);
    CHECK_EQ_U64(a.unattributed_bytes, 73 * MIB);
    CHECK(hmn_mig_instance(ctx, 0, 0, &m) == HMN_OK);
    CHECK(account(ctx, 0, m.gpu_instance_id, m.used_bytes, 1, &a) == HMN_OK);
    CHECK_EQ_U64(a.rows, 1);
    CHECK_EQ_U64(a.unattributed_bytes, 10 * MIB);
    CHECK(hmn_mig_instance(ctx, 0, 1, &m) == HMN_OK);
    CHECK(account(ctx, 0, m.gpu_instance_id, m.used_bytes, 1, &a) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(a.rows, 1);
    CHECK(!(a.valid & HMN_ACCT_HAS_UNATTRIBUTED));
    CHECK(a.valid & HMN_ACCT_ROWS_EXCEED_USED);
    CHECK_EQ_U64(a.excess_bytes, 10 * MIB); /* 3062 MiB listed on a 3052 MiB instance */
    CHECK_EQ_U64(a.unattributed_bytes, 0);
}

/* Without a used figure there is no remainder, only the rows' sum. */
static void unknown_used_means_unknown_remainder(void)
{
    hmn_memory_account a = HMN_MEMORY_ACCOUNT_INIT;
    CHECK(hmn_memory_account_rows(NULL, HMN_ANY_GPU_INSTANCE, 0, 0, &a) == HMN_OK);
    CHECK_EQ_U64(a.valid, 0);
    CHECK_EQ_U64(a.rows, 0);
    CHECK(hmn_memory_account_rows(NULL, HMN_ANY_GPU_INSTANCE, 1, 5 * MIB, &a) == HMN_OK);
    CHECK(a.valid & HMN_ACCT_HAS_UNATTRIBUTED);
    CHECK_EQ_U64(a.unattributed_bytes, 5 * MIB);
    CHECK(hmn_memory_account_rows(NULL, 0, 1, 0, NULL) == HMN_EINVAL);
    a.size = 4;
    CHECK(hmn_memory_account_rows(NULL, 0, 1, 0, &a) == HMN_EVERSION);
}

/* DRM: a client held by two processes counts once, in the lowest PID. */
static void shared_drm_client_counts_once(void)
{
    char p[1024], s[1024];
    hmn_memory_account a;
    hmn_ctx *ctx = NULL;
    if (!HMN_ACCT_HAVE_DRM)
        return;
    snprintf(p, sizeof(p), "%s/drm/multi/proc", HMN_TEST_DATA);
    snprintf(s, sizeof(s), "%s/drm/multi/sys", HMN_TEST_DATA);
    t_setenv("HMN_PROCFS", p);
    t_setenv("HMN_SYSFS", s);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_NVML, 0);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_NVIDIA_SMI, 0);
    CHECK(account(ctx, 0, HMN_ANY_GPU_INSTANCE, device_used(ctx, 0), 1, &a) == HMN_OK);
    hmn_ctx_close(ctx);
    /* glxgears 2068 KiB + ollama 12288 KiB (client 300) + worker's own 4096 KiB;
     * worker's used_bytes also holds client 300, which must not count twice. */
    CHECK_EQ_U64(a.rows, 3);
    CHECK_EQ_U64(a.attributed_bytes, (2068 + 12288 + 4096) * KIB);
    CHECK_EQ_U64(a.used_bytes, 536870912ull);
    CHECK_EQ_U64(a.unattributed_bytes, 536870912ull - (2068 + 12288 + 4096) * KIB);
}

static void attributed_bytes_of_one_row(void)
{
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    uint64_t b = 7;
    CHECK(hmn_process_attributed_bytes(&p, &b) == HMN_ENOENT);
    CHECK_EQ_U64(b, 7);
    p.valid = HMN_PROC_HAS_USED;
    p.used_bytes = 100;
    p.unique_used_bytes = 40;
    CHECK(hmn_process_attributed_bytes(&p, &b) == HMN_OK);
    CHECK_EQ_U64(b, 100);
    p.valid |= HMN_PROC_HAS_CLIENTS;
    /* A DRM row whose unique share is unknown contributes an unknown, not 0. */
    b = 7;
    CHECK(hmn_process_attributed_bytes(&p, &b) == HMN_ENOENT);
    CHECK_EQ_U64(b, 7);
    p.valid |= HMN_PROC_HAS_UNIQUE_USED;
    CHECK(hmn_process_attributed_bytes(&p, &b) == HMN_OK);
    CHECK_EQ_U64(b, 40);
    CHECK(hmn_process_attributed_bytes(NULL, &b) == HMN_EINVAL);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(merged_rows_are_counted_once),
        TEST_ENTRY(unreported_rows_are_counted),
        TEST_ENTRY(mig_instances_and_rows_beyond_used),
        TEST_ENTRY(unknown_used_means_unknown_remainder),
        TEST_ENTRY(shared_drm_client_counts_once),
        TEST_ENTRY(attributed_bytes_of_one_row),
    };
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
