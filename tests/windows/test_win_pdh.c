/*
 * tests/windows/test_win_pdh.c - the PDH listing and the spill entry points
 * (backends/gpu_pdh.c).  Wine registers neither "GPU Process Memory" nor
 * "GPU Adapter Memory": there this checks that the absence is reported
 * (source report reason, listing error, spill "not measurable" - never
 * "not spilling").  On real Windows with WDDM 2.0+ it checks the rows.
 */
#include "harness.h"

#include "hypomnesis.h"

#include <windows.h>

static hmn_ctx *ctx;

static int report_of(uint32_t source, hmn_source_report *out)
{
    size_t i;
    for (i = 0;; i++) {
        hmn_source_report r = HMN_SOURCE_REPORT_INIT;
        if (hmn_source_report_get(ctx, i, &r) != HMN_OK)
            return 0;
        if (r.source == source) {
            *out = r;
            return 1;
        }
    }
}

static void pdh_state_is_explained(void)
{
    hmn_source_report r;
    CHECK(report_of(HMN_SOURCE_PDH, &r));
    CHECK(r.state == HMN_SOURCE_AVAILABLE || r.state == HMN_SOURCE_UNAVAILABLE);
    CHECK(strstr(r.reason, "GPU Process Memory") != NULL);
    CHECK(r.device_count == 0); /* PDH lists processes, it owns no device */
}

static void listing(void)
{
    hmn_source_report r;
    hmn_process_list *list = NULL;
    uint32_t n = 0;
    int rc;
    CHECK(report_of(HMN_SOURCE_PDH, &r));
    if (hmn_device_count(ctx, &n) != HMN_OK || n == 0) {
        CHECK(hmn_gpu_processes(ctx, 0, &list) < 0);
        CHECK(list == NULL);
        return;
    }
    rc = hmn_gpu_processes(ctx, 0, &list);
    if (r.state != HMN_SOURCE_AVAILABLE) {
        /* PDH unusable and nvidia-smi pointed at nothing: an error, not an empty list. */
        CHECK(rc < 0);
        CHECK(list == NULL);
        CHECK(hmn_errmsg(ctx)[0] != '\0');
        return;
    }
    CHECK(rc == HMN_OK);
    CHECK(hmn_process_list_source(list) == HMN_SOURCE_PDH);
    {
        size_t i;
        for (i = 0; i < hmn_process_list_count(list); i++) {
            hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
            CHECK(hmn_process_list_get(list, i, &p) == HMN_OK);
            CHECK(p.valid & HMN_PROC_HAS_NAME);
            CHECK(p.valid & HMN_PROC_HAS_USED);
            CHECK(p.name[0] != '\0' && strchr(p.name, '?') == NULL);
            if (p.pid == 4)
                CHECK_STR(p.name, "[kernel]");
        }
    }
    hmn_process_list_free(list);
}

static void spill_not_measurable_is_not_no(void)
{
    hmn_spill_tracker *t = NULL;
    hmn_spill_report rep = HMN_SPILL_REPORT_INIT;
    int measurable = hmn_is_spill_measurable(ctx);
    int rc = hmn_spill_tracker_open(ctx, 0, &t);
    CHECK(measurable == 0 || measurable == 1);
    if (rc != HMN_OK) {
        CHECK(t == NULL);
        return;
    }
    CHECK(hmn_spill_tracker_is_measurable(t) == measurable);
    hmn_spill_tracker_observe(t, "+0s");
    CHECK(hmn_spill_tracker_report(t, &rep) == HMN_OK);
    CHECK(rep.measurable == (uint32_t)measurable);
    if (!measurable) {
        CHECK_EQ_U64(rep.observations, 0);
        /* The one-shot check cannot say "no" either. */
        CHECK(hmn_snapshot_is_spilling(ctx, 0) < 0);
    } else {
        CHECK_EQ_U64(rep.observations, 1);
        CHECK(hmn_snapshot_is_spilling(ctx, 0) >= 0);
    }
    hmn_spill_tracker_close(t);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(pdh_state_is_explained),
        TEST_ENTRY(listing),
        TEST_ENTRY(spill_not_measurable_is_not_no),
    };
    int rc;
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return 1;
    rc = RUN_TESTS(tests);
    hmn_ctx_close(ctx);
    return rc;
}
