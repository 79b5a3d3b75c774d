/*
 * bench/bench_nvml_ctx.c - what a long-lived context saves: N snapshots on
 * one context against N NULL-context snapshots (each of which loads,
 * initialises and shuts NVML down around itself, as upstream does).
 *
 * Runs against the real libnvidia-ml (default search, HMN_NVML_LIBRARY unset)
 * or the fake one, which also counts nvmlInit / nvmlShutdown calls:
 *   HMN_NVML_LIBRARY=<build>/tests/nvml/fake-modern/libnvidia-ml.so.1
 *   HMN_FAKE_NVML_SCENARIO=tests/data/nvml/self.scn
 *   HMN_FAKE_NVML_COUNTS=<file>   (optional: without it the init counts read
 *                                  "n/a", and the fake does no file I/O per init)
 * Usage: bench_nvml_ctx [N [count]]   (N default 200)
 *
 * With "count", each step is hmn_device_count() instead of a snapshot and
 * failures are timed too: that mode runs against any library, e.g. the real
 * libnvidia-ml without a kernel driver (load + failing nvmlInit per one-shot
 * call), and needs no scenario.
 */
#include "hypomnesis.h"
#include "os/os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void counts_reset(const char *path)
{
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f)
        fclose(f);
}

static void counts_read(const char *path, unsigned long *init, unsigned long *shut)
{
    FILE *f = fopen(path, "r");
    *init = *shut = 0;
    if (f) {
        if (fscanf(f, "init %lu shutdown %lu", init, shut) != 2)
            *init = *shut = 0;
        fclose(f);
    }
}

/* Time n steps; ctx NULL means one temporary context per step. */
static int run(hmn_ctx *ctx, size_t n, uint64_t *ns, int count_only)
{
    size_t i;
    for (i = 0; i < n; i++) {
        hmn_snapshot s = HMN_SNAPSHOT_INIT;
        uint32_t devices;
        uint64_t t0 = hmn__now_ns();
        int rc = count_only ? hmn_device_count(ctx, &devices) : hmn_snapshot_now(ctx, 0, &s);
        ns[i] = hmn__now_ns() - t0;
        if (!count_only && (rc != HMN_OK || !(s.valid & HMN_SNAP_HAS_GPU))) {
            fprintf(stderr, "snapshot %zu failed: %d %s\n", i, rc, hmn_errmsg(ctx));
            return 1;
        }
    }
    qsort(ns, n, sizeof(*ns), cmp_u64);
    return 0;
}

static void report(const char *what, const uint64_t *ns, size_t n, const char *counts)
{
    unsigned long init, shut;
    char ib[24] = "n/a", sb[24] = "n/a";
    if (counts) {
        counts_read(counts, &init, &shut);
        snprintf(ib, sizeof(ib), "%lu", init);
        snprintf(sb, sizeof(sb), "%lu", shut);
    }
    printf("%-22s %6zu %8s %10s %12.1f %10.1f %10.1f\n", what, n, ib, sb,
           (double)ns[n / 2] / 1000.0, (double)ns[n / 10] / 1000.0,
           (double)ns[n - 1 - n / 10] / 1000.0);
}

int main(int argc, char **argv)
{
    const char *counts = hmn__getenv("HMN_FAKE_NVML_COUNTS");
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200;
    int count_only = argc > 2 && strcmp(argv[2], "count") == 0;
    uint64_t *ns;
    hmn_ctx *ctx = NULL;
    /* With the fake, a scenario is required; without HMN_NVML_LIBRARY the
     * default search loads the real driver's library (hardware validation). */
    if (hmn__getenv("HMN_NVML_LIBRARY") && !count_only &&
        strstr(hmn__getenv("HMN_NVML_LIBRARY"), "fake") && !hmn__getenv("HMN_FAKE_NVML_SCENARIO")) {
        fprintf(stderr, "the fake libnvidia-ml needs HMN_FAKE_NVML_SCENARIO\n");
        return 2;
    }
    if (n < 10)
        n = 10;
    ns = calloc(n, sizeof(*ns));
    if (!ns)
        return 1;
    printf("%-22s %6s %8s %10s %12s %10s %10s\n", "mode", "N", "inits", "shutdowns",
           "median_us", "p10_us", "p90_us");

    counts_reset(counts);
    if (hmn_ctx_open(&ctx) != HMN_OK || run(ctx, n, ns, count_only) != 0)
        return 1;
    hmn_ctx_close(ctx);
    report(count_only ? "one context (count)" : "one context", ns, n, counts);

    counts_reset(counts);
    if (run(NULL, n, ns, count_only) != 0)
        return 1;
    report(count_only ? "NULL context (count)" : "NULL context per call", ns, n, counts);
    free(ns);
    return 0;
}
