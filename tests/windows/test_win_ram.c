/* tests/windows/test_win_ram.c - RSS through K32GetProcessMemoryInfo (backends/ram_win.c). */
#include "harness.h"

#include "hypomnesis.h"

#include <windows.h>

static void rss_current_and_peak(void)
{
    hmn_rss r = HMN_RSS_INIT;
    uint64_t bytes = 0;
    CHECK(hmn_process_rss(NULL, &bytes) == HMN_OK);
    CHECK(bytes > 1024 * 1024);
    CHECK(hmn_process_rss_info(NULL, &r) == HMN_OK);
    CHECK(r.source == HMN_SOURCE_PSAPI);
    CHECK((r.valid & HMN_RSS_HAS_CURRENT) && (r.valid & HMN_RSS_HAS_PEAK));
    CHECK(r.peak_bytes >= r.current_bytes);
}

static void rss_tracks_touched_memory(void)
{
    hmn_ctx *ctx = NULL;
    hmn_rss before = HMN_RSS_INIT, after = HMN_RSS_INIT;
    size_t n = 64u * 1024 * 1024;
    char *p;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_process_rss_info(ctx, &before) == HMN_OK);
    p = VirtualAlloc(NULL, n, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    CHECK(p);
    memset(p, 1, n);
    CHECK(hmn_process_rss_info(ctx, &after) == HMN_OK);
    /* Touching 64 MiB shows up in the working set (at least most of it). */
    CHECK(after.current_bytes >= before.current_bytes + n / 2);
    CHECK(after.peak_bytes >= after.current_bytes);
    VirtualFree(p, 0, MEM_RELEASE);
    hmn_ctx_close(ctx);
}

static void process_exists(void)
{
    CHECK(hmn_process_exists(NULL, (uint32_t)GetCurrentProcessId()) == 1);
    /* Windows PIDs are multiples of 4: this one never names a process. */
    CHECK(hmn_process_exists(NULL, 0xFFFFFFF1u) == 0);
}

/* The creation time: the same on every call, and not there for a PID nobody has. */
static void process_start_time(void)
{
    uint64_t a = 0, b = 0, c = 0;
    CHECK(hmn_process_start_time(NULL, (uint32_t)GetCurrentProcessId(), &a) == HMN_OK);
    CHECK(hmn_process_start_time(NULL, (uint32_t)GetCurrentProcessId(), &b) == HMN_OK);
    CHECK(a != 0 && a == b);
    CHECK(hmn_process_start_time(NULL, 0xFFFFFFF1u, &c) == HMN_ENOENT);
}

static void snapshot_has_ram_even_without_gpu(void)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    int rc = hmn_snapshot_now(NULL, 0, &s);
    /* RAM is mandatory, GPU best-effort. */
    CHECK(rc == HMN_OK);
    CHECK(s.ram_bytes > 0);
    CHECK(hmn_snapshot_ram_mb(&s) > 0.0);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(rss_current_and_peak),
        TEST_ENTRY(rss_tracks_touched_memory),
        TEST_ENTRY(process_exists),
        TEST_ENTRY(process_start_time),
        TEST_ENTRY(snapshot_has_ram_even_without_gpu),
    };
    return RUN_TESTS(tests);
}
