/*
 * cli/sys.c - the few operating-system services the CLI needs beyond the
 * library: Ctrl+C handling, interruptible sleep, clocks and a child process
 * for `hmn spill`.  POSIX first; the Windows branch uses the C runtime.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(_WIN32)
#include <process.h>
#include <windows.h>
#else
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
#endif

static volatile sig_atomic_t g_interrupted;
static volatile sig_atomic_t g_from_process;
static volatile sig_atomic_t g_signo;

int interrupted(void)
{
    return g_interrupted != 0;
}

int interrupt_from_process(void)
{
    return g_from_process != 0;
}

#if defined(_WIN32)
static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE;
    g_interrupted = 1;
    return TRUE;
}

int interrupt_install(char *err, size_t cap)
{
    if (SetConsoleCtrlHandler(on_ctrl, TRUE))
        return 0;
    snprintf(err, cap, "SetConsoleCtrlHandler failed: error %lu", (unsigned long)GetLastError());
    return -1;
}

void sleep_interruptible(uint64_t ms)
{
    while (ms > 0 && !g_interrupted) {
        DWORD step = ms > 200 ? 200 : (DWORD)ms;
        Sleep(step);
        ms -= step;
    }
}

uint64_t now_ms(void)
{
    return (uint64_t)GetTickCount64();
}

void wall_clock(char *buf, size_t cap)
{
    SYSTEMTIME st;
    GetSystemTime(&st);
    snprintf(buf, cap, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", st.wYear, st.wMonth, st.wDay,
             st.wHour, st.wMinute, st.wSecond, st.wMilliseconds);
}

struct child {
    intptr_t handle;
};

/*
 * _spawnvp joins argv with spaces and the child's C runtime splits the line
 * again, so an argument with spaces or quotes must be quoted by the rules of
 * CommandLineToArgvW: backslashes double only before a quote.
 */
static char *quote_arg(const char *a)
{
    size_t n = strlen(a), i, o = 0, bs = 0;
    char *q;
    if (n && !strpbrk(a, " \t\"")) {
        q = malloc(n + 1);
        if (q)
            memcpy(q, a, n + 1);
        return q;
    }
    q = malloc(2 * n + 3);
    if (!q)
        return NULL;
    q[o++] = '"';
    for (i = 0; i < n; i++) {
        if (a[i] == '\\') {
            bs++;
        } else {
            if (a[i] == '"')
                bs = bs * 2 + 1;
            while (bs) {
                q[o++] = '\\';
                bs--;
            }
        }
        if (a[i] != '\\')
            q[o++] = a[i];
    }
    for (bs *= 2; bs; bs--)
        q[o++] = '\\';
    q[o++] = '"';
    q[o] = '\0';
    return q;
}

int child_spawn(child **out, char *const *argv)
{
    child *c = calloc(1, sizeof(*c));
    char **qv;
    size_t n = 0, i;
    int e = 0;
    while (argv[n])
        n++;
    qv = calloc(n + 1, sizeof(*qv));
    if (!c || !qv) {
        free(c);
        free(qv);
        return ENOMEM;
    }
    for (i = 0; i < n && e == 0; i++)
        if ((qv[i] = quote_arg(argv[i])) == NULL)
            e = ENOMEM;
    if (e == 0) {
        c->handle = _spawnvp(_P_NOWAIT, argv[0], (const char *const *)qv);
        e = c->handle == -1 ? errno : 0;
    }
    for (i = 0; i < n; i++)
        free(qv[i]);
    free(qv);
    if (e) {
        free(c);
        return e;
    }
    *out = c;
    return 0;
}

int child_poll(child *c, int *code, int block)
{
    DWORD rc = WaitForSingleObject((HANDLE)c->handle, block ? INFINITE : 0), st = 1;
    if (rc == WAIT_TIMEOUT)
        return 0;
    if (rc != WAIT_OBJECT_0 || !GetExitCodeProcess((HANDLE)c->handle, &st))
        return -1;
    *code = st <= 255 ? (int)st : 1; /* NTSTATUS crashes read as failure */
    return 1;
}

void child_interrupt(child *c)
{
    (void)c; /* the console already delivered Ctrl+C to the whole group */
}

void child_free(child *c)
{
    if (c)
        CloseHandle((HANDLE)c->handle);
    free(c);
}

#else /* POSIX */

static void on_interrupt(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    g_interrupted = 1;
    g_signo = sig;
    /* A terminal's Ctrl+C reaches the whole process group (the child too);
     * a kill(2) aimed at hmn alone must be forwarded by hand. */
    g_from_process = info && info->si_code == SI_USER;
}

int interrupt_install(char *err, size_t cap)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_interrupt;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0)
        return 0;
    snprintf(err, cap, "%s", strerror(errno));
    return -1;
}

void sleep_interruptible(uint64_t ms)
{
    while (ms > 0 && !g_interrupted) {
        uint64_t step = ms > 200 ? 200 : ms;
        struct timespec ts;
        ts.tv_sec = (time_t)(step / 1000);
        ts.tv_nsec = (long)(step % 1000) * 1000000L;
        nanosleep(&ts, NULL); /* EINTR just ends this chunk early */
        ms -= step;
    }
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void wall_clock(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    time_t secs;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
        ts.tv_sec = 0, ts.tv_nsec = 0; /* pre-epoch clocks read as the epoch */
    secs = ts.tv_sec;
    gmtime_r(&secs, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
}

struct child {
    pid_t pid;
};

int child_spawn(child **out, char *const *argv)
{
    child *c = calloc(1, sizeof(*c));
    int rc;
    if (!c)
        return ENOMEM;
    rc = posix_spawnp(&c->pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int child_poll(child *c, int *code, int block)
{
    int st = 0;
    pid_t r;
    do
        r = waitpid(c->pid, &st, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return 0;
    if (r < 0)
        return -1;
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    return 1;
}

void child_interrupt(child *c)
{
    if (c && c->pid > 0)
        kill(c->pid, g_signo ? (int)g_signo : SIGINT); /* the signal hmn received */
}

void child_free(child *c)
{
    free(c);
}
#endif
