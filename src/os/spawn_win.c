/*
 * os/spawn_win.c - hmn__run() on Windows: CreateProcessW without a shell.
 *
 * Program lookup is ours, not CreateProcess's: a name with a folder part
 * is made absolute with GetFullPathNameW; a bare name ("nvidia-smi") is
 * searched with SearchPathW in the folders of PATH only (".exe" appended
 * when it has no extension).  CreateProcessW always gets that full path as
 * lpApplicationName, so its own search (application folder, current
 * folder, system folders) - a planting risk - is never used.
 *
 * stdin and stderr are the NUL device; stdout is a pipe drained by a reader
 * thread into the caller's buffer, dropping what does not fit, so a chatty
 * child never blocks.  The run ends when the child exits, not at EOF (a
 * background process it leaves may hold the pipe open for ever).  The
 * child starts suspended, is put in a job object, then resumed; after timeout_ms the job (the child and whatever it
 * started) is terminated.  Inherited handles are limited to the three
 * standard ones with PROC_THREAD_ATTRIBUTE_HANDLE_LIST.
 */
#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "common/win_quote.h"
#include "os/os.h"
#include "os/win_util.h"
#include "hypomnesis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define PATH_CAP 1024

/*
 * The whole command line (argv[0] included, as C runtimes expect), each
 * argument quoted by the C runtime's rules (common/win_quote.h), in UTF-16.
 */
static wchar_t *build_cmdline(const char *const argv[])
{
    char *line;
    wchar_t *w;
    size_t i, len = 0, pos = 0;
    for (i = 0; argv[i]; i++)
        len += hmn__win_quote_arg(NULL, argv[i]) + 1;
    line = malloc(len + 1);
    if (!line)
        return NULL;
    line[0] = '\0';
    for (i = 0; argv[i]; i++) {
        if (i)
            line[pos++] = ' ';
        pos += hmn__win_quote_arg(line + pos, argv[i]);
    }
    line[pos] = '\0';
    w = hmn__win_widen(line); /* NULL for invalid UTF-8, as before */
    free(line);
    return w;
}

static int has_dir_part(const char *p)
{
    return strchr(p, '\\') != NULL || strchr(p, '/') != NULL || strchr(p, ':') != NULL;
}

/* Resolve argv[0] to a full path of an existing file (see the file comment). */
static int resolve_program(const char *prog, wchar_t *full, DWORD cap)
{
    wchar_t *w = hmn__win_widen(prog), *path = NULL;
    DWORD n = 0, plen, attr;
    if (!w)
        return HMN_ENOENT;
    if (has_dir_part(prog)) {
        n = GetFullPathNameW(w, cap, full, NULL);
    } else {
        plen = GetEnvironmentVariableW(L"PATH", NULL, 0);
        path = plen ? malloc((size_t)plen * sizeof(wchar_t)) : NULL;
        if (path && GetEnvironmentVariableW(L"PATH", path, plen) > 0)
            n = SearchPathW(path, w, L".exe", cap, full, NULL);
        free(path);
    }
    free(w);
    if (n == 0 || n >= cap)
        return HMN_ENOENT;
    attr = GetFileAttributesW(full);
    if (attr == INVALID_FILE_ATTRIBUTES || (attr & FILE_ATTRIBUTE_DIRECTORY))
        return HMN_ENOENT;
    return HMN_OK;
}

struct reader {
    HANDLE pipe;
    char *buf;
    size_t cap, len;
    int truncated;
};

/* Keep cap-1 bytes, count the rest as truncation. */
static void keep(struct reader *r, const char *chunk, DWORD got)
{
    size_t room = r->cap - 1 - r->len, take = got < room ? got : room;
    memcpy(r->buf + r->len, chunk, take);
    r->len += take;
    if (take < got)
        r->truncated = 1;
}

/* Drain the pipe to EOF (or until hmn__run cancels the read). */
static DWORD WINAPI reader_main(LPVOID arg)
{
    struct reader *r = arg;
    char chunk[4096];
    DWORD got;
    while (ReadFile(r->pipe, chunk, sizeof(chunk), &got, NULL) && got > 0)
        keep(r, chunk, got);
    return 0;
}

/* What the pipe holds right now, read without blocking (bounded in time
 * against a grandchild that keeps writing). */
