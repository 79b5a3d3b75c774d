/*
 * cli/run_spawn_posix.c - CMD of `hmn run` on POSIX: fork and exec with
 * stdio untouched, in a process group of its own so that every signal hmn
 * passes on reaches the whole tree, inside the run's cgroup (joined before
 * exec, cli/run_cgroup.c), with hmn a child subreaper so that descendants
 * that daemonise are reparented to hmn and stay in the sampled tree.
 *
 * A CLOEXEC pipe carries the child's errno when exec fails (127 not found,
 * 126 cannot execute, as env(1) does); its end-of-file means exec worked.
 * When hmn runs in the foreground of a terminal, the terminal is handed to
 * CMD's group (as a shell does for a job) so that CMD may read it and
 * Ctrl+C reaches CMD directly; it is taken back at the end.
 */
#define _GNU_SOURCE /* pipe2, wait4 */

#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

struct run_child {
    pid_t pid;
    int tty;               /* terminal handed to CMD's group, or -1 */
    struct run_cgroup cg;
};

static volatile sig_atomic_t g_pgid;      /* CMD's process group, 0 before it exists */
static volatile sig_atomic_t g_forwarded; /* the last signal passed on */
static volatile sig_atomic_t g_pending;   /* one that arrived before CMD existed */
static const int g_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

int run_forwarded_signal(void)
{
    return (int)g_forwarded;
}

void run_keep_private(FILE *f)
{
    int fd = fileno(f), fl = fcntl(fd, F_GETFD);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

static void on_signal(int sig)
{
    int saved = errno;
    if (g_pgid > 0) {
        kill(-(pid_t)g_pgid, sig);
        g_forwarded = sig;
    } else {
        g_pending = sig;
    }
    errno = saved;
}

/* Handlers for the four signals, except one hmn was started with ignored (nohup). */
static void install_forwarding(void)
{
    struct sigaction sa, old;
    size_t i;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(g_signals) / sizeof(g_signals[0]); i++)
        if (sigaction(g_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(g_signals[i], &sa, NULL);
}

/* The terminal hmn is the foreground of, or -1. */
static int foreground_tty(void)
{
    int fd;
    for (fd = 0; fd <= 2; fd++)
        if (isatty(fd) && tcgetpgrp(fd) == getpgrp())
            return fd;
    return -1;
}

/* tcsetpgrp from a background group raises SIGTTOU unless it is blocked. */
static void give_tty(int fd, pid_t pgrp)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTTOU);
    sigprocmask(SIG_BLOCK, &set, &old);
    (void)tcsetpgrp(fd, pgrp);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The child between fork and exec: async-signal-safe calls only. */
static void child_exec(char *const *argv, int tty, int procs_fd, int report)
{
    char msg[1 + sizeof(int)];
    int e;
    setpgid(0, 0);
    if (tty >= 0)
        give_tty(tty, getpid());
    if (procs_fd >= 0 && write(procs_fd, "0", 1) != 1) {
        e = errno;
        msg[0] = 'c';
        memcpy(msg + 1, &e, sizeof(e));
        (void)!write(report, msg, sizeof(msg));
    }
    execvp(argv[0], argv);
    e = errno;
    msg[0] = 'e';
    memcpy(msg + 1, &e, sizeof(e));
    (void)!write(report, msg, sizeof(msg));
    _exit(RUN_EXIT_NOTFOUND);
}

/* Read the child's reports until exec closed the pipe: 0 ran, else its exec errno. */
static int read_reports(int fd, struct run_child *c)
{
    char msg[1 + sizeof(int)];
    int e;
    for (;;) {
        ssize_t n = read(fd, msg, sizeof(msg));
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof(msg))
            return 0;
        memcpy(&e, msg + 1, sizeof(e));
        if (msg[0] == 'e')
            return e ? e : EIO;
        snprintf(c->cg.why, sizeof(c->cg.why), "cgroup v%d: could not join %s: %s",
                 c->cg.version, c->cg.dir, strerror(e));
        run_cgroup_remove(&c->cg); /* the child is not in it: its peak would be a lie */
    }
}

static int exec_failed(struct run_child *c, char *const *argv, int e)
{
    int st;
    while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
        ;
    g_pgid = 0;
    if (c->tty >= 0)
        give_tty(c->tty, getpgrp());
    if (e == ENOENT || e == ENOTDIR) {
        linef(stderr, "hmn run: %s: command not found", argv[0]);
        return RUN_EXIT_NOTFOUND;
    }
    linef(stderr, "hmn run: cannot execute %s: %s", argv[0], strerror(e));
    return RUN_EXIT_NOEXEC;
}

