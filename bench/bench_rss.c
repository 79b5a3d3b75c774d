/*
 * bench/bench_rss.c - cost of one RSS reading, median ns per call over
 * RUNS runs of ITER calls, all in one process and one run:
 *   ctx        hmn_process_rss on a long-lived context (statm fd kept, pread)
 *   null-ctx   hmn_process_rss(NULL, ...) (one-shot: opens and closes statm)
 *   floor      a bare pread of /proc/self/statm on a kept-open fd + parse
 *   status     open+read+close of /proc/self/status + VmRSS scan (upstream's method)
 * Usage: bench_rss [ITER] [RUNS]
 */
#define _GNU_SOURCE 1
#include "bench_common.h"

#include <hypomnesis.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile uint64_t sink;

static void floor_read(int fd)
{
    char buf[256];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    char *sp;
    if (n <= 0)
        return;
    buf[n] = '\0';
    sp = strchr(buf, ' ');
    sink = sp ? strtoull(sp + 1, NULL, 10) * 4096u : 0;
}

static void status_read(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n;
    char *p;
    if (fd < 0)
        return;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    p = strstr(buf, "\nVmRSS:");
    sink = p ? strtoull(p + 7, NULL, 10) * 1024u : 0;
}

enum { M_CTX, M_NULL, M_FLOOR, M_STATUS, M_COUNT };
static const char *const names[M_COUNT] = {"hmn_process_rss(ctx)", "hmn_process_rss(NULL)",
                                           "floor: pread statm", "status: open+read+scan"};

static double run_once(int method, hmn_ctx *ctx, int fd, long iter)
{
    uint64_t t0 = bench_now_ns(), v = 0;
    long i;
    for (i = 0; i < iter; i++) {
        switch (method) {
        case M_CTX:
            hmn_process_rss(ctx, &v);
            sink = v;
            break;
        case M_NULL:
            hmn_process_rss(NULL, &v);
            sink = v;
            break;
        case M_FLOOR:
            floor_read(fd);
            break;
        default:
            status_read();
        }
    }
    return (double)(bench_now_ns() - t0) / (double)iter;
}

int main(int argc, char **argv)
{
    long iter = argc > 1 ? atol(argv[1]) : 20000;
    int runs = argc > 2 ? atoi(argv[2]) : 7, m, r;
    double samples[M_COUNT][64], med[M_COUNT];
    hmn_ctx *ctx = NULL;
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (runs < 1 || runs > 64 || iter < 1 || fd < 0 || hmn_ctx_open(&ctx) != HMN_OK) {
        fprintf(stderr, "usage: bench_rss [ITER] [RUNS<=64]\n");
        return 2;
    }
    /* Interleave methods run by run so drift hits all of them alike. */
    for (r = 0; r < runs; r++)
        for (m = 0; m < M_COUNT; m++)
            samples[m][r] = run_once(m, ctx, fd, iter);
    printf("| method | median ns/call | ratio to floor |\n|---|---:|---:|\n");
    for (m = 0; m < M_COUNT; m++)
        med[m] = bench_median(samples[m], (size_t)runs);
    for (m = 0; m < M_COUNT; m++)
        printf("| %s | %.0f | %.2fx |\n", names[m], med[m], med[m] / med[M_FLOOR]);
    printf("(%ld calls x %d runs each)\n", iter, runs);
    hmn_ctx_close(ctx);
    close(fd);
    return 0;
}
