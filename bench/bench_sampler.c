/*
 * bench/bench_sampler.c - cost of one sampler sample (hmn_sampler_sample)
 * for trees of 1, 10 and 100 processes, without and with GPU rows, side by
 * side in one run.
 *
 *  real       the bench's own children (sleeping), the machine's /proc;
 *             the scan reads every process's stat, so the machine's process
 *             count is part of the cost (printed);
 *  real+nvml  the same tree with the fake libnvidia-ml listing one row per
 *             member plus a stranger (process listing, device info and the
 *             accounting pass per sample);
 *  drm        a /proc fixture tree of the same size, each member holding a
 *             DRM client (render node + amdgpu fdinfo), with the checked-in
 *             sysfs of tests/data/drm/multi (card0);
 *  drm-off    that fixture without GPU sampling (the ratio's base).
 *
 * Every configuration takes WARM samples first, then RUNS timed ones; the
 * medians of wall and thread CPU time per sample are printed (and, apart,
 * the CPU of each sampler's first sample, which has no scan cache), and for 100
 * processes the share of one core at a 100 ms interval (CPU per sample /
 * 100 ms).  Configurations are interleaved round by round so that machine
 * noise falls on all of them alike.
 *
 *   bench_sampler [runs] [rounds]      (defaults 50 and 5)
 *
 * HMN_BENCH_FAKE_NVML (the fake's libnvidia-ml.so.1) and HMN_BENCH_DRM_SYS
 * default to the paths of this build and source tree.
 */
#define _DEFAULT_SOURCE 1
#include "hypomnesis.h"

#include "bench_common.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef HMN_BENCH_FAKE_NVML_DEFAULT
#  define HMN_BENCH_FAKE_NVML_DEFAULT ""
#endif
#ifndef HMN_BENCH_DRM_SYS_DEFAULT
#  define HMN_BENCH_DRM_SYS_DEFAULT ""
#endif

#define MAXN 100
#define WARM 3

static const int sizes[3] = {1, 10, 100};
static pid_t kids[MAXN];
static int nkids;
static char tmp[256];

static double thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int mkdirs(const char *path)
{
    char b[1024];
    size_t i, n = strlen(path);
    if (n >= sizeof(b))
        return -1;
    memcpy(b, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (b[i] == '/' || b[i] == '\0') {
            char c = b[i];
            b[i] = '\0';
            if (mkdir(b, 0755) != 0 && access(b, F_OK) != 0)
                return -1;
            b[i] = c;
        }
    }
    return 0;
}

static void set_kids(int n)
{
    while (nkids < n) {
        pid_t p = fork();
        if (p == 0) {
            alarm(600); /* never outlive a crashed bench */
            for (;;)
                pause();
        }
        if (p < 0)
            exit(1);
        kids[nkids++] = p;
    }
    while (nkids > n) {
        int st;
        pid_t p = kids[--nkids];
        kill(p, SIGKILL);
        waitpid(p, &st, 0);
    }
}

static int count_processes(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
    closedir(d);
    return n;
}

/* The fake NVML's scenario: one row per child and a stranger. */
static int nvml_scenario(const char *path, int n)
{
    FILE *f = fopen(path, "w");
    int i;
    if (!f)
        return -1;
    fprintf(f, "driver 550.54.15\nnvml 12.550.54.15\ncuda 12040\n"
               "device name=\"NVIDIA H100 80GB HBM3\" uuid=GPU-0 pci=0000:09:00.0 "
               "total=80GiB reserved=512MiB used=%dMiB accounting=on\n",
            1024 + 64 * n);
    fprintf(f, "proc pid=1 used=1GiB kinds=graphics\n");
    for (i = 0; i < n; i++) {
        fprintf(f, "proc pid=%d used=64MiB kinds=compute\n", (int)kids[i]);
        fprintf(f, "acct pid=%d max=80MiB running=1\n", (int)kids[i]);
    }
    return fclose(f);
}

