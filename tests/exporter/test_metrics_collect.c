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
#include <sys/stat.h>
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

static const struct mx_proc *row_of(const struct mx_snapshot *s, uint32_t pid)
{
    size_t i;
    for (i = 0; i < s->nprocs; i++)
        if (s->procs[i].pid == pid)
            return &s->procs[i];
    return NULL;
}

static const struct mx_account *account_of(const struct mx_snapshot *s, uint32_t gi)
{
    size_t i;
    for (i = 0; i < s->naccounts; i++)
        if (s->accounts[i].gpu_instance_id == gi)
            return &s->accounts[i];
    return NULL;
}

/* used - Σ rows, per GPU and per MIG instance; absent where the rows exceed used. */
static void unattributed_per_gpu_and_instance(void)
{
    struct mx_options o = {1, 1}; /* computed from every row, not only the kept one */
    struct mx_collector c;
    struct mx_snapshot s;
    hmn_ctx *ctx = open_on("mig.scn");
    CHECK(ctx != NULL);
    mx_collector_init(&c, ctx, &o);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK(s.nprocs == 1 && s.procs_omitted == 1);
    CHECK(account_of(&s, MX_NO_MIG) != NULL);
    CHECK_EQ_U64(account_of(&s, MX_NO_MIG)->unattributed_bytes, (11125 - 7990 - 3062) * MIB);
    CHECK(account_of(&s, 1) != NULL);
    CHECK_EQ_U64(account_of(&s, 1)->unattributed_bytes, (8000 - 7990) * MIB);
    CHECK(account_of(&s, 2) == NULL); /* 3062 MiB of rows in a 3052 MiB instance */
    mx_snapshot_free(&s);
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
    o.processes = 0; /* no listing, no remainder */
    ctx = open_on("mig.scn");
    mx_collector_init(&c, ctx, &o);
    CHECK(mx_collect(&c, &s) == 0);
    CHECK(s.naccounts == 0);
    mx_snapshot_free(&s);
    mx_collector_close(&c);
    hmn_ctx_close(ctx);
}

static int put(const char *dir, const char *file, const char *text)
{
    char path[1200];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static const char cg_pod[] =
    "0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
    "kubelet-kubepods-besteffort-pod1e597579_417e_482f_bf65_5fe170c3aebd.slice/"
    "cri-containerd-a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e.scope\n";
static const char cg_podman[] =
    "0::/user.slice/user-0.slice/user@0.service/machine.slice/"
    "libpod-cf21d19260ace8544fe8b769fc2638bf2c0873dfbfff0b6253f0569b26a1d5eb.scope/container\n";
static const char dev_line[] =
    "driver 535.104.05\nnvml 12.535.104.05\ncuda 12020\n"
    "device name=\"NVIDIA H100 80GB HBM3\" uuid=GPU-00000000-0000-0000-0000-000000000000 "
    "pci=00000000:00:09.0 pci_id=0x233010de total=81559MiB reserved=529MiB used=19818MiB\n";

/* Container and pod labels: read once, kept while the PID is listed under the same
 * name, read again when it is renamed (a reused PID), forgotten when it leaves. */
static void owners_cached_and_refreshed(void)
{
    struct mx_options o = {1, MX_DEFAULT_MAX_PROCESSES};
    struct mx_collector c;
    struct mx_snapshot s;
    char root[1024], pdir[1100], scn[1100], tmp[1200], text[1024];
    const struct mx_proc *r;
    const char *procfs = getenv("HMN_PROCFS");
    char saved[1024];
    hmn_ctx *ctx = NULL;
    snprintf(saved, sizeof(saved), "%s", procfs ? procfs : "");
    snprintf(root, sizeof(root), "%s/owners-%ld", getenv("HMN_TEST_WORK") ? getenv("HMN_TEST_WORK") : ".",
             (long)getpid());
    snprintf(pdir, sizeof(pdir), "%s/11327", root);
    snprintf(scn, sizeof(scn), "%s/owners.scn", root);
    CHECK(mkdir(root, 0755) == 0 && mkdir(pdir, 0755) == 0);
    CHECK(put(pdir, "comm", "memhog\n") == 0 && put(pdir, "cgroup", cg_pod) == 0);
    CHECK(put(pdir, "status", "Name:\tmemhog\nUid:\t0\t0\t0\t0\nNSpid:\t11327\n") == 0);
    snprintf(text, sizeof(text), "%sproc pid=11327 used=2566MiB kinds=compute\n", dev_line);
    CHECK(put(root, "owners.scn", text) == 0);
    setenv("HMN_PROCFS", root, 1);
    setenv("HMN_FAKE_NVML_RELOAD", "1", 1);
    setenv("HMN_FAKE_NVML_SCENARIO", scn, 1);
    setenv("HMN_NVML_LIBRARY", getenv("HMN_TEST_FAKE_NVML"), 1);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    mx_collector_init(&c, ctx, &o);

    CHECK(mx_collect(&c, &s) == 0 && (r = row_of(&s, 11327)) != NULL);
    CHECK(r->has_container && r->has_pod);
    CHECK_STR(r->container_id, "a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e");
    CHECK_STR(r->pod_uid, "1e597579-417e-482f-bf65-5fe170c3aebd");
    mx_snapshot_free(&s);

    /* the cgroup file changes, the process does not: the owner is not read again */
    CHECK(put(pdir, "cgroup", cg_podman) == 0);
    CHECK(mx_collect(&c, &s) == 0 && (r = row_of(&s, 11327)) != NULL);
    CHECK(r->has_pod);
    mx_snapshot_free(&s);

    /* another name under the same PID: a new process, its owner is read */
    CHECK(put(pdir, "comm", "python3\n") == 0);
    CHECK(mx_collect(&c, &s) == 0 && (r = row_of(&s, 11327)) != NULL);
    CHECK(r->has_container && !r->has_pod);
    CHECK_STR(r->container_id, "cf21d19260ace8544fe8b769fc2638bf2c0873dfbfff0b6253f0569b26a1d5eb");
    mx_snapshot_free(&s);

    /* gone from the list: forgotten; back with the old cgroup: read afresh */
    snprintf(tmp, sizeof(tmp), "%s/owners.scn.new", root);
    CHECK(put(root, "owners.scn.new", dev_line) == 0 && rename(tmp, scn) == 0);
    CHECK(mx_collect(&c, &s) == 0 && s.nprocs == 0 && c.nowners == 0);
    mx_snapshot_free(&s);
    CHECK(put(pdir, "cgroup", cg_pod) == 0);
    CHECK(put(root, "owners.scn.new", text) == 0 && rename(tmp, scn) == 0);
    CHECK(mx_collect(&c, &s) == 0 && (r = row_of(&s, 11327)) != NULL);
    CHECK(r->has_pod && c.nowners == 1);
    mx_snapshot_free(&s);

    mx_collector_close(&c);
    hmn_ctx_close(ctx);
    unsetenv("HMN_FAKE_NVML_RELOAD");
    setenv("HMN_PROCFS", saved, 1);
    snprintf(tmp, sizeof(tmp), "rm -rf '%s'", root);
    CHECK(system(tmp) == 0);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(h100_rows),
        TEST_ENTRY(unattributed_per_gpu_and_instance),
        TEST_ENTRY(owners_cached_and_refreshed),
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
