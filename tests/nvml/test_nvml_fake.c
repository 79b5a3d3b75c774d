/*
 * tests/nvml/test_nvml_fake.c - the NVML backend against the fake
 * libnvidia-ml, one run per driver generation (HMN_NVML_VARIANT), with the
 * same expectations everywhere except what the generation cannot know
 * (reserved memory without memory v2, MIG before R450).
 *
 * nvidia-smi is pointed at a missing file and DRM at a missing sysfs, so
 * every figure here comes from NVML or nowhere.
 */
#include "harness.h"
#include "test_support.h"

#include "hypomnesis.h"
#include "abi/nvml_abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <dlfcn.h>
#endif

#define MIB 1048576ull

static const char *variant(void)
{
    const char *v = getenv("HMN_NVML_VARIANT");
    return v ? v : "modern";
}

static int has_mem_v2(void)
{
    return !strcmp(variant(), "modern") || !strcmp(variant(), "r535_43");
}

static int has_mig(void)
{
    return strcmp(variant(), "oldest") != 0;
}

/* Point the fake at a scenario of tests/data/nvml. */
static void scenario(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", getenv("HMN_NVML_DATA"), name);
    t_setenv("HMN_FAKE_NVML_SCENARIO", path);
}

/* A scenario made of a data file plus extra lines, written to the build tree. */
static void scenario_plus(const char *base, const char *extra)
{
    char in[1024], out[1024], buf[8192];
    FILE *f, *g;
    size_t n;
    snprintf(in, sizeof(in), "%s/%s", getenv("HMN_NVML_DATA"), base);
    snprintf(out, sizeof(out), "%s/%s-%s.scn", getenv("HMN_NVML_TMP"), variant(), base);
    f = fopen(in, "r");
    g = fopen(out, "w");
    if (f && g) {
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            fwrite(buf, 1, n, g);
        fputs(extra, g);
    }
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    t_setenv("HMN_FAKE_NVML_SCENARIO", out);
}

