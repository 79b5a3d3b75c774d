/*
 * tests/abi/test_abi_layout.c - the public structs' layout, frozen.
 *
 * Every size and field offset of include/hypomnesis.h is a static assert,
 * true on x86-64 Linux (LP64) and 64-bit Windows (LLP64, mingw-w64 and
 * MSVC): the header uses fixed-width types only, so both read the same.  A
 * reordered, removed or resized field fails the build of this test.
 * Appending a field changes only the struct's SIZE line below; its FIRST
 * line (the _V1 size of core/abi.h, the smallest size a caller may pass)
 * never changes.  At run time: a caller's size below _V1 is refused with
 * HMN_EVERSION and exactly _V1 is accepted.
 */
#include "harness.h"

#include "core/abi.h"
#include "hypomnesis.h"

#include <stddef.h>

#define SIZE(t, n) _Static_assert(sizeof(t) == (n), "sizeof " #t)
#define FIRST(t, c, n) _Static_assert((c) == (n), "first layout of " #t)
#define AT(t, f, n) _Static_assert(offsetof(t, f) == (n), "offset of " #t "." #f)

/* hmn_rss */
SIZE(hmn_rss, 32);
FIRST(hmn_rss, HMN__RSS_SIZE_V1, 32);
AT(hmn_rss, size, 0);
AT(hmn_rss, source, 4);
AT(hmn_rss, valid, 8);
AT(hmn_rss, current_bytes, 16);
AT(hmn_rss, peak_bytes, 24);

/* hmn_gpu_device_info */
SIZE(hmn_gpu_device_info, 528);
FIRST(hmn_gpu_device_info, HMN__GPU_DEVICE_INFO_SIZE_V1, 528);
AT(hmn_gpu_device_info, size, 0);
AT(hmn_gpu_device_info, index, 4);
AT(hmn_gpu_device_info, valid, 8);
AT(hmn_gpu_device_info, source, 16);
AT(hmn_gpu_device_info, vendor, 20);
AT(hmn_gpu_device_info, memory_api, 24);
AT(hmn_gpu_device_info, mig_mode, 28);
AT(hmn_gpu_device_info, total_bytes, 32);
AT(hmn_gpu_device_info, free_bytes, 40);
AT(hmn_gpu_device_info, used_bytes, 48);
AT(hmn_gpu_device_info, reserved_bytes, 56);
AT(hmn_gpu_device_info, gtt_total_bytes, 64);
AT(hmn_gpu_device_info, gtt_used_bytes, 72);
AT(hmn_gpu_device_info, vis_vram_total_bytes, 80);
AT(hmn_gpu_device_info, vis_vram_used_bytes, 88);
AT(hmn_gpu_device_info, cuda_driver_version, 96);
AT(hmn_gpu_device_info, pci_vendor_id, 100);
AT(hmn_gpu_device_info, pci_device_id, 104);
AT(hmn_gpu_device_info, mig_instance_count, 108);
AT(hmn_gpu_device_info, name, 112);
AT(hmn_gpu_device_info, uuid, 208);
AT(hmn_gpu_device_info, pci_bus_id, 304);
AT(hmn_gpu_device_info, driver_version, 336);
AT(hmn_gpu_device_info, nvml_version, 416);
AT(hmn_gpu_device_info, driver_name, 496);

/* hmn_mig_info */
SIZE(hmn_mig_info, 240);
FIRST(hmn_mig_info, HMN__MIG_INFO_SIZE_V1, 240);
AT(hmn_mig_info, size, 0);
AT(hmn_mig_info, index, 4);
AT(hmn_mig_info, valid, 8);
AT(hmn_mig_info, gpu_instance_id, 16);
AT(hmn_mig_info, compute_instance_id, 20);
AT(hmn_mig_info, total_bytes, 24);
AT(hmn_mig_info, free_bytes, 32);
AT(hmn_mig_info, used_bytes, 40);
AT(hmn_mig_info, name, 48);
AT(hmn_mig_info, uuid, 144);

