/*
 * bench/bench_scrape.c - the exporter on 8 GPUs x 200 processes (the fake
 * libnvidia-ml, a generated scenario and /proc of 1,600 named processes):
 *
 * The /proc tree has what the library reads per row: comm, and status with
 * its NSpid line (the PID mapping), plus self/status.
 *
 *  1. render alone: mx_render() of one collected snapshot (CPU time, medians of runs);
 *  2. one collection (mx_collect: device info, process lists, sources; CPU time);
 *  3. scrape latency from the cache: a C client over loopback against a real
 *     `hmn serve --processes --max-processes 2000`, a new connection per
 *     request (HTTP/1.0, what curl does) and one kept-alive connection
 *     (HTTP/1.1, what Prometheus does); median, p90, p99 of N requests.
 *
 *   bench_scrape HMN FAKE_NVML [requests]     (default 2000)
 *
 * Results and the command line go to docs/performance.md.
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_common.h"
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GPUS 8
#define PROCS_PER_GPU 200

extern char **environ;
static char root[512];

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* The scenario (8 x 200) and a /proc with a comm for each of the 1,600 PIDs. */
static int make_tree(char *scn, size_t cap)
{
    char p[700], line[128];
    FILE *f;
    int g, i, rc = 0;
    snprintf(p, sizeof(p), "%s/proc", root);
    rc |= mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/proc/self", root); /* hmn's own PID namespace depth */
    rc |= mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/proc/self/status", root);
    snprintf(line, sizeof(line), "Name:\tbench_scrape\nNSpid:\t%ld\n", (long)getpid());
    rc |= write_file(p, line);
    snprintf(scn, cap, "%s/8gpu-200procs.scn", root);
    f = fopen(scn, "w");
    if (!f)
        return -1;
    fputs("driver 535.104.05\nnvml 12.535.104.05\ncuda 12020\n", f);
    for (g = 0; g < GPUS; g++) {
        fprintf(f,
                "device name=\"NVIDIA H100 80GB HBM3\" uuid=GPU-%08d-0000-0000-0000-000000000000 "
                "pci=0000:%02x:00.0 pci_id=0x233010de total=81559MiB reserved=529MiB "
                "used=40000MiB\n",
                g, 0x10 + g);
        fprintf(f, "procs pid=%d count=%d used=150MiB kinds=compute\n", 10000 + g * 1000,
                PROCS_PER_GPU);
        for (i = 0; i < PROCS_PER_GPU; i++) {
            snprintf(p, sizeof(p), "%s/proc/%d", root, 10000 + g * 1000 + i);
            rc |= mkdir(p, 0755);
            snprintf(p, sizeof(p), "%s/proc/%d/comm", root, 10000 + g * 1000 + i);
            rc |= write_file(p, i % 2 ? "python3\n" : "torchrun\n");
            /* as the kernel writes it: hmn maps the driver's PID through NSpid */
            snprintf(p, sizeof(p), "%s/proc/%d/status", root, 10000 + g * 1000 + i);
            snprintf(line, sizeof(line), "Name:\t%s\nTgid:\t%d\nNSpid:\t%d\n",
                     i % 2 ? "python3" : "torchrun", 10000 + g * 1000 + i, 10000 + g * 1000 + i);
            rc |= write_file(p, line);
        }
    }
    return (fclose(f) | rc) ? -1 : 0;
}

