/*
 * cli/run_cgroup.c - the cgroup `hmn run` makes for CMD, whose memory
 * high-water mark is the exact peak of the whole tree (page cache
 * included, as the kernel charges it).
 *
 * Made as a child of hmn's own cgroup, so it is wherever hmn was allowed
 * to be (a delegated user slice, a container's namespace root):
 *   v2  <cgroup2 mount><self>/hmn-run-<pid>, when hmn's cgroup hands the
 *       memory controller to its children (cgroup.subtree_control); the
 *       no-internal-process rule forbids that for a cgroup holding
 *       processes (hmn itself), so outside a cgroup root it is usually
 *       absent and hmn says so;
 *   v1  <memory mount><self>/hmn-run-<pid>, where memory is a v1
 *       hierarchy (hybrid and legacy hosts).
 * HMN_CGROUP_ROOT names a directory to use as the cgroup2 mount instead
 * (a fixture tree for tests: a plain directory whose files hmn writes and
 * reads like the kernel's).  The child joins before exec (it writes "0"
 * into cgroup.procs, opened here), so nothing it allocates escapes.
 */
#define _GNU_SOURCE /* O_CLOEXEC with _POSIX_C_SOURCE */

#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The whole of a small file, NUL-terminated; its length or -1 (errno set). */
static long read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    if (fd < 0)
        return -1;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
            }
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return (long)len;
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), e;
    ssize_t n;
    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s%s%s", a, (b[0] == '/' || !a[0]) ? "" : "/", b);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* "<mount><self path>" of hierarchy version v; -1 when not mounted. */
static int home_dir(int v, const char *fixture_root, char *out, size_t cap)
{
    static char mi[1 << 18];
    char self[1024], mnt[1024], path[1024];
    long n = read_small("/proc/self/cgroup", path, sizeof(path));
    if (n < 0 || run_parse_self_cgroup(path, (size_t)n, v, self, sizeof(self)) != 0)
        return -1;
    if (fixture_root) {
        snprintf(mnt, sizeof(mnt), "%s", fixture_root);
    } else {
        n = read_small("/proc/self/mountinfo", mi, sizeof(mi));
        if (n < 0 || run_parse_cgroup_mount(mi, (size_t)n, v, mnt, sizeof(mnt)) != 0)
            return -1;
    }
    return join(out, cap, mnt, strcmp(self, "/") == 0 ? "" : self);
}

/* 1 when the space-separated controller list in file holds "memory". */
static int has_memory(const char *dir, const char *file)
{
    char path[1100], buf[512], *p;
    if (join(path, sizeof(path), dir, file) != 0 || read_small(path, buf, sizeof(buf)) < 0)
        return 0;
    for (p = strtok(buf, " \n"); p; p = strtok(NULL, " \n"))
        if (strcmp(p, "memory") == 0)
            return 1;
    return 0;
}

/* v2: can children of home have the memory controller?  0, or -1 with why. */
static int v2_usable(struct run_cgroup *cg)
{
    char path[1100];
    if (!has_memory(cg->home, "cgroup.controllers")) {
        snprintf(cg->why, sizeof(cg->why), "cgroup v2: the memory controller is not available in %s",
                 cg->home);
        return -1;
    }
    if (has_memory(cg->home, "cgroup.subtree_control"))
        return 0;
    /* Only a cgroup root may hold processes and enable controllers for its children
     * (elsewhere the kernel answers EBUSY and nothing changes). */
    if (!cg->fixture && join(path, sizeof(path), cg->home, "cgroup.subtree_control") == 0 &&
        write_text(path, "+memory") == 0)
        return 0;
    snprintf(cg->why, sizeof(cg->why),
             "cgroup v2: %s does not enable memory for its children and cannot while it holds "
             "processes (the no-internal-process rule)",
             cg->home);
    return -1;
}

