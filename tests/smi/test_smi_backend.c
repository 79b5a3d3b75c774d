/*
 * test_smi_backend.c - the nvidia-smi fallback through the public API, with
 * HMN_NVIDIA_SMI pointing at the fake (tests/fakes/fake_nvidia_smi.c) and
 * NVML and DRM switched off, for every scenario in tests/data/smi/.
 */
#include "backend.h"
#include "harness.h"
#include "smi_test_env.h"

#if !defined(_WIN32)
#  include <fcntl.h>
#  include <sys/stat.h>
#  include <unistd.h>
#endif

#define MIB 1048576ull

static char log_path[1024];

/* Common environment: the fake, the scenario, a fixture /proc, no NVML, no sysfs. */
static void env_for(const char *scenario)
{
    char procfs[1024];
    snprintf(procfs, sizeof(procfs), "%s/proc", HMN_T_SMI_DATA);
    snprintf(log_path, sizeof(log_path), "%s/fake-smi-calls.log", HMN_T_WORK);
    remove(log_path);
    t_setenv("HMN_NVIDIA_SMI", HMN_T_FAKE_SMI);
    t_setenv("HMN_FAKE_SMI_LOG", log_path);
    t_setenv("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1");
    t_setenv("HMN_PROCFS", procfs);
    t_setenv("HMN_SYSFS", "/nonexistent-sysfs");
    t_unsetenv("HMN_SMI_TIMEOUT_MS");
    t_scenario(scenario);
}

static hmn_ctx *open_for(const char *scenario)
{
    env_for(scenario);
    return t_ctx_smi_only();
}

static int info(hmn_ctx *ctx, uint32_t i, hmn_gpu_device_info *d)
{
    hmn_gpu_device_info z = HMN_GPU_DEVICE_INFO_INIT;
    *d = z;
    return hmn_device_info(ctx, i, d);
}

/* ---------------------------------------------------------------- happy paths */

static void titanx_eight_gpus(void)
{
    hmn_ctx *ctx = open_for("titanx-8gpu.scn");
    hmn_gpu_device_info d;
    uint32_t n = 0;
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    CHECK_EQ_U64(n, 8);
    CHECK(info(ctx, 3, &d) == HMN_OK);
    CHECK_EQ_U64(d.index, 3);
    CHECK_STR(d.name, "GeForce GTX TITAN X");
    CHECK_STR(d.uuid, "GPU-f0e47078-b19f-a3ff-bf2e-03a4c5fe3c2a");
    CHECK_EQ_U64(d.used_bytes, 6442 * MIB);
    CHECK_EQ_U64(d.total_bytes, 12206 * MIB);
    CHECK_EQ_U64(d.source, HMN_SOURCE_NVIDIA_SMI);
    CHECK_EQ_U64(d.memory_api, HMN_MEMORY_API_SMI);
    CHECK_EQ_U64(d.vendor, HMN_VENDOR_NVIDIA);
    CHECK((d.valid & (HMN_DEV_HAS_NAME | HMN_DEV_HAS_UUID | HMN_DEV_HAS_USED |
                      HMN_DEV_HAS_TOTAL)) ==
          (HMN_DEV_HAS_NAME | HMN_DEV_HAS_UUID | HMN_DEV_HAS_USED | HMN_DEV_HAS_TOTAL));
    /* The capture has no free, bus id, driver or reserved figure: unknown, not 0. */
    CHECK(!(d.valid & (HMN_DEV_HAS_FREE | HMN_DEV_HAS_PCI_BUS_ID |
                       HMN_DEV_HAS_DRIVER_VERSION | HMN_DEV_HAS_RESERVED)));
    CHECK(info(ctx, 8, &d) == HMN_ERANGE);
    hmn_ctx_close(ctx);
}