static void remove_tree(const char *path)
{
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

/* CPU time of this process in ns: the machine is shared, wall time is not what a sample costs. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double render_and_collect(double *collect_ms, size_t *bytes, int runs)
{
    struct mx_options o = {1, 2000};
    struct mx_collector c;
    struct mx_snapshot s;
    double r[64], k[64];
    hmn_ctx *ctx = NULL;
    int i;
    if (runs > 64)
        runs = 64;
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return -1;
    mx_collector_init(&c, ctx, &o);
    for (i = 0; i < runs; i++) {
        uint64_t t0 = cpu_ns();
        if (mx_collect(&c, &s) != 0 || s.nprocs != GPUS * PROCS_PER_GPU) {
            fprintf(stderr, "collection failed or short (%zu rows)\n", s.nprocs);
            hmn_ctx_close(ctx);
            return -1;
        }
        k[i] = (double)(cpu_ns() - t0) / 1e6;
        {
            struct mx_buf b = {0};
            t0 = cpu_ns();
            mx_render(&s, &b);
            r[i] = (double)(cpu_ns() - t0) / 1e6;
            *bytes = b.len;
            mx_buf_free(&b);
        }
        mx_snapshot_free(&s);
    }
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
    *collect_ms = bench_median(k, (size_t)runs);
    return bench_median(r, (size_t)runs);
}

/* ---------------------------------------------------------------- the server */

static pid_t server;
static int port;

static int start_server(const char *hmn)
{
    /* posix_spawn takes char *const[]: writable copies, not string literals */
    static char a1[] = "serve", a2[] = "--listen", a3[] = "127.0.0.1:0", a4[] = "--processes",
                a5[] = "--max-processes", a6[] = "2000";
    char path[600], *argv[8];
    posix_spawn_file_actions_t fa;
    int pipefd[2], rc;
    char buf[512];
    size_t n = 0;
    snprintf(path, sizeof(path), "%s", hmn);
    argv[0] = path, argv[1] = a1, argv[2] = a2, argv[3] = a3, argv[4] = a4, argv[5] = a5;
    argv[6] = a6, argv[7] = NULL;
    if (pipe(pipefd) != 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    rc = posix_spawn(&server, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0)
        return -1;
    while (n < sizeof(buf) - 1) { /* "hmn: serving http://127.0.0.1:PORT/metrics ..." */
        ssize_t r = read(pipefd[0], buf + n, sizeof(buf) - 1 - n);
        char *at;
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = '\0';
        if ((at = strstr(buf, "127.0.0.1:")) != NULL && strchr(at, '/')) {
            port = atoi(at + 10);
            break;
        }
    }
    close(pipefd[0]); /* later stderr lines go nowhere; hmn ignores SIGPIPE */
    return port > 0 ? 0 : -1;
}

static void stop_server(void)
{
    int st;
    if (server > 0) {
        kill(server, SIGTERM);
        waitpid(server, &st, 0);
    }
}

static int connect_local(void)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static char rbuf[1 << 21];

/* One HTTP/1.0 request on a new connection, read to the close; bytes or -1. */
static long scrape_new(const char *path)
{
    char req[96];
    long n = 0;
    ssize_t r;
    int fd = connect_local();
    if (fd < 0)
        return -1;
    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: b\r\n\r\n", path);
    if (write(fd, req, strlen(req)) < 0) {
        close(fd);
        return -1;
    }
    while ((r = read(fd, rbuf + n, sizeof(rbuf) - 1 - (size_t)n)) > 0)
        n += r;
    close(fd);
    rbuf[n] = '\0';
    return strncmp(rbuf, "HTTP/1.1 200", 12) == 0 ? n : -1;
}

/* One HTTP/1.1 request on a kept connection, read by Content-Length; bytes or -1. */
static long scrape_keep(int fd)
{
    static const char req[] = "GET /metrics HTTP/1.1\r\nHost: b\r\n\r\n";
    long n = 0, want = -1;
    char *hdr_end, *cl;
    if (write(fd, req, sizeof(req) - 1) < 0)
        return -1;
    for (;;) {
        ssize_t r = read(fd, rbuf + n, sizeof(rbuf) - 1 - (size_t)n);
        if (r <= 0)
            return -1;
        n += r;
        rbuf[n] = '\0';
        if (want < 0 && (hdr_end = strstr(rbuf, "\r\n\r\n")) != NULL) {
            cl = strstr(rbuf, "Content-Length: ");
            if (!cl || cl > hdr_end)
                return -1;
            want = (hdr_end + 4 - rbuf) + atol(cl + 16);
        }
        if (want >= 0 && n >= want)
            return n;
    }
}

static void report(const char *what, double *ms, size_t n)
{
    double med = bench_median(ms, n); /* sorts */
    printf("%-34s %9.3f %9.3f %9.3f  (%zu requests)\n", what, med, ms[n * 9 / 10], ms[n * 99 / 100],
           n);
}

int main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    char scn[700], env[700];
    double render_ms, collect_ms, *lat;
    size_t bytes = 0, i, n;
    int fd;
    if (argc < 3) {
        fprintf(stderr, "usage: %s HMN FAKE_NVML [requests]\n", argv[0]);
        return 2;
    }
    n = argc > 3 ? (size_t)atol(argv[3]) : 2000;
    if (n < 10 || n > 1000000)
        n = 2000;
    lat = malloc(n * sizeof(*lat));
    snprintf(root, sizeof(root), "%s/hmn-bench-scrape-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!lat || !mkdtemp(root) || make_tree(scn, sizeof(scn)) != 0) {
        fprintf(stderr, "cannot create the scenario under %s\n", root);
        return 1;
    }
    setenv("HMN_NVML_LIBRARY", argv[2], 1);
    setenv("HMN_FAKE_NVML_SCENARIO", scn, 1);
    snprintf(env, sizeof(env), "%s/proc", root);
    setenv("HMN_PROCFS", env, 1);
    setenv("HMN_SYSFS", "/nonexistent/sys", 1);
    setenv("HMN_NVIDIA_SMI", "/nonexistent/nvidia-smi", 1);

    render_ms = render_and_collect(&collect_ms, &bytes, 41);
    if (render_ms < 0) {
        remove_tree(root);
        return 1;
    }
    printf("8 GPUs x 200 processes: %zu bytes of exposition, %d series of processes\n", bytes,
           GPUS * PROCS_PER_GPU);
    printf("%-34s %9s %9s %9s\n", "", "median ms", "p90 ms", "p99 ms");
    printf("%-34s %9.3f  (CPU time)\n", "render alone (mx_render)", render_ms);
    printf("%-34s %9.3f  (CPU time)\n", "one collection (mx_collect)", collect_ms);

    if (start_server(argv[1]) != 0) {
        fprintf(stderr, "hmn serve did not start\n");
        stop_server();
        remove_tree(root);
        return 1;
    }
    for (i = 0; i < 200 && scrape_new("/-/ready") < 0; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL); /* until the first sample is in */
    }
    for (i = 0; i < 50; i++)
        scrape_new("/metrics"); /* warm up */
    for (i = 0; i < n; i++) {
        uint64_t t0 = bench_now_ns();
        if (scrape_new("/metrics") < (long)bytes) {
            fprintf(stderr, "scrape %zu failed\n", i);
            break;
        }
        lat[i] = (double)(bench_now_ns() - t0) / 1e6;
    }
    if (i == n)
        report("scrape, new connection (HTTP/1.0)", lat, n);
    fd = connect_local();
    for (i = 0; fd >= 0 && i < n; i++) {
        uint64_t t0 = bench_now_ns();
        if (scrape_keep(fd) < (long)bytes) {
            fprintf(stderr, "kept-alive scrape %zu failed\n", i);
            break;
        }
        lat[i] = (double)(bench_now_ns() - t0) / 1e6;
    }
    if (fd >= 0 && i == n)
        report("scrape, kept-alive (HTTP/1.1)", lat, n);
    if (fd >= 0)
        close(fd);
    stop_server();
    remove_tree(root);
    free(lat);
    return 0;
}
