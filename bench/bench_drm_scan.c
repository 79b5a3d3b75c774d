/*
 * bench/bench_drm_scan.c - cost of one DRM fdinfo listing (hmn_gpu_processes
 * on a DRM device) against the number of processes.
 *
 * Builds a synthetic procfs in a temporary directory, growing it to 1,000,
 * 2,500, 5,000 and 10,000 processes.  Every process has four ordinary fds
 * (a tty, a pipe, a socket, a file); every tenth also holds a DRM client
 * (render node + amdgpu fdinfo), and every hundredth shares its parent's
 * client.  Each size is timed RUNS times on a fresh context (no scan cache)
 * and the medians of wall and CPU time printed, with the CPU cost per
 * process (CPU time is what to compare on a busy machine).  A line times the
 * machine's real /proc the same way, for scale.  A last line builds 10,000
 * processes none of which holds a DRM file and compares hmn's cost per
 * process with the syscall floor (openat relative to an open procfs,
 * getdents64, readlinkat per fd, close), measured on the same tree.
 *
 *   bench_drm_scan [runs]        (default 7)
 *
 * Results and the command line go to docs/perf/drm.md.
 */
#define _GNU_SOURCE 1 /* syscall(SYS_getdents64) for the floor */
#include "hypomnesis.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char root[512];

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* mkdir root/proc/<pid><sub> (sub is "" or "/fd" ...). */
static int mkdir_proc(unsigned pid, const char *sub)
{
    char p[700];
    snprintf(p, sizeof(p), "%s/proc/%u%s", root, pid, sub);
    return mkdir(p, 0755);
}

static int linkf(unsigned pid, int fd, const char *target)
{
    char p[700];
    snprintf(p, sizeof(p), "%s/proc/%u/fd/%d", root, pid, fd);
    return symlink(target, p);
}

/* Every tenth process holds a DRM client; with no_drm none does. */
static int no_drm;

static int add_process(unsigned pid)
{
    char p[700], info[512];
    unsigned client = pid % 100 == 0 ? pid - 10 : pid; /* every 100th shares a client */
    int rc = mkdir_proc(pid, "") | mkdir_proc(pid, "/fd") | mkdir_proc(pid, "/fdinfo");
    snprintf(p, sizeof(p), "%s/proc/%u/comm", root, pid);
    rc |= write_file(p, "worker\n");
    snprintf(p, sizeof(p), "%s/proc/%u/cmdline", root, pid);
    rc |= write_file(p, "worker");
    rc |= linkf(pid, 0, "/dev/pts/0") | linkf(pid, 1, "pipe:[4242]") |
          linkf(pid, 2, "socket:[4343]") | linkf(pid, 3, "/var/log/worker.log");
    if (pid % 10 == 0 && !no_drm) {
        rc |= linkf(pid, 4, "/dev/dri/renderD128");
        snprintf(info, sizeof(info),
                 "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1083\ndrm-driver:\tamdgpu\n"
                 "drm-client-id:\t%u\ndrm-pdev:\t0000:08:00.0\npasid:\t32790\n"
                 "drm-total-cpu:\t0\ndrm-shared-cpu:\t0\ndrm-resident-cpu:\t0\n"
                 "drm-total-gtt:\t2048 KiB\ndrm-shared-gtt:\t0\ndrm-resident-gtt:\t2048 KiB\n"
                 "drm-total-vram:\t12288 KiB\ndrm-shared-vram:\t0\ndrm-resident-vram:\t12288 KiB\n"
                 "drm-memory-vram:\t12288 KiB\ndrm-memory-gtt: \t2048 KiB\n"
                 "drm-memory-cpu: \t0 KiB\ndrm-engine-gfx:\t2345678 ns\n",
                 client);
        snprintf(p, sizeof(p), "%s/proc/%u/fdinfo/4", root, pid);
        rc |= write_file(p, info);
    }
    return rc;
}

