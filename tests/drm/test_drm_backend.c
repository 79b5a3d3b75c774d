/*
 * tests/drm/test_drm_backend.c - the DRM backend through the public API, on
 * the fixture tree tests/data/drm/multi (HMN_PROCFS / HMN_SYSFS), with NVML
 * and nvidia-smi pointed at nothing so only DRM answers.
 *
 * multi/sys: card0 amdgpu 0000:08:00.0 (mem_info_*), card1 i915 0000:00:02.0,
 * card2 xe 0000:03:00.0, card3 nvidia 0000:01:00.0; card0-DP-1 and
 * renderD128 must be ignored.  multi/proc: see tests/data/drm/README.md.
 */
#include "backend.h"
#include "test_support.h"
#include "harness.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIB 1024ull
#define DATA HMN_DRM_DATA "/multi"

static hmn_ctx *open_on(const char *proc, const char *sys)
{
    hmn_ctx *ctx = NULL;
    t_setenv("HMN_PROCFS", proc);
    t_setenv("HMN_SYSFS", sys);
    t_setenv("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1");
    t_setenv("HMN_NVIDIA_SMI", "/nonexistent/nvidia-smi");
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    return ctx;
}

static hmn_ctx *open_multi(void)
{
    return open_on(DATA "/proc", DATA "/sys");
}

/* The rows of device `index` (caller frees). */
static hmn_process_list *rows_of(hmn_ctx *ctx, uint32_t index)
{
    hmn_process_list *list = NULL;
    if (hmn_gpu_processes(ctx, index, &list) != HMN_OK)
        return NULL;
    return list;
}

static int row(const hmn_process_list *list, size_t i, hmn_gpu_process *out)
{
    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    return hmn_process_list_get(list, i, out);
}

static void test_devices(void)
{
    hmn_ctx *ctx = open_multi();
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    uint32_t n = 0;
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_OK);
    CHECK_EQ_U64(n, 4); /* card0..card3; connector and render node skipped */

    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    CHECK_STR(d.name, "AMD Radeon RX 6800 XT");
    CHECK_STR(d.driver_name, "amdgpu");
    CHECK_STR(d.pci_bus_id, "0000:08:00.0");
    CHECK_EQ_U64(d.vendor, HMN_VENDOR_AMD);
    CHECK_EQ_U64(d.source, HMN_SOURCE_SYSFS);
    CHECK_EQ_U64(d.memory_api, HMN_MEMORY_API_SYSFS);
    CHECK_EQ_U64(d.pci_vendor_id, 0x1002);
    CHECK_EQ_U64(d.pci_device_id, 0x73bf);
    CHECK_EQ_U64(d.total_bytes, 17163091968ull);
    CHECK_EQ_U64(d.used_bytes, 536870912ull);
    CHECK_EQ_U64(d.free_bytes, 17163091968ull - 536870912ull);
    CHECK_EQ_U64(d.gtt_total_bytes, 16777216000ull);
    CHECK_EQ_U64(d.gtt_used_bytes, 8388608ull);
    CHECK_EQ_U64(d.vis_vram_total_bytes, 268435456ull);
    CHECK_EQ_U64(d.vis_vram_used_bytes, 100663296ull);
    CHECK((d.valid & (HMN_DEV_HAS_NAME | HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED | HMN_DEV_HAS_FREE |
                      HMN_DEV_HAS_GTT | HMN_DEV_HAS_VIS_VRAM | HMN_DEV_HAS_PCI_IDS |
                      HMN_DEV_HAS_PCI_BUS_ID)) ==
          (HMN_DEV_HAS_NAME | HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED | HMN_DEV_HAS_FREE |
           HMN_DEV_HAS_GTT | HMN_DEV_HAS_VIS_VRAM | HMN_DEV_HAS_PCI_IDS | HMN_DEV_HAS_PCI_BUS_ID));

    /* Intel: no unprivileged memory figures - unknown, not zero. */
    CHECK(hmn_device_info(ctx, 1, &d) == HMN_OK);
    CHECK_STR(d.name, "Intel GPU 8086:9a49");
    CHECK_STR(d.driver_name, "i915");
    CHECK_STR(d.pci_bus_id, "0000:00:02.0");
    CHECK_EQ_U64(d.vendor, HMN_VENDOR_INTEL);
    CHECK_EQ_U64(d.source, HMN_SOURCE_SYSFS);
    CHECK_EQ_U64(d.memory_api, HMN_MEMORY_API_UNKNOWN);
    CHECK((d.valid & (HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED | HMN_DEV_HAS_FREE | HMN_DEV_HAS_GTT |
                      HMN_DEV_HAS_VIS_VRAM)) == 0);

    CHECK(hmn_device_info(ctx, 2, &d) == HMN_OK);
    CHECK_STR(d.driver_name, "xe");
    CHECK_STR(d.pci_bus_id, "0000:03:00.0");

    /* NVIDIA seen only through sysfs (NVML absent here): listed, memory unknown. */
    CHECK(hmn_device_info(ctx, 3, &d) == HMN_OK);
    CHECK_STR(d.name, "NVIDIA GPU 10de:2684");
    CHECK_EQ_U64(d.vendor, HMN_VENDOR_NVIDIA);
    CHECK((d.valid & HMN_DEV_HAS_TOTAL) == 0);
    CHECK(hmn_device_info(ctx, 4, &d) == HMN_ERANGE);
    hmn_ctx_close(ctx);
}

