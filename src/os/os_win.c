/*
 * os/os_win.c - Windows implementation of the os.h seams (Windows 8+).
 *
 * Paths and environment values cross this seam as UTF-8 and are converted to
 * UTF-16 for the wide (W) Win32 calls, so non-ASCII user names and folders
 * work.  Subprocesses live in spawn_win.c.
 */
#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "os/os.h"
#include "os/win_util.h"
#include "hypomnesis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* An SRWLOCK is one pointer: no destroy needed, and it fits the opaque slot. */
_Static_assert(sizeof(SRWLOCK) <= sizeof(hmn__mutex), "hmn__mutex too small for SRWLOCK");

static SRWLOCK *srw(hmn__mutex *m)
{
    return (SRWLOCK *)(void *)m->opaque;
}

int hmn__mutex_init(hmn__mutex *m)
{
    memset(m, 0, sizeof(*m));
    InitializeSRWLock(srw(m));
    return HMN_OK;
}

void hmn__mutex_lock(hmn__mutex *m)
{
    AcquireSRWLockExclusive(srw(m));
}

void hmn__mutex_unlock(hmn__mutex *m)
{
    ReleaseSRWLockExclusive(srw(m));
}

void hmn__mutex_destroy(hmn__mutex *m)
{
    (void)m; /* SRW locks own no kernel object */
}

_Static_assert(sizeof(CONDITION_VARIABLE) <= sizeof(hmn__cond), "hmn__cond too small");

static CONDITION_VARIABLE *cv(hmn__cond *c)
{
    return (CONDITION_VARIABLE *)(void *)c->opaque;
}

int hmn__cond_init(hmn__cond *c)
{
    memset(c, 0, sizeof(*c));
    InitializeConditionVariable(cv(c));
    return HMN_OK;
}

void hmn__cond_signal(hmn__cond *c)
{
    WakeAllConditionVariable(cv(c));
}

void hmn__cond_timedwait_ms(hmn__cond *c, hmn__mutex *m, uint64_t ms)
{
    DWORD w = ms >= 0x7FFFFFFFull ? 0x7FFFFFFFu : (DWORD)ms;
    (void)SleepConditionVariableSRW(cv(c), srw(m), w, 0);
}

void hmn__cond_destroy(hmn__cond *c)
{
    (void)c; /* condition variables own no kernel object */
}

struct thread_start {
    hmn__thread_fn fn;
    void *arg;
};

static DWORD WINAPI thread_main(LPVOID p)
{
    struct thread_start ts = *(struct thread_start *)p;
    free(p);
    ts.fn(ts.arg);
    return 0;
}

int hmn__thread_start(hmn__thread *t, hmn__thread_fn fn, void *arg)
{
    struct thread_start *ts = malloc(sizeof(*ts));
    HANDLE h;
    if (!ts)
        return HMN_ENOMEM;
    ts->fn = fn;
    ts->arg = arg;
    h = CreateThread(NULL, 0, thread_main, ts, 0, NULL);
    if (!h) {
        free(ts);
        return HMN_ENOMEM;
    }
    *t = h;
    return HMN_OK;
}

void hmn__thread_join(hmn__thread t)
{
    (void)WaitForSingleObject((HANDLE)t, INFINITE);
    CloseHandle((HANDLE)t);
}

uint64_t hmn__epoch_ms(void)
{
    FILETIME ft;
    uint64_t t;
    GetSystemTimeAsFileTime(&ft);
    t = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    /* 100 ns units since 1601 -> ms since 1970. */
    return t / 10000ull - 11644473600000ull;
}

uint64_t hmn__now_ns(void)
{
    LARGE_INTEGER f, c;
    uint64_t q, r;
    QueryPerformanceFrequency(&f); /* never fails on XP and later */
    QueryPerformanceCounter(&c);
    /* Split the division so count * 1e9 cannot overflow. */
    q = (uint64_t)c.QuadPart / (uint64_t)f.QuadPart;
    r = (uint64_t)c.QuadPart % (uint64_t)f.QuadPart;
    return q * 1000000000ull + r * 1000000000ull / (uint64_t)f.QuadPart;
}

uint64_t hmn__now_ms(void)
{
    return hmn__now_ns() / 1000000ull;
}

void hmn__sleep_ms(uint64_t ms)
{
    while (ms > 0) {
        DWORD chunk = ms > 0x7FFFFFFFull ? 0x7FFFFFFFu : (DWORD)ms;
        Sleep(chunk);
        ms -= chunk;
    }
}

/* ---------------------------------------------------------------- text */

wchar_t *hmn__win_widen(const char *s)
{
    int n;
    wchar_t *w;
    if (!s)
        return NULL;
    n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof(wchar_t));
    if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