static void drain_ready(struct reader *r)
{
    char chunk[4096];
    DWORD avail = 0, got = 0;
    ULONGLONG limit = GetTickCount64() + 1000;
    while (PeekNamedPipe(r->pipe, NULL, 0, NULL, &avail, NULL) && avail > 0 &&
           ReadFile(r->pipe, chunk, avail < sizeof(chunk) ? avail : (DWORD)sizeof(chunk), &got,
                    NULL) &&
           got > 0) {
        keep(r, chunk, got);
        if (GetTickCount64() >= limit)
            break;
    }
}

/*
 * The child has exited (or was killed): everything it wrote is in the pipe
 * or already read.  A grandchild may hold the pipe open for ever, so EOF is
 * not waited for: the reader's blocked read is cancelled (it only ever
 * blocks when the pipe is empty), then what is left is drained here.
 */
static void stop_reader(struct reader *r, HANDLE thread)
{
    int tries;
    for (tries = 0; tries < 200; tries++) {
        if (WaitForSingleObject(thread, 0) == WAIT_OBJECT_0)
            break;
        /* Fails harmlessly while the reader is between two reads: try again. */
        CancelSynchronousIo(thread);
        if (WaitForSingleObject(thread, 10) == WAIT_OBJECT_0)
            break;
    }
    /* Last resort: the reader only runs ReadFile/memcpy and holds no lock. */
    if (tries == 200) {
        TerminateThread(thread, 1);
        WaitForSingleObject(thread, INFINITE);
    }
    drain_ready(r);
}

static HANDLE open_nul(DWORD access)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    return CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0,
                       NULL);
}

static void set_err(char *err, size_t errcap, const char *prog, const char *what, DWORD e)
{
    char msg[200];
    if (!err || !errcap)
        return;
    hmn__win_errtext(e, msg, sizeof(msg));
    snprintf(err, errcap, "cannot run %s: %s: %s", prog, what, msg);
}

/*
 * Inherit exactly these handles (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), so a
 * CreateProcess racing in another thread of the host program cannot pick
 * up our pipe and hold it open.  NULL when the attribute is unavailable:
 * the child then inherits every inheritable handle, as before Vista.
 */
static LPPROC_THREAD_ATTRIBUTE_LIST handle_list(HANDLE *h, size_t n)
{
    LPPROC_THREAD_ATTRIBUTE_LIST list;
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(NULL, 1, 0, &size);
    if (size == 0)
        return NULL;
    list = malloc(size);
    if (!list)
        return NULL;
    if (!InitializeProcThreadAttributeList(list, 1, 0, &size)) {
        free(list);
        return NULL;
    }
    if (!UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, h,
                                   n * sizeof(HANDLE), NULL, NULL)) {
        DeleteProcThreadAttributeList(list);
        free(list);
        return NULL;
    }
    return list;
}

/* Start the child with our pipe end as stdout; closes nothing of the caller. */
static int start_child(const char *const argv[], HANDLE out_w, PROCESS_INFORMATION *pi,
                       char *err, size_t errcap)
{
    STARTUPINFOEXW si;
    wchar_t app[PATH_CAP], *cmd;
    HANDLE nul_in, nul_err, inherit[3];
    /* Suspended until the caller has put it in a job (see hmn__run). */
    DWORD flags = CREATE_NO_WINDOW | CREATE_SUSPENDED, e;
    BOOL ok;
    int rc = resolve_program(argv[0], app, PATH_CAP);
    if (rc < 0) {
        if (err && errcap)
            snprintf(err, errcap, "cannot run %s: program not found", argv[0]);
        return rc;
    }
    cmd = build_cmdline(argv);
    if (!cmd)
        return HMN_ENOMEM;
    nul_in = open_nul(GENERIC_READ);
    nul_err = open_nul(GENERIC_WRITE);
    memset(&si, 0, sizeof(si));
    si.StartupInfo.cb = sizeof(si.StartupInfo);
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = nul_in;
    si.StartupInfo.hStdOutput = out_w;
    si.StartupInfo.hStdError = nul_err;
    if (nul_in != INVALID_HANDLE_VALUE && nul_err != INVALID_HANDLE_VALUE) {
        inherit[0] = nul_in;
        inherit[1] = out_w;
        inherit[2] = nul_err;
        si.lpAttributeList = handle_list(inherit, 3);
    }
    if (si.lpAttributeList) {
        si.StartupInfo.cb = sizeof(si);
        flags |= EXTENDED_STARTUPINFO_PRESENT;
    }
    ok = CreateProcessW(app, cmd, NULL, NULL, TRUE, flags, NULL, NULL, &si.StartupInfo, pi);
    e = GetLastError();
    if (si.lpAttributeList) {
        DeleteProcThreadAttributeList(si.lpAttributeList);
        free(si.lpAttributeList);
    }
    free(cmd);
    if (nul_in != INVALID_HANDLE_VALUE)
        CloseHandle(nul_in);
    if (nul_err != INVALID_HANDLE_VALUE)
        CloseHandle(nul_err);
    if (!ok) {
        set_err(err, errcap, argv[0], "CreateProcessW", e);
        return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? HMN_ENOENT
                                                                      : HMN_EBACKEND;
    }
    return HMN_OK;
}

