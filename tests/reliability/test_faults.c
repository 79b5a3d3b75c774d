/*
 * tests/reliability/test_faults.c - fault injection through the fakes.
 *
 * nvml_fault_matrix: every NVML entry point the backend calls fails with
 * every relevant error code - on every call, on the first call only, on the
 * second only - and every public query is made.  Each answer must be a clear
 * error (negative code, non-empty hmn_errmsg) or a figure that is exactly
 * the scenario's truth with its valid bit set; a figure that could not be
 * measured must keep its bit clear (never 0, never a guess).  Each run must
 * finish within a bound (INSUFFICIENT_SIZE forever must not loop forever).
 * No descriptor may leak across the whole matrix (the ASan stage checks
 * memory).  The backend owners' tests (tests/nvml, tests/smi) check exact
 * messages for single faults; this is the exhaustive sweep.
 *
 * smi_failures_leave_nothing_behind: the fake nvidia-smi hangs, dies by a
 * signal, prints garbage, truncates, floods 64 MiB, floods forever and
 * floods gigabytes; every call ends within the timeout plus a margin, and
 * afterwards no descriptor is open and no child is left (killed and reaped).
 */
#include "harness.h"
#include "hypomnesis.h"
#include "rel_util.h"

#include <inttypes.h>

#define MIB (1024ull * 1024ull)
#define RUN_BOUND_MS 3000u

static const char *data_dir(void)
{
    const char *d = getenv("HMN_REL_DATA");
    return d ? d : ".";
}
static const char *work_dir(void)
{
    const char *d = getenv("HMN_REL_WORK");
    return d ? d : ".";
}

/* ---------------------------------------------------------------- the truth */
/* tests/data/nvml/h100-3procs.scn */
static const uint32_t T_PID[3] = {11327, 11328, 11345};
static const uint64_t T_USED[3] = {2566 * MIB, 1542 * MIB, 15690 * MIB};
#define T_TOTAL (81559 * MIB)
#define T_RESERVED (529 * MIB)
#define T_USED_V2 (19818 * MIB)
#define T_USED_V1 ((19818 + 529) * MIB)
#define T_FREE ((81559 - 529 - 19818) * MIB)

struct run {
    char what[160];
    int bad_line;
};

#define RCHECK(r, cond)                                                                        \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: [%s] %s\n", __FILE__, __LINE__, (r)->what, #cond);        \
            (r)->bad_line = __LINE__;                                                          \
            return;                                                                            \
        }                                                                                      \
    } while (0)

/* A negative code of the error table (hmn_err_name knows it). */
static int known_failure(int rc)
{
    return rc < 0 && strcmp(hmn_err_name(rc), "HMN_EUNKNOWN") != 0;
}

static void honest_failure(struct run *r, hmn_ctx *ctx, int rc)
{
    RCHECK(r, known_failure(rc));
    RCHECK(r, hmn_errmsg(ctx)[0] != '\0');
}

/* Every figure with its bit set is the truth; the rest stays unclaimed. */
static void honest_device(struct run *r, const hmn_gpu_device_info *d)
{
    uint64_t v = d->valid;
    RCHECK(r, d->source == HMN_SOURCE_NVML);
    RCHECK(r, !(v & HMN_DEV_HAS_NAME) || strcmp(d->name, "NVIDIA H100 80GB HBM3") == 0);
    RCHECK(r, !(v & HMN_DEV_HAS_TOTAL) || d->total_bytes == T_TOTAL);
    RCHECK(r, !(v & HMN_DEV_HAS_FREE) || d->free_bytes == T_FREE);
    RCHECK(r, !(v & HMN_DEV_HAS_RESERVED) || d->reserved_bytes == T_RESERVED);
    RCHECK(r, !(v & HMN_DEV_HAS_USED) ||
                  d->used_bytes == ((v & HMN_DEV_HAS_RESERVED) ? T_USED_V2 : T_USED_V1));
    RCHECK(r, !(v & HMN_DEV_HAS_PCI_BUS_ID) || strcmp(d->pci_bus_id, "0000:00:09.0") == 0);
    RCHECK(r, !(v & HMN_DEV_HAS_UUID) ||
                  strcmp(d->uuid, "GPU-00000000-0000-0000-0000-000000000000") == 0);
    RCHECK(r, !(v & HMN_DEV_HAS_DRIVER_VERSION) || strcmp(d->driver_version, "590.48.01") == 0);
    RCHECK(r, !(v & HMN_DEV_HAS_CUDA_DRIVER_VERSION) || d->cuda_driver_version == 13010);
    RCHECK(r, !(v & HMN_DEV_HAS_MIG_MODE) || d->mig_mode == 0);
}