/* A /proc fixture: root 1000 and n children, each holding a DRM client. */
static int drm_fixture(const char *proc, int n)
{
    char path[1200], text[1024];
    int i;
    for (i = 0; i <= n; i++) {
        unsigned pid = 1000u + (unsigned)i, ppid = i ? 1000u : 1u;
        snprintf(path, sizeof(path), "%s/%u/fd", proc, pid);
        if (mkdirs(path) != 0)
            return -1;
        snprintf(path, sizeof(path), "%s/%u/fdinfo", proc, pid);
        if (mkdirs(path) != 0)
            return -1;
        snprintf(path, sizeof(path), "%s/%u/stat", proc, pid);
        snprintf(text, sizeof(text),
                 "%u (worker) S %u %u %u 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %u 1000 200 0\n", pid,
                 ppid, pid, pid, 5000 + i);
        if (write_file(path, text) != 0)
            return -1;
        snprintf(path, sizeof(path), "%s/%u/status", proc, pid);
        snprintf(text, sizeof(text),
                 "Name:\tworker\nState:\tS (sleeping)\nTgid:\t%u\nPid:\t%u\nPPid:\t%u\n"
                 "VmHWM:\t 4096 kB\nVmRSS:\t 2048 kB\n",
                 pid, pid, ppid);
        if (write_file(path, text) != 0)
            return -1;
        snprintf(path, sizeof(path), "%s/%u/comm", proc, pid);
        if (write_file(path, "worker\n") != 0)
            return -1;
        snprintf(path, sizeof(path), "%s/%u/fd/3", proc, pid);
        if (symlink("/dev/dri/renderD128", path) != 0)
            return -1;
        snprintf(path, sizeof(path), "%s/%u/fdinfo/3", proc, pid);
        snprintf(text, sizeof(text),
                 "pos:\t0\nflags:\t02100002\ndrm-driver:\tamdgpu\ndrm-client-id:\t%u\n"
                 "drm-pdev:\t0000:08:00.0\ndrm-total-vram:\t65536 KiB\n"
                 "drm-resident-vram:\t65536 KiB\n",
                 pid);
        if (write_file(path, text) != 0)
            return -1;
    }
    return 0;
}

enum cfg_kind { REAL, REAL_NVML, DRM, DRM_OFF, KINDS };
static const char *const kind_name[KINDS] = {"real", "real+nvml", "drm", "drm-off"};

struct result {
    double *wall, *cpu;
    size_t n;
    double first[64]; /* CPU of each sampler's first sample: no scan cache yet */
    size_t nfirst;
    uint32_t devices, processes;
};

static void env_for(enum cfg_kind k, const char *fake, const char *sys, const char *proc,
                    const char *scn)
{
    setenv("HMN_NVIDIA_SMI", "/nonexistent/nvidia-smi", 1);
    if (k == REAL || k == REAL_NVML) {
        unsetenv("HMN_PROCFS");
        setenv("HMN_SYSFS", "/nonexistent/sys", 1);
        setenv("HMN_NVML_LIBRARY", k == REAL_NVML ? fake : "/nonexistent/libnvidia-ml.so.1", 1);
        setenv("HMN_FAKE_NVML_SCENARIO", scn, 1);
    } else {
        setenv("HMN_PROCFS", proc, 1);
        setenv("HMN_SYSFS", sys, 1);
        setenv("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1", 1);
    }
}

