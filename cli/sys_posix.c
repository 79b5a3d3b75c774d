/*
 * cli/sys_posix.c - the few operating-system services the CLI needs beyond
 * the library, on POSIX: SIGINT/SIGTERM handling, interruptible sleep,
 * clocks and a child process for `hmn spill`.  CMake builds this file or
 * sys_win.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
/* Self-pipe: SIGCHLD and the interrupt signals write a byte, child_wait polls it. */
static int g_wake[2] = {-1, -1};

static void wake(void)
{
    int saved = errno;
    if (g_wake[1] >= 0)
        (void)!write(g_wake[1], "x", 1); /* full pipe: a wake-up is pending anyway */
    errno = saved;
}

int interrupted(void)
{
    return g_interrupted != 0;
}

int interrupt_from_process(void)
{
    return g_from_process != 0;
}

void std_fds_guard(void)
{
    int fd;
    for (fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* open() returns the lowest free number: this one. */
        if (open("/dev/null", O_RDONLY) != fd)
            break;
    }
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
    wake();
}

/* SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session) all end with the summary. */
int interrupt_install(char *err, size_t cap)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_interrupt;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0 &&
        sigaction(SIGHUP, &sa, NULL) == 0)
        return 0;
    snprintf(err, cap, "%s", strerror(errno));
    return -1;
}

static void on_child(int sig)
{
    (void)sig;
    wake();
}

static int set_fd_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0
               ? -1
               : 0;
}

/* The self-pipe and the SIGCHLD handler, before the child exists (its end cannot be missed). */
static int wake_open(void)
{
    struct sigaction sa;
    if (g_wake[0] >= 0)
        return 0;
    if (pipe(g_wake) != 0)
        return -1;
    if (set_fd_flags(g_wake[0]) != 0 || set_fd_flags(g_wake[1]) != 0) {
        close(g_wake[0]);
        close(g_wake[1]);
        g_wake[0] = g_wake[1] = -1;
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_child;
    sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGCHLD, &sa, NULL);
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
    (void)wake_open(); /* without it child_wait falls back to short sleeps */
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

int child_wait(child *c, uint64_t ms, int *code)
{
    uint64_t end = now_ms() + ms;
    for (;;) {
        struct pollfd pfd;
        uint64_t now;
        char drain[64];
        int st = child_poll(c, code, 0);
        if (st != 0)
            return st;
        now = now_ms();
        if (g_interrupted || now >= end)
            return 0;
        if (g_wake[0] < 0) { /* no self-pipe: wake up often enough */
            sleep_interruptible(end - now > 50 ? 50 : end - now);
            continue;
        }
        pfd.fd = g_wake[0];
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, (int)(end - now > 60000 ? 60000 : end - now)) > 0)
            while (read(g_wake[0], drain, sizeof(drain)) > 0)
                ;
    }
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