static void h100_device_and_rows(void)
{
    hmn_ctx *ctx = open_for("h100-3procs.scn");
    hmn_gpu_device_info d;
    hmn_process_list *pl = NULL;
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    uint32_t n = 0;
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK && n == 1);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    CHECK_STR(d.name, "NVIDIA H100 80GB HBM3");
    CHECK_STR(d.pci_bus_id, "0000:00:09.0");
    CHECK_STR(d.driver_version, "590.48.01");
    CHECK_EQ_U64(d.reserved_bytes, 527 * MIB);
    CHECK_EQ_U64(d.used_bytes, 19798 * MIB);
    CHECK_EQ_U64(d.free_bytes, 61234 * MIB);
    CHECK(d.valid & HMN_DEV_HAS_RESERVED);
    CHECK(hmn_gpu_processes(ctx, 0, &pl) == HMN_OK);
    CHECK_EQ_U64(hmn_process_list_count(pl), 3);
    CHECK_EQ_U64(hmn_process_list_source(pl), HMN_SOURCE_NVIDIA_SMI);
    CHECK(hmn_process_list_get(pl, 0, &p) == HMN_OK);
    CHECK_EQ_U64(p.host_pid, 11327);
#if !defined(_WIN32)
    /* Fixture /proc: we live one PID namespace down; 11327 -> 5, 11328 -> 6. */
    CHECK_EQ_U64(p.pid, 5);
    CHECK(p.valid & HMN_PROC_HAS_HOST_PID);
#else
    CHECK_EQ_U64(p.pid, 11327); /* no PID namespaces on Windows */
#endif
    CHECK_STR(p.name, "/root/tools/memhog"); /* nvidia-smi's name is kept */
    CHECK_EQ_U64(p.used_bytes, 2566 * MIB);
    CHECK(p.valid & HMN_PROC_HAS_USED);
    CHECK_EQ_U64(p.source, HMN_SOURCE_NVIDIA_SMI);
    CHECK_EQ_U64(p.kinds, HMN_PROC_KIND_COMPUTE);
    CHECK(hmn_process_list_get(pl, 2, &p) == HMN_OK);
    /* 11345 is not visible in our namespace: host PID kept, and said so. */
    CHECK_EQ_U64(p.pid, 11345);
#if !defined(_WIN32)
    CHECK(p.valid & HMN_PROC_PID_UNMAPPED);
#endif
    CHECK_STR(p.name, "./gpu_burn");
    CHECK_EQ_U64(p.used_bytes, 15690 * MIB);
    hmn_process_list_free(pl);
    hmn_ctx_close(ctx);
}

static void self_gpu_is_device_wide(void)
{
    hmn_ctx *ctx = open_for("h100-3procs.scn");
    hmn_process_gpu g = HMN_PROCESS_GPU_INIT;
    CHECK(ctx);
    CHECK(hmn_process_gpu_info(ctx, 0, &g) == HMN_OK);
    CHECK_EQ_U64(g.used_bytes, 19798 * MIB);
    CHECK_EQ_U64(g.is_per_process, 0);
    CHECK(g.valid & HMN_PGPU_HAS_USED);
    CHECK_EQ_U64(g.source, HMN_SOURCE_NVIDIA_SMI);
    hmn_ctx_close(ctx);
}

static void idle_gpu_empty_list(void)
{
    hmn_ctx *ctx = open_for("h100-idle.scn");
    hmn_process_list *pl = NULL;
    CHECK(ctx);
    CHECK(hmn_gpu_processes(ctx, 0, &pl) == HMN_OK);
    CHECK_EQ_U64(hmn_process_list_count(pl), 0);
    hmn_process_list_free(pl);
    hmn_ctx_close(ctx);
}

static void wsl2_na_row_kept(void)
{
    hmn_ctx *ctx = open_for("wsl2.scn");
    hmn_process_list *pl = NULL;
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    hmn_gpu_device_info d;
    CHECK(ctx);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    CHECK_STR(d.name, "NVIDIA GeForce RTX 4070 Ti SUPER");
    CHECK_EQ_U64(d.total_bytes, 16376 * MIB);
    CHECK(!(d.valid & (HMN_DEV_HAS_FREE | HMN_DEV_HAS_UUID)));
    CHECK(hmn_gpu_processes(ctx, 0, &pl) == HMN_OK);
    CHECK_EQ_U64(hmn_process_list_count(pl), 1);
    CHECK(hmn_process_list_get(pl, 0, &p) == HMN_OK);
    CHECK_EQ_U64(p.host_pid, 79);
#if !defined(_WIN32)
    CHECK_EQ_U64(p.pid, 3);
#endif
    /* "[N/A]" memory: a row with an unknown figure, never 0 and never dropped. */
    CHECK(!(p.valid & HMN_PROC_HAS_USED));
    CHECK_EQ_U64(p.used_bytes, 0);
#if !defined(_WIN32)
    /* nvidia-smi gave no name: /proc fills it. */
    CHECK(p.valid & HMN_PROC_HAS_NAME);
    CHECK_STR(p.name, "python3");
#endif
    hmn_process_list_free(pl);
    hmn_ctx_close(ctx);
}

