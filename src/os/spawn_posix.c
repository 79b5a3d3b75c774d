/*
 * os/spawn_posix.c - run a helper program (nvidia-smi) without a shell.
 *
 * posix_spawn (glibc uses CLONE_VFORK, so the cost does not grow with our
 * RSS the way fork() does), stdout through a pipe, stdin and stderr on
 * /dev/null.  The child gets its own process group so that a timeout kill
 * also reaches anything it started.  Output is bounded: past the buffer we
 * keep draining and dropping, so a child printing gigabytes neither blocks
 * nor grows our memory.  The run ends when the child exits, not at EOF: a
 * background process it leaves behind may hold the pipe open for ever.
 */
#define _GNU_SOURCE 1

#include "os/os.h"
#include "hypomnesis.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int spawn_child(const char *const argv[], int out_fd, pid_t *pid, char *err,
                       size_t errcap)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    char *const *av;
    int rc;

    if (posix_spawn_file_actions_init(&fa) != 0)
        return HMN_ENOMEM;
    if (posix_spawnattr_init(&at) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return HMN_ENOMEM;
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);

    /* posix_spawn takes char *const[] for historical reasons; it does not write. */
    memcpy(&av, &argv, sizeof(av));
    /* A name without '/' is searched in PATH, as execvp would. */
    if (strchr(argv[0], '/'))
        rc = posix_spawn(pid, argv[0], &fa, &at, av, environ);
    else
        rc = posix_spawnp(pid, argv[0], &fa, &at, av, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        if (err && errcap)
            snprintf(err, errcap, "cannot run %s: %s", argv[0], strerror(rc));
        return (rc == ENOENT || rc == EACCES || rc == ENOEXEC) ? HMN_ENOENT : HMN_EBACKEND;
    }
    return HMN_OK;
}

#define POLL_SLICE_MS 10 /* how soon the child's exit is noticed while the pipe stays open */

/* One read of what the pipe holds, into buf while it has room, dropped past
 * that (truncated): >0 bytes, 0 at EOF, -1 nothing now or an error. */
static ssize_t read_some(int fd, char *buf, size_t cap, struct hmn__run_result *res)
{
    char scratch[4096];
    ssize_t r;
    int room = res->len + 1 < cap;
    do {
        if (room)
            r = read(fd, buf + res->len, cap - 1 - res->len);
        else
            r = read(fd, scratch, sizeof(scratch));
    } while (r < 0 && errno == EINTR);
    if (r > 0) {
        if (room)
            res->len += (size_t)r;
        else
            res->truncated = 1;
    }
    return r;
}

/*
 * After the child exited everything it wrote is in the pipe: take that
 * without waiting, then stop.  A grandchild may hold the write end for ever
 * (a wrapper's background helper), so EOF is not waited for; the deadline
 * still bounds a grandchild that keeps writing.
 */
static void drain_ready(int fd, uint64_t deadline, char *buf, size_t cap,
                        struct hmn__run_result *res)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (read_some(fd, buf, cap, res) > 0 && hmn__now_ms() < deadline) {
    }
}

/*
 * Collect the child's stdout until the child itself exits (not until EOF).
 * Returns 1 with *status set (or *reaped = 0 when someone else reaped it),
 * 0 when the deadline came first.  The pipe is polled in short slices so the
 * child's exit is noticed even while a grandchild keeps the pipe open.
 */
static int collect(pid_t pid, int fd, uint64_t deadline, char *buf, size_t cap,
                   struct hmn__run_result *res, int *status, int *reaped)
{
    int eof = 0;
    for (;;) {
        uint64_t now;
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) {
            /* w < 0: not our child any more (SIGCHLD ignored by the host). */
            *reaped = w == pid;
            if (!eof)
                drain_ready(fd, deadline, buf, cap, res);
            return 1;
        }
        now = hmn__now_ms();
        if (now >= deadline)
            return 0;
        if (!eof) {
            struct pollfd p;
            uint64_t slice = deadline - now < POLL_SLICE_MS ? deadline - now : POLL_SLICE_MS;
            p.fd = fd;
            p.events = POLLIN;
            p.revents = 0;
            if (poll(&p, 1, (int)slice) > 0 && read_some(fd, buf, cap, res) == 0)
                eof = 1;
        } else {
            /* It closed stdout and lingers: wait for it, not past the deadline. */
            hmn__sleep_ms(deadline - now < 2 ? deadline - now : 2);
        }
    }
}

int hmn__run(const char *const argv[], uint64_t timeout_ms, char *buf, size_t cap,
             struct hmn__run_result *res, char *err, size_t errcap)
{
    int fds[2], rc, status = 0, done, reaped = 0;
    pid_t pid;
    uint64_t deadline;

    memset(res, 0, sizeof(*res));
    if (!argv || !argv[0] || cap == 0)
        return HMN_EINVAL;
    buf[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) != 0)
        return HMN_EBACKEND;
    rc = spawn_child(argv, fds[1], &pid, err, errcap);
    close(fds[1]);
    if (rc != HMN_OK) {
        close(fds[0]);
        return rc;
    }
    deadline = hmn__now_ms() + timeout_ms;
    done = collect(pid, fds[0], deadline, buf, cap, res, &status, &reaped);
    close(fds[0]);
    buf[res->len] = '\0';
    if (!done) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (err && errcap)
            snprintf(err, errcap, "%s did not finish within %llu ms and was killed", argv[0],
                     (unsigned long long)timeout_ms);
        return HMN_ETIMEDOUT;
    }
    if (reaped && WIFEXITED(status)) {
        res->exited = 1;
        res->exit_code = WEXITSTATUS(status);
    } else if (reaped && WIFSIGNALED(status)) {
        res->signaled = 1;
        res->term_signal = WTERMSIG(status);
    }
    return HMN_OK;
}
