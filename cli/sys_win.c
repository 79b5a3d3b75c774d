/*
 * cli/sys_win.c - the few operating-system services the CLI needs beyond
 * the library, on Windows: Ctrl+C handling, interruptible sleep, clocks and
 * a child process for `hmn spill` (through the C runtime).  CMake builds
 * this file or sys_posix.c.
 */
#include "cli.h"
#include "win_quote.h" /* src/common/ */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <process.h>
#include <windows.h>

static volatile sig_atomic_t g_interrupted;
static HANDLE g_interrupt_event; /* set by Ctrl+C: child_wait wakes on it */

int interrupted(void)
{
    return g_interrupted != 0;
}

/* The console delivers Ctrl+C to the whole group: nothing to forward. */
int interrupt_from_process(void)
{
    return 0;
}

/* A closed standard handle has no number for a later file to take on Windows. */
void std_fds_guard(void)
{
}

/* The "unknown" glyph of spill cells (upstream prints "?" on Windows). */
const char *spill_unknown_glyph(void)
{
    return "?";
}

static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE;
    g_interrupted = 1;
    if (g_interrupt_event)
        SetEvent(g_interrupt_event);
    return TRUE;
}

int interrupt_install(char *err, size_t cap)
{
    if (!g_interrupt_event)
        g_interrupt_event = CreateEventW(NULL, TRUE, FALSE, NULL);
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
 * again, so every argument is quoted by that runtime's rules first.
 */
static char *quote_arg(const char *a)
{
    char *q = malloc(hmn__win_quote_arg(NULL, a) + 1);
    if (q)
        hmn__win_quote_arg(q, a);
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

int child_wait(child *c, uint64_t ms, int *code)
{
    HANDLE h[2];
    DWORD n = 1, rc;
    uint64_t end = now_ms() + ms, now;
    h[0] = (HANDLE)c->handle;
    if (g_interrupt_event)
        h[n++] = g_interrupt_event;
    for (;;) {
        now = now_ms();
        if (g_interrupted || now >= end)
            return child_poll(c, code, 0);
        /* Without the event, Ctrl+C is noticed within 200 ms. */
        rc = WaitForMultipleObjects(n, h, FALSE,
                                    (DWORD)(end - now > (n > 1 ? 60000 : 200) ? (n > 1 ? 60000 : 200)
                                                                                : end - now));
        if (rc == WAIT_OBJECT_0)
            return child_poll(c, code, 0);
        if (rc == WAIT_FAILED)
            return -1;
    }
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