static void placeholders_leave_bits_clear(void)
{
    hmn_ctx *ctx = open_for("fan-not-supported.scn");
    hmn_gpu_device_info d;
    CHECK(ctx);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.total_bytes, 2004 * MIB);
    CHECK(d.valid & HMN_DEV_HAS_USED);
    CHECK_EQ_U64(d.used_bytes, 0);
    CHECK(!(d.valid & (HMN_DEV_HAS_NAME | HMN_DEV_HAS_RESERVED | HMN_DEV_HAS_DRIVER_VERSION |
                       HMN_DEV_HAS_UUID | HMN_DEV_HAS_PCI_BUS_ID)));
    CHECK_STR(hmn_device_name_or_unknown(&d), "unknown GPU");
    hmn_ctx_close(ctx);
    ctx = open_for("fan-na.scn");
    CHECK(ctx);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.free_bytes, 2004 * MIB);
    CHECK(!(d.valid & HMN_DEV_HAS_NAME));
    hmn_ctx_close(ctx);
}

static void odd_names_and_duplicates(void)
{
    hmn_ctx *ctx = open_for("odd-names.scn");
    hmn_gpu_device_info d;
    hmn_process_list *pl = NULL;
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    CHECK(ctx);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    CHECK_STR(d.name, "Weird, GPU, Name");
    CHECK_STR(d.pci_bus_id, "0000:0c:00.0");
    CHECK(hmn_gpu_processes(ctx, 0, &pl) == HMN_OK);
    CHECK_EQ_U64(hmn_process_list_count(pl), 4);
    CHECK(hmn_process_list_get(pl, 0, &p) == HMN_OK);
    CHECK_EQ_U64(p.pid, 42);
    CHECK_STR(p.name, "weird,name.exe");
    CHECK(hmn_process_list_get(pl, 1, &p) == HMN_OK);
    CHECK_EQ_U64(p.pid, 77);
    CHECK(!(p.valid & HMN_PROC_HAS_USED)); /* "[Unknown Error]" */
    CHECK(hmn_process_list_get(pl, 2, &p) == HMN_OK);
    CHECK_STR(p.name, "?");
    CHECK(hmn_process_list_get(pl, 3, &p) == HMN_OK);
    CHECK_EQ_U64(p.pid, 1234);
    CHECK_STR(p.name, "/opt/my app/run, v2 --flag");
    CHECK_EQ_U64(p.used_bytes, (1024 + 512) * MIB); /* listed twice: one row, summed */
    hmn_process_list_free(pl);
    hmn_ctx_close(ctx);
}

static void old_driver_retries_without_reserved(void)
{
    hmn_ctx *ctx = open_for("old-driver.scn");
    hmn_gpu_device_info d;
    uint32_t n = 0;
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK && n == 2);
    CHECK(info(ctx, 1, &d) == HMN_OK);
    CHECK_EQ_U64(d.used_bytes, 5000 * MIB);
    CHECK_STR(d.uuid, "GPU-aaaaaaaa-bbbb-cccc-dddd-ffffffffffff");
    CHECK(!(d.valid & HMN_DEV_HAS_RESERVED));
    CHECK(info(ctx, 0, &d) == HMN_OK);
    hmn_ctx_close(ctx);
    /* One rejected try, then never again on this context: 1 + 1 + 2 runs. */
    CHECK_EQ_U64(t_count_lines(log_path, "memory.reserved"), 1);
    CHECK_EQ_U64(t_count_lines(log_path, "--query-gpu="), 4);
    CHECK_EQ_U64(t_count_lines(log_path, "--id="), 2);
}

/* One public call runs the GPU query once: a snapshot's device info and own
 * usage share it; the next call runs it again (fresh figures). */