static void honest_list(struct run *r, const hmn_process_list *l)
{
    size_t i, k, n = hmn_process_list_count(l);
    RCHECK(r, n <= 3);
    for (i = 0; i < n; i++) {
        hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
        RCHECK(r, hmn_process_list_get(l, i, &p) == HMN_OK);
        for (k = 0; k < 3 && T_PID[k] != p.pid && T_PID[k] != p.host_pid; k++)
            ;
        RCHECK(r, k < 3);
        RCHECK(r, !(p.valid & HMN_PROC_HAS_USED) || p.used_bytes == T_USED[k]);
    }
}

static void query_count_info(struct run *r, hmn_ctx *ctx)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    uint32_t n = 77;
    int rc = hmn_device_count(ctx, &n);
    if (rc != HMN_OK) {
        honest_failure(r, ctx, rc);
        return;
    }
    RCHECK(r, n == 1);
    rc = hmn_device_info(ctx, 0, &d);
    if (rc != HMN_OK)
        honest_failure(r, ctx, rc);
    else
        honest_device(r, &d);
}

static void query_processes(struct run *r, hmn_ctx *ctx)
{
    hmn_process_list *l = NULL;
    hmn_process_gpu g = HMN_PROCESS_GPU_INIT;
    int rc = hmn_gpu_processes(ctx, 0, &l);
    if (rc != HMN_OK) {
        RCHECK(r, l == NULL);
        honest_failure(r, ctx, rc);
    } else {
        honest_list(r, l);
        hmn_process_list_free(l);
    }
    if (r->bad_line)
        return;
    /* We are not in the scenario: only the device-wide fallback may answer. */
    rc = hmn_process_gpu_info(ctx, 0, &g);
    if (rc != HMN_OK) {
        honest_failure(r, ctx, rc);
        return;
    }
    RCHECK(r, !(g.valid & HMN_PGPU_HAS_USED) ||
                  (g.is_per_process == 0 &&
                   (g.used_bytes == T_USED_V2 || g.used_bytes == T_USED_V1)));
}

static void query_snapshot_report(struct run *r, hmn_ctx *ctx)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    hmn_source_report rep = HMN_SOURCE_REPORT_INIT;
    hmn_mig_info m = HMN_MIG_INFO_INIT;
    size_t i;
    int rc;
    /* RAM is mandatory and GPU best-effort: a GPU fault never fails a snapshot. */
    RCHECK(r, hmn_snapshot_now(ctx, 0, &s) == HMN_OK && s.ram_bytes > 0);
    if (s.valid & HMN_SNAP_HAS_GPU_DEVICE)
        honest_device(r, &s.gpu_device);
    if (r->bad_line)
        return;
    for (i = 0; i < 16 && hmn_source_report_get(ctx, i, &rep) == HMN_OK; i++)
        if (rep.source == HMN_SOURCE_NVML && rep.state == HMN_SOURCE_UNAVAILABLE)
            RCHECK(r, rep.reason[0] != '\0');
    RCHECK(r, i < 16);
    rc = hmn_mig_instance(ctx, 0, 0, &m); /* MIG is off: never an instance */
    RCHECK(r, known_failure(rc));
}

