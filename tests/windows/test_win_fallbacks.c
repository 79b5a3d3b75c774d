/*
 * tests/windows/test_win_fallbacks.c - NVML from nvml.dll and the
 * nvidia-smi.exe fallback on Windows, through the cross-built fakes
 * (tests/fakes/), with the same scenarios as the Linux suites.
 *
 * Paths from CMake are build-tree paths; under Wine they resolve through
 * the Z: drive (ctest runs us from a folder on it), so the test turns them
 * into full Windows paths with GetFullPathNameA before use.
 */
#include "harness.h"
#include "test_support.h"

#include "hypomnesis.h"

#include <stdlib.h>
#include <windows.h>

static char nvml_dll[MAX_PATH], fakebin[MAX_PATH];

static int full(const char *in, char *out, size_t cap)
{
    DWORD n = GetFullPathNameA(in, (DWORD)cap, out, NULL);
    return n > 0 && n < cap;
}

static int find_fakebin(void)
{
    char self[MAX_PATH];
    char *slash;
    DWORD n = GetModuleFileNameA(NULL, self, sizeof(self));
    if (n == 0 || n >= sizeof(self) || !(slash = strrchr(self, '\\')))
        return 0;
    *slash = '\0';
    snprintf(fakebin, sizeof(fakebin), "%s\\fakebin", self);
    return 1;
}

static int report_of(hmn_ctx *ctx, uint32_t source, hmn_source_report *out)
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

static void nvml_dll_by_full_path(void)
{
    hmn_ctx *ctx = NULL;
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_source_report r;
    uint32_t n = 0;
    t_setenv("HMN_NVML_LIBRARY", nvml_dll);
    t_setenv("HMN_FAKE_NVML_SCENARIO", HMN_T_NVML_DATA "/h100-3procs.scn");
    t_setenv("HMN_NVIDIA_SMI", "C:\\nonexistent\\nvidia-smi.exe");
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    if (hmn_device_count(ctx, &n) != HMN_OK && report_of(ctx, HMN_SOURCE_NVML, &r))
        fprintf(stderr, "NVML: %s\n", r.reason);
    CHECK_EQ_U64(n, 1);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    CHECK(d.source == HMN_SOURCE_NVML);
    CHECK_STR(d.name, "NVIDIA H100 80GB HBM3");
    CHECK_EQ_U64(d.total_bytes, 81559ull * 1048576ull);
    CHECK(d.valid & HMN_DEV_HAS_USED);
    CHECK(report_of(ctx, HMN_SOURCE_NVML, &r));
    CHECK(r.state == HMN_SOURCE_AVAILABLE);
    CHECK(r.device_count == 1);
    hmn_ctx_close(ctx);
}

static void nvml_bare_name_is_refused(void)
{
    hmn_ctx *ctx = NULL;
    hmn_source_report r;
    uint32_t n = 0;
    /* The default DLL search order is never used, even when asked by name. */
    t_setenv("HMN_NVML_LIBRARY", "nvml.dll");
    t_setenv("HMN_FAKE_NVML_SCENARIO", HMN_T_NVML_DATA "/h100-3procs.scn");
    t_setenv("HMN_NVIDIA_SMI", "C:\\nonexistent\\nvidia-smi.exe");
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    (void)hmn_device_count(ctx, &n);
    CHECK(report_of(ctx, HMN_SOURCE_NVML, &r));
    CHECK(r.state == HMN_SOURCE_UNAVAILABLE);
    CHECK(strstr(r.reason, "full path") != NULL);
    hmn_ctx_close(ctx);
}

static void smi_found_through_path(void)
{
    hmn_ctx *ctx = NULL;
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_process_list *list = NULL;
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    char old_path[8192];
    uint32_t n = 0;
    int rc;
    DWORD len = GetEnvironmentVariableA("PATH", old_path, sizeof(old_path));
    CHECK(len > 0 && len < sizeof(old_path));
    t_setenv("HMN_NVML_LIBRARY", "C:\\nonexistent\\nvml.dll");
    t_setenv("HMN_NVIDIA_SMI", NULL);
    t_setenv("HMN_FAKE_SMI_SCENARIO", HMN_T_SMI_DATA "/h100-3procs.scn");
    t_setenv("PATH", fakebin);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    rc = hmn_device_count(ctx, &n);
    if (rc == HMN_OK)
        rc = hmn_device_info(ctx, 0, &d);
    if (rc == HMN_OK)
        rc = hmn_gpu_processes(ctx, 0, &list);
    t_setenv("PATH", old_path);
    CHECK(rc == HMN_OK);
    CHECK_EQ_U64(n, 1);
    CHECK(d.source == HMN_SOURCE_NVIDIA_SMI);
    CHECK_STR(d.name, "NVIDIA H100 80GB HBM3");
    CHECK_EQ_U64(d.total_bytes, 81559ull * 1048576ull);
    /* PDH has no counters under Wine: the listing fell back to nvidia-smi. */
    CHECK(hmn_process_list_source(list) == HMN_SOURCE_NVIDIA_SMI);
    CHECK_EQ_U64(hmn_process_list_count(list), 3);
    CHECK(hmn_process_list_get(list, 2, &p) == HMN_OK);
    CHECK_EQ_U64(p.host_pid, 11345);
    CHECK_EQ_U64(p.used_bytes, 15690ull * 1048576ull);
    CHECK(strchr(p.name, '\r') == NULL); /* CRLF output is not part of a name */
    hmn_process_list_free(list);
    hmn_ctx_close(ctx);
}

static void smi_hang_is_killed(void)
{
    hmn_ctx *ctx = NULL;
    uint32_t n = 0;
    uint64_t t0;
    char smi[MAX_PATH + 32];
    snprintf(smi, sizeof(smi), "%s\\nvidia-smi.exe", fakebin);
    t_setenv("HMN_NVML_LIBRARY", "C:\\nonexistent\\nvml.dll");
    t_setenv("HMN_NVIDIA_SMI", smi);
    t_setenv("HMN_FAKE_SMI_SCENARIO", HMN_T_SMI_DATA "/hang.scn");
    t_setenv("HMN_SMI_TIMEOUT_MS", "300");
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    t0 = GetTickCount64();
    CHECK(hmn_device_count(ctx, &n) < 0);
    CHECK(GetTickCount64() - t0 < 8000);
    CHECK(strstr(hmn_errmsg(ctx), "300 ms") != NULL || strstr(hmn_errmsg(ctx), "no GPU") != NULL);
    t_setenv("HMN_SMI_TIMEOUT_MS", NULL);
    hmn_ctx_close(ctx);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(nvml_dll_by_full_path),
        TEST_ENTRY(nvml_bare_name_is_refused),
        TEST_ENTRY(smi_found_through_path),
        TEST_ENTRY(smi_hang_is_killed),
    };
    if (!full(HMN_T_NVML_DLL, nvml_dll, sizeof(nvml_dll)) || !find_fakebin()) {
        fprintf(stderr, "cannot resolve the fake paths\n");
        return 1;
    }
    return RUN_TESTS(tests);
}