static void one_query_per_call(void)
{
    hmn_ctx *ctx = open_for("h100-3procs.scn");
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    uint32_t n = 0;
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK && n == 1);
    CHECK_EQ_U64(t_count_lines(log_path, "--query-gpu="), 1);
    CHECK(hmn_snapshot_now(ctx, 0, &s) == HMN_OK);
    CHECK((s.valid & HMN_SNAP_HAS_GPU) && (s.valid & HMN_SNAP_HAS_GPU_DEVICE));
    CHECK_EQ_U64(s.gpu.used_bytes, s.gpu_device.used_bytes); /* device-wide fallback */
    CHECK_EQ_U64(t_count_lines(log_path, "--query-gpu="), 2);
    CHECK(hmn_snapshot_now(ctx, 0, &s) == HMN_OK);
    CHECK_EQ_U64(t_count_lines(log_path, "--query-gpu="), 3);
    hmn_ctx_close(ctx);
}

static void open_does_not_run_it(void)
{
    hmn_ctx *ctx = open_for("h100-3procs.scn");
    hmn_source_report r;
    uint32_t n = 0;
    CHECK(ctx);
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(t_count_lines(log_path, "--"), 0);
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    /* The device table is built once per context: one enumeration run. */
    CHECK_EQ_U64(t_count_lines(log_path, "--query-gpu="), 1);
    CHECK(t_smi_report(ctx, &r) == HMN_OK);
    CHECK_EQ_U64(r.state, HMN_SOURCE_AVAILABLE);
    CHECK_EQ_U64(r.device_count, 1);
    CHECK(t_contains(r.reason, "using "));
    hmn_ctx_close(ctx);
}

static void program_lookup(void)
{
    hmn_ctx *ctx;
    hmn_source_report r;
    uint32_t n = 0;
    const char *old_path = getenv("PATH");
    char saved[4096];
    snprintf(saved, sizeof(saved), "%s", old_path ? old_path : "");
    /* Explicit path that does not exist. */
    env_for("h100-3procs.scn");
    t_setenv("HMN_NVIDIA_SMI", "/nonexistent/nvidia-smi");
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK(t_smi_report(ctx, &r) == HMN_OK);
    CHECK_EQ_U64(r.state, HMN_SOURCE_UNAVAILABLE);
    CHECK(t_contains(r.reason, "/nonexistent/nvidia-smi (HMN_NVIDIA_SMI): not found"));
    hmn_ctx_close(ctx);
    /* No HMN_NVIDIA_SMI and nothing on PATH. */
    t_unsetenv("HMN_NVIDIA_SMI");
    t_setenv("PATH", HMN_T_SMI_DATA);
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK(t_smi_report(ctx, &r) == HMN_OK);
    t_setenv("PATH", saved);
    CHECK_STR(r.reason, "nvidia-smi not found in PATH");
    hmn_ctx_close(ctx);
#if !defined(_WIN32) /* "executable" is a permission bit on POSIX only */
    /* A file that is not executable is refused at open, with the reason. */
    t_setenv("HMN_NVIDIA_SMI", HMN_T_SMI_DATA "/h100-3procs.scn");
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK(t_smi_report(ctx, &r) == HMN_OK);
    CHECK(t_contains(r.reason, "h100-3procs.scn (HMN_NVIDIA_SMI): not found or not executable"));
    hmn_ctx_close(ctx);
#endif
#if !defined(_WIN32)
    /* A bare name is searched in PATH by us (and only there); a directory of that name is skipped. */
    mkdir(HMN_T_WORK "/path-with-dir", 0755);
    mkdir(HMN_T_WORK "/path-with-dir/" HMN_T_FAKE_SMI_NAME, 0755);
    t_setenv("PATH", "/nonexistent-dir::" HMN_T_WORK "/path-with-dir:" HMN_T_FAKE_SMI_DIR);
#else
    t_setenv("PATH", "/nonexistent-dir;" HMN_T_FAKE_SMI_DIR);
#endif
    t_setenv("HMN_NVIDIA_SMI", HMN_T_FAKE_SMI_NAME);
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    n = 0;
    CHECK(hmn_device_count(ctx, &n) == HMN_OK); /* resolves the program now */
    t_setenv("PATH", saved);
    CHECK_EQ_U64(n, 1);
    hmn_ctx_close(ctx);
}