int hmn__win_narrow(const wchar_t *w, char *buf, size_t cap)
{
    int n;
    if (!buf || cap == 0)
        return HMN_ENOBUFS;
    buf[0] = '\0';
    if (!w)
        return HMN_EINVAL;
    n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, cap > 0x7FFFFFFF ? 0x7FFFFFFF : (int)cap,
                            NULL, NULL);
    if (n <= 0) {
        buf[0] = '\0';
        return GetLastError() == ERROR_INSUFFICIENT_BUFFER ? HMN_ENOBUFS : HMN_EPARSE;
    }
    return HMN_OK;
}

void hmn__win_errtext(unsigned long code, char *buf, size_t cap)
{
    wchar_t w[256];
    DWORD n;
    if (!buf || cap == 0)
        return;
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                       (DWORD)code, 0, w, (DWORD)(sizeof(w) / sizeof(w[0])), NULL);
    /* Messages end in ".\r\n": keep one line. */
    while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L' '))
        w[--n] = L'\0';
    if (n == 0 || hmn__win_narrow(w, buf, cap) != HMN_OK)
        snprintf(buf, cap, "Windows error %lu", code);
}

int hmn__win_code(unsigned long e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_MOD_NOT_FOUND:
    case ERROR_INVALID_PARAMETER: /* OpenProcess on a PID that is gone */
        return HMN_ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
        return HMN_EACCES;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return HMN_ENOMEM;
    default:
        return HMN_EBACKEND;
    }
}

/* ---------------------------------------------------------------- files */

static int open_read(const char *path, HANDLE *h)
{
    wchar_t *w = hmn__win_widen(path);
    if (!w)
        return HMN_ENOENT;
    *h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                     NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    free(w);
    if (*h == INVALID_HANDLE_VALUE)
        return hmn__win_code(GetLastError());
    /* Only a disk file: a named pipe or a console would block ReadFile. */
    if (GetFileType(*h) != FILE_TYPE_DISK) {
        CloseHandle(*h);
        *h = INVALID_HANDLE_VALUE;
        return HMN_EBACKEND;
    }
    return HMN_OK;
}

/* ReadFile until EOF or the buffer is full; one probe byte tells truncation. */
static int read_bounded(HANDLE h, char *buf, size_t cap, size_t *len, int *truncated)
{
    size_t n = 0;
    char probe;
    DWORD got;
    while (n + 1 < cap) {
        size_t want = cap - 1 - n;
        if (!ReadFile(h, buf + n, want > 0x10000000u ? 0x10000000u : (DWORD)want, &got, NULL))
            return hmn__win_code(GetLastError());
        if (got == 0)
            break;
        n += got;
    }
    buf[n] = '\0';
    *len = n;
    if (truncated)
        *truncated = n + 1 >= cap && ReadFile(h, &probe, 1, &got, NULL) && got == 1;
    return HMN_OK;
}

int hmn__read_file(const char *path, char *buf, size_t cap, size_t *len, int *truncated)
{
    HANDLE h;
    int rc;
    *len = 0;
    if (truncated)
        *truncated = 0;
    if (!buf || cap == 0)
        return HMN_EINVAL;
    buf[0] = '\0';
    rc = open_read(path, &h);
    if (rc < 0)
        return rc;
    rc = read_bounded(h, buf, cap, len, truncated);
    CloseHandle(h);
    return rc;
}

int hmn__fd_open(const char *path, hmn__fd *fd)
{
    HANDLE h;
    int rc = open_read(path, &h);
    *fd = HMN__FD_NONE;
    if (rc == HMN_OK)
        *fd = (hmn__fd)(intptr_t)h;
    return rc;
}

int hmn__fd_pread0(hmn__fd fd, char *buf, size_t cap, size_t *len)
{
    HANDLE h = (HANDLE)(intptr_t)fd;
    LARGE_INTEGER zero;
    *len = 0;
    if (!buf || cap == 0 || fd == HMN__FD_NONE)
        return HMN_EINVAL;
    zero.QuadPart = 0;
    if (!SetFilePointerEx(h, zero, NULL, FILE_BEGIN))
        return hmn__win_code(GetLastError());
    return read_bounded(h, buf, cap, len, NULL);
}

void hmn__fd_close(hmn__fd fd)
{
    if (fd != HMN__FD_NONE)
        CloseHandle((HANDLE)(intptr_t)fd);
}

/* ---------------------------------------------------------------- env */

/*
 * The caller copies the value at once (core/ctx.c), so a small per-thread
 * ring of buffers is enough and keeps the call reentrant across threads.
 */
#define ENV_RING 4
#define ENV_CAP 2048
static _Thread_local char env_ring[ENV_RING][ENV_CAP];
static _Thread_local unsigned env_next;

const char *hmn__getenv(const char *name)
{
    wchar_t *wname = hmn__win_widen(name);
    wchar_t wval[ENV_CAP];
    char *out;
    DWORD n;
    if (!wname)
        return NULL;
    n = GetEnvironmentVariableW(wname, wval, (DWORD)(sizeof(wval) / sizeof(wval[0])));
    free(wname);
    /* 0 = unset or empty; >= size = too long to be a sane setting. */
    if (n == 0 || n >= sizeof(wval) / sizeof(wval[0]))
        return NULL;
    out = env_ring[env_next++ % ENV_RING];
    if (hmn__win_narrow(wval, out, ENV_CAP) != HMN_OK || !out[0])
        return NULL;
    return out;
}