static int fork_child(struct run_child *c, char *const *argv)
{
    int pipefd[2], e;
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        linef(stderr, "hmn run: pipe: %s", strerror(errno));
        return RUN_EXIT_HMN;
    }
    fflush(NULL); /* nothing buffered is written twice */
    c->pid = fork();
    if (c->pid < 0) {
        linef(stderr, "hmn run: fork: %s", strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return RUN_EXIT_HMN;
    }
    if (c->pid == 0)
        child_exec(argv, c->tty, c->cg.procs_fd, pipefd[1]);
    close(pipefd[1]);
    setpgid(c->pid, c->pid); /* also here: no window where a signal misses the group */
    g_pgid = c->pid;
    e = read_reports(pipefd[0], c);
    close(pipefd[0]);
    return e ? exec_failed(c, argv, e) : 0;
}

int run_child_start(run_child **out, char *const *argv, struct run_report *r)
{
    struct run_child *c = calloc(1, sizeof(*c));
    int rc;
    if (!c) {
        linef(stderr, "hmn run: out of memory");
        return RUN_EXIT_HMN;
    }
#ifdef PR_SET_CHILD_SUBREAPER
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
    if (run_cgroup_make(&c->cg) != 0)
        snprintf(r->group_note, sizeof(r->group_note), "%s", c->cg.why);
    install_forwarding();
    c->tty = foreground_tty();
    rc = fork_child(c, argv);
    if (c->cg.version == 0 && c->cg.why[0] && !r->group_note[0])
        snprintf(r->group_note, sizeof(r->group_note), "%s", c->cg.why);
    if (rc != 0) {
        run_cgroup_remove(&c->cg);
        free(c);
        return rc;
    }
    if (g_pending)
        on_signal((int)g_pending);
    r->child_pid = (uint32_t)c->pid;
    *out = c;
    return 0;
}

/*
 * Wait for CMD without reaping it (its last sample comes first), reaping
 * every adopted orphan that ends meanwhile so that none lingers as a zombie.
 */
int run_child_wait(run_child *c)
{
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) != 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (si.si_pid == c->pid)
            return 0;
        if (si.si_pid > 0)
            while (waitpid(si.si_pid, NULL, 0) < 0 && errno == EINTR)
                ;
    }
}

static void read_group(struct run_child *c, struct run_report *r, struct run_oom_input *oom)
{
    uint64_t v;
    if (c->cg.version == 0)
        return;
    if (run_cgroup_peak(&c->cg, &v) == 0) {
        r->has_group_peak = 1;
        r->group_peak_bytes = v;
        r->group_method = c->cg.version == 2 ? "cgroup-v2" : "cgroup-v1";
    } else {
        snprintf(r->group_note, sizeof(r->group_note), "%s", c->cg.why);
    }
    if (run_cgroup_oom_kills(&c->cg, &v, &oom->cgroup_file) == 0) {
        oom->cgroup_known = 1;
        oom->cgroup_kills = v;
    }
}

void run_child_finish(run_child *c, struct run_report *r, struct run_oom_input *oom)
{
    struct rusage ru;
    int st = 0;
    pid_t p;
    memset(&ru, 0, sizeof(ru));
    do
        p = wait4(c->pid, &st, 0, &ru);
    while (p < 0 && errno == EINTR);
    r->exit_code = -1;
    if (p == c->pid && WIFEXITED(st))
        r->exit_code = WEXITSTATUS(st);
    else if (p == c->pid && WIFSIGNALED(st))
        r->signal = WTERMSIG(st);
    if (p == c->pid && ru.ru_maxrss > 0) {
        r->has_child_maxrss = 1;
        r->child_maxrss_bytes = (uint64_t)ru.ru_maxrss * 1024u; /* Linux: KiB */
    }
    oom->signal = r->signal;
    while (waitpid(-1, NULL, WNOHANG) > 0) /* orphans that ended with CMD */
        ;
    g_pgid = 0;
    if (c->tty >= 0)
        give_tty(c->tty, getpgrp());
    read_group(c, r, oom);
    run_cgroup_remove(&c->cg);
}

void run_child_free(run_child *c)
{
    if (c)
        run_cgroup_remove(&c->cg);
    free(c);
}