static void null_context_call(void)
{
    uint32_t n = 0;
    env_for("titanx-8gpu.scn");
    CHECK(hmn_device_count(NULL, &n) == HMN_OK);
    CHECK_EQ_U64(n, 8);
}

/* ---------------------------------------------------------------- failures */

/* Enumerate through the backend itself: its own code and message. */
static int enumerate_direct(const char *scenario, int64_t timeout_ms, char *msg, size_t cap,
                            uint64_t *elapsed_ms)
{
    const struct hmn__backend *b = &hmn__backend_smi;
    struct hmn__devtab *tab = calloc(1, sizeof(*tab));
    hmn_ctx *ctx = open_for(scenario);
    void *state = NULL;
    char reason[256];
    uint64_t t0;
    int rc;
    if (!ctx || !tab) {
        free(tab);
        hmn_ctx_close(ctx);
        return -999;
    }
    hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, timeout_ms);
    rc = b->open(ctx, &state, reason, sizeof(reason));
    t0 = hmn__now_ms();
    if (rc == HMN_OK)
        rc = b->enumerate(ctx, state, tab);
    if (elapsed_ms)
        *elapsed_ms = hmn__now_ms() - t0;
    snprintf(msg, cap, "%s", hmn_errmsg(ctx));
    b->close(ctx, state);
    free(tab);
    hmn_ctx_close(ctx);
    return rc;
}

static void exit_9_no_driver(void)
{
    char m[512];
    CHECK(enumerate_direct("no-driver.scn", 5000, m, sizeof(m), NULL) == HMN_ENODRIVER);
    CHECK_STR(m, "nvidia-smi: exit status 9: NVIDIA-SMI has failed because it couldn't "
                 "communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver "
                 "is installed and running.");
}

static void exit_12_no_nvml(void)
{
    char m[512];
    CHECK(enumerate_direct("no-nvml.scn", 5000, m, sizeof(m), NULL) == HMN_ENODRIVER);
    CHECK(t_contains(m, "nvidia-smi: exit status 12: NVML library not found: NVIDIA-SMI "
                        "couldn't find libnvidia-ml.so"));
}

static void exit_18_mismatch(void)
{
    char m[512];
    CHECK(enumerate_direct("mismatch.scn", 5000, m, sizeof(m), NULL) == HMN_ENODRIVER);
    CHECK(t_contains(m, "exit status 18: Failed to initialize NVML: Driver/library version "
                        "mismatch"));
    CHECK(t_contains(m, "reboot or reload the nvidia module"));
}

static void exit_6_no_devices(void)
{
    char m[512];
    CHECK(enumerate_direct("no-devices.scn", 5000, m, sizeof(m), NULL) == HMN_ENOGPU);
    CHECK_STR(m, "nvidia-smi: exit status 6: No devices were found");
}

static void other_exit_status(void)
{
    char m[512];
    CHECK(enumerate_direct("other-failure.scn", 5000, m, sizeof(m), NULL) == HMN_EBACKEND);
    CHECK(t_contains(m, "nvidia-smi: exit status 15: Unable to determine the device handle"));
}

static void hang_is_killed_quickly(void)
{
    char m[512];
    uint64_t ms = 0;
    CHECK(enumerate_direct("hang.scn", 300, m, sizeof(m), &ms) == HMN_ETIMEDOUT);
    CHECK(ms >= 250 && ms < 2000);
    CHECK_STR(m, "nvidia-smi: no answer within 300 ms (killed)");
}

/* A wrapper whose background child keeps stdout open: the answer is complete
 * when nvidia-smi itself exits, long before EOF or the timeout. */
static void background_child_holding_the_pipe(void)
{
    hmn_ctx *ctx = open_for("background.scn");
    hmn_gpu_device_info d;
    uint32_t n = 0;
    uint64_t t0, ms;
    CHECK(ctx);
    CHECK(hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, 5000) == HMN_OK);
    t0 = hmn__now_ms();
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    ms = hmn__now_ms() - t0;
    hmn_ctx_close(ctx);
    CHECK_EQ_U64(n, 1);
    CHECK_STR(d.name, "NVIDIA H100 80GB HBM3");
    CHECK_EQ_U64(d.total_bytes, 81559 * MIB);
    CHECK_EQ_U64(d.reserved_bytes, 527 * MIB);
    /* Two runs, each ending when the program exits, not when its child does. */
    printf("note: two runs took %llu ms (the child holds stdout for 3000 ms)\n",
           (unsigned long long)ms);
    CHECK(ms < 1500);
}