int hmn__system_dir(char *buf, size_t cap)
{
    wchar_t w[MAX_PATH];
    UINT n = GetSystemDirectoryW(w, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return HMN_EBACKEND;
    return hmn__win_narrow(w, buf, cap);
}

long hmn__page_size(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return (long)si.dwPageSize;
}

uint32_t hmn__getpid(void)
{
    return (uint32_t)GetCurrentProcessId();
}

/* ---------------------------------------------------------------- DLLs */

struct hmn__dl {
    HMODULE mod;
};

/* A bare file name would go through the DLL search order: refuse it. */
static int has_dir_part(const char *path)
{
    return strchr(path, '\\') != NULL || strchr(path, '/') != NULL || strchr(path, ':') != NULL;
}

/*
 * Load a DLL by FULL path only (DLL planting): relative paths are made
 * absolute first, bare names are refused.  LOAD_WITH_ALTERED_SEARCH_PATH
 * makes the DLL's own dependencies resolve from its folder, not ours.
 */
hmn__dl *hmn__dl_open(const char *path, char *err, size_t errcap)
{
    wchar_t *w, full[MAX_PATH * 2];
    HMODULE mod;
    hmn__dl *dl;
    DWORD n, e;
    if (!path || !has_dir_part(path)) {
        if (err && errcap)
            snprintf(err, errcap, "%s: refusing to load a DLL without a full path",
                     path ? path : "(null)");
        return NULL;
    }
    w = hmn__win_widen(path);
    n = w ? GetFullPathNameW(w, (DWORD)(sizeof(full) / sizeof(full[0])), full, NULL) : 0;
    free(w);
    if (n == 0 || n >= sizeof(full) / sizeof(full[0])) {
        if (err && errcap)
            snprintf(err, errcap, "%s: invalid path", path);
        return NULL;
    }
    mod = LoadLibraryExW(full, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!mod) {
        char msg[200];
        e = GetLastError();
        hmn__win_errtext(e, msg, sizeof(msg));
        if (err && errcap)
            snprintf(err, errcap, "%s: %s (error %lu)", path, msg, (unsigned long)e);
        return NULL;
    }
    dl = calloc(1, sizeof(*dl));
    if (!dl) {
        FreeLibrary(mod);
        if (err && errcap)
            snprintf(err, errcap, "out of memory");
        return NULL;
    }
    dl->mod = mod;
    return dl;
}

void *hmn__dl_sym(hmn__dl *dl, const char *name)
{
    FARPROC f;
    void *p = NULL;
    if (!dl || !name)
        return NULL;
    f = GetProcAddress(dl->mod, name);
    /* ISO C has no function-to-object pointer cast; copy the bits (same size on Win64). */
    _Static_assert(sizeof(f) == sizeof(p), "function and data pointers differ in size");
    memcpy(&p, &f, sizeof(p));
    return p;
}

void hmn__dl_close(hmn__dl *dl)
{
    if (!dl)
        return;
    FreeLibrary(dl->mod);
    free(dl);
}

/* ---------------------------------------------------------------- dirs */

int hmn__list_dir(const char *path, hmn__dir_fn fn, void *arg)
{
    char pattern[1024], name[1024];
    WIN32_FIND_DATAW fd;
    wchar_t *w;
    HANDLE h;
    int rc = HMN_OK;
    if (snprintf(pattern, sizeof(pattern), "%s\\*", path) >= (int)sizeof(pattern))
        return HMN_ENOBUFS;
    w = hmn__win_widen(pattern);
    if (!w)
        return HMN_ENOENT;
    h = FindFirstFileW(w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return hmn__win_code(GetLastError());
    do {
        if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
            continue;
        if (hmn__win_narrow(fd.cFileName, name, sizeof(name)) != HMN_OK)
            continue; /* a name we cannot represent is skipped, not truncated */
        rc = fn(arg, name);
    } while (rc == HMN_OK && FindNextFileW(h, &fd));
    FindClose(h);
    return rc < 0 ? rc : HMN_OK;
}

int hmn__readlink(const char *path, char *buf, size_t cap)
{
    (void)path;
    if (buf && cap)
        buf[0] = '\0';
    return HMN_EUNSUPPORTED; /* /proc links do not exist on Windows */
}

int hmn__char_dev(const char *path, unsigned *major, unsigned *minor)
{
    (void)path;
    *major = *minor = 0;
    return HMN_EUNSUPPORTED;
}

/* ---------------------------------------------------------------- programs */

const char hmn__exe_suffix[] = ".exe";
const char hmn__path_sep = ';';

int hmn__path_entry_ok(const char *p, size_t len)
{
    (void)p;
    return len > 0;
}

int hmn__is_program(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}