/* runs timed samples of one configuration into r (appended). */
static int measure(enum cfg_kind k, int runs, struct result *r)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = NULL;
    int i;
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return -1;
    if (k == REAL || k == REAL_NVML) {
        cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT |
                    (k == REAL_NVML ? HMN_SAMPLER_GPU : 0u);
    } else {
        cfg.root_pid = 1000;
        cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT |
                    (k == DRM ? HMN_SAMPLER_GPU : 0u);
        cfg.device = k == DRM ? 0 : HMN_SAMPLER_ALL_DEVICES;
    }
    if (hmn_sampler_open(ctx, &cfg, &s) != HMN_OK) {
        fprintf(stderr, "%s: sampler_open: %s\n", kind_name[k], hmn_errmsg(ctx));
        hmn_ctx_close(ctx);
        return -1;
    }
    for (i = 0; i < WARM + runs; i++) {
        double c0 = thread_cpu_ns(), w0 = (double)bench_now_ns(), w1, c1;
        if (hmn_sampler_sample(s) != HMN_OK)
            break;
        w1 = (double)bench_now_ns();
        c1 = thread_cpu_ns();
        if (i == 0 && r->nfirst < 64)
            r->first[r->nfirst++] = (c1 - c0) / 1e3;
        if (i >= WARM) {
            r->wall[r->n] = (w1 - w0) / 1e3;
            r->cpu[r->n] = (c1 - c0) / 1e3;
            r->n++;
        }
    }
    (void)hmn_sampler_latest(s, &info);
    (void)hmn_sampler_summary_get(s, &sum);
    r->devices = sum.device_count;
    r->processes = info.processes;
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
    return i == WARM + runs ? 0 : -1;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 50, rounds = argc > 2 ? atoi(argv[2]) : 5;
    const char *fake = getenv("HMN_BENCH_FAKE_NVML"), *sys = getenv("HMN_BENCH_DRM_SYS");
    struct result res[3][KINDS];
    char proc[3][300], scn[300], cmd[700];
    int si, k, round, have_nvml;
    if (runs < 1 || rounds < 1)
        return 2;
    if (!fake)
        fake = HMN_BENCH_FAKE_NVML_DEFAULT;
    if (!sys)
        sys = HMN_BENCH_DRM_SYS_DEFAULT;
    have_nvml = fake[0] && access(fake, R_OK) == 0;
    snprintf(tmp, sizeof(tmp), "/tmp/hmn-bench-sampler-XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    snprintf(scn, sizeof(scn), "%s/gpu.scn", tmp);
    for (si = 0; si < 3; si++) {
        snprintf(proc[si], sizeof(proc[si]), "%s/proc%d", tmp, sizes[si]);
        if (drm_fixture(proc[si], sizes[si]) != 0)
            return 1;
        for (k = 0; k < KINDS; k++) {
            res[si][k].wall = calloc((size_t)(runs * rounds), sizeof(double));
            res[si][k].cpu = calloc((size_t)(runs * rounds), sizeof(double));
            res[si][k].n = 0;
            res[si][k].nfirst = 0;
            if (!res[si][k].wall || !res[si][k].cpu)
                return 1;
        }
    }
    for (round = 0; round < rounds; round++) {
        for (si = 0; si < 3; si++) {
            set_kids(sizes[si]);
            if (nvml_scenario(scn, sizes[si]) != 0)
                return 1;
            for (k = 0; k < KINDS; k++) {
                if (k == REAL_NVML && !have_nvml)
                    continue;
                env_for((enum cfg_kind)k, fake, sys, proc[si], scn);
                if (measure((enum cfg_kind)k, runs, &res[si][k]) != 0)
                    fprintf(stderr, "%s/%d: a sample failed\n", kind_name[k], sizes[si]);
            }
        }
    }
    printf("machine processes in /proc: %d; %d rounds x %d samples per cell\n\n",
           count_processes(), rounds, runs);
    printf("| tree | configuration | devices | members | median wall us | median CPU us |"
           " CPU ratio to its no-GPU run | first sample CPU us |\n"
           "|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (si = 0; si < 3; si++) {
        static const int order[KINDS] = {REAL, REAL_NVML, DRM_OFF, DRM};
        double cpu[KINDS] = {0}, wall[KINDS] = {0};
        int j;
        for (k = 0; k < KINDS; k++) {
            if (res[si][k].n == 0)
                continue;
            wall[k] = bench_median(res[si][k].wall, res[si][k].n);
            cpu[k] = bench_median(res[si][k].cpu, res[si][k].n);
        }
        for (j = 0; j < KINDS; j++) {
            int base;
            k = order[j];
            if (res[si][k].n == 0)
                continue;
            base = k == REAL_NVML ? REAL : k == DRM ? DRM_OFF : k;
            printf("| %d | %s | %u | %u | %.1f | %.1f | %.2fx | %.1f |\n", sizes[si],
                   kind_name[k], res[si][k].devices, res[si][k].processes, wall[k], cpu[k],
                   cpu[base] > 0 ? cpu[k] / cpu[base] : 0.0,
                   bench_median(res[si][k].first, res[si][k].nfirst));
        }
        if (sizes[si] == 100) {
            printf("\nshare of one core at a 100 ms interval, 100 processes:\n");
            for (j = 0; j < KINDS; j++)
                if (cpu[order[j]] > 0)
                    printf("  %-10s %.3f %%\n", kind_name[order[j]], cpu[order[j]] / 1000.0);
        }
    }
    set_kids(0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    return 0;
}