static void one_run(struct run *r, const char *scn)
{
    hmn_ctx *ctx = NULL;
    uint64_t t0 = rel_now_ms(), ms;
    t_setenv("HMN_FAKE_NVML_SCENARIO", scn);
    RCHECK(r, hmn_ctx_open(&ctx) == HMN_OK);
    query_count_info(r, ctx);
    if (!r->bad_line)
        query_processes(r, ctx);
    if (!r->bad_line)
        query_snapshot_report(r, ctx);
    hmn_ctx_close(ctx);
    /* A one-shot call too: the NULL-context path loads and unloads per call. */
    if (!r->bad_line) {
        uint32_t n;
        int rc = hmn_device_count(NULL, &n);
        RCHECK(r, rc == HMN_OK ? n == 1 : hmn_errmsg(NULL)[0] != '\0');
    }
    ms = rel_now_ms() - t0;
    RCHECK(r, ms < RUN_BOUND_MS);
}

static const char *const ENTRIES[] = {
    "nvmlInit",
    "nvmlSystemGetDriverVersion",
    "nvmlSystemGetNVMLVersion",
    "nvmlSystemGetCudaDriverVersion",
    "nvmlDeviceGetCount",
    "nvmlDeviceGetHandleByIndex",
    "nvmlDeviceGetName",
    "nvmlDeviceGetUUID",
    "nvmlDeviceGetPciInfo",
    "nvmlDeviceGetMemoryInfo",
    "nvmlDeviceGetMemoryInfo_v2",
    "nvmlDeviceGetComputeRunningProcesses",
    "nvmlDeviceGetGraphicsRunningProcesses",
    "nvmlDeviceGetMPSComputeRunningProcesses",
    "nvmlDeviceGetRunningProcessDetailList",
    "nvmlDeviceGetConfComputeMemSizeInfo",
    "nvmlDeviceGetMigMode",
    "nvmlDeviceGetMaxMigDeviceCount",
    "nvmlDeviceGetMigDeviceHandleByIndex",
    "nvmlDeviceGetGpuInstanceId",
    "nvmlDeviceGetComputeInstanceId",
    "nvmlShutdown",
};

/* Uninitialized, invalid argument, not supported, no permission, not found,
 * insufficient size, driver not loaded, timeout, IRQ, library not found,
 * function not found, GPU lost, reset required, OS error, version mismatch,
 * memory, argument version mismatch, unknown, and a code no driver has. */
static const int CODES[] = {1, 2, 3, 4, 6, 7, 9, 10, 11, 12, 13, 15, 16, 17, 18, 20, 25, 999, 12345};
static const int NTH[] = {0, 1, 2};

static void nvml_fault_matrix(void)
{
    char base[700], scn[700], extra[200];
    size_t e, c, k;
    int runs = 0, bad = 0, fds0;
    uint64_t t0 = rel_now_ms();
    snprintf(base, sizeof(base), "%s/nvml/h100-3procs.scn", data_dir());
    snprintf(scn, sizeof(scn), "%s/rel-fault-%s.scn", work_dir(), getenv("HMN_REL_VARIANT"));
    /* Warm-up, so lazily opened descriptors do not count as leaks. */
    CHECK(t_concat(scn, base, "") == 0);
    {
        struct run r0;
        memset(&r0, 0, sizeof(r0));
        snprintf(r0.what, sizeof(r0.what), "no fault");
        one_run(&r0, scn);
        CHECK(r0.bad_line == 0);
    }
    fds0 = rel_fd_count();
    for (e = 0; e < sizeof(ENTRIES) / sizeof(ENTRIES[0]); e++)
        for (c = 0; c < sizeof(CODES) / sizeof(CODES[0]); c++)
            for (k = 0; k < sizeof(NTH) / sizeof(NTH[0]); k++) {
                struct run r;
                memset(&r, 0, sizeof(r));
                snprintf(extra, sizeof(extra), "fault %s %d nth=%d\n", ENTRIES[e], CODES[c],
                         NTH[k]);
                snprintf(r.what, sizeof(r.what), "fault %s %d nth=%d", ENTRIES[e], CODES[c],
                         NTH[k]);
                CHECK(t_concat(scn, base, extra) == 0);
                one_run(&r, scn);
                bad += r.bad_line != 0;
                runs++;
            }
    printf("     %d fault runs in %" PRIu64 " ms, %d dishonest\n", runs, rel_now_ms() - t0, bad);
    CHECK(bad == 0);
    CHECK(rel_fd_count() == fds0);
    remove(scn);
}