/* hmn_process_gpu */
SIZE(hmn_process_gpu, 32);
FIRST(hmn_process_gpu, HMN__PROCESS_GPU_SIZE_V1, 32);
AT(hmn_process_gpu, size, 0);
AT(hmn_process_gpu, source, 4);
AT(hmn_process_gpu, valid, 8);
AT(hmn_process_gpu, used_bytes, 16);
AT(hmn_process_gpu, is_per_process, 24);
AT(hmn_process_gpu, reserved_, 28);

/* hmn_gpu_process */
SIZE(hmn_gpu_process, 352);
FIRST(hmn_gpu_process, HMN__GPU_PROCESS_SIZE_V1, 352);
AT(hmn_gpu_process, size, 0);
AT(hmn_gpu_process, pid, 4);
AT(hmn_gpu_process, valid, 8);
AT(hmn_gpu_process, used_bytes, 16);
AT(hmn_gpu_process, shared_used_bytes, 24);
AT(hmn_gpu_process, gtt_bytes, 32);
AT(hmn_gpu_process, cpu_bytes, 40);
AT(hmn_gpu_process, stolen_bytes, 48);
AT(hmn_gpu_process, source, 56);
AT(hmn_gpu_process, kinds, 60);
AT(hmn_gpu_process, device_index, 64);
AT(hmn_gpu_process, host_pid, 68);
AT(hmn_gpu_process, gpu_instance_id, 72);
AT(hmn_gpu_process, compute_instance_id, 76);
AT(hmn_gpu_process, name, 80);
AT(hmn_gpu_process, unique_used_bytes, 336);
AT(hmn_gpu_process, clients, 344);
AT(hmn_gpu_process, shared_clients, 348);

/* hmn_snapshot */
SIZE(hmn_snapshot, 592);
FIRST(hmn_snapshot, HMN__SNAPSHOT_SIZE_V1, 592);
AT(hmn_snapshot, size, 0);
AT(hmn_snapshot, device_index, 4);
AT(hmn_snapshot, valid, 8);
AT(hmn_snapshot, ram_bytes, 16);
AT(hmn_snapshot, peak_ram_bytes, 24);
AT(hmn_snapshot, gpu, 32);
AT(hmn_snapshot, gpu_device, 64);

/* hmn_source_report */
SIZE(hmn_source_report, 272);
FIRST(hmn_source_report, HMN__SOURCE_REPORT_SIZE_V1, 272);
AT(hmn_source_report, size, 0);
AT(hmn_source_report, source, 4);
AT(hmn_source_report, state, 8);
AT(hmn_source_report, device_count, 12);
AT(hmn_source_report, reason, 16);

/* hmn_spill_episode */
SIZE(hmn_spill_episode, 160);
FIRST(hmn_spill_episode, HMN__SPILL_EPISODE_SIZE_V1, 160);
AT(hmn_spill_episode, size, 0);
AT(hmn_spill_episode, has_end_label, 4);
AT(hmn_spill_episode, peak_shared_bytes, 8);
AT(hmn_spill_episode, observations, 16);
AT(hmn_spill_episode, duration_ms, 24);
AT(hmn_spill_episode, start_label, 32);
AT(hmn_spill_episode, end_label, 96);

/* hmn_spill_report */
SIZE(hmn_spill_report, 64);
FIRST(hmn_spill_report, HMN__SPILL_REPORT_SIZE_V1, 64);
AT(hmn_spill_report, size, 0);
AT(hmn_spill_report, measurable, 4);
AT(hmn_spill_report, episode_count, 8);
AT(hmn_spill_report, peak_dedicated_bytes, 16);
AT(hmn_spill_report, dedicated_limit_bytes, 24);
AT(hmn_spill_report, peak_shared_bytes, 32);
AT(hmn_spill_report, baseline_shared_bytes, 40);
AT(hmn_spill_report, observations, 48);
AT(hmn_spill_report, total_spill_duration_ms, 56);
/* hmn_memory_account */
SIZE(hmn_memory_account, 56);
FIRST(hmn_memory_account, HMN__MEMORY_ACCOUNT_SIZE_V1, 56);
AT(hmn_memory_account, size, 0);
AT(hmn_memory_account, rows, 4);
AT(hmn_memory_account, valid, 8);
AT(hmn_memory_account, used_bytes, 16);
AT(hmn_memory_account, attributed_bytes, 24);
AT(hmn_memory_account, unattributed_bytes, 32);
AT(hmn_memory_account, excess_bytes, 40);
AT(hmn_memory_account, unreported_rows, 48);
AT(hmn_memory_account, reserved_, 52);