static int make_sys(void)
{
    char p[700];
    int rc = 0;
    static const char *const dirs[] = {"/sys", "/sys/class", "/sys/class/drm",
                                       "/sys/class/drm/card0", "/sys/class/drm/card0/device",
                                       "/proc"};
    size_t i;
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
        rc |= mkdir(p, 0755);
    }
    snprintf(p, sizeof(p), "%s/sys/class/drm/card0/device/uevent", root);
    rc |= write_file(p, "DRIVER=amdgpu\nPCI_SLOT_NAME=0000:08:00.0\n");
    snprintf(p, sizeof(p), "%s/sys/class/drm/card0/device/vendor", root);
    rc |= write_file(p, "0x1002\n");
    snprintf(p, sizeof(p), "%s/sys/class/drm/card0/device/device", root);
    rc |= write_file(p, "0x73bf\n");
    return rc;
}

static void remove_tree(const char *path)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    char sub[1024];
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    d = opendir(path);
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
            remove_tree(sub);
        }
    }
    if (d)
        closedir(d);
    rmdir(path);
}

static unsigned count_pids(const char *path)
{
    struct dirent *de;
    unsigned n = 0;
    DIR *d = opendir(path);
    while (d && (de = readdir(d)) != NULL)
        n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
    if (d)
        closedir(d);
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * The syscall floor of a sweep: what any scanner must do per process to learn
 * that it holds no DRM file - open its fd directory relative to an open
 * procfs, read the entries (getdents64 until it returns 0), readlinkat each
 * entry, close.  No path building, no parsing, no allocation.  CPU ms.
 */
static double floor_sweep(const char *procfs, unsigned *nproc)
{
    char buf[32768], target[512];
    double c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
    int pfd = open(procfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *top = pfd >= 0 ? fdopendir(dup(pfd)) : NULL;
    struct dirent *de;
    *nproc = 0;
    while (top && (de = readdir(top)) != NULL) {
        char sub[300];
        long n;
        int fd;
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        snprintf(sub, sizeof(sub), "%s/fd", de->d_name);
        fd = openat(pfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            continue;
        (*nproc)++;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
            long off = 0;
            while (off < n) {
                struct floor_dirent {
                    uint64_t ino;
                    int64_t off;
                    unsigned short reclen;
                    unsigned char type;
                    char name[];
                } *e = (struct floor_dirent *)(void *)(buf + off);
                if (e->name[0] != '.')
                    (void)readlinkat(fd, e->name, target, sizeof(target) - 1);
                off += e->reclen;
            }
        }
        close(fd);
    }
    if (top)
        closedir(top);
    if (pfd >= 0)
        close(pfd);
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
}

/* One listing on a fresh context: wall ms (returned, -1 on failure) and CPU ms. */
static double time_listing(size_t *rows, uint32_t *unreadable, double *cpu)
{
    hmn_ctx *ctx = NULL;
    hmn_process_list *list = NULL;
    uint32_t n = 0;
    double t0, t1, c0;
    if (hmn_ctx_open(&ctx) != HMN_OK || hmn_device_count(ctx, &n) != HMN_OK || n == 0) {
        hmn_ctx_close(ctx);
        return -1;
    }
    c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
    t0 = clock_ms(CLOCK_MONOTONIC);
    if (hmn_gpu_processes(ctx, 0, &list) != HMN_OK) {
        hmn_ctx_close(ctx);
        return -1;
    }
    t1 = clock_ms(CLOCK_MONOTONIC);
    *cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *rows = hmn_process_list_count(list);
    *unreadable = hmn_process_list_unreadable(list);
    hmn_process_list_free(list);
    hmn_ctx_close(ctx);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    static const unsigned sizes[] = {1000, 2500, 5000, 10000};
    const char *tmp = getenv("TMPDIR");
    char env[700];
    double t[31], c[31], base = 0;
    int runs = argc > 1 ? atoi(argv[1]) : 7, i;
    unsigned have = 0;
    size_t k, rows = 0;
    uint32_t unreadable = 0;
    if (runs < 1 || runs > 31)
        runs = 7;
    snprintf(root, sizeof(root), "%s/hmn-bench-drm-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root) || make_sys() != 0) {
        fprintf(stderr, "cannot create the synthetic tree under %s\n", root);
        return 1;
    }
    snprintf(env, sizeof(env), "%s/proc", root);
    setenv("HMN_PROCFS", env, 1);
    snprintf(env, sizeof(env), "%s/sys", root);
    setenv("HMN_SYSFS", env, 1);
    setenv("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1", 1);
    setenv("HMN_NVIDIA_SMI", "/nonexistent/nvidia-smi", 1);
    printf("%-10s %6s %10s %10s %12s %8s\n", "processes", "rows", "wall ms", "cpu ms",
           "cpu us/proc", "cpu x1k");
    for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        for (; have < sizes[k]; have++) {
            if (add_process(1000 + have) != 0) {
                fprintf(stderr, "cannot write process %u\n", 1000 + have);
                remove_tree(root);
                return 1;
            }
        }
        for (i = 0; i < runs; i++) {
            t[i] = time_listing(&rows, &unreadable, &c[i]);
            if (t[i] < 0) {
                fprintf(stderr, "listing failed\n");
                remove_tree(root);
                return 1;
            }
        }
        qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
        qsort(c, (size_t)runs, sizeof(c[0]), cmp_double);
        if (k == 0)
            base = c[runs / 2];
        printf("%-10u %6zu %10.2f %10.2f %12.2f %8.2f\n", sizes[k], rows, t[runs / 2],
               c[runs / 2], c[runs / 2] * 1e3 / sizes[k], c[runs / 2] / base);
    }
    /* The machine's own /proc for scale: real procfs generates every entry. */
    setenv("HMN_PROCFS", "/proc", 1);
    for (i = 0; i < runs; i++)
        t[i] = time_listing(&rows, &unreadable, &c[i]);
    qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
    qsort(c, (size_t)runs, sizeof(c[0]), cmp_double);
    have = count_pids("/proc");
    if (t[0] >= 0 && have > 0)
        printf("%-10s %6zu %10.2f %10.2f %12.2f %8s  (/proc: %u processes, %u unreadable)\n",
               "real", rows, t[runs / 2], c[runs / 2], c[runs / 2] * 1e3 / have, "-", have,
               unreadable);
    remove_tree(root);

    /* A host where no process holds a DRM file (the common case on a NVIDIA or
     * CPU node): hmn's cost per process against the syscall floor, same tree,
     * interleaved runs. */
    no_drm = 1;
    snprintf(root, sizeof(root), "%s/hmn-bench-drm-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root) || make_sys() != 0) {
        fprintf(stderr, "cannot create the second tree under %s\n", root);
        return 1;
    }
    for (have = 0; have < 10000; have++) {
        if (add_process(1000 + have) != 0) {
            fprintf(stderr, "cannot write process %u\n", 1000 + have);
            remove_tree(root);
            return 1;
        }
    }
    snprintf(env, sizeof(env), "%s/sys", root);
    setenv("HMN_SYSFS", env, 1);
    snprintf(env, sizeof(env), "%s/proc", root);
    setenv("HMN_PROCFS", env, 1);
    {
        double f[31];
        unsigned n = 0;
        for (i = 0; i < runs; i++) {
            t[i] = time_listing(&rows, &unreadable, &c[i]);
            f[i] = floor_sweep(env, &n);
            if (t[i] < 0 || rows != 0) {
                fprintf(stderr, "listing of the no-DRM tree failed\n");
                remove_tree(root);
                return 1;
            }
        }
        qsort(c, (size_t)runs, sizeof(c[0]), cmp_double);
        qsort(f, (size_t)runs, sizeof(f[0]), cmp_double);
        printf("\nno DRM fds, %u processes x 4 fds: hmn %.2f us/proc, syscall floor %.2f us/proc "
               "(openat + getdents64 x2 + readlinkat x4 + close), ratio %.2f\n",
               n, c[runs / 2] * 1e3 / 10000, f[runs / 2] * 1e3 / (n ? n : 1),
               c[runs / 2] / (f[runs / 2] > 0 ? f[runs / 2] : 1));
    }
    remove_tree(root);
    return 0;
}