/* Sentinels and garbage everywhere at once: no figure may come out of them. */
static void nvml_sentinels_everywhere(void)
{
    char scn[700];
    hmn_ctx *ctx = NULL;
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_process_list *l = NULL;
    size_t i;
    snprintf(scn, sizeof(scn), "%s/rel-sentinel-%s.scn", work_dir(), getenv("HMN_REL_VARIANT"));
    CHECK(t_write(scn, "driver \"\"\nnvml \"\"\ncuda 0\n"
                         "device name=\"\" uuid=\"\" total=80GiB reserved=na used=na free=na\n"
                         "proc pid=0 used=na\nproc pid=4294967295 used=na\n"
                         "proc pid=77 used=0xFFFFFFFFFFFFFFFE\nproc pid=78 used=na kinds=\n") == 0);
    t_setenv("HMN_FAKE_NVML_SCENARIO", scn);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    if (hmn_device_info(ctx, 0, &d) == HMN_OK) {
        /* Device memory consistency: see nvml_device_memory_sentinel. */
        CHECK(!(d.valid & HMN_DEV_HAS_NAME) || d.name[0] != '\0');
        CHECK(!(d.valid & HMN_DEV_HAS_DRIVER_VERSION) || d.driver_version[0] != '\0');
    }
    if (hmn_gpu_processes(ctx, 0, &l) == HMN_OK) {
        for (i = 0; i < hmn_process_list_count(l); i++) {
            hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
            CHECK(hmn_process_list_get(l, i, &p) == HMN_OK);
            CHECK(!(p.valid & HMN_PROC_HAS_USED) || p.used_bytes < UINT64_MAX - 1);
        }
        hmn_process_list_free(l);
    }
    hmn_ctx_close(ctx);
    remove(scn);
}

/* Processes appearing between the count query and the read: 1000 more are
 * all listed (retries with a fresh count); 100000 more exceed any real
 * driver and are refused with an error, in bounded time either way. */
static void nvml_race_growth(void)
{
    static const struct {
        const char *line;
        int ok;
        size_t rows;
    } cases[] = {{"race add=1000\n", 1, 1003}, {"race add=100000\n", 0, 0}};
    char base[700], scn[700];
    size_t i;
    snprintf(base, sizeof(base), "%s/nvml/h100-3procs.scn", data_dir());
    snprintf(scn, sizeof(scn), "%s/rel-race-%s.scn", work_dir(), getenv("HMN_REL_VARIANT"));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hmn_ctx *ctx = NULL;
        hmn_process_list *l = NULL;
        uint64_t t0 = rel_now_ms();
        int rc;
        CHECK(t_concat(scn, base, cases[i].line) == 0);
        t_setenv("HMN_FAKE_NVML_SCENARIO", scn);
        CHECK(hmn_ctx_open(&ctx) == HMN_OK);
        rc = hmn_gpu_processes(ctx, 0, &l);
        if (cases[i].ok) {
            CHECK(rc == HMN_OK);
            CHECK_EQ_U64(hmn_process_list_count(l), cases[i].rows);
        } else {
            CHECK(rc < 0 && l == NULL);
            CHECK(hmn_errmsg(ctx)[0] != '\0');
        }
        hmn_process_list_free(l);
        hmn_ctx_close(ctx);
        CHECK(rel_now_ms() - t0 < RUN_BOUND_MS);
    }
    remove(scn);
}

/*
 * Known gap (registered DISABLED in CMakeLists.txt until fixed): a device
 * whose memory call answers all-ones for used/reserved/free is reported with
 * those figures valid, so used > total.  Run by hand:
 *   rel_faults_modern nvml_device_memory_sentinel
 */