/* mkdir the run's cgroup and open its cgroup.procs. */
static int make_in(struct run_cgroup *cg, int version)
{
    char name[64], procs[1100];
    snprintf(name, sizeof(name), "hmn-run-%ld", (long)getpid());
    if (join(cg->dir, sizeof(cg->dir), cg->home, name) != 0)
        return -1;
    if (mkdir(cg->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(cg->why, sizeof(cg->why), "cgroup v%d: cannot create %s: %s", version, cg->dir,
                 strerror(errno));
        return -1;
    }
    if (join(procs, sizeof(procs), cg->dir, "cgroup.procs") != 0)
        return -1;
    cg->procs_fd = open(procs, O_WRONLY | O_CLOEXEC | (cg->fixture ? O_CREAT : 0), 0644);
    if (cg->procs_fd < 0) {
        snprintf(cg->why, sizeof(cg->why), "cgroup v%d: cannot open %s: %s", version, procs,
                 strerror(errno));
        rmdir(cg->dir);
        return -1;
    }
    cg->version = version;
    return 0;
}

int run_cgroup_make(struct run_cgroup *cg)
{
    const char *root = getenv("HMN_CGROUP_ROOT");
    memset(cg, 0, sizeof(*cg));
    cg->procs_fd = -1;
    cg->fixture = root && root[0];
    if (home_dir(2, cg->fixture ? root : NULL, cg->home, sizeof(cg->home)) == 0) {
        if (v2_usable(cg) == 0)
            return make_in(cg, 2);
        if (cg->fixture)
            return -1;
    }
    if (home_dir(1, NULL, cg->home, sizeof(cg->home)) == 0) {
        cg->why[0] = '\0';
        return make_in(cg, 1);
    }
    if (!cg->why[0])
        snprintf(cg->why, sizeof(cg->why), "no cgroup hierarchy with the memory controller is mounted");
    return -1;
}

static int read_file_u64(const struct run_cgroup *cg, const char *file, uint64_t *v)
{
    char path[1100], buf[64];
    long n;
    if (join(path, sizeof(path), cg->dir, file) != 0)
        return -1;
    n = read_small(path, buf, sizeof(buf));
    return n < 0 ? -1 : run_parse_u64_file(buf, (size_t)n, v);
}

int run_cgroup_peak(struct run_cgroup *cg, uint64_t *bytes)
{
    const char *file = cg->version == 2 ? "memory.peak" : "memory.max_usage_in_bytes";
    if (cg->version == 0)
        return -1;
    if (read_file_u64(cg, file, bytes) == 0)
        return 0;
    snprintf(cg->why, sizeof(cg->why), "cgroup v%d: %s/%s unreadable%s", cg->version, cg->dir,
             file, cg->version == 2 ? " (memory.peak needs Linux 5.19)" : "");
    return -1;
}

int run_cgroup_oom_kills(const struct run_cgroup *cg, uint64_t *kills, const char **file)
{
    char path[1100], buf[1024];
    long n;
    *file = cg->version == 2 ? "memory.events" : "memory.oom_control";
    if (cg->version == 0 || join(path, sizeof(path), cg->dir, *file) != 0)
        return -1;
    n = read_small(path, buf, sizeof(buf));
    return n < 0 ? -1 : run_parse_kv(buf, (size_t)n, "oom_kill", kills);
}

int run_vmstat_oom_kills(uint64_t *kills)
{
    static char buf[1 << 16];
    long n = read_small("/proc/vmstat", buf, sizeof(buf));
    return n < 0 ? -1 : run_parse_kv(buf, (size_t)n, "oom_kill", kills);
}

/* Processes still in the run's cgroup (a daemon CMD left) go back to hmn's. */
static void evacuate(const struct run_cgroup *cg)
{
    char path[1100], home[1100], buf[8192], *p, *save = NULL;
    if (join(path, sizeof(path), cg->dir, "cgroup.procs") != 0 ||
        join(home, sizeof(home), cg->home, "cgroup.procs") != 0 ||
        read_small(path, buf, sizeof(buf)) <= 0)
        return;
    for (p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
        (void)write_text(home, p);
}

void run_cgroup_remove(struct run_cgroup *cg)
{
    static const char *const fixture_files[] = {"cgroup.procs", "memory.peak", "memory.events",
                                                "memory.max_usage_in_bytes", "memory.oom_control"};
    size_t i;
    if (cg->procs_fd >= 0)
        close(cg->procs_fd);
    cg->procs_fd = -1;
    if (cg->version == 0)
        return;
    if (cg->fixture) {
        char path[1100];
        for (i = 0; i < sizeof(fixture_files) / sizeof(fixture_files[0]); i++)
            if (join(path, sizeof(path), cg->dir, fixture_files[i]) == 0)
                unlink(path);
    } else {
        evacuate(cg);
    }
    /* A process still exiting keeps the cgroup busy for a moment. */
    for (i = 0; i < 50 && rmdir(cg->dir) != 0 && errno == EBUSY; i++)
        usleep(10000);
    cg->version = 0;
}