static void test_amdgpu_rows(void)
{
    hmn_ctx *ctx = open_multi();
    hmn_process_list *l;
    hmn_gpu_process r;
    uint32_t upid = 0;
    CHECK(ctx);
    l = rows_of(ctx, 0);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 3);
    CHECK_EQ_U64(hmn_process_list_source(l), HMN_SOURCE_DRM_FDINFO);
    /* pid 401's fdinfo cannot be read; 400 vanished (skipped silently). */
    CHECK_EQ_U64(hmn_process_list_unreadable(l), 1);
    /* The list names it, on every card (an unreadable process has no known card). */
    CHECK(hmn_process_list_unreadable_pid(l, 0, &upid) == HMN_OK);
    CHECK_EQ_U64(upid, 401);
    CHECK(hmn_process_list_unreadable_pid(l, 1, &upid) == HMN_ENOENT);
    CHECK(hmn_process_list_unreadable_pid(l, 0, NULL) == HMN_EINVAL);
    CHECK(hmn_process_list_unreadable_pid(NULL, 0, &upid) == HMN_EINVAL);
    CHECK_EQ_U64(hmn_process_list_skipped_rows(l), 0);

    /* 100: the real legacy-only amdgpu sample (KiB). */
    CHECK(row(l, 0, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 100);
    CHECK_STR(r.name, "glxgears");
    CHECK_EQ_U64(r.source, HMN_SOURCE_DRM_FDINFO);
    CHECK_EQ_U64(r.kinds, HMN_PROC_KIND_DRM);
    CHECK_EQ_U64(r.device_index, 0);
    CHECK_EQ_U64(r.used_bytes, 2068 * KIB);
    CHECK_EQ_U64(r.gtt_bytes, 8192 * KIB);
    CHECK_EQ_U64(r.cpu_bytes, 0);
    CHECK_EQ_U64(r.valid, HMN_PROC_HAS_NAME | HMN_PROC_HAS_USED | HMN_PROC_HAS_GTT |
                              HMN_PROC_HAS_CPU | HMN_PROC_HAS_CLIENTS |
                              HMN_PROC_HAS_UNIQUE_USED);
    CHECK_EQ_U64(r.clients, 1);
    CHECK_EQ_U64(r.shared_clients, 0);
    CHECK_EQ_U64(r.unique_used_bytes, 2068 * KIB);

    /* 101: client 300 through two dup'ed fds (counted once); resident beats legacy;
     * its socket and file fds carry DRM-looking fdinfo that must not be read. */
    CHECK(row(l, 1, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 101);
    CHECK_STR(r.name, "ollama");
    CHECK_EQ_U64(r.used_bytes, 12288 * KIB);
    CHECK_EQ_U64(r.gtt_bytes, 2048 * KIB);
    CHECK_EQ_U64(r.clients, 1);
    CHECK_EQ_U64(r.shared_clients, 1); /* 102 inherited it */
    CHECK_EQ_U64(r.unique_used_bytes, 12288 * KIB);

    /* 102: the inherited client 300 plus its own client 301 on the same device. */
    CHECK(row(l, 2, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 102);
    CHECK_EQ_U64(r.used_bytes, (12288 + 4096) * KIB);
    CHECK_EQ_U64(r.gtt_bytes, 2048 * KIB);
    CHECK_EQ_U64(r.clients, 2);
    CHECK_EQ_U64(r.shared_clients, 1);
    CHECK_EQ_U64(r.unique_used_bytes, 4096 * KIB); /* 300 is counted in pid 101 */
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
}

static void test_intel_rows(void)
{
    hmn_ctx *ctx = open_multi();
    hmn_process_list *l;
    hmn_gpu_process r;
    uint64_t u = 0;
    uint32_t upid = 0;
    CHECK(ctx);
    /* i915 iGPU: used is the system0 region, stolen apart. */
    l = rows_of(ctx, 1);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 2);
    CHECK(row(l, 0, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 200);
    CHECK_STR(r.name, "gnome-shell");
    CHECK_EQ_U64(r.used_bytes, 6044 * KIB);
    CHECK_EQ_U64(r.stolen_bytes, 0);
    CHECK_EQ_U64(r.valid, HMN_PROC_HAS_NAME | HMN_PROC_HAS_USED | HMN_PROC_HAS_STOLEN |
                              HMN_PROC_HAS_CLIENTS | HMN_PROC_HAS_UNIQUE_USED);
    /* 500: an older kernel printing no memory keys: a client, memory unknown. */
    CHECK(row(l, 1, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 500);
    CHECK((r.valid & HMN_PROC_HAS_USED) == 0);
    CHECK_EQ_U64(r.clients, 1);
    /* Its unique share is as unknown as its total: no bit, no 0 to add up. */
    CHECK((r.valid & HMN_PROC_HAS_UNIQUE_USED) == 0);
    CHECK(hmn_process_attributed_bytes(&r, &u) == HMN_ENOENT);
    hmn_process_list_free(l);

    /* xe dGPU: vram0 in KiB (real sample), MiB and bare bytes, B and GiB. */
    l = rows_of(ctx, 2);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 3);
    CHECK(row(l, 0, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 102); /* same client id 300 as on card0: another client */
    CHECK_EQ_U64(r.used_bytes, 8 * HMN__MIB);
    CHECK_EQ_U64(r.shared_clients, 0);
    CHECK_EQ_U64(r.unique_used_bytes, 8 * HMN__MIB);
    CHECK(row(l, 1, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 300);
    CHECK_EQ_U64(r.used_bytes, 23992 * KIB);
    CHECK_EQ_U64(r.gtt_bytes, 192 * KIB);
    CHECK_EQ_U64(r.stolen_bytes, 0);
    CHECK((r.valid & HMN_PROC_HAS_CPU) == 0);
    CHECK(row(l, 2, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 301);
    /* 16 MiB + 1000 B; the "5 TiB" line is skipped, system (3 GiB) not summed in. */
    CHECK_EQ_U64(r.used_bytes, 16 * HMN__MIB + 1000);
    CHECK_EQ_U64(r.gtt_bytes, 4096);
    CHECK_EQ_U64(r.stolen_bytes, HMN__GIB);
    hmn_process_list_free(l);

    /* The NVIDIA card has no DRM clients here: an empty list is a success. */
    l = rows_of(ctx, 3);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 0);
    CHECK(hmn_process_list_unreadable_pid(l, 0, &upid) == HMN_OK);
    CHECK_EQ_U64(upid, 401);
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
}

static void test_no_class_drm(void)
{
    /* A sysfs root without class/drm: no source, and a reason naming the path. */
    hmn_ctx *ctx = open_on(DATA "/proc", DATA "/proc");
    hmn_source_report rep = HMN_SOURCE_REPORT_INIT;
    uint32_t n = 9;
    size_t i;
    int found = 0;
    CHECK(ctx);
    CHECK(hmn_device_count(ctx, &n) == HMN_ENOGPU);
    CHECK_EQ_U64(n, 0);
    for (i = 0; hmn_source_report_get(ctx, i, &rep) == HMN_OK; i++) {
        if (rep.source != HMN_SOURCE_DRM_FDINFO)
            continue;
        found = 1;
        CHECK_EQ_U64(rep.state, HMN_SOURCE_UNAVAILABLE);
        CHECK(strstr(rep.reason, "/class/drm: not found") != NULL);
    }
    CHECK(found);
    hmn_ctx_close(ctx);
}

static void test_nvml_card_not_listed_twice(void)
{
    /* The dispatcher asks NVML first; a card it listed must not come back from DRM. */
    hmn_ctx *ctx = open_multi();
    struct hmn__devtab tab;
    struct hmn__dev nv;
    char reason[256];
    void *state = NULL;
    uint32_t i;
    CHECK(ctx);
    memset(&tab, 0, sizeof(tab));
    memset(&nv, 0, sizeof(nv));
    nv.backend = HMN__BK_NVML;
    nv.vendor = HMN_VENDOR_NVIDIA;
    hmn__strlcpy(nv.pci_bus_id, "0000:01:00.0", sizeof(nv.pci_bus_id));
    CHECK(hmn__devtab_add(&tab, &nv) == HMN_OK);
    CHECK(hmn__backend_drm.open(ctx, &state, reason, sizeof(reason)) == HMN_OK);
    CHECK(hmn__backend_drm.enumerate(ctx, state, &tab) == HMN_OK);
    hmn__backend_drm.close(ctx, state);
    CHECK_EQ_U64(tab.count, 4);
    CHECK_EQ_U64(tab.dev[0].backend, HMN__BK_NVML);
    for (i = 1; i < tab.count; i++) {
        CHECK_EQ_U64(tab.dev[i].backend, HMN__BK_DRM);
        CHECK(strcmp(tab.dev[i].pci_bus_id, "0000:01:00.0") != 0);
    }
    CHECK_STR(tab.dev[1].card, "card0");
    CHECK_STR(tab.dev[3].card, "card2");
    hmn_ctx_close(ctx);
}

/* Our own PID in a tree built now: fds 3 and 4 share a client, 5 is on the xe card. */
static int build_self_tree(const char *root)
{
    char rel[128];
    unsigned pid = (unsigned)getpid();
    const char *amd = "drm-driver:\tamdgpu\ndrm-pdev:\t0000:08:00.0\ndrm-client-id:\t900\n"
                      "drm-resident-vram:\t1024 KiB\ndrm-resident-gtt:\t64 KiB\n";
    const char *xe = "drm-driver:\txe\ndrm-pdev:\t0000:03:00.0\ndrm-client-id:\t901\n"
                     "drm-resident-vram0:\t2 MiB\n";
    int rc = 0, fd;
    for (fd = 3; fd <= 5; fd++) {
        snprintf(rel, sizeof(rel), "%u/fd/%d", pid, fd);
        rc |= t_tree_link(root, rel, fd == 5 ? "/dev/dri/renderD129" : "/dev/dri/renderD128");
        snprintf(rel, sizeof(rel), "%u/fdinfo/%d", pid, fd);
        rc |= t_tree_write(root, rel, fd == 5 ? xe : amd);
    }
    snprintf(rel, sizeof(rel), "%u/comm", pid);
    rc |= t_tree_write(root, rel, "test_drm\n");
    return rc;
}

static void test_self(void)
{
    char root[512];
    hmn_process_gpu g = HMN_PROCESS_GPU_INIT;
    hmn_ctx *ctx;
    CHECK(t_tree_new(root, sizeof(root)) == 0);
    CHECK(build_self_tree(root) == 0);
    ctx = open_on(root, DATA "/sys");
    CHECK(ctx);
    CHECK(hmn_process_gpu_info(ctx, 0, &g) == HMN_OK);
    CHECK_EQ_U64(g.source, HMN_SOURCE_DRM_FDINFO);
    CHECK_EQ_U64(g.is_per_process, 1);
    CHECK_EQ_U64(g.valid, HMN_PGPU_HAS_USED);
    CHECK_EQ_U64(g.used_bytes, 1024 * KIB); /* dup'ed client counted once */
    /* No client on the i915 card: a measured zero. */
    CHECK(hmn_process_gpu_info(ctx, 1, &g) == HMN_OK);
    CHECK_EQ_U64(g.valid, HMN_PGPU_HAS_USED);
    CHECK_EQ_U64(g.used_bytes, 0);
    CHECK(hmn_process_gpu_info(ctx, 2, &g) == HMN_OK);
    CHECK_EQ_U64(g.used_bytes, 2 * HMN__MIB);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

static void test_unreadable_permissions(void)
{
    /* Real EACCES needs a non-root user (CI runs as root: there it is skipped and the
     * checked-in tree's directory-as-fdinfo case covers the counting). */
    char root[512], path[600];
    hmn_process_list *l;
    hmn_ctx *ctx;
    if (geteuid() == 0) {
        printf("note: running as root, permission case skipped\n");
        return;
    }
    CHECK(t_tree_new(root, sizeof(root)) == 0);
    CHECK(t_tree_link(root, "700/fd/3", "/dev/dri/renderD128") == 0);
    CHECK(t_tree_write(root, "700/fdinfo/3", "drm-driver:\tamdgpu\n") == 0);
    CHECK(t_tree_write(root, "700/cmdline", "locked\0") == 0);
    CHECK(t_tree_link(root, "701/fd/3", "/dev/dri/renderD128") == 0);
    CHECK(t_tree_write(root, "701/cmdline", "") == 0); /* kernel thread: not counted */
    snprintf(path, sizeof(path), "%s/700/fd", root);
    CHECK(chmod(path, 0) == 0);
    snprintf(path, sizeof(path), "%s/701/fd", root);
    CHECK(chmod(path, 0) == 0);
    ctx = open_on(root, DATA "/sys");
    CHECK(ctx);
    l = rows_of(ctx, 0);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 0);
    CHECK_EQ_U64(hmn_process_list_unreadable(l), 1);
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

static void test_vanished_tree(void)
{
    /* The whole process table gone between enumeration and listing. */
    char root[512];
    hmn_process_list *l = NULL;
    hmn_ctx *ctx;
    CHECK(t_tree_new(root, sizeof(root)) == 0);
    ctx = open_on(root, DATA "/sys");
    CHECK(ctx);
    t_rmtree(root);
    CHECK(hmn_gpu_processes(ctx, 0, &l) == HMN_ENOENT);
    CHECK(l == NULL);
    CHECK(strstr(hmn_errmsg(ctx), "cannot list processes") != NULL);
    hmn_ctx_close(ctx);
}

static void test_platform_device(void)
{
    /* No PCI: the card is named after its driver and clients match by drm-driver. */
    char root[512], sys[600], proc[600];
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    hmn_process_list *l;
    hmn_gpu_process r;
    hmn_ctx *ctx;
    CHECK(t_tree_new(root, sizeof(root)) == 0);
    CHECK(t_tree_write(root, "sys/class/drm/card0/device/uevent",
                         "DRIVER=panfrost\nOF_NAME=gpu\n") == 0);
    CHECK(t_tree_link(root, "proc/42/fd/7", "/dev/dri/renderD128") == 0);
    CHECK(t_tree_write(root, "proc/42/fdinfo/7",
                         "drm-driver:\tpanfrost\ndrm-client-id:\t5\n"
                         "drm-resident-memory:\t8 KiB\n") == 0);
    CHECK(t_tree_write(root, "proc/42/comm", "weston\n") == 0);
    snprintf(sys, sizeof(sys), "%s/sys", root);
    snprintf(proc, sizeof(proc), "%s/proc", root);
    ctx = open_on(proc, sys);
    CHECK(ctx);
    CHECK(hmn_device_info(ctx, 0, &d) == HMN_OK);
    CHECK_STR(d.name, "panfrost (card0)");
    CHECK_EQ_U64(d.vendor, HMN_VENDOR_OTHER);
    CHECK((d.valid & (HMN_DEV_HAS_PCI_BUS_ID | HMN_DEV_HAS_PCI_IDS | HMN_DEV_HAS_TOTAL)) == 0);
    l = rows_of(ctx, 0);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 1);
    CHECK(row(l, 0, &r) == HMN_OK);
    CHECK_EQ_U64(r.pid, 42);
    CHECK_STR(r.name, "weston");
    CHECK_EQ_U64(r.used_bytes, 8 * KIB); /* "memory" region: what it allocates from */
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

static void test_fresh_after_cache_window(void)
{
    /* Listings within one context see new processes once the 50 ms pass cache ages. */
    const char *info = "drm-driver:\tamdgpu\ndrm-pdev:\t0000:08:00.0\ndrm-client-id:\t1\n"
                       "drm-resident-vram:\t4 KiB\n";
    char root[512];
    hmn_process_list *l;
    hmn_ctx *ctx;
    CHECK(t_tree_new(root, sizeof(root)) == 0);
    CHECK(t_tree_link(root, "10/fd/3", "/dev/dri/renderD128") == 0);
    CHECK(t_tree_write(root, "10/fdinfo/3", info) == 0);
    ctx = open_on(root, DATA "/sys");
    CHECK(ctx);
    l = rows_of(ctx, 0);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 1);
    hmn_process_list_free(l);
    CHECK(t_tree_link(root, "11/fd/3", "/dev/dri/renderD128") == 0);
    CHECK(t_tree_write(root, "11/fdinfo/3", info) == 0);
    hmn__sleep_ms(120);
    l = rows_of(ctx, 0);
    CHECK(l);
    CHECK_EQ_U64(hmn_process_list_count(l), 2);
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_devices),
        TEST_ENTRY(test_amdgpu_rows),
        TEST_ENTRY(test_intel_rows),
        TEST_ENTRY(test_no_class_drm),
        TEST_ENTRY(test_nvml_card_not_listed_twice),
        TEST_ENTRY(test_self),
        TEST_ENTRY(test_unreadable_permissions),
        TEST_ENTRY(test_vanished_tree),
        TEST_ENTRY(test_platform_device),
        TEST_ENTRY(test_fresh_after_cache_window),
    };
    return RUN_TESTS(tests);
}
