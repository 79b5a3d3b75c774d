/*
 * os/spawn_posix.c - run a helper program (nvidia-smi) without a shell.
 *
 * posix_spawn (glibc uses CLONE_VFORK, so the cost does not grow with our
 * RSS the way fork() does), stdout through a pipe, stdin and stderr on
 * /dev/null.  The child gets its own process group so that a timeout kill
 * also reaches anything it started.  Output is bounded: past the buffer we
 * keep draining and dropping, so a child printing gigabytes neither blocks
 * nor grows our memory.
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

/* Drain the pipe until EOF or the deadline. 1 = EOF, 0 = deadline hit. */
static int drain(int fd, uint64_t deadline, char *buf, size_t cap, struct hmn__run_result *res)
{
    char scratch[4096];
    for (;;) {
        uint64_t now = hmn__now_ms();
        struct pollfd p;
        ssize_t r;
        int pr;
        if (now >= deadline)
            return 0;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        pr = poll(&p, 1, (int)((deadline - now) > 1000 ? 1000 : (deadline - now)));
        if (pr < 0 && errno != EINTR)
            return 1;
        if (pr <= 0)
            continue;
        if (res->len + 1 < cap)
            r = read(fd, buf + res->len, cap - 1 - res->len);
        else
            r = read(fd, scratch, sizeof(scratch));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 1;
        if (res->len + 1 < cap)
            res->len += (size_t)r;
        else
            res->truncated = 1;
    }
}

int hmn__run(const char *const argv[], uint64_t timeout_ms, char *buf, size_t cap,
             struct hmn__run_result *res, char *err, size_t errcap)
{
    int fds[2], rc, status = 0, eof;
    pid_t pid, w;
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
    eof = drain(fds[0], deadline, buf, cap, res);
    close(fds[0]);
    buf[res->len] = '\0';
    /* A child may close stdout and still linger: wait, but not past the deadline. */
    w = 0;
    while (eof) {
        w = waitpid(pid, &status, WNOHANG);
        if (w < 0 && errno == EINTR)
            continue;
        if (w != 0)
            break;
        if (hmn__now_ms() >= deadline) {
            eof = 0;
            break;
        }
        hmn__sleep_ms(2);
    }
    if (!eof) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        if (w <= 0)
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        if (err && errcap)
            snprintf(err, errcap, "%s did not finish within %llu ms and was killed", argv[0],
                     (unsigned long long)timeout_ms);
        return HMN_ETIMEDOUT;
    }
    if (w == pid && WIFEXITED(status)) {
        res->exited = 1;
        res->exit_code = WEXITSTATUS(status);
    } else if (w == pid && WIFSIGNALED(status)) {
        res->signaled = 1;
        res->term_signal = WTERMSIG(status);
    }
    return HMN_OK;
}
