/*
 * tests/exporter/test_metrics_collect.c - the exporter's collector against
 * the fake libnvidia-ml: process rows and their selection, failed queries
 * counted and charged to their source, and a context re-opened when the
 * GPUs could not be enumerated (a driver that appears after start).
 *
 * Environment (tests/exporter/CMakeLists.txt): HMN_NVML_DATA (the
 * scenarios), HMN_TEST_FAKE_NVML (the fake library), HMN_TEST_WORK.
 */
#include "harness.h"

#include "metrics.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024ull * 1024ull)

static const char *data_dir(void)
{
    const char *d = getenv("HMN_NVML_DATA");
    return d ? d : ".";
}

/* Open a context on a scenario of the fake (the fake reads it at nvmlInit). */
static hmn_ctx *open_on(const char *scenario)
{
    char path[1024];
    hmn_ctx *ctx = NULL;
    snprintf(path, sizeof(path), "%s/%s", data_dir(), scenario);
    setenv("HMN_FAKE_NVML_SCENARIO", path, 1);
    setenv("HMN_NVML_LIBRARY", getenv("HMN_TEST_FAKE_NVML"), 1);
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    return ctx;
}

static const struct mx_source *source(const struct mx_snapshot *s, uint32_t src)
{
    size_t i;
    for (i = 0; i < s->nsources; i++)
        if (s->sources[i].source == src)
            return &s->sources[i];
    return NULL;
}

static void h100_rows(void)
{
    struct mx_options o = {1, MX_DEFAULT_MAX_PROCESSES};
    struct mx_collector c;
    struct mx_snapshot s;
    hmn_ctx *ctx = open_on("h100-3procs.scn");
    CHECK(ctx != NULL);
    mx_collector_init(&c, ctx, &o);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK(s.up == 1 && s.ngpus == 1 && s.nprocs == 3);
    CHECK(s.processes == 1 && s.procs_omitted == 0);
    CHECK(s.procs[0].pid == 11327 && s.procs[0].bytes == 2566 * MIB);
    CHECK(s.procs[1].pid == 11328 && s.procs[1].bytes == 1542 * MIB);
    CHECK(s.procs[2].pid == 11345 && s.procs[2].bytes == 15690 * MIB);
    CHECK(s.procs[0].gpu_instance_id == MX_NO_MIG);
    CHECK(source(&s, HMN_SOURCE_NVML) && source(&s, HMN_SOURCE_NVML)->success == 1);
    CHECK(s.errors_total == 0 && s.duration_seconds >= 0);
    mx_snapshot_free(&s);
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
}

static void processes_off_lists_none(void)
{
    struct mx_options o = {0, MX_DEFAULT_MAX_PROCESSES};
    struct mx_collector c;
    struct mx_snapshot s;
    hmn_ctx *ctx = open_on("h100-3procs.scn");
    CHECK(ctx != NULL);
    mx_collector_init(&c, ctx, &o);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK(s.ngpus == 1 && s.nprocs == 0 && s.processes == 0);
    mx_snapshot_free(&s);
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
}

static void max_processes_keeps_n(void)
{
    struct mx_options o = {1, 10};
    struct mx_collector c;
    struct mx_snapshot s;
    hmn_ctx *ctx = open_on("many.scn");
    CHECK(ctx != NULL);
    mx_collector_init(&c, ctx, &o);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK_EQ_U64(s.nprocs, 10);
    CHECK_EQ_U64(s.procs_omitted, 90);
    /* all 64 MiB: ties go to the lowest PIDs, 20000.. */
    CHECK(s.procs[0].pid == 20000 && s.procs[9].pid == 20009);
    mx_snapshot_free(&s);
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
}

/* A device the container may not open: counted as failed queries, NVML marked failing. */
static void failures_are_counted(void)
{
    struct mx_options o = {1, MX_DEFAULT_MAX_PROCESSES};
    struct mx_collector c;
    struct mx_snapshot s;
    hmn_ctx *ctx = open_on("denied.scn");
    CHECK(ctx != NULL);
    mx_collector_init(&c, ctx, &o);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK(s.up == 1 && s.ngpus == 1 && s.gpus[0].index == 0);
    /* device 1 answers neither its information nor its processes */
    CHECK_EQ_U64(s.errors_total, 2);
    mx_snapshot_free(&s);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK_EQ_U64(s.errors_total, 4); /* a counter: it only grows */
    mx_snapshot_free(&s);
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
}

static int copy_file(const char *from, const char *to)
{
    char buf[65536];
    size_t n;
    int ok = 1;
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    if (!in || !out) {
        if (in)
            fclose(in);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        ok &= fwrite(buf, 1, n, out) == n;
    fclose(in);
    ok &= fclose(out) == 0;
    return ok ? 0 : -1;
}

/* The driver library appears after start: a fresh context picks it up. */
static void reopens_after_enumeration_failed(void)
{
    struct mx_options o = {0, MX_DEFAULT_MAX_PROCESSES};
    struct mx_collector c;
    struct mx_snapshot s;
    char lib[1024], scn[1024];
    hmn_ctx *ctx = NULL;
    const char *work = getenv("HMN_TEST_WORK");
    snprintf(lib, sizeof(lib), "%s/late-driver-%ld.so.1", work ? work : ".", (long)getpid());
    snprintf(scn, sizeof(scn), "%s/h100-3procs.scn", data_dir());
    unlink(lib);
    setenv("HMN_NVML_LIBRARY", lib, 1);
    setenv("HMN_FAKE_NVML_SCENARIO", scn, 1);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    mx_collector_init(&c, ctx, &o);
    c.reopen_ms = 0; /* at once, instead of after 30 s */
    CHECK(mx_collect(&c, &s) == 0);
    CHECK(s.up == 0 && s.ngpus == 0);
    CHECK(source(&s, HMN_SOURCE_NVML) && source(&s, HMN_SOURCE_NVML)->success == 0);
    mx_snapshot_free(&s);
    CHECK(copy_file(getenv("HMN_TEST_FAKE_NVML"), lib) == 0);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK(s.up == 1 && s.ngpus == 1);
    CHECK(source(&s, HMN_SOURCE_NVML) && source(&s, HMN_SOURCE_NVML)->success == 1);
    CHECK(c.owned != NULL && c.ctx == c.owned);
    CHECK_EQ_U64(s.errors_total, 1); /* the one failed enumeration */
    mx_snapshot_free(&s);
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
    unlink(lib);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(h100_rows),
        TEST_ENTRY(processes_off_lists_none),
        TEST_ENTRY(max_processes_keeps_n),
        TEST_ENTRY(failures_are_counted),
        TEST_ENTRY(reopens_after_enumeration_failed),
    };
    if (!getenv("HMN_TEST_FAKE_NVML")) {
        puts("skipped: HMN_TEST_FAKE_NVML not set");
        return 77;
    }
    return RUN_TESTS(tests);
}
