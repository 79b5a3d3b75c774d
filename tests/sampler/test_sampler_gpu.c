/*
 * tests/sampler/test_sampler_gpu.c - the sampler's GPU figures.
 *
 * NVML: the fake libnvidia-ml with HMN_FAKE_NVML_RELOAD=1 and a scenario
 * file replaced between samples, so one nvmlInit sees memory grow, the
 * tree's processes come and go, strangers appear and leave, and accounting
 * records accumulate: the tree's sum per sample, its peak and when, the
 * device's used peak and free minimum, the others at the peak and at the
 * last sample, and the accounting sum; accounting off or unsupported gives
 * no accounting figure; a row without a figure makes the sum unknown.
 * DRM: a /proc fixture tree whose members share a DRM client (counted once)
 * and change their fdinfo between samples.
 */
#include "harness.h"
#include "hypomnesis.h"
#include "sampler_members.h"
#include "sampler_fixture.h"
#include "test_support.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MIB (1024ull * 1024ull)

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char tree[512], proc[600], scn[600];
static unsigned step;

static int start_tree(void)
{
    if (t_tree_new(tree, sizeof(tree)) != 0)
        return -1;
    snprintf(proc, sizeof(proc), "%s/proc", tree);
    snprintf(scn, sizeof(scn), "%s/gpu.scn", tree);
    step = 0;
    return t_mkdirs(proc);
}

/* A new scenario, swapped in with rename() (a reload never reads half a
 * file); the padding line makes every version's size differ, so the fake
 * sees a change even when the inode number and the mtime tick repeat. */
static int put_scenario(const char *text)
{
    char tmp[700], body[4096];
    FILE *f;
    size_t i;
    int n = snprintf(body, sizeof(body), "# step %u ", ++step);
    for (i = 0; i < step && (size_t)n + 2 < sizeof(body); i++)
        body[n++] = 'x';
    body[n++] = '\n';
    body[n] = '\0';
    snprintf(tmp, sizeof(tmp), "%s.tmp", scn);
    f = fopen(tmp, "w");
    if (!f)
        return -1;
    fputs(body, f);
    fputs(text, f);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, scn);
}

static int other_pids(hmn_sampler *s, int moment, unsigned *pids, size_t max)
{
    size_t j;
    for (j = 0; j < max; j++) {
        hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
        if (hmn_sampler_other(s, 0, moment, j, &p) != HMN_OK)
            break;
        pids[j] = p.pid;
    }
    return (int)j;
}

struct cb_seen {
    int calls;
    uint64_t tree[8];
    uint64_t valid[8];
};

static void on_sample(const hmn_sample *sample, void *user)
{
    struct cb_seen *w = user;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
    if (hmn_sample_get_info(sample, &info) != HMN_OK || info.seq >= 8 || info.device_count != 1 ||
        hmn_sample_get_device(sample, 0, &d) != HMN_OK)
        return;
    w->tree[info.seq] = d.tree_used_bytes;
    w->valid[info.seq] = d.valid;
    w->calls++;
}

static const char dev_head[] =
    "driver 550.54.15\nnvml 12.550.54.15\ncuda 12040\n"
    "device name=\"NVIDIA H100 80GB HBM3\" uuid=GPU-11111111-2222-3333-4444-555555555555 "
    "pci=0000:09:00.0 total=16GiB reserved=0 ";

