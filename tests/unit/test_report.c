/* Report helpers, byte-exact with upstream's report feature (spec 2.9). */
#include "harness.h"

#include <hypomnesis.h>

#define MIB 1048576ull

static hmn_snapshot snap(uint64_t ram_mib, int with_gpu, uint64_t vram_mib, int per_process)
{
    hmn_snapshot s;
    memset(&s, 0, sizeof(s));
    s.size = sizeof(s);
    s.ram_bytes = ram_mib * MIB;
    if (with_gpu) {
        s.valid |= HMN_SNAP_HAS_GPU;
        s.gpu.size = sizeof(s.gpu);
        s.gpu.valid = HMN_PGPU_HAS_USED;
        s.gpu.used_bytes = vram_mib * MIB;
        s.gpu.is_per_process = (uint32_t)per_process;
    }
    return s;
}

static void with_device(hmn_snapshot *s, uint64_t total_mib, const char *name)
{
    s->valid |= HMN_SNAP_HAS_GPU_DEVICE;
    s->gpu_device.size = sizeof(s->gpu_device);
    s->gpu_device.valid |= HMN_DEV_HAS_TOTAL;
    s->gpu_device.total_bytes = total_mib * MIB;
    if (name) {
        s->gpu_device.valid |= HMN_DEV_HAS_NAME;
        snprintf(s->gpu_device.name, sizeof(s->gpu_device.name), "%s", name);
    }
}

static char buf[512];

static void delta_per_process(void)
{
    hmn_snapshot b = snap(100, 1, 500, 1), a = snap(200, 1, 1000, 1);
    hmn_format_delta(buf, sizeof(buf), &b, &a, "alloc");
    CHECK_STR(buf, "  alloc: RAM +100 MB  |  VRAM +500 MB [per-process]\n");
}

static void delta_device_wide(void)
{
    hmn_snapshot b = snap(100, 1, 250, 0), a = snap(150, 1, 500, 0);
    hmn_format_delta(buf, sizeof(buf), &b, &a, "step");
    CHECK_STR(buf, "  step: RAM +50 MB  |  VRAM +250 MB [device-wide]\n");
}

static void delta_cpu_only_and_negative(void)
{
    hmn_snapshot b = snap(100, 0, 0, 0), a = snap(130, 0, 0, 0);
    hmn_format_delta(buf, sizeof(buf), &b, &a, "cpu");
    CHECK_STR(buf, "  cpu: RAM +30 MB\n");
    hmn_format_delta(buf, sizeof(buf), &a, &b, "free");
    CHECK_STR(buf, "  free: RAM -30 MB\n");
    hmn_format_delta(buf, sizeof(buf), &a, &a, "zero");
    CHECK_STR(buf, "  zero: RAM +0 MB\n");
}

static void delta_small_negative_prints_minus_zero(void)
{
    hmn_snapshot b = snap(100, 0, 0, 0), a = b;
    a.ram_bytes -= 4096;
    hmn_format_delta(buf, sizeof(buf), &b, &a, "tiny");
    CHECK_STR(buf, "  tiny: RAM -0 MB\n");
}

static void delta_needs_gpu_in_both(void)
{
    hmn_snapshot b = snap(100, 0, 0, 0), a = snap(100, 1, 10, 1);
    double d;
    CHECK(hmn_report_vram_delta_mb(&b, &a, &d) == HMN_ENOENT);
    hmn_format_delta(buf, sizeof(buf), &b, &a, "x");
    CHECK_STR(buf, "  x: RAM +0 MB\n");
}

static void before_after_with_gpu(void)
{
    hmn_snapshot b = snap(100, 1, 500, 1), a = snap(200, 1, 1000, 1);
    with_device(&a, 16384, "NVIDIA Test GPU");
    hmn_format_before_after(buf, sizeof(buf), &b, &a, "model_load");
    CHECK_STR(buf, "  model_load: RAM 100 MB \xE2\x86\x92 200 MB (+100 MB)\n"
                   "  model_load: VRAM 500 MB \xE2\x86\x92 1000 MB (+500 MB / 16384 MB) "
                   "[per-process] [NVIDIA Test GPU]\n");
}

static void before_after_cpu_only(void)
{
    hmn_snapshot b = snap(100, 0, 0, 0), a = snap(150, 0, 0, 0);
    int n = hmn_format_before_after(buf, sizeof(buf), &b, &a, "cpu_only");
    CHECK_STR(buf, "  cpu_only: RAM 100 MB \xE2\x86\x92 150 MB (+50 MB)\n");
    CHECK(n == (int)strlen(buf));
}