/* A scenario of tests/data/smi edited by sed-like replacement, written to the work folder. */
static void scenario_edited(const char *base, const char *from, const char *to, const char *extra)
{
    char in[1024], out[1024], line[512];
    FILE *f, *g;
    snprintf(in, sizeof(in), "%s/%s", HMN_T_SMI_DATA, base);
    snprintf(out, sizeof(out), "%s/edited-%s", HMN_T_WORK, base);
    f = fopen(in, "r");
    g = fopen(out, "w");
    while (f && g && fgets(line, sizeof(line), f))
        fputs(from && strcmp(line, from) == 0 ? to : line, g);
    if (g && extra)
        fputs(extra, g);
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    t_setenv("HMN_FAKE_SMI_SCENARIO", out);
}

/* One malformed process line is skipped and counted; the others are listed. */
static void malformed_line_is_skipped(void)
{
    hmn_ctx *ctx = open_for("h100-3procs.scn");
    hmn_process_list *l = NULL;
    CHECK(ctx);
    scenario_edited("h100-3procs.scn", NULL, NULL,
                    "[app]\ngpu = 0\npid = 20002\nprocess_name = broken\nused_memory = 12x\n");
    CHECK(hmn_gpu_processes(ctx, 0, &l) == HMN_OK);
    CHECK_EQ_U64(hmn_process_list_count(l), 3);
    CHECK_EQ_U64(hmn_process_list_skipped_rows(l), 1);
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
}

/* Figures no card has are unknown: an all-ones total, a row above the total. */
static void impossible_figures_are_unknown(void)
{
    hmn_gpu_device_info d;
    hmn_process_list *l = NULL;
    hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
    hmn_ctx *ctx;
    env_for("h100-3procs.scn");
    scenario_edited("h100-3procs.scn", "memory.total = 81559\n",
                    "memory.total = 18446744073709551615\n", NULL);
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    CHECK((d.valid & (HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED)) == 0);
    CHECK(d.valid & HMN_DEV_HAS_NAME);
    hmn_ctx_close(ctx);
    scenario_edited("h100-3procs.scn", "used_memory = 15690\n", "used_memory = 100000000\n", NULL);
    ctx = t_ctx_smi_only();
    CHECK(ctx);
    CHECK(hmn_gpu_processes(ctx, 0, &l) == HMN_OK);
    CHECK_EQ_U64(hmn_process_list_count(l), 3);
    CHECK(hmn_process_list_get(l, 2, &p) == HMN_OK);
    CHECK_EQ_U64(p.pid, 11345);
    CHECK(!(p.valid & HMN_PROC_HAS_USED)); /* 97656 GiB on an 80 GiB card: unknown, kept */
    CHECK(hmn_process_list_get(l, 0, &p) == HMN_OK);
    CHECK(p.valid & HMN_PROC_HAS_USED);
    CHECK_EQ_U64(p.used_bytes, 2566 * MIB);
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
}

static void garbage_is_parse_error(void)
{
    char m[512];
    CHECK(enumerate_direct("garbage.scn", 5000, m, sizeof(m), NULL) == HMN_EPARSE);
    CHECK(t_contains(m, "unexpected --query-gpu output: line 1"));
}

static void flood_is_bounded(void)
{
    char m[512];
    uint64_t ms = 0;
    CHECK(enumerate_direct("flood.scn", 10000, m, sizeof(m), &ms) == HMN_EPARSE);
    CHECK(t_contains(m, "truncated"));
    CHECK(ms < 8000);
    CHECK(enumerate_direct("flood-forever.scn", 400, m, sizeof(m), &ms) == HMN_ETIMEDOUT);
    CHECK(ms < 2500);
}

static void killed_by_signal(void)
{
    char m[512];
#if defined(_WIN32)
    CHECK(enumerate_direct("signal.scn", 5000, m, sizeof(m), NULL) < 0);
#else
    CHECK(enumerate_direct("signal.scn", 5000, m, sizeof(m), NULL) == HMN_EBACKEND);
    CHECK_STR(m, "nvidia-smi: killed by signal 15");
#endif
}

