/*
 * The API on a machine without any GPU source (forced with environment
 * overrides, so the result does not depend on the machine): every GPU query
 * says why, snapshots carry RAM only, nothing reads as zero.
 */
#include "harness.h"

#include <hypomnesis.h>

/* Each platform names its own sources (upstream's text on Windows). */
#if defined(_WIN32)
static const char no_gpu[] = "no GPU measurement source available (NVML, DXGI, PDH, and "
                             "nvidia-smi all failed or are disabled)";
#else
static const char no_gpu[] = "no GPU measurement source available (NVML, nvidia-smi, and "
                             "DRM all failed or are disabled)";
#endif

static void device_count_says_no_source(void)
{
    uint32_t n = 99;
    hmn_ctx *ctx = NULL;
    CHECK(hmn_device_count(NULL, &n) == HMN_ENOGPU);
    CHECK(n == 0);
    CHECK_STR(hmn_errmsg(NULL), no_gpu);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK_STR(hmn_errmsg(ctx), no_gpu);
    hmn_ctx_close(ctx);
}

static void queries_fail_cleanly(void)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_process_gpu g = HMN_PROCESS_GPU_INIT;
    hmn_process_list *list = (hmn_process_list *)&d;
    CHECK(hmn_device_info(NULL, 0, &d) == HMN_ENOGPU);
    CHECK(hmn_process_gpu_info(NULL, 0, &g) == HMN_ENOGPU);
    CHECK(hmn_gpu_processes(NULL, 0, &list) == HMN_ENOGPU);
    CHECK(list == NULL);
    CHECK(hmn_process_list_count(NULL) == 0);
}

static void snapshot_has_ram_only(void)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    hmn_snapshot_list *all = NULL;
    double mb;
    CHECK(hmn_snapshot_now(NULL, 0, &s) == HMN_OK);
    CHECK(s.ram_bytes > 0);
    CHECK(!(s.valid & (HMN_SNAP_HAS_GPU | HMN_SNAP_HAS_GPU_DEVICE)));
    CHECK(hmn_snapshot_vram_mb(&s, &mb) == HMN_ENOENT);
    CHECK(hmn_snapshot_all(NULL, &all) == HMN_OK);
    CHECK(hmn_snapshot_list_count(all) == 0);
    CHECK(hmn_snapshot_list_get(all, 0, &s) == HMN_ENOENT);
    hmn_snapshot_list_free(all);
}

static void sources_explain_themselves(void)
{
    hmn_source_report r = HMN_SOURCE_REPORT_INIT;
    size_t i;
    hmn_ctx *ctx = NULL;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    for (i = 0; hmn_source_report_get(ctx, i, &r) == HMN_OK; i++) {
#if defined(HMN_TEST_ALL_OFF)
        /* RSS-only build: every GPU source is compiled out, and says so. */
        CHECK(r.state == HMN_SOURCE_DISABLED);
        CHECK_STR(r.reason, "not built into this library");
#else
        CHECK(r.state == HMN_SOURCE_UNAVAILABLE);
#endif
        CHECK(r.reason[0] != '\0');
        CHECK(r.device_count == 0);
    }
    CHECK(i >= 3);
    CHECK(hmn_source_report_get(ctx, i, &r) == HMN_ENOENT);
    hmn_ctx_close(ctx);
}

static void struct_size_protocol(void)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    s.size = 4;
    CHECK(hmn_snapshot_now(NULL, 0, &s) == HMN_EVERSION);
    CHECK(hmn_snapshot_now(NULL, 0, NULL) == HMN_EINVAL);
}

static void spill_not_measurable_on_linux(void)
{
    hmn_spill_tracker *t = NULL;
    hmn_spill_report r = HMN_SPILL_REPORT_INIT;
    CHECK(hmn_is_spill_measurable(NULL) == 0);
    CHECK(hmn_snapshot_is_spilling(NULL, 0) < 0);
    CHECK(hmn_spill_tracker_open(NULL, 0, &t) == HMN_OK);
    CHECK(!hmn_spill_tracker_is_measurable(t));
    hmn_spill_tracker_observe(t, "+0.0s");
    CHECK(hmn_spill_tracker_report(t, &r) == HMN_OK);
    CHECK(r.measurable == 0 && r.observations == 0);
    hmn_spill_tracker_close(t);
}

static void options(void)
{
    hmn_ctx *ctx = NULL;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, 100) == HMN_OK);
    CHECK(hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, 0) == HMN_EINVAL);
    CHECK(hmn_ctx_set_option(ctx, 999, 1) == HMN_EINVAL);
    CHECK(strstr(hmn_errmsg(ctx), "unknown option") != NULL);
    CHECK(hmn_ctx_set_option(NULL, HMN_OPT_DEBUG, 1) == HMN_EINVAL);
    hmn_ctx_close(ctx);
    hmn_ctx_close(NULL);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(device_count_says_no_source),
        TEST_ENTRY(queries_fail_cleanly),
        TEST_ENTRY(snapshot_has_ram_only),
        TEST_ENTRY(sources_explain_themselves),
        TEST_ENTRY(struct_size_protocol),
        TEST_ENTRY(spill_not_measurable_on_linux),
        TEST_ENTRY(options),
    };
    return RUN_TESTS(tests);
}