static void before_after_length_without_buffer(void)
{
    hmn_snapshot b = snap(100, 1, 500, 1), a = snap(200, 1, 1000, 1);
    int n = hmn_format_before_after(NULL, 0, &b, &a, "model_load");
    hmn_format_before_after(buf, sizeof(buf), &b, &a, "model_load");
    CHECK(n == (int)strlen(buf));
}

static hmn_gpu_device_info dev(uint32_t index, uint64_t free_mib, uint64_t total_mib,
                               uint64_t used_mib, const char *name)
{
    hmn_gpu_device_info d;
    memset(&d, 0, sizeof(d));
    d.size = sizeof(d);
    d.index = index;
    d.valid = HMN_DEV_HAS_FREE | HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED;
    d.free_bytes = free_mib * MIB;
    d.total_bytes = total_mib * MIB;
    d.used_bytes = used_mib * MIB;
    if (name) {
        d.valid |= HMN_DEV_HAS_NAME;
        snprintf(d.name, sizeof(d.name), "%s", name);
    }
    return d;
}

static void device_lines(void)
{
    hmn_gpu_device_info d0 = dev(0, 13284, 16384, 3100, "NVIDIA Test GPU");
    hmn_gpu_device_info d1 = dev(1, 4096, 8192, 0, NULL);
    hmn_gpu_device_info d2 = dev(2, 0, 4096, 0, "Saturated GPU");
    hmn_format_free(buf, sizeof(buf), &d0);
    CHECK_STR(buf, "  GPU 0: free 13284 MB / 16384 MB [NVIDIA Test GPU]\n");
    hmn_format_free(buf, sizeof(buf), &d1);
    CHECK_STR(buf, "  GPU 1: free 4096 MB / 8192 MB\n");
    hmn_format_free(buf, sizeof(buf), &d2);
    CHECK_STR(buf, "  GPU 2: free 0 MB / 4096 MB [Saturated GPU]\n");
    hmn_format_total(buf, sizeof(buf), &d0);
    CHECK_STR(buf, "  GPU 0: total 16384 MB [NVIDIA Test GPU]\n");
    hmn_format_total(buf, sizeof(buf), &d1);
    CHECK_STR(buf, "  GPU 1: total 8192 MB\n");
    hmn_format_used(buf, sizeof(buf), &d0);
    CHECK_STR(buf, "  GPU 0: used 3100 MB [NVIDIA Test GPU]\n");
    d2.index = 2;
    snprintf(d2.name, sizeof(d2.name), "Idle GPU");
    hmn_format_used(buf, sizeof(buf), &d2);
    CHECK_STR(buf, "  GPU 2: used 0 MB [Idle GPU]\n");
}

static void unknown_device_figure_is_not_zero(void)
{
    hmn_gpu_device_info d = dev(0, 1, 8, 0, NULL);
    d.valid &= ~(uint64_t)HMN_DEV_HAS_FREE;
    hmn_format_free(buf, sizeof(buf), &d);
    CHECK_STR(buf, "  GPU 0: free n/a / 8 MB\n");
}

static void name_or_unknown(void)
{
    hmn_gpu_device_info d = dev(0, 1, 8, 0, NULL);
    CHECK_STR(hmn_device_name_or_unknown(&d), "unknown GPU");
    d.valid |= HMN_DEV_HAS_NAME;
    snprintf(d.name, sizeof(d.name), "RTX");
    CHECK_STR(hmn_device_name_or_unknown(&d), "RTX");
    CHECK_STR(hmn_device_name_or_unknown(NULL), "unknown GPU");
}

static void ram_and_vram_mb(void)
{
    hmn_snapshot s = snap(3, 1, 5, 1);
    double v = 0;
    CHECK(hmn_snapshot_ram_mb(&s) == 3.0);
    CHECK(hmn_snapshot_vram_mb(&s, &v) == HMN_OK && v == 5.0);
    s.valid = 0;
    CHECK(hmn_snapshot_vram_mb(&s, &v) == HMN_ENOENT);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(delta_per_process),
        TEST_ENTRY(delta_device_wide),
        TEST_ENTRY(delta_cpu_only_and_negative),
        TEST_ENTRY(delta_small_negative_prints_minus_zero),
        TEST_ENTRY(delta_needs_gpu_in_both),
        TEST_ENTRY(before_after_with_gpu),
        TEST_ENTRY(before_after_cpu_only),
        TEST_ENTRY(before_after_length_without_buffer),
        TEST_ENTRY(device_lines),
        TEST_ENTRY(unknown_device_figure_is_not_zero),
        TEST_ENTRY(name_or_unknown),
        TEST_ENTRY(ram_and_vram_mb),
    };
    return RUN_TESTS(tests);
}
