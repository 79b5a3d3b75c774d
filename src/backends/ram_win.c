/*
 * backends/ram_win.c - RSS of the calling process on Windows, of any other
 * process (OpenProcess with PROCESS_QUERY_LIMITED_INFORMATION |
 * PROCESS_VM_READ), and the process table a sampler walks (Toolhelp32).
 *
 * Working set (the pages resident now) and its peak from
 * K32GetProcessMemoryInfo, upstream's method and error text.  Existence of
 * another process: one Toolhelp32 process snapshot (no rights needed, unlike
 * OpenProcess, which fails with access denied on protected processes).
 */
#include "common/grow.h"
#include "backend.h"

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>

#include "os/win_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const int hmn__ram_source = HMN_SOURCE_PSAPI;

int hmn__ram_read(hmn_ctx *ctx, hmn_rss *out, int want_peak)
{
    PROCESS_MEMORY_COUNTERS pmc;
    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    if (!K32GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc)))
        return hmn__fail(ctx, HMN_ERAM,
                         "RAM query failed: K32GetProcessMemoryInfo failed (GetLastError = %lu)",
                         (unsigned long)GetLastError());
    out->source = HMN_SOURCE_PSAPI;
    out->current_bytes = (uint64_t)pmc.WorkingSetSize;
    out->valid |= HMN_RSS_HAS_CURRENT;
    /* The peak comes with the same call: free, so report it whether asked or not. */
    (void)want_peak;
    out->peak_bytes = (uint64_t)pmc.PeakWorkingSetSize;
    out->valid |= HMN_RSS_HAS_PEAK;
    hmn__debug(ctx, "psapi: WorkingSetSize=%llu PeakWorkingSetSize=%llu",
               (unsigned long long)pmc.WorkingSetSize,
               (unsigned long long)pmc.PeakWorkingSetSize);
    return HMN_OK;
}

/* A Toolhelp32 snapshot of the processes, pe ready for Process32FirstW. */
static int open_snapshot(hmn_ctx *ctx, HANDLE *snap, PROCESSENTRY32W *pe)
{
    *snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (*snap == INVALID_HANDLE_VALUE)
        return hmn__fail(ctx, HMN_EBACKEND,
                         "CreateToolhelp32Snapshot failed (GetLastError = %lu)",
                         (unsigned long)GetLastError());
    memset(pe, 0, sizeof(*pe));
    pe->dwSize = sizeof(*pe);
    return HMN_OK;
}

int hmn__ram_process_exists(hmn_ctx *ctx, uint32_t pid)
{
    PROCESSENTRY32W pe;
    HANDLE snap;
    int found = 0, rc;
    if (pid == hmn__getpid())
        return 1;
    rc = open_snapshot(ctx, &snap, &pe);
    if (rc != HMN_OK)
        return rc;
    if (Process32FirstW(snap, &pe)) {
        do {
            if (pe.th32ProcessID == pid)
                found = 1;
        } while (!found && Process32NextW(snap, &pe));
    }
    CloseHandle(snap);
    return found;
}

/* The creation time (100 ns since 1601): the same for one process, new for a reused PID. */
int hmn__ram_process_start(hmn_ctx *ctx, uint32_t pid, uint64_t *start)
{
    FILETIME created, exited, kernel, user;
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
    BOOL ok;
    if (!h) {
        DWORD err = GetLastError();
        return hmn__fail(ctx, err == ERROR_ACCESS_DENIED ? HMN_EACCES : HMN_ENOENT,
                         "OpenProcess(%u) failed (GetLastError = %lu)", pid, (unsigned long)err);
    }
    ok = GetProcessTimes(h, &created, &exited, &kernel, &user);
    CloseHandle(h);
    if (!ok)
        return hmn__fail(ctx, HMN_EBACKEND, "GetProcessTimes(%u) failed (GetLastError = %lu)",
                         pid, (unsigned long)GetLastError());
    *start = ((uint64_t)created.dwHighDateTime << 32) | created.dwLowDateTime;
    return HMN_OK;
}

/* ---------------------------------------------------------------- other processes */

static int ptab_push(struct hmn__ptab *tab, struct hmn__ptab_entry **e)
{
    struct hmn__ptab_entry *v = hmn__grow(tab->v, &tab->cap, tab->n + 1, sizeof(*v), 256);
    if (!v)
        return HMN_ENOMEM;
    tab->v = v;
    *e = &tab->v[tab->n++];
    memset(*e, 0, sizeof(**e));
    return HMN_OK;
}

/* One Toolhelp32 snapshot: PID, parent PID and image name of every process.
 * Start times cost an OpenProcess each, so the sampler asks only for the
 * processes it may take into the tree (hmn__ram_process_start). */
int hmn__ram_process_table(hmn_ctx *ctx, struct hmn__ptab *tab)
{
    PROCESSENTRY32W pe;
    HANDLE snap;
    int rc;
    tab->n = 0;
    rc = open_snapshot(ctx, &snap, &pe);
    if (rc != HMN_OK)
        return rc;
    if (Process32FirstW(snap, &pe)) {
        do {
            struct hmn__ptab_entry *e;
            if (pe.th32ProcessID == 0)
                continue; /* the idle process */
            rc = ptab_push(tab, &e);
            if (rc != HMN_OK)
                break;
            e->pid = pe.th32ProcessID;
            e->ppid = pe.th32ParentProcessID;
            if (hmn__win_narrow(pe.szExeFile, e->name, sizeof(e->name)) != HMN_OK)
                e->name[0] = '\0';
        } while (Process32NextW(snap, &pe));
    }
    CloseHandle(snap);
    if (rc != HMN_OK)
        return hmn__fail(ctx, rc, "process table: out of memory");
    return HMN_OK;
}

int hmn__ram_pid_read(hmn_ctx *ctx, uint32_t pid, int want_pss, struct hmn__pid_mem *out)
{
    PROCESS_MEMORY_COUNTERS pmc;
    DWORD code = 0;
    HANDLE h;
    BOOL ok;
    (void)want_pss; /* no PSS on Windows */
    memset(out, 0, sizeof(*out));
    h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, (DWORD)pid);
    if (!h) {
        DWORD err = GetLastError();
        return hmn__fail(ctx, err == ERROR_ACCESS_DENIED ? HMN_EACCES : HMN_ENOENT,
                         "OpenProcess(%u) failed (GetLastError = %lu)", pid, (unsigned long)err);
    }
    /* A handle can outlive the process: an exited one has no memory to report. */
    if (GetExitCodeProcess(h, &code) && code != STILL_ACTIVE) {
        CloseHandle(h);
        return hmn__fail(ctx, HMN_ENOENT, "process %u has exited", pid);
    }
    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    ok = K32GetProcessMemoryInfo(h, &pmc, sizeof(pmc));
    CloseHandle(h);
    if (!ok)
        return hmn__fail(ctx, HMN_EACCES,
                         "K32GetProcessMemoryInfo(%u) failed (GetLastError = %lu)", pid,
                         (unsigned long)GetLastError());
    out->rss = (uint64_t)pmc.WorkingSetSize;
    out->hwm = (uint64_t)pmc.PeakWorkingSetSize;
    out->valid = HMN_RSS_HAS_CURRENT | HMN_RSS_HAS_PEAK;
    return HMN_OK;
}