static void nvml_tree_over_time(void)
{
    char text[2048];
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_tree_process p = HMN_TREE_PROCESS_INIT;
    struct cb_seen w;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = NULL;
    unsigned pids[8];
    uint64_t peak_at;
    memset(&w, 0, sizeof(w));
    CHECK(start_tree() == 0);
    CHECK(sf_put_proc(proc, 100, 1, 500, "launcher", 1000, 1000) == 0);
    CHECK(sf_put_proc(proc, 101, 100, 600, "trainer", 2000, 2000) == 0);
    CHECK(sf_put_proc(proc, 102, 101, 700, "loader", 300, 300) == 0);
    CHECK(sf_put_proc(proc, 300, 1, 50, "stranger", 10, 10) == 0);
    snprintf(text, sizeof(text),
             "%sused=1GiB accounting=on\n"
             "proc pid=101 used=512MiB kinds=compute\n"
             "proc pid=300 used=256MiB kinds=compute\n"
             "acct pid=101 max=600MiB running=1\n"
             "acct pid=999 max=5GiB running=0\n",
             dev_head);
    CHECK(put_scenario(text) == 0);
    t_setenv("HMN_PROCFS", proc);
    t_setenv("HMN_FAKE_NVML_SCENARIO", scn);
    t_setenv("HMN_FAKE_NVML_RELOAD", "1");
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    cfg.root_pid = 100;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK); /* default: children + every GPU */
    CHECK(hmn_sampler_set_callback(s, on_sample, &w) == HMN_OK);
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK_EQ_U64(sum.device_count, 1);

    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.index, 0);
    CHECK_STR(d.name, "NVIDIA H100 80GB HBM3");
    CHECK_STR(d.uuid, "GPU-11111111-2222-3333-4444-555555555555");
    CHECK_EQ_U64(d.source, HMN_SOURCE_NVML);
    CHECK(d.valid & HMN_SDEV_HAS_TREE_USED);
    CHECK_EQ_U64(d.tree_used_bytes, 512 * MIB);
    CHECK_EQ_U64(d.tree_processes, 1);
    CHECK_EQ_U64(d.device_used_bytes, 1024 * MIB);
    CHECK_EQ_U64(d.total_bytes, 16384 * MIB);
    CHECK(d.valid & HMN_SDEV_HAS_ACCOUNTING);
    CHECK_EQ_U64(d.accounting_peak_bytes, 600 * MIB); /* 999 is no member */
    CHECK(other_pids(s, HMN_SAMPLER_AT_LAST, pids, 8) == 1 && pids[0] == 300);

    /* The tree grows (102 joins on graphics), a second stranger arrives. */
    snprintf(text, sizeof(text),
             "%sused=3GiB accounting=on\n"
             "proc pid=101 used=1GiB kinds=compute\n"
             "proc pid=102 used=1GiB kinds=graphics\n"
             "proc pid=300 used=256MiB kinds=compute\n"
             "proc pid=301 used=128MiB kinds=compute\n"
             "acct pid=101 max=1100MiB running=1\n"
             "acct pid=102 max=1500MiB running=1\n",
             dev_head);
    CHECK(put_scenario(text) == 0);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.tree_used_bytes, 2048 * MIB);
    CHECK_EQ_U64(d.tree_processes, 2);
    peak_at = d.tree_peak_at_ms;
    CHECK(other_pids(s, HMN_SAMPLER_AT_LAST, pids, 8) == 2 && pids[0] == 300 && pids[1] == 301);

    /* 101 exits (its accounting record stays), 102 shrinks, the strangers
     * leave; then a row without a figure (WDDM-like) for a member. */
    sf_drop_proc(proc, 101);
    snprintf(text, sizeof(text),
             "%sused=2GiB accounting=on\n"
             "proc pid=102 used=512MiB kinds=graphics\n"
             "acct pid=101 max=1100MiB running=0\n"
             "acct pid=102 max=1500MiB running=1\n",
             dev_head);
    CHECK(put_scenario(text) == 0);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.tree_used_bytes, 512 * MIB);
    CHECK(d.valid & HMN_SDEV_HAS_TREE_PEAK);
    CHECK_EQ_U64(d.tree_peak_bytes, 2048 * MIB);
    CHECK_EQ_U64(d.tree_peak_at_ms, peak_at);
    CHECK(d.valid & HMN_SDEV_HAS_USED_PEAK);
    CHECK_EQ_U64(d.device_used_peak_bytes, 3072 * MIB);
    CHECK(d.valid & HMN_SDEV_HAS_FREE_MIN);
    CHECK_EQ_U64(d.device_free_min_bytes, (16384 - 3072) * MIB);
    CHECK_EQ_U64(d.device_free_bytes, (16384 - 2048) * MIB);
    CHECK_EQ_U64(d.accounting_peak_bytes, 2600 * MIB);
    CHECK(other_pids(s, HMN_SAMPLER_AT_LAST, pids, 8) == 0);
    CHECK(other_pids(s, HMN_SAMPLER_AT_PEAK, pids, 8) == 2 && pids[0] == 300 && pids[1] == 301);
    {
        hmn_gpu_process o = HMN_GPU_PROCESS_INIT;
        CHECK(hmn_sampler_other(s, 0, HMN_SAMPLER_AT_PEAK, 1, &o) == HMN_OK);
        CHECK_EQ_U64(o.used_bytes, 128 * MIB);
        CHECK(hmn_sampler_other(s, 1, HMN_SAMPLER_AT_PEAK, 0, &o) == HMN_ENOENT);
        CHECK(hmn_sampler_other(s, 0, 7, 0, &o) == HMN_EINVAL);
    }
    CHECK(sm_member(s, 101, &p));
    CHECK(p.valid & HMN_TPROC_HAS_GPU);
    CHECK_EQ_U64(p.gpu_peak_bytes, 1024 * MIB);
    CHECK(sm_member(s, 100, &p));
    CHECK(!(p.valid & HMN_TPROC_HAS_GPU)); /* never on the GPU: unknown, not 0 */

    /* A gone member's record is final and asked for once: a later change of
     * it (which a real driver never makes) is not read again. */
    snprintf(text, sizeof(text),
             "%sused=2GiB accounting=on\n"
             "proc pid=102 used=512MiB kinds=graphics\n"
             "acct pid=101 max=5000MiB running=0\n"
             "acct pid=102 max=1600MiB running=1\n",
             dev_head);
    CHECK(put_scenario(text) == 0);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.accounting_peak_bytes, 2700 * MIB);

    snprintf(text, sizeof(text),
             "%sused=2GiB accounting=off\n"
             "proc pid=102 used=na kinds=graphics\n",
             dev_head);
    CHECK(put_scenario(text) == 0);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK(!(d.valid & HMN_SDEV_HAS_TREE_USED));
    CHECK_EQ_U64(d.tree_processes, 1);
    CHECK_EQ_U64(d.tree_peak_bytes, 2048 * MIB);
    CHECK_EQ_U64(d.accounting_peak_bytes, 2700 * MIB); /* kept from when it was on */

    CHECK_EQ_U64(w.calls, 5);
    CHECK_EQ_U64(w.tree[0], 512 * MIB);
    CHECK_EQ_U64(w.tree[1], 2048 * MIB);
    CHECK_EQ_U64(w.tree[2], 512 * MIB);
    CHECK(!(w.valid[4] & HMN_SDEV_HAS_TREE_USED));
    CHECK(!(w.valid[0] & HMN_SDEV_HAS_TREE_PEAK)); /* a sample's own figures only */
    hmn_sampler_close(s);
    s = NULL;

    /* Accounting unsupported on the device: never a figure. */
    snprintf(text, sizeof(text), "%sused=1GiB\nproc pid=100 used=64MiB\nacct pid=100 max=1GiB\n",
             dev_head);
    CHECK(put_scenario(text) == 0);
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK(!(d.valid & HMN_SDEV_HAS_ACCOUNTING));
    CHECK_EQ_U64(d.tree_used_bytes, 64 * MIB);
    CHECK(hmn_sampler_device(s, 1, &d) == HMN_ENOENT);
    hmn_sampler_close(s);
    s = NULL;
    /* One device by index, and one out of range. */
    cfg.device = 0;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    hmn_sampler_close(s);
    s = NULL;
    cfg.device = 1;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_ERANGE);
    /* No GPU flag: no devices. */
    cfg.device = HMN_SAMPLER_ALL_DEVICES;
    cfg.flags = HMN_SAMPLER_CHILDREN;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK_EQ_U64(sum.device_count, 0);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
    t_unsetenv("HMN_FAKE_NVML_RELOAD");
    t_unsetenv("HMN_PROCFS");
    t_rmtree(tree);
}