/* hmn_process_owner */
SIZE(hmn_process_owner, 736);
FIRST(hmn_process_owner, HMN__PROCESS_OWNER_SIZE_V1, 736);
AT(hmn_process_owner, size, 0);
AT(hmn_process_owner, pid, 4);
AT(hmn_process_owner, valid, 8);
AT(hmn_process_owner, uid, 16);
AT(hmn_process_owner, runtime, 20);
AT(hmn_process_owner, qos, 24);
AT(hmn_process_owner, cgroup_version, 28);
AT(hmn_process_owner, user, 32);
AT(hmn_process_owner, container_id, 96);
AT(hmn_process_owner, pod_uid, 176);
AT(hmn_process_owner, unit, 224);
AT(hmn_process_owner, slice, 480);

/* hmn_sampler_config */
SIZE(hmn_sampler_config, 24);
FIRST(hmn_sampler_config, HMN__SAMPLER_CONFIG_SIZE_V1, 24);
AT(hmn_sampler_config, size, 0);
AT(hmn_sampler_config, root_pid, 4);
AT(hmn_sampler_config, flags, 8);
AT(hmn_sampler_config, device, 12);
AT(hmn_sampler_config, interval_ms, 16);

/* hmn_sample_info */
SIZE(hmn_sample_info, 64);
FIRST(hmn_sample_info, HMN__SAMPLE_INFO_SIZE_V1, 64);
AT(hmn_sample_info, size, 0);
AT(hmn_sample_info, processes, 4);
AT(hmn_sample_info, valid, 8);
AT(hmn_sample_info, seq, 16);
AT(hmn_sample_info, t_ms, 24);
AT(hmn_sample_info, epoch_ms, 32);
AT(hmn_sample_info, rss_bytes, 40);
AT(hmn_sample_info, pss_bytes, 48);
AT(hmn_sample_info, unreadable, 56);
AT(hmn_sample_info, device_count, 60);

/* hmn_sampler_summary */
SIZE(hmn_sampler_summary, 72);
FIRST(hmn_sampler_summary, HMN__SAMPLER_SUMMARY_SIZE_V1, 72);
AT(hmn_sampler_summary, size, 0);
AT(hmn_sampler_summary, processes_seen, 4);
AT(hmn_sampler_summary, valid, 8);
AT(hmn_sampler_summary, samples, 16);
AT(hmn_sampler_summary, rss_peak_bytes, 24);
AT(hmn_sampler_summary, rss_peak_at_ms, 32);
AT(hmn_sampler_summary, hwm_max_bytes, 40);
AT(hmn_sampler_summary, rss_source, 48);
AT(hmn_sampler_summary, device_count, 52);
AT(hmn_sampler_summary, first_ms, 56);
AT(hmn_sampler_summary, last_ms, 64);

/* hmn_sample_device */
SIZE(hmn_sample_device, 288);
FIRST(hmn_sample_device, HMN__SAMPLE_DEVICE_SIZE_V1, 288);
AT(hmn_sample_device, size, 0);
AT(hmn_sample_device, index, 4);
AT(hmn_sample_device, valid, 8);
AT(hmn_sample_device, source, 16);
AT(hmn_sample_device, tree_processes, 20);
AT(hmn_sample_device, tree_used_bytes, 24);
AT(hmn_sample_device, device_used_bytes, 32);
AT(hmn_sample_device, device_free_bytes, 40);
AT(hmn_sample_device, total_bytes, 48);
AT(hmn_sample_device, tree_peak_bytes, 56);
AT(hmn_sample_device, tree_peak_at_ms, 64);
AT(hmn_sample_device, device_used_peak_bytes, 72);
AT(hmn_sample_device, device_free_min_bytes, 80);
AT(hmn_sample_device, accounting_peak_bytes, 88);
AT(hmn_sample_device, name, 96);
AT(hmn_sample_device, uuid, 192);