/* Fresh counts file; returns its path. */
static const char *counts_reset(void)
{
    static char path[1024];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s-counts.txt", getenv("HMN_NVML_TMP"), variant());
    f = fopen(path, "w");
    if (f)
        fclose(f);
    t_setenv("HMN_FAKE_NVML_COUNTS", path);
    return path;
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

/* A context that only sees NVML. */
static hmn_ctx *open_ctx(void)
{
    hmn_ctx *ctx = NULL;
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    hmn_ctx_set_option(ctx, HMN_OPT_USE_NVIDIA_SMI, 0);
    hmn_ctx_set_option(ctx, HMN_OPT_USE_DRM, 0);
    return ctx;
}

static int list_rows(hmn_ctx *ctx, uint32_t index, hmn_gpu_process *rows, size_t max, size_t *n)
{
    hmn_process_list *l = NULL;
    size_t i;
    int rc = hmn_gpu_processes(ctx, index, &l);
    *n = 0;
    if (rc != HMN_OK)
        return rc;
    *n = hmn_process_list_count(l);
    for (i = 0; i < *n && i < max; i++) {
        rows[i].size = sizeof(rows[i]);
        hmn_process_list_get(l, i, &rows[i]);
    }
    hmn_process_list_free(l);
    return HMN_OK;
}

/* ---------------------------------------------------------------- devices */

static void h100_device_info(void)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_ctx *ctx;
    uint32_t n = 0;
    scenario("h100-3procs.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    CHECK_EQ_U64(n, 1);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(d.source, HMN_SOURCE_NVML);
    CHECK_EQ_U64(d.vendor, HMN_VENDOR_NVIDIA);
    CHECK_STR(d.name, "NVIDIA H100 80GB HBM3");
    CHECK_STR(d.uuid, "GPU-00000000-0000-0000-0000-000000000000");
    CHECK_STR(d.pci_bus_id, "0000:00:09.0");
    CHECK_EQ_U64(d.pci_vendor_id, 0x10de);
    CHECK_EQ_U64(d.pci_device_id, 0x2330);
    CHECK_STR(d.driver_version, "590.48.01");
    CHECK_STR(d.nvml_version, "13.590.48.01");
    CHECK_EQ_U64(d.cuda_driver_version, 13010);
    CHECK_STR(d.driver_name, "nvidia");
    CHECK(d.valid & HMN_DEV_HAS_NAME && d.valid & HMN_DEV_HAS_UUID);
    CHECK(d.valid & HMN_DEV_HAS_DRIVER_VERSION && d.valid & HMN_DEV_HAS_NVML_VERSION);
    CHECK(d.valid & HMN_DEV_HAS_CUDA_DRIVER_VERSION && d.valid & HMN_DEV_HAS_PCI_BUS_ID);
    CHECK_EQ_U64(d.total_bytes, 81559 * MIB);
    CHECK_EQ_U64(d.free_bytes, (81559 - 529 - 19818) * MIB);
    if (has_mem_v2()) {
        CHECK_EQ_U64(d.memory_api, HMN_MEMORY_API_NVML_V2);
        CHECK(d.valid & HMN_DEV_HAS_RESERVED);
        CHECK_EQ_U64(d.reserved_bytes, 529 * MIB);
        CHECK_EQ_U64(d.used_bytes, 19818 * MIB); /* excludes reserved */
    } else {
        CHECK_EQ_U64(d.memory_api, HMN_MEMORY_API_NVML_V1);
        CHECK(!(d.valid & HMN_DEV_HAS_RESERVED)); /* unknown, not 0 */
        CHECK_EQ_U64(d.used_bytes, (19818 + 529) * MIB);
    }
    if (has_mig()) {
        CHECK(d.valid & HMN_DEV_HAS_MIG_MODE);
        CHECK_EQ_U64(d.mig_mode, 0);
    } else {
        CHECK(!(d.valid & HMN_DEV_HAS_MIG_MODE));
    }
}

/* A unified-memory part (total 0): named and listed, its memory unknown, not failed. */
static void uma_device_is_listed_with_memory_unknown(void)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_process_list *l = NULL;
    hmn_ctx *ctx;
    scenario_plus("h100-3procs.scn", "device name=\"NVIDIA GH200\" uuid=GPU-2 pci=0000:02:00.0 "
                                     "pci_id=0x234210de total=0 reserved=0 used=0\n"
                                     "proc pid=11327 used=1GiB kinds=compute\n");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_info(ctx, 1, &d) == HMN_OK);
    CHECK_STR(d.name, "NVIDIA GH200");
    CHECK_EQ_U64(d.source, HMN_SOURCE_NVML);
    CHECK((d.valid & (HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED |
                      HMN_DEV_HAS_RESERVED)) == 0);
    /* With no total, a row's figure is not measured against one. */
    CHECK(hmn_gpu_processes(ctx, 1, &l) == HMN_OK);
    CHECK_EQ_U64(hmn_process_list_count(l), 1);
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
}

