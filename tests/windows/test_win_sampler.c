/*
 * tests/windows/test_win_sampler.c - the sampler and hmn_pid_rss_info on
 * Windows, under Wine: a real child tree (hmn_run_helper "tree-alloc": a
 * child whose grandchild commits and touches ALLOC_MB), found through the
 * Toolhelp32 snapshot, its members' working sets read with OpenProcess +
 * K32GetProcessMemoryInfo, their image names, and their leaving once
 * terminated.
 */
#include "harness.h"
#include "hypomnesis.h"
#include "sampler/sampler_members.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

#define ALLOC_MB 48
#define MIB (1024ull * 1024ull)

static char helper[MAX_PATH + 32];

static int find_helper(void)
{
    char self[MAX_PATH];
    char *slash;
    DWORD n = GetModuleFileNameA(NULL, self, sizeof(self));
    if (n == 0 || n >= sizeof(self) || !(slash = strrchr(self, '\\')))
        return 0;
    *slash = '\0';
    snprintf(helper, sizeof(helper), "%s\\hmn_run_helper.exe", self);
    return GetFileAttributesA(helper) != INVALID_FILE_ATTRIBUTES;
}

/* Read one line from the pipe (bounded), NUL-terminated; 0 on success. */
static int read_line(HANDLE h, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        char c;
        DWORD got = 0;
        if (!ReadFile(h, &c, 1, &got, NULL) || got != 1)
            return -1;
        if (c == '\n')
            break;
        if (c != '\r')
            buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

static void child_tree(void)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    HANDLE rd, wr, gch;
    char cmd[MAX_PATH + 64], line[64];
    unsigned long gc = 0;
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_tree_process p = HMN_TREE_PROCESS_INIT;
    hmn_rss r = HMN_RSS_INIT;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = NULL;
    int i;

    CHECK(CreatePipe(&rd, &wr, &sa, 0));
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    snprintf(cmd, sizeof(cmd), "\"%s\" tree-alloc %d", helper, ALLOC_MB);
    CHECK(CreateProcessA(helper, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi));
    CloseHandle(wr);
    CHECK(read_line(rd, line, sizeof(line)) == 0 && sscanf(line, "gc %lu", &gc) == 1);
    CHECK(read_line(rd, line, sizeof(line)) == 0 && strcmp(line, "ready") == 0);

    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_pid_rss_info(ctx, (uint32_t)gc, &r) == HMN_OK);
    CHECK_EQ_U64(r.source, HMN_SOURCE_PSAPI);
    CHECK(r.valid == (HMN_RSS_HAS_CURRENT | HMN_RSS_HAS_PEAK));
    CHECK(r.current_bytes >= (ALLOC_MB - 1) * MIB);
    CHECK(r.peak_bytes >= r.current_bytes);
    CHECK(hmn_pid_rss_info(ctx, 0, &r) == HMN_OK && (r.valid & HMN_RSS_HAS_CURRENT));

    cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK(info.processes >= 2);
    CHECK(info.valid & HMN_SAMPLE_HAS_RSS);
    CHECK(info.rss_bytes >= (ALLOC_MB - 1) * MIB);
    CHECK(sm_member(s, (uint32_t)pi.dwProcessId, &p) && p.alive);
    CHECK(sm_member(s, (uint32_t)gc, &p) && p.alive);
    CHECK_EQ_U64(p.ppid, pi.dwProcessId);
    CHECK(p.valid & HMN_TPROC_HAS_NAME);
    CHECK(strstr(p.name, "hmn_run_helper") != NULL);
    CHECK(p.peak_bytes >= (ALLOC_MB - 1) * MIB);

    /* Terminated, both leave. */
    gch = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, (DWORD)gc);
    CHECK(gch != NULL);
    TerminateProcess(gch, 9);
    TerminateProcess(pi.hProcess, 9);
    WaitForSingleObject(gch, 5000);
    WaitForSingleObject(pi.hProcess, 5000);
    CloseHandle(gch);
    for (i = 0; i < 50; i++) {
        CHECK(hmn_sampler_sample(s) == HMN_OK);
        CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
        if (info.processes == 0)
            break;
        Sleep(50);
    }
    CHECK_EQ_U64(info.processes, 0);
    CHECK(sm_member(s, (uint32_t)gc, &p) && !p.alive);
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK(sum.processes_seen >= 2);
    CHECK(sum.rss_peak_bytes >= (ALLOC_MB - 1) * MIB);
    CHECK_EQ_U64(sum.rss_source, HMN_SOURCE_PSAPI);
    CHECK(hmn_pid_rss_info(ctx, (uint32_t)gc, &r) == HMN_ENOENT);

    /* The thread on Windows: start, stop at once. */
    CHECK(hmn_sampler_start(s) == HMN_OK);
    Sleep(30);
    CHECK(hmn_sampler_stop(s) == HMN_OK);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(rd);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(child_tree),
    };
    if (!find_helper()) {
        fprintf(stderr, "hmn_run_helper.exe not found next to the test\n");
        return 1;
    }
    return RUN_TESTS(tests);
}