/* hmn_tree_process */
SIZE(hmn_tree_process, 328);
FIRST(hmn_tree_process, HMN__TREE_PROCESS_SIZE_V1, 328);
AT(hmn_tree_process, size, 0);
AT(hmn_tree_process, pid, 4);
AT(hmn_tree_process, valid, 8);
AT(hmn_tree_process, ppid, 16);
AT(hmn_tree_process, alive, 20);
AT(hmn_tree_process, rss_bytes, 24);
AT(hmn_tree_process, peak_bytes, 32);
AT(hmn_tree_process, sampled_peak_bytes, 40);
AT(hmn_tree_process, gpu_peak_bytes, 48);
AT(hmn_tree_process, first_ms, 56);
AT(hmn_tree_process, last_ms, 64);
AT(hmn_tree_process, name, 72);

/* The embedded structs of a snapshot keep their own layout. */
AT(hmn_snapshot, gpu.used_bytes, 48);
AT(hmn_snapshot, gpu_device.total_bytes, 96);
AT(hmn_snapshot, gpu_device.name, 176);

static void test_below_first_layout_is_refused(void)
{
    hmn_rss rss = HMN_RSS_INIT;
    hmn_source_report rep = HMN_SOURCE_REPORT_INIT;
    rss.size = HMN__RSS_SIZE_V1 - 1;
    CHECK(hmn_process_rss_info(NULL, &rss) == HMN_EVERSION);
    rep.size = HMN__SOURCE_REPORT_SIZE_V1 - 4;
    CHECK(hmn_source_report_get(NULL, 0, &rep) == HMN_EVERSION);
    rss.size = HMN__RSS_SIZE_V1 - 1;
    CHECK(hmn_pid_rss_info(NULL, 0, &rss) == HMN_EVERSION);
}

/* The sampler's structs: below _V1 refused, exactly _V1 accepted. */
static void test_sampler_layouts(void)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_tree_process p = HMN_TREE_PROCESS_INIT;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = NULL;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    cfg.flags = 0;
    cfg.size = HMN__SAMPLER_CONFIG_SIZE_V1 - 4;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_EVERSION);
    cfg.size = HMN__SAMPLER_CONFIG_SIZE_V1;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    info.size = HMN__SAMPLE_INFO_SIZE_V1 - 4;
    CHECK(hmn_sampler_latest(s, &info) == HMN_EVERSION);
    info.size = HMN__SAMPLE_INFO_SIZE_V1;
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.size, HMN__SAMPLE_INFO_SIZE_V1);
    sum.size = HMN__SAMPLER_SUMMARY_SIZE_V1 - 8;
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_EVERSION);
    sum.size = HMN__SAMPLER_SUMMARY_SIZE_V1;
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    p.size = HMN__TREE_PROCESS_SIZE_V1 - 8;
    CHECK(hmn_sampler_process(s, 0, &p) == HMN_EVERSION);
    p.size = HMN__TREE_PROCESS_SIZE_V1;
    CHECK(hmn_sampler_process(s, 0, &p) == HMN_OK);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
}

static void test_first_layout_is_accepted(void)
{
    hmn_rss rss = HMN_RSS_INIT;
    hmn_source_report rep = HMN_SOURCE_REPORT_INIT;
    rss.size = HMN__RSS_SIZE_V1;
    CHECK(hmn_process_rss_info(NULL, &rss) == HMN_OK);
    CHECK_EQ_U64(rss.size, HMN__RSS_SIZE_V1);
    rep.size = HMN__SOURCE_REPORT_SIZE_V1;
    CHECK(hmn_source_report_get(NULL, 0, &rep) == HMN_OK);
    CHECK_EQ_U64(rep.size, HMN__SOURCE_REPORT_SIZE_V1);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_below_first_layout_is_refused),
        TEST_ENTRY(test_first_layout_is_accepted),
        TEST_ENTRY(test_sampler_layouts),
    };
    return RUN_TESTS(tests);
}