static void titanx_eight_devices(void)
{
    static const uint64_t used[8] = {802, 10032, 6442, 6442, 6459, 6440, 6451, 6442};
    hmn_ctx *ctx;
    uint32_t n = 0, i;
    scenario("titanx-8gpu.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    CHECK_EQ_U64(n, 8);
    for (i = 0; i < 8; i++) {
        hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
        CHECK(hmn_device_info(ctx, i, &d) == HMN_OK);
        CHECK_EQ_U64(d.index, i);
        CHECK_STR(d.name, "GeForce GTX TITAN X");
        CHECK_EQ_U64(d.total_bytes, 12206 * MIB);
        CHECK_EQ_U64(d.used_bytes, used[i] * MIB);
        CHECK(!(d.valid & HMN_DEV_HAS_MIG_MODE)); /* Maxwell: not supported -> unknown */
    }
    {
        hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
        CHECK(hmn_device_info(ctx, 1, &d) == HMN_OK);
        CHECK_STR(d.uuid, "GPU-86fe97db-bf54-a056-4e8d-9b07e1a298e7");
        CHECK_STR(d.pci_bus_id, "0000:05:00.0");
        CHECK(hmn_device_info(ctx, 8, &d) == HMN_ERANGE);
    }
    hmn_ctx_close(ctx);
}

/* A device NVML counts but will not open keeps its index; its queries fail clearly. */
static void denied_device_keeps_its_index(void)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_process_list *l = NULL;
    hmn_ctx *ctx;
    uint32_t n = 0;
    scenario("denied.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    CHECK_EQ_U64(n, 2);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    CHECK_STR(d.pci_bus_id, "0000:07:00.0");
    CHECK(hmn_device_info(ctx, 1, &d) == HMN_EACCES);
    CHECK(strstr(hmn_errmsg(ctx), "Insufficient Permissions (4)") != NULL);
    CHECK(hmn_gpu_processes(ctx, 1, &l) == HMN_EACCES);
    CHECK(l == NULL);
    hmn_ctx_close(ctx);
}

/* ---------------------------------------------------------------- processes */

static void h100_three_processes(void)
{
    hmn_gpu_process r[8];
    hmn_ctx *ctx;
    size_t n;
    scenario("h100-3procs.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(list_rows(ctx, 0, r, 8, &n) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(n, 3);
    /* On R535.43 a 24-byte reading of 32-byte rows would make rows 2 and 3 garbage. */
    CHECK_EQ_U64(r[0].pid, 11327);
    CHECK_EQ_U64(r[1].pid, 11328);
    CHECK_EQ_U64(r[2].pid, 11345);
    CHECK_EQ_U64(r[0].used_bytes, 2566 * MIB);
    CHECK_EQ_U64(r[1].used_bytes, 1542 * MIB);
    CHECK_EQ_U64(r[2].used_bytes, 15690 * MIB);
    CHECK(r[0].valid & HMN_PROC_HAS_USED && r[2].valid & HMN_PROC_HAS_USED);
    CHECK_EQ_U64(r[1].kinds, HMN_PROC_KIND_COMPUTE);
    CHECK_EQ_U64(r[1].source, HMN_SOURCE_NVML);
    CHECK_EQ_U64(r[1].host_pid, 11328);
#if !defined(_WIN32) /* names and PID namespaces come from /proc (Linux) */
    CHECK_STR(r[0].name, "memhog");
    CHECK_STR(r[2].name, "gpu_burn");
    CHECK(!(r[1].valid & HMN_PROC_PID_UNMAPPED));
#endif
}

static void compute_graphics_merged_not_summed(void)
{
    hmn_gpu_process r[8];
    hmn_ctx *ctx;
    size_t n;
    scenario("merge.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(list_rows(ctx, 0, r, 8, &n) == HMN_OK);
    hmn_ctx_close(ctx);
    if (!strcmp(variant(), "oldest")) {
        /* No MPS call before R450: that client is invisible, the rest is the same. */
        CHECK_EQ_U64(n, 2);
    } else {
        CHECK_EQ_U64(n, 3);
        CHECK_EQ_U64(r[2].pid, 11345);
        CHECK_EQ_U64(r[2].kinds, HMN_PROC_KIND_MPS);
        CHECK_EQ_U64(r[2].used_bytes, 700 * MIB);
    }
    CHECK_EQ_U64(r[0].pid, 11327);
    CHECK_EQ_U64(r[0].kinds, HMN_PROC_KIND_COMPUTE | HMN_PROC_KIND_GRAPHICS);
    CHECK_EQ_U64(r[0].used_bytes, 1200 * MIB); /* the larger figure, not 2200 */
    CHECK_EQ_U64(r[1].pid, 11328);
    CHECK_EQ_U64(r[1].kinds, HMN_PROC_KIND_GRAPHICS);
    CHECK_EQ_U64(r[1].used_bytes, 500 * MIB);
}

static void sentinel_and_garbage_rows_stay_unknown(void)
{
    hmn_gpu_process r[8];
    hmn_ctx *ctx;
    size_t n;
    scenario("wsl2-na.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(list_rows(ctx, 0, r, 8, &n) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_U64(r[0].pid, 79);
    CHECK(!(r[0].valid & HMN_PROC_HAS_USED));
    CHECK_EQ_U64(r[1].pid, 4242);
    CHECK(!(r[1].valid & HMN_PROC_HAS_USED)); /* more than the device holds */
#if !defined(_WIN32) /* names and PID namespaces come from /proc (Linux) */
    CHECK_STR(r[0].name, "python3");
    CHECK(r[1].valid & HMN_PROC_PID_UNMAPPED); /* not in our /proc */
    CHECK(!(r[1].valid & HMN_PROC_HAS_NAME));
#endif
}

static void more_than_64_processes(void)
{
    hmn_gpu_process r[128];
    hmn_ctx *ctx;
    size_t n, i;
    scenario("many.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(list_rows(ctx, 0, r, 128, &n) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(n, 100);
    for (i = 0; i < n; i++) {
        CHECK_EQ_U64(r[i].pid, 20000 + i);
        CHECK_EQ_U64(r[i].used_bytes, 64 * MIB);
    }
}

static void insufficient_size_race_retries(void)
{
    hmn_gpu_process r[32];
    hmn_ctx *ctx;
    size_t n;
    scenario("race.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(list_rows(ctx, 0, r, 32, &n) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(n, 23); /* 3 at the count query, 20 more by the fill */
    CHECK_EQ_U64(r[0].pid, 11327);
    CHECK_EQ_U64(r[3].pid, 60000);
    CHECK_EQ_U64(r[22].pid, 60019);
}

static void mig_instances_listed(void)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_mig_info m = HMN_MIG_INFO_INIT;
    hmn_gpu_process r[4];
    hmn_ctx *ctx;
    size_t n;
    scenario("mig.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    CHECK(list_rows(ctx, 0, r, 4, &n) == HMN_OK);
    CHECK_EQ_U64(n, 2);
    if (!has_mig()) {
        CHECK(!(d.valid & HMN_DEV_HAS_MIG_MODE));
        CHECK(hmn_mig_instance(ctx, 0, 0, &m) < 0);
        hmn_ctx_close(ctx);
        return;
    }
    CHECK(d.valid & HMN_DEV_HAS_MIG_MODE);
    CHECK_EQ_U64(d.mig_mode, 1);
    CHECK_EQ_U64(d.mig_instance_count, 2);
    CHECK(hmn_mig_instance(ctx, 0, 0, &m) == HMN_OK);
    CHECK_EQ_U64(m.gpu_instance_id, 1);
    CHECK_EQ_U64(m.compute_instance_id, 0);
    CHECK_EQ_U64(m.total_bytes, 40192 * MIB);
    CHECK_EQ_U64(m.used_bytes, 8000 * MIB);
    CHECK_STR(m.uuid, "MIG-11111111-1111-1111-1111-111111111111");
    CHECK(hmn_mig_instance(ctx, 0, 1, &m) == HMN_OK);
    CHECK_EQ_U64(m.index, 1);
    CHECK_EQ_U64(m.gpu_instance_id, 2);
    CHECK_STR(m.name, "NVIDIA H100 80GB HBM3 MIG 1g.10gb");
    CHECK(hmn_mig_instance(ctx, 0, 2, &m) == HMN_ERANGE);
    hmn_ctx_close(ctx);
    if (strcmp(variant(), "oldest") != 0) {
        CHECK_EQ_U64(r[0].gpu_instance_id, 1);
        CHECK_EQ_U64(r[1].gpu_instance_id, 2);
    }
}

/* NVML gives host PIDs; inside a PID namespace they are mapped through NSpid. */
static void host_pids_mapped_through_nspid(void)
{
    hmn_gpu_process r[4];
    char keep[1024], ns[1024];
    hmn_ctx *ctx;
    size_t n;
#if defined(_WIN32)
    return; /* PID namespaces are a Linux notion: Windows PIDs need no mapping */
#endif
    snprintf(keep, sizeof(keep), "%s", getenv("HMN_PROCFS"));
    snprintf(ns, sizeof(ns), "%s/proc-ns", getenv("HMN_NVML_DATA"));
    t_setenv("HMN_PROCFS", ns);
    scenario("h100-3procs.scn");
    ctx = open_ctx();
    t_setenv("HMN_PROCFS", keep);
    CHECK(ctx);
    CHECK(list_rows(ctx, 0, r, 4, &n) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(r[0].pid, 42); /* 11327 on the host */
    CHECK_EQ_U64(r[0].host_pid, 11327);
    CHECK(r[0].valid & HMN_PROC_HAS_HOST_PID);
    CHECK(!(r[0].valid & HMN_PROC_PID_UNMAPPED));
    CHECK_STR(r[0].name, "memhog");
    CHECK_EQ_U64(r[1].pid, 11328); /* host-only: keeps the host PID and says so */
    CHECK(r[1].valid & HMN_PROC_PID_UNMAPPED);
    CHECK_EQ_U64(r[2].pid, 11345);
    CHECK(r[2].valid & HMN_PROC_PID_UNMAPPED);
    CHECK_EQ_U64(r[2].used_bytes, 15690 * MIB);
}

/* ---------------------------------------------------------------- self */

static void self_row_is_per_process(void)
{
    hmn_process_gpu g = HMN_PROCESS_GPU_INIT;
    hmn_ctx *ctx;
    scenario("self.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_process_gpu_info(ctx, 0, &g) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(g.source, HMN_SOURCE_NVML);
    CHECK_EQ_U64(g.is_per_process, 1);
    CHECK(g.valid & HMN_PGPU_HAS_USED);
    CHECK_EQ_U64(g.used_bytes, 300 * MIB);
}

static void self_sentinel_is_not_a_number(void)
{
    hmn_process_gpu g = HMN_PROCESS_GPU_INIT;
    hmn_ctx *ctx;
    int rc;
    scenario("self-na.scn");
    ctx = open_ctx();
    CHECK(ctx);
    rc = hmn_process_gpu_info(ctx, 0, &g);
    CHECK(rc < 0); /* nvidia-smi is off here, so nothing can answer */
    CHECK(strstr(hmn_errmsg(ctx), "not available") != NULL);
    hmn_ctx_close(ctx);
    scenario("h100-3procs.scn"); /* not on the GPU at all */
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_process_gpu_info(ctx, 0, &g) == HMN_ENOENT);
    hmn_ctx_close(ctx);
}

/* ---------------------------------------------------------------- lifecycle */

static void context_initialises_once(void)
{
    const char *counts = counts_reset();
    unsigned long init, shut;
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    hmn_ctx *ctx;
    int i;
    scenario("self.scn");
    ctx = open_ctx();
    CHECK(ctx);
    for (i = 0; i < 20; i++)
        CHECK(hmn_snapshot_now(ctx, 0, &s) == HMN_OK);
    CHECK(s.valid & HMN_SNAP_HAS_GPU);
    CHECK_EQ_U64(s.gpu.used_bytes, 300 * MIB);
    counts_read(counts, &init, &shut);
    CHECK_EQ_U64(init, 1);
    CHECK_EQ_U64(shut, 0);
    hmn_ctx_close(ctx);
    counts_read(counts, &init, &shut);
    CHECK_EQ_U64(init, 1);
    CHECK_EQ_U64(shut, 1);
    t_setenv("HMN_FAKE_NVML_COUNTS", "");
}

static void null_context_initialises_per_call(void)
{
    const char *counts = counts_reset();
    unsigned long init, shut;
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    uint32_t n = 0;
    int i;
    scenario("h100-3procs.scn");
    for (i = 0; i < 5; i++)
        CHECK(hmn_device_info(NULL, 0, &d) == HMN_OK);
    CHECK(hmn_device_count(NULL, &n) == HMN_OK);
    CHECK_EQ_U64(n, 1);
    counts_read(counts, &init, &shut);
    CHECK_EQ_U64(init, 6);
    CHECK_EQ_U64(shut, 6); /* every temporary context shut NVML down again */
    t_setenv("HMN_FAKE_NVML_COUNTS", "");
}

/* ---------------------------------------------------------------- errors */

/* The NVML line of the source report. */
static int nvml_report(hmn_ctx *ctx, hmn_source_report *rep)
{
    size_t i;
    for (i = 0; hmn_source_report_get(ctx, i, rep) == HMN_OK; i++)
        if (rep->source == HMN_SOURCE_NVML)
            return HMN_OK;
    return HMN_ENOENT;
}

static void init_failures_are_explained(void)
{
    static const struct {
        const char *line, *text;
    } cases[] = {
        {"fault nvmlInit 9\n", "failed: Driver Not Loaded (9)"},
        {"fault nvmlInit 18\n", "failed: Driver/library version mismatch (18)"},
        {"fault nvmlInit 12\n", "failed: NVML Shared Library Not Found (12)"},
        {"fault nvmlInit 4\n", "failed: Insufficient Permissions (4)"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hmn_source_report rep = HMN_SOURCE_REPORT_INIT;
        hmn_ctx *ctx;
        uint32_t n = 7;
        scenario_plus("h100-3procs.scn", cases[i].line);
        ctx = open_ctx();
        CHECK(ctx);
        CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
        CHECK_EQ_U64(n, 0);
        CHECK(nvml_report(ctx, &rep) == HMN_OK);
        CHECK_EQ_U64(rep.state, HMN_SOURCE_UNAVAILABLE);
        CHECK(strstr(rep.reason, cases[i].text) != NULL);
        CHECK(strstr(rep.reason, has_mig() ? "nvmlInit_v2 failed" : "nvmlInit failed") != NULL);
        hmn_ctx_close(ctx);
    }
}

static void missing_library_and_symbol(void)
{
    hmn_source_report rep = HMN_SOURCE_REPORT_INIT;
    char keep[1024];
    hmn_ctx *ctx;
    uint32_t n;
    snprintf(keep, sizeof(keep), "%s", getenv("HMN_NVML_LIBRARY"));
    t_setenv("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK(nvml_report(ctx, &rep) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK(strstr(rep.reason, "/nonexistent/libnvidia-ml.so.1") != NULL);
#if !defined(_WIN32)
    CHECK(strstr(rep.reason, "No such file or directory") != NULL);
#endif
    t_setenv("HMN_NVML_LIBRARY", getenv("HMN_NVML_BROKEN"));
    scenario("h100-3procs.scn");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK(nvml_report(ctx, &rep) == HMN_OK);
    hmn_ctx_close(ctx);
    t_setenv("HMN_NVML_LIBRARY", keep);
    CHECK(strstr(rep.reason, "required symbol nvmlDeviceGetCount_v2 missing") != NULL);
}

static void memory_v2_failure_falls_back_to_v1(void)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_ctx *ctx;
    scenario_plus("h100-3procs.scn", "fault nvmlDeviceGetMemoryInfo_v2 999 nth=2\n");
    ctx = open_ctx();
    CHECK(ctx);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.memory_api, has_mem_v2() ? HMN_MEMORY_API_NVML_V2 : HMN_MEMORY_API_NVML_V1);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK); /* the 2nd v2 call fails */
    CHECK_EQ_U64(d.memory_api, HMN_MEMORY_API_NVML_V1);
    CHECK(!(d.valid & HMN_DEV_HAS_RESERVED));
    CHECK_EQ_U64(d.used_bytes, (19818 + 529) * MIB);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.memory_api, has_mem_v2() ? HMN_MEMORY_API_NVML_V2 : HMN_MEMORY_API_NVML_V1);
    hmn_ctx_close(ctx);
}

static void process_call_failure_is_an_error(void)
{
    hmn_process_list *l = NULL;
    hmn_ctx *ctx;
    int rc;
    scenario_plus("h100-3procs.scn",
                  "fault nvmlDeviceGetComputeRunningProcesses 15\n"
                  "fault nvmlDeviceGetRunningProcessDetailList 15\n");
    ctx = open_ctx();
    CHECK(ctx);
    rc = hmn_gpu_processes(ctx, 0, &l);
    CHECK(rc < 0);
    CHECK(l == NULL);
    CHECK(strstr(hmn_errmsg(ctx), "GPU is lost (15)") != NULL);
    hmn_ctx_close(ctx);
}

/*
 * The fake's R535.43 `_v3` really writes 32-byte rows: read with the
 * documented 24-byte struct, the second row is garbage.  This is what the
 * backend's stride detection protects against.
 */
static void r535_43_rows_are_32_bytes(void)
{
#if !defined(_WIN32)
    typedef hmn_nvmlReturn_t (*procs_fn)(hmn_nvmlDevice_t, unsigned int *, void *);
    hmn_nvmlProcessInfo_v2_t rows[8];
    hmn_nvml_void_fn init, shut;
    hmn_nvml_handle_fn handle;
    procs_fn v3;
    hmn_nvmlDevice_t h;
    unsigned int n = 8;
    void *dl, *p;
    if (strcmp(variant(), "r535_43") != 0)
        return;
    scenario("h100-3procs.scn");
    dl = dlopen(getenv("HMN_NVML_LIBRARY"), RTLD_NOW | RTLD_LOCAL);
    CHECK(dl);
    p = dlsym(dl, "nvmlInit_v2");
    memcpy(&init, &p, sizeof(p));
    p = dlsym(dl, "nvmlShutdown");
    memcpy(&shut, &p, sizeof(p));
    p = dlsym(dl, "nvmlDeviceGetHandleByIndex_v2");
    memcpy(&handle, &p, sizeof(p));
    p = dlsym(dl, "nvmlDeviceGetComputeRunningProcesses_v3");
    memcpy(&v3, &p, sizeof(p));
    CHECK(init && shut && handle && v3);
    CHECK(init() == HMN_NVML_SUCCESS);
    CHECK(handle(0, &h) == HMN_NVML_SUCCESS);
    memset(rows, 0, sizeof(rows));
    CHECK(v3(h, &n, rows) == HMN_NVML_SUCCESS);
    shut();
    dlclose(dl);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(rows[0].pid, 11327);
    CHECK(rows[1].pid != 11328); /* misread: the stride is not 24 */
#endif
}

static const struct hmn_test tests[] = {
    TEST_ENTRY(h100_device_info),
    TEST_ENTRY(titanx_eight_devices),
    TEST_ENTRY(denied_device_keeps_its_index),
    TEST_ENTRY(h100_three_processes),
    TEST_ENTRY(compute_graphics_merged_not_summed),
    TEST_ENTRY(sentinel_and_garbage_rows_stay_unknown),
    TEST_ENTRY(more_than_64_processes),
    TEST_ENTRY(insufficient_size_race_retries),
    TEST_ENTRY(mig_instances_listed),
    TEST_ENTRY(host_pids_mapped_through_nspid),
    TEST_ENTRY(self_row_is_per_process),
    TEST_ENTRY(self_sentinel_is_not_a_number),
    TEST_ENTRY(context_initialises_once),
    TEST_ENTRY(null_context_initialises_per_call),
    TEST_ENTRY(init_failures_are_explained),
    TEST_ENTRY(missing_library_and_symbol),
    TEST_ENTRY(memory_v2_failure_falls_back_to_v1),
    TEST_ENTRY(process_call_failure_is_an_error),
    TEST_ENTRY(r535_43_rows_are_32_bytes),
    TEST_ENTRY(uma_device_is_listed_with_memory_unknown),
};

int main(int argc, char **argv)
{
    if (!getenv("HMN_NVML_DATA") || !getenv("HMN_NVML_TMP") || !getenv("HMN_NVML_LIBRARY")) {
        fprintf(stderr, "run through ctest: HMN_NVML_DATA, HMN_NVML_TMP, HMN_NVML_LIBRARY unset\n");
        return 77;
    }
    return RUN_TESTS(tests);
}