static void nvml_device_memory_sentinel(void)
{
    char scn[700];
    hmn_ctx *ctx = NULL;
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    snprintf(scn, sizeof(scn), "%s/rel-devsentinel-%s.scn", work_dir(), getenv("HMN_REL_VARIANT"));
    CHECK(t_write(scn, "device name=GPU total=80GiB reserved=na used=na free=na\n") == 0);
    t_setenv("HMN_FAKE_NVML_SCENARIO", scn);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    hmn_ctx_close(ctx);
    remove(scn);
    CHECK(!(d.valid & HMN_DEV_HAS_USED) || d.used_bytes <= d.total_bytes);
    CHECK(!(d.valid & HMN_DEV_HAS_FREE) || d.free_bytes <= d.total_bytes);
    CHECK(!(d.valid & HMN_DEV_HAS_RESERVED) || d.reserved_bytes <= d.total_bytes);
}

/* ---------------------------------------------------------------- nvidia-smi */

struct smi_case {
    const char *scn; /* file under tests/data/smi, or NULL for the generated one */
    int expect_ok;   /* the device count may succeed (truncated output) */
};

static int smi_round(const char *scn_path, unsigned timeout_ms, uint64_t *worst_ms)
{
    hmn_ctx *ctx = NULL;
    hmn_process_list *l = NULL;
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    uint32_t n = 0;
    uint64_t t0;
    int bad = 0, rc;
    t_setenv("HMN_FAKE_SMI_SCENARIO", scn_path);
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return 1;
    hmn_ctx_set_option(ctx, HMN_OPT_USE_NVML, 0);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_DRM, 0);
    hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, timeout_ms);
    t0 = rel_now_ms();
    rc = hmn_device_count(ctx, &n);
    if (rc < 0 && hmn_errmsg(ctx)[0] == '\0')
        bad++;
    if (rc == HMN_OK) {
        rc = hmn_device_info(ctx, 0, &d);
        bad += rc < 0 && hmn_errmsg(ctx)[0] == '\0';
        rc = hmn_gpu_processes(ctx, 0, &l);
        bad += rc < 0 && (l != NULL || hmn_errmsg(ctx)[0] == '\0');
        hmn_process_list_free(l);
    }
    t0 = rel_now_ms() - t0;
    if (t0 > *worst_ms)
        *worst_ms = t0;
    hmn_ctx_close(ctx);
    return bad;
}

static void smi_failures_leave_nothing_behind(void)
{
    static const char *const files[] = {"hang.scn",          "signal.scn",  "garbage.scn",
                                        "truncated.scn",     "flood.scn",   "flood-forever.scn",
                                        "other-failure.scn", "mismatch.scn"};
    const unsigned timeout_ms = 400;
    char path[700], giga[700];
    size_t i;
    int r, fds0, bad = 0;
    uint64_t worst = 0;
    t_setenv("HMN_NVIDIA_SMI", getenv("HMN_REL_FAKE_SMI"));
    /* Gigabytes of output, ending (unlike flood-forever): 3 GiB. */
    snprintf(giga, sizeof(giga), "%s/rel-giga.scn", work_dir());
    CHECK(t_write(giga, "mode = flood\nflood_bytes = 3221225472\n") == 0);
    smi_round(giga, timeout_ms, &worst); /* warm-up */
    fds0 = rel_fd_count();
    worst = 0;
    for (r = 0; r < 3; r++) {
        for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            snprintf(path, sizeof(path), "%s/smi/%s", data_dir(), files[i]);
            bad += smi_round(path, timeout_ms, &worst);
        }
        bad += smi_round(giga, timeout_ms, &worst);
    }
    printf("     slowest failing query sequence: %" PRIu64 " ms (timeout %u ms)\n", worst,
           timeout_ms);
    remove(giga);
    CHECK(bad == 0);
    /* Three nvidia-smi runs at most per round, each bounded by the timeout. */
    CHECK(worst < 3 * timeout_ms + 1500);
    CHECK(rel_fd_count() == fds0);
    CHECK(rel_no_children());
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(nvml_fault_matrix),
        TEST_ENTRY(nvml_sentinels_everywhere),
        TEST_ENTRY(nvml_race_growth),
        TEST_ENTRY(smi_failures_leave_nothing_behind),
    };
    static const struct hmn_test gaps[] = {TEST_ENTRY(nvml_device_memory_sentinel)};
    if (argc > 1 && strcmp(argv[1], "nvml_device_memory_sentinel") == 0)
        return hmn_run_tests(gaps, 1, argc, argv);
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