/* ---------------------------------------------------------------- DRM */

static int put_fdinfo(unsigned pid, unsigned fd, const char *node, unsigned client,
                      unsigned vram_kib)
{
    char rel[64], link[64], text[1024];
    snprintf(rel, sizeof(rel), "%u/fd/%u", pid, fd);
    snprintf(link, sizeof(link), "/dev/dri/%s", node);
    snprintf(text, sizeof(text), "%s/%s", proc, rel);
    (void)remove(text); /* a new client on the same descriptor number */
    if (t_tree_link(proc, rel, link) != 0)
        return -1;
    snprintf(rel, sizeof(rel), "%u/fdinfo/%u", pid, fd);
    snprintf(text, sizeof(text),
             "pos:\t0\nflags:\t02100002\nmnt_id:\t24\ndrm-driver:\tamdgpu\n"
             "drm-client-id:\t%u\ndrm-pdev:\t0000:08:00.0\n"
             "drm-total-vram:\t%u KiB\ndrm-resident-vram:\t%u KiB\n"
             "drm-total-gtt:\t0 KiB\ndrm-resident-gtt:\t0 KiB\n",
             client, vram_kib, vram_kib);
    return t_tree_write(proc, rel, text);
}

static void drm_shared_clients(void)
{
    char sys[600];
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = NULL;
    unsigned pids[8];
    CHECK(start_tree() == 0);
    snprintf(sys, sizeof(sys), "%s/drm/multi/sys", HMN_TEST_DATA);
    CHECK(sf_put_proc(proc, 100, 1, 500, "launcher", 1000, 1000) == 0);
    CHECK(sf_put_proc(proc, 101, 100, 600, "render", 2000, 2000) == 0);
    CHECK(sf_put_proc(proc, 102, 101, 700, "forked", 300, 300) == 0);
    CHECK(sf_put_proc(proc, 200, 1, 50, "desktop", 10, 10) == 0);
    /* 101 and 102 hold the same client 300 (a fork): 12 MiB once; 102 also has client 301. */
    CHECK(put_fdinfo(101, 3, "renderD128", 300, 12288) == 0);
    CHECK(put_fdinfo(102, 3, "renderD128", 300, 12288) == 0);
    CHECK(put_fdinfo(102, 4, "card0", 301, 4096) == 0);
    CHECK(put_fdinfo(200, 5, "renderD128", 400, 1024) == 0);
    t_setenv("HMN_PROCFS", proc);
    t_setenv("HMN_SYSFS", sys);
    t_setenv("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1");
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    cfg.root_pid = 100;
    cfg.device = 0; /* card0, amdgpu */
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.source, HMN_SOURCE_DRM_FDINFO);
    CHECK(d.valid & HMN_SDEV_HAS_TREE_USED);
    CHECK_EQ_U64(d.tree_used_bytes, (12288 + 4096) * 1024ull);
    CHECK_EQ_U64(d.tree_processes, 2);
    CHECK(d.valid & HMN_SDEV_HAS_DEVICE_USED);
    CHECK_EQ_U64(d.device_used_bytes, 536870912ull);
    CHECK(!(d.valid & HMN_SDEV_HAS_ACCOUNTING));
    CHECK(other_pids(s, HMN_SAMPLER_AT_LAST, pids, 8) == 1 && pids[0] == 200);
    /* The client grows, 102 closes 301.  The DRM backend reuses one /proc
     * pass for 50 ms (several devices, one listing): wait that out. */
    nap_ms(60);
    CHECK(put_fdinfo(101, 3, "renderD128", 300, 40960) == 0);
    CHECK(put_fdinfo(102, 3, "renderD128", 300, 40960) == 0);
    {
        char p4[700];
        snprintf(p4, sizeof(p4), "%s/102/fd/4", proc);
        CHECK(remove(p4) == 0);
        snprintf(p4, sizeof(p4), "%s/102/fdinfo/4", proc);
        CHECK(remove(p4) == 0);
    }
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_device(s, 0, &d) == HMN_OK);
    CHECK_EQ_U64(d.tree_used_bytes, 40960 * 1024ull);
    CHECK_EQ_U64(d.tree_peak_bytes, 40960 * 1024ull);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
    t_unsetenv("HMN_PROCFS");
    t_unsetenv("HMN_SYSFS");
    t_rmtree(tree);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
#if HMN_SAMPLER_HAVE_NVML
        TEST_ENTRY(nvml_tree_over_time),
#endif
#if HMN_SAMPLER_HAVE_DRM
        TEST_ENTRY(drm_shared_clients),
#endif
    };
    return RUN_TESTS(tests);
}
