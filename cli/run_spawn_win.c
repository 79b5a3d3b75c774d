/*
 * cli/run_spawn_win.c - CMD of `hmn run` on Windows: CreateProcessW
 * suspended, placed in a job object of its own, then resumed, so that the
 * job holds every process CMD starts from its first instruction.  The
 * job's PeakJobMemoryUsed is the exact peak of the tree's committed memory
 * (method "job-object"); CMD's own PeakWorkingSetSize stands for POSIX's
 * ru_maxrss.  Ctrl+C and Ctrl+Break reach the whole console group, CMD
 * included, so hmn only survives them (the handler says "handled") and
 * writes its report once CMD has ended.  No OOM killer: the verdict rests
 * on the exit code alone.
 */
#include "run.h"
#include "win_quote.h" /* src/common/ */

#include <stdlib.h>
#include <string.h>

#include <io.h>
#include <windows.h>
#include <psapi.h>

struct run_child {
    HANDLE process, job;
    char why[256];
};

static volatile LONG g_forwarded;

int run_forwarded_signal(void)
{
    return (int)g_forwarded;
}

int run_vmstat_oom_kills(uint64_t *kills)
{
    (void)kills;
    return -1; /* no OOM killer to count */
}

void run_keep_private(FILE *f)
{
    intptr_t h = _get_osfhandle(_fileno(f));
    if (h != -1)
        (void)SetHandleInformation((HANDLE)h, HANDLE_FLAG_INHERIT, 0);
}

static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT)
        return FALSE;
    InterlockedExchange(&g_forwarded, (LONG)type + 1);
    return TRUE; /* CMD got it from the console too; hmn stays to report */
}

/* The quoted command line as UTF-16, or NULL. */
static wchar_t *command_line(char *const *argv)
{
    size_t len = 1, i, pos = 0;
    char *line;
    wchar_t *w;
    int n;
    for (i = 0; argv[i]; i++)
        len += hmn__win_quote_arg(NULL, argv[i]) + 1;
    line = malloc(len);
    if (!line)
        return NULL;
    for (i = 0; argv[i]; i++) {
        if (i)
            line[pos++] = ' ';
        pos += hmn__win_quote_arg(line + pos, argv[i]);
    }
    line[pos] = '\0';
    n = MultiByteToWideChar(CP_UTF8, 0, line, -1, NULL, 0);
    w = n > 0 ? malloc((size_t)n * sizeof(*w)) : NULL;
    if (w && MultiByteToWideChar(CP_UTF8, 0, line, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    free(line);
    return w;
}

static int create_failed(char *const *argv, DWORD e)
{
    if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND || e == ERROR_INVALID_NAME) {
        linef(stderr, "hmn run: %s: command not found", argv[0]);
        return RUN_EXIT_NOTFOUND;
    }
    linef(stderr, "hmn run: cannot execute %s: error %lu", argv[0], (unsigned long)e);
    return RUN_EXIT_NOEXEC;
}

/* The job first: a process in it from before its first instruction. */
static void make_job(struct run_child *c, struct run_report *r)
{
    c->job = CreateJobObjectW(NULL, NULL);
    if (!c->job)
        snprintf(r->group_note, sizeof(r->group_note), "job object: CreateJobObject failed (error %lu)",
                 (unsigned long)GetLastError());
}

int run_child_start(run_child **out, char *const *argv, struct run_report *r)
{
    struct run_child *c = calloc(1, sizeof(*c));
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *cmd = command_line(argv);
    if (!c || !cmd) {
        free(c);
        free(cmd);
        linef(stderr, "hmn run: out of memory");
        return RUN_EXIT_HMN;
    }
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    make_job(c, r);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
        DWORD e = GetLastError();
        free(cmd);
        if (c->job)
            CloseHandle(c->job);
        free(c);
        return create_failed(argv, e);
    }
    free(cmd);
    if (c->job && !AssignProcessToJobObject(c->job, pi.hProcess)) {
        snprintf(r->group_note, sizeof(r->group_note),
                 "job object: AssignProcessToJobObject failed (error %lu)", (unsigned long)GetLastError());
        CloseHandle(c->job);
        c->job = NULL;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    c->process = pi.hProcess;
    r->child_pid = (uint32_t)pi.dwProcessId;
    *out = c;
    return 0;
}

int run_child_wait(run_child *c)
{
    return WaitForSingleObject(c->process, INFINITE) == WAIT_OBJECT_0 ? 0 : -1;
}

static void read_job(struct run_child *c, struct run_report *r)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION eli;
    memset(&eli, 0, sizeof(eli));
    if (!c->job)
        return;
    if (!QueryInformationJobObject(c->job, JobObjectExtendedLimitInformation, &eli, sizeof(eli), NULL)) {
        snprintf(r->group_note, sizeof(r->group_note), "job object: QueryInformationJobObject failed (error %lu)",
                 (unsigned long)GetLastError());
        return;
    }
    if (eli.PeakJobMemoryUsed == 0) { /* a tree that ran holds memory: 0 is "not kept" */
        snprintf(r->group_note, sizeof(r->group_note), "job object: PeakJobMemoryUsed is not kept here (0)");
        return;
    }
    r->has_group_peak = 1;
    r->group_peak_bytes = (uint64_t)eli.PeakJobMemoryUsed;
    r->group_method = "job-object";
}

void run_child_finish(run_child *c, struct run_report *r, struct run_oom_input *oom)
{
    PROCESS_MEMORY_COUNTERS pmc;
    DWORD code = 0;
    r->exit_code = -1;
    if (GetExitCodeProcess(c->process, &code))
        r->exit_code = (int64_t)code;
    memset(&pmc, 0, sizeof(pmc));
    if (K32GetProcessMemoryInfo(c->process, &pmc, sizeof(pmc)) && pmc.PeakWorkingSetSize > 0) {
        r->has_child_maxrss = 1;
        r->child_maxrss_bytes = (uint64_t)pmc.PeakWorkingSetSize;
    }
    oom->signal = 0;
    read_job(c, r);
}

void run_child_free(run_child *c)
{
    if (!c)
        return;
    if (c->process)
        CloseHandle(c->process);
    if (c->job)
        CloseHandle(c->job);
    free(c);
}
