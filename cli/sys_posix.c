/*
 * cli/sys_posix.c - the few operating-system services the CLI needs beyond
 * the library, on POSIX: SIGINT/SIGTERM handling, interruptible sleep,
 * clocks and a child process for `hmn spill`.  CMake builds this file or
 * sys_win.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

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

/* The "unknown" glyph of spill cells: spill is never measurable here. */
const char *spill_unknown_glyph(void)
{
    return "n/a";
}


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