/*
 * A job holding the child and anything it starts, so the timeout kills the
 * whole tree.  NULL when it cannot be made (the child alone is killed).
 */
static HANDLE job_for(HANDLE proc)
{
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job && !AssignProcessToJobObject(job, proc)) {
        CloseHandle(job);
        job = NULL;
    }
    return job;
}

/* Wait for the child; kill it (and its job) at the deadline. */
static int wait_child(HANDLE proc, HANDLE job, uint64_t timeout_ms, struct hmn__run_result *res)
{
    DWORD w, code = 0;
    DWORD ms = timeout_ms >= INFINITE ? INFINITE - 1 : (DWORD)timeout_ms;
    w = WaitForSingleObject(proc, ms);
    if (w != WAIT_OBJECT_0) {
        if (!job || !TerminateJobObject(job, 1))
            TerminateProcess(proc, 1);
        WaitForSingleObject(proc, 5000);
        return HMN_ETIMEDOUT;
    }
    if (!GetExitCodeProcess(proc, &code))
        return HMN_EBACKEND;
    res->exited = 1;
    res->exit_code = (int)code;
    return HMN_OK;
}

int hmn__run(const char *const argv[], uint64_t timeout_ms, char *buf, size_t cap,
             struct hmn__run_result *res, char *err, size_t errcap)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    PROCESS_INFORMATION pi;
    struct reader rd;
    HANDLE out_r, out_w, thread, job;
    int rc;
    memset(res, 0, sizeof(*res));
    if (err && errcap)
        err[0] = '\0';
    if (!argv || !argv[0] || !buf || cap == 0)
        return HMN_EINVAL;
    buf[0] = '\0';
    if (!CreatePipe(&out_r, &out_w, &sa, 0)) {
        set_err(err, errcap, argv[0], "CreatePipe", GetLastError());
        return HMN_EBACKEND;
    }
    /* Only the write end goes to the child. */
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    rc = start_child(argv, out_w, &pi, err, errcap);
    CloseHandle(out_w); /* the child holds its copy; EOF comes when it exits */
    if (rc < 0) {
        CloseHandle(out_r);
        return rc;
    }
    job = job_for(pi.hProcess);
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    memset(&rd, 0, sizeof(rd));
    rd.pipe = out_r;
    rd.buf = buf;
    rd.cap = cap;
    thread = CreateThread(NULL, 0, reader_main, &rd, 0, NULL);
    if (!thread) {
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hProcess);
        CloseHandle(out_r);
        if (job)
            CloseHandle(job);
        return HMN_ENOMEM;
    }
    rc = wait_child(pi.hProcess, job, timeout_ms, res);
    /* The run ends with the child, not at EOF: see stop_reader. */
    stop_reader(&rd, thread);
    CloseHandle(thread);
    CloseHandle(out_r);
    CloseHandle(pi.hProcess);
    if (job)
        CloseHandle(job);
    buf[rd.len] = '\0';
    res->len = rd.len;
    res->truncated = rd.truncated;
    if (rc == HMN_ETIMEDOUT && err && errcap)
        snprintf(err, errcap, "%s did not finish within %llu ms and was killed", argv[0],
                 (unsigned long long)timeout_ms);
    return rc;
}