static void truncated_row(void)
{
    char m[512];
    CHECK(enumerate_direct("truncated.scn", 5000, m, sizeof(m), NULL) == HMN_EPARSE);
    CHECK(t_contains(m, "wrong number of fields"));
}

/* A working nvidia-smi that breaks later: each public call reports the new failure. */
static void failures_after_enumeration(void)
{
    char path[1024];
    hmn_ctx *ctx = open_for("h100-3procs.scn");
    hmn_gpu_device_info d;
    hmn_process_list *pl = NULL;
    hmn_process_gpu g = HMN_PROCESS_GPU_INIT;
    uint32_t n = 0;
    uint64_t t0;
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK && n == 1);
    t_scenario("mismatch.scn");
    CHECK(info(ctx, 0, &d) == HMN_ENODRIVER);
    CHECK(t_contains(hmn_errmsg(ctx), "version mismatch"));
    CHECK(hmn_gpu_processes(ctx, 0, &pl) == HMN_ENODRIVER);
    CHECK(pl == NULL);
    CHECK(hmn_process_gpu_info(ctx, 0, &g) == HMN_ENODRIVER);
    t_scenario("hang.scn");
    CHECK(hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, 200) == HMN_OK);
    t0 = hmn__now_ms();
    CHECK(hmn_gpu_processes(ctx, 0, &pl) == HMN_ETIMEDOUT);
    CHECK(hmn__now_ms() - t0 < 2000);
    t_scenario("garbage.scn");
    CHECK(hmn_gpu_processes(ctx, 0, &pl) == HMN_EPARSE);
    CHECK(t_contains(hmn_errmsg(ctx), "unexpected --query-compute-apps output"));
    /* Back to normal: the context recovers. */
    snprintf(path, sizeof(path), "%s", "h100-3procs.scn");
    t_scenario(path);
    CHECK(info(ctx, 0, &d) == HMN_OK);
    hmn_ctx_close(ctx);
}

static void timeout_from_environment(void)
{
    hmn_ctx *ctx;
    uint32_t n = 0;
    uint64_t t0;
    env_for("hang.scn");
    t_setenv("HMN_SMI_TIMEOUT_MS", "250");
    ctx = t_ctx_smi_only();
    t_unsetenv("HMN_SMI_TIMEOUT_MS");
    CHECK(ctx);
    t0 = hmn__now_ms();
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK(hmn__now_ms() - t0 < 2000);
    hmn_ctx_close(ctx);
}

/* HMN_OPT_DEBUG: the command line and every raw output line on stderr. */
static void debug_shows_raw_lines(void)
{
#if !defined(_WIN32)
    static char got[8192];
    char path[1024];
    hmn_process_list *pl = NULL;
    hmn_ctx *ctx = open_for("wsl2.scn");
    int saved, fd, rc;
    CHECK(ctx);
    snprintf(path, sizeof(path), "%s/debug-stderr.txt", HMN_T_WORK);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    fflush(stderr);
    saved = dup(2);
    dup2(fd, 2);
    close(fd);
    hmn_ctx_set_option(ctx, HMN_OPT_DEBUG, 1);
    rc = hmn_gpu_processes(ctx, 0, &pl);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    hmn_process_list_free(pl);
    hmn_ctx_close(ctx);
    CHECK(rc == HMN_OK);
    CHECK(t_read(path, got, sizeof(got)) > 0);
    CHECK(t_contains(got, "[nvidia-smi debug] run "));
    CHECK(t_contains(got, " --query-compute-apps=pid,process_name,used_memory "
                          "--format=csv,noheader,nounits --id=0\n"));
    CHECK(t_contains(got, "[nvidia-smi debug] 79, [N/A], [N/A]\n"));
#endif
}

/* ---------------------------------------------------------------- the fake itself */

/* The scenarios reproduce the real captures byte for byte. */
static int fake_matches(const char *scenario, const char *fixture, const char *q,
                        const char *fmt)
{
    static char out[8192], want[8192];
    const char *argv[4];
    struct hmn__run_result res;
    char path[1024];
    long n;
    env_for(scenario);
    argv[0] = HMN_T_FAKE_SMI;
    argv[1] = q;
    argv[2] = fmt;
    argv[3] = NULL;
    if (hmn__run(argv, 5000, out, sizeof(out), &res, NULL, 0) != HMN_OK || !res.exited ||
        res.exit_code != 0)
        return 0;
    snprintf(path, sizeof(path), "%s/../fixtures/nvidia-smi/%s", HMN_T_SMI_DATA, fixture);
    n = t_read(path, want, sizeof(want));
    return n >= 0 && (size_t)n == res.len && memcmp(out, want, res.len) == 0;
}

static void fake_reproduces_captures(void)
{
    static const char nh[] = "--format=csv,noheader,nounits";
    CHECK(fake_matches("titanx-8gpu.scn", "query-gpu-noheader-nounits-8gpu-titanx.txt",
                       "--query-gpu=index,uuid,name,temperature.gpu,utilization.gpu,"
                       "memory.used,memory.total",
                       nh));
    CHECK(fake_matches("h100-3procs.scn",
                       "query-compute-apps-csv-header-units-linux-h100-3procs.txt",
                       "--query-compute-apps=timestamp,gpu_name,gpu_bus_id,gpu_serial,gpu_uuid,"
                       "pid,process_name,used_gpu_memory",
                       "--format=csv"));
    CHECK(fake_matches("h100-idle.scn", "query-compute-apps-csv-header-units-empty.txt",
                       "--query-compute-apps=timestamp,gpu_name,gpu_bus_id,gpu_serial,gpu_uuid,"
                       "pid,process_name,used_gpu_memory",
                       "--format=csv"));
    CHECK(fake_matches("wsl2.scn", "query-gpu-noheader-nounits-wsl2.txt",
                       "--query-gpu=name,memory.total,memory.used", nh));
    CHECK(fake_matches("wsl2.scn", "query-compute-apps-noheader-nounits-wsl2-na.txt",
                       "--query-compute-apps=pid,used_gpu_memory", nh));
    CHECK(fake_matches("fan-na.scn", "query-gpu-noheader-nounits-fan-na.txt",
                       "--query-gpu=memory.total,memory.free,memory.used,temperature.gpu,"
                       "fan.speed,utilization.gpu,utilization.memory",
                       nh));
    CHECK(fake_matches("fan-not-supported.scn", "query-gpu-noheader-nounits-fan-not-supported.txt",
                       "--query-gpu=memory.total,memory.free,memory.used,temperature.gpu,"
                       "fan.speed,utilization.gpu,utilization.memory",
                       nh));
}

static const struct hmn_test tests[] = {
    TEST_ENTRY(titanx_eight_gpus),
    TEST_ENTRY(h100_device_and_rows),
    TEST_ENTRY(self_gpu_is_device_wide),
    TEST_ENTRY(idle_gpu_empty_list),
    TEST_ENTRY(wsl2_na_row_kept),
    TEST_ENTRY(placeholders_leave_bits_clear),
    TEST_ENTRY(odd_names_and_duplicates),
    TEST_ENTRY(old_driver_retries_without_reserved),
    TEST_ENTRY(one_query_per_call),
    TEST_ENTRY(open_does_not_run_it),
    TEST_ENTRY(program_lookup),
    TEST_ENTRY(null_context_call),
    TEST_ENTRY(exit_9_no_driver),
    TEST_ENTRY(exit_12_no_nvml),
    TEST_ENTRY(exit_18_mismatch),
    TEST_ENTRY(exit_6_no_devices),
    TEST_ENTRY(other_exit_status),
    TEST_ENTRY(hang_is_killed_quickly),
    TEST_ENTRY(background_child_holding_the_pipe),
    TEST_ENTRY(garbage_is_parse_error),
    TEST_ENTRY(flood_is_bounded),
    TEST_ENTRY(killed_by_signal),
    TEST_ENTRY(truncated_row),
    TEST_ENTRY(failures_after_enumeration),
    TEST_ENTRY(timeout_from_environment),
    TEST_ENTRY(debug_shows_raw_lines),
    TEST_ENTRY(fake_reproduces_captures),
    TEST_ENTRY(malformed_line_is_skipped),
    TEST_ENTRY(impossible_figures_are_unknown),
};

int main(int argc, char **argv)
{
    return RUN_TESTS(tests);
}
