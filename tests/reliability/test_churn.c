/*
 * tests/reliability/test_churn.c - process listing while processes come and
 * go.  A PID that vanishes between "list /proc" and "read its fdinfo" is the
 * normal case on a busy machine: it must be skipped silently, never turned
 * into an error, an "unreadable" count or a crash.
 *
 *  - synthetic_churn: a procfs tree (built here, with the sysfs of
 *    tests/data/drm/multi) where a churn thread creates and deletes hundreds
 *    of DRM client processes and rewrites their fdinfo files while reader
 *    threads list processes.  Three stable processes must be listed with
 *    their exact figures every single time.
 *  - real_proc_churn: the real /proc scanned (sysfs from the fixtures, so the
 *    DRM backend has a card to scan for) while hundreds of real short-lived
 *    children start and exit; also hmn_process_exists on those PIDs.
 *  - cli_ps_churn: `hmn ps` and `hmn ps --json` run repeatedly during the
 *    synthetic churn; each exits 0 (when the CLI is built).
 */
#include "harness.h"
#include "hypomnesis.h"
#include "rel_util.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HMN_REL_DRM_SYS
#  error "HMN_REL_DRM_SYS (the fixture sysfs) must be defined"
#endif

#define CARD_PCI "0000:08:00.0"
#define STABLE_KIB 12288u
#define CHURN_FIRST 1000u
#define CHURN_SLOTS 64u
#define CHURN_ROUNDS 6u
#define READERS 3

extern char **environ;

static char root[512];
static atomic_int churn_done;
static atomic_uint churn_created;

static void fdinfo_text(char *buf, size_t cap, unsigned client, unsigned kib)
{
    snprintf(buf, cap,
             "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t1083\n"
             "drm-driver:\tamdgpu\ndrm-client-id:\t%u\ndrm-pdev:\t" CARD_PCI "\n"
             "drm-total-vram:\t%u KiB\ndrm-resident-vram:\t%u KiB\n"
             "drm-total-gtt:\t0\ndrm-resident-gtt:\t0\n",
             client, kib, kib);
}

/* proc/<pid> with status, comm, cmdline and one DRM fd; 0 on success. */
static int make_proc(unsigned pid, unsigned kib)
{
    char dir[700], p[800], text[512];
    snprintf(dir, sizeof(dir), "%s/proc/%u", root, pid);
    snprintf(p, sizeof(p), "%s/fdinfo", dir);
    if (t_mkdirs(p) != 0)
        return -1;
    snprintf(p, sizeof(p), "%s/fd", dir);
    if (t_mkdirs(p) != 0)
        return -1;
    snprintf(text, sizeof(text), "Name:\tw%u\nTgid:\t%u\nPid:\t%u\nNSpid:\t%u\n", pid, pid, pid,
             pid);
    snprintf(p, sizeof(p), "%s/status", dir);
    t_write(p, text);
    snprintf(p, sizeof(p), "%s/comm", dir);
    t_write(p, "worker\n");
    snprintf(p, sizeof(p), "%s/cmdline", dir);
    t_write(p, "worker");
    /* fdinfo before the fd link: a reader never sees an fd without its info... */
    fdinfo_text(text, sizeof(text), 5000 + pid, kib);
    snprintf(p, sizeof(p), "%s/fdinfo/3", dir);
    if (t_write(p, text) != 0)
        return -1;
    snprintf(p, sizeof(p), "%s/fd/3", dir);
    return symlink("/dev/dri/renderD128", p) == 0 || errno == EEXIST ? 0 : -1;
}

/* ...and removal in the kernel's order is not guaranteed, so vary it. */
static void drop_proc(unsigned pid, unsigned how)
{
    char p[800];
    snprintf(p, sizeof(p), "%s/proc/%u/%s", root, pid, how % 2 ? "fdinfo/3" : "fd/3");
    unlink(p);
    snprintf(p, sizeof(p), "%s/proc/%u", root, pid);
    t_rmtree(p);
}

static void *churn_main(void *arg)
{
    unsigned round, i;
    (void)arg;
    for (round = 0; round < CHURN_ROUNDS; round++) {
        for (i = 0; i < CHURN_SLOTS; i++) {
            unsigned pid = CHURN_FIRST + round * CHURN_SLOTS + i;
            if (make_proc(pid, 1024 + i) == 0)
                atomic_fetch_add(&churn_created, 1);
            /* Rewrite an older client's fdinfo in place (truncate, then write). */
            if (i >= 8) {
                char p[800], text[512];
                snprintf(p, sizeof(p), "%s/proc/%u/fdinfo/3", root, pid - 8);
                fdinfo_text(text, sizeof(text), 5000 + pid - 8, 2048);
                t_write(p, text);
            }
            if (i >= 16)
                drop_proc(pid - 16, i);
        }
        for (i = CHURN_SLOTS - 16; i < CHURN_SLOTS; i++)
            drop_proc(CHURN_FIRST + round * CHURN_SLOTS + i, i);
    }
    atomic_store(&churn_done, 1);
    return NULL;
}

static int build_tree(void)
{
    char p[700];
    const char *tmp = getenv("TMPDIR");
    unsigned pid;
    snprintf(root, sizeof(root), "%s/hmn-churn-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return -1;
    snprintf(p, sizeof(p), "%s/sys", root);
    if (symlink(HMN_REL_DRM_SYS, p) != 0)
        return -1;
    for (pid = 10; pid <= 12; pid++)
        if (make_proc(pid, STABLE_KIB) != 0)
            return -1;
    snprintf(p, sizeof(p), "%s/proc", root);
    t_setenv("HMN_PROCFS", p);
    snprintf(p, sizeof(p), "%s/sys", root);
    t_setenv("HMN_SYSFS", p);
    return 0;
}

/* Index of the fixture's amdgpu card, or -1. */
static int card_index(hmn_ctx *ctx)
{
    uint32_t n = 0, i;
    if (hmn_device_count(ctx, &n) != HMN_OK)
        return -1;
    for (i = 0; i < n; i++) {
        hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
        if (hmn_device_info(ctx, i, &d) == HMN_OK && strcmp(d.pci_bus_id, CARD_PCI) == 0)
            return (int)i;
    }
    return -1;
}

struct reader {
    pthread_t th;
    int id, failed_line;
    unsigned lists, churn_rows;
};

#define RCHECK(r, cond)                                                                        \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: reader %d: %s\n", __FILE__, __LINE__, (r)->id, #cond);     \
            (r)->failed_line = __LINE__;                                                       \
            goto out;                                                                          \
        }                                                                                      \
    } while (0)

static void check_list(struct reader *r, hmn_process_list *l)
{
    size_t i, n = hmn_process_list_count(l);
    unsigned stable = 0;
    RCHECK(r, hmn_process_list_unreadable(l) == 0);
    for (i = 0; i < n; i++) {
        hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
        RCHECK(r, hmn_process_list_get(l, i, &p) == HMN_OK);
        if (p.pid >= 10 && p.pid <= 12) {
            stable++;
            RCHECK(r, (p.valid & HMN_PROC_HAS_USED) && p.used_bytes == STABLE_KIB * 1024ull);
        } else {
            RCHECK(r, p.pid >= CHURN_FIRST && p.pid < CHURN_FIRST + CHURN_ROUNDS * CHURN_SLOTS);
            r->churn_rows++;
        }
    }
    RCHECK(r, stable == 3);
out:
    return;
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    hmn_ctx *ctx = NULL;
    int card;
    RCHECK(r, hmn_ctx_open(&ctx) == HMN_OK);
    card = card_index(ctx);
    RCHECK(r, card >= 0);
    do {
        hmn_process_list *l = NULL;
        hmn_snapshot_list *sl = NULL;
        int rc = hmn_gpu_processes(r->id == 0 ? NULL : ctx, (uint32_t)card, &l);
        if (rc != HMN_OK)
            fprintf(stderr, "reader %d: %s\n", r->id, hmn_errmsg(r->id == 0 ? NULL : ctx));
        RCHECK(r, rc == HMN_OK);
        r->lists++;
        check_list(r, l);
        hmn_process_list_free(l);
        if (r->failed_line)
            break;
        RCHECK(r, hmn_snapshot_all(ctx, &sl) == HMN_OK && hmn_snapshot_list_count(sl) > 0);
        hmn_snapshot_list_free(sl);
    } while (!atomic_load(&churn_done));
out:
    hmn_ctx_close(ctx);
    return NULL;
}

static void synthetic_churn(void)
{
    pthread_t churn;
    struct reader r[READERS];
    int i, bad = 0;
    unsigned lists = 0, rows = 0;
    CHECK(build_tree() == 0);
    memset(r, 0, sizeof(r));
    CHECK(pthread_create(&churn, NULL, churn_main, NULL) == 0);
    for (i = 0; i < READERS; i++) {
        r[i].id = i;
        CHECK(pthread_create(&r[i].th, NULL, reader_main, &r[i]) == 0);
    }
    pthread_join(churn, NULL);
    for (i = 0; i < READERS; i++) {
        pthread_join(r[i].th, NULL);
        bad += r[i].failed_line != 0;
        lists += r[i].lists;
        rows += r[i].churn_rows;
    }
    printf("     %u processes created and removed, %u lists taken, %u churned rows seen\n",
           atomic_load(&churn_created), lists, rows);
    CHECK(bad == 0);
    CHECK(atomic_load(&churn_created) == CHURN_ROUNDS * CHURN_SLOTS);
    CHECK(lists >= READERS);
}

/* `hmn ps` during churn (same tree, its own churn pass). */
static void cli_ps_churn(void)
{
#ifdef HMN_REL_CLI
    pthread_t churn;
    char cli[] = HMN_REL_CLI, ps_word[] = "ps", json_word[] = "--json";
    char *ps[] = {cli, ps_word, NULL}, *psj[] = {cli, ps_word, json_word, NULL};
    int runs = 0, bad = 0;
    CHECK(root[0] != '\0'); /* synthetic_churn built the tree */
    atomic_store(&churn_done, 0);
    atomic_store(&churn_created, 0);
    CHECK(pthread_create(&churn, NULL, churn_main, NULL) == 0);
    do {
        int a = rel_run(ps), b = rel_run(psj);
        if (a != 0 || b != 0) {
            fprintf(stderr, "hmn ps -> %d, hmn ps --json -> %d\n", a, b);
            bad++;
        }
        runs++;
    } while (!atomic_load(&churn_done));
    pthread_join(churn, NULL);
    printf("     %d runs of hmn ps / hmn ps --json\n", runs);
    CHECK(bad == 0);
#else
    printf("     (cli_ps_churn: hmn not built)\n");
#endif
}

/* ---------------------------------------------------------------- real /proc */

#define REAL_CHILDREN 300

static atomic_int spawn_done;
static atomic_int last_child;

static void *spawner_main(void *arg)
{
    char prog[] = "/bin/true", *argv[] = {prog, NULL};
    int i, *bad = arg;
    for (i = 0; i < REAL_CHILDREN; i++) {
        pid_t pid;
        int st;
        if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
            (*bad)++;
            continue;
        }
        atomic_store(&last_child, (int)pid);
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
            (*bad)++;
    }
    atomic_store(&spawn_done, 1);
    return NULL;
}

static void real_proc_churn(void)
{
    pthread_t sp;
    hmn_ctx *ctx;
    int spawn_bad = 0, card, scans = 0;
    char sys[700];
    snprintf(sys, sizeof(sys), "%s", HMN_REL_DRM_SYS);
    t_setenv("HMN_PROCFS", NULL);
    t_setenv("HMN_SYSFS", sys);
    CHECK(access("/bin/true", X_OK) == 0);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    card = card_index(ctx);
    CHECK(card >= 0);
    CHECK(pthread_create(&sp, NULL, spawner_main, &spawn_bad) == 0);
    do {
        hmn_process_list *l = NULL;
        hmn_snapshot s = HMN_SNAPSHOT_INIT;
        int pid = atomic_load(&last_child), ex;
        int rc = hmn_gpu_processes(ctx, (uint32_t)card, &l);
        if (rc != HMN_OK)
            fprintf(stderr, "real /proc scan: %s\n", hmn_errmsg(ctx));
        hmn_process_list_free(l);
        if (rc != HMN_OK)
            break;
        ex = pid ? hmn_process_exists(ctx, (uint32_t)pid) : 0;
        if (ex != 0 && ex != 1) {
            fprintf(stderr, "hmn_process_exists(%d) -> %d\n", pid, ex);
            break;
        }
        if (hmn_snapshot_now(ctx, (uint32_t)card, &s) != HMN_OK)
            break;
        scans++;
    } while (!atomic_load(&spawn_done));
    pthread_join(sp, NULL);
    hmn_ctx_close(ctx);
    printf("     %d children, %d full /proc scans meanwhile\n", REAL_CHILDREN, scans);
    CHECK(atomic_load(&spawn_done) == 1);
    CHECK(spawn_bad == 0);
    CHECK(scans > 0);
}

static void cleanup(void)
{
    if (root[0])
        t_rmtree(root);
    CHECK(rel_no_children());
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(synthetic_churn),
        TEST_ENTRY(cli_ps_churn),
        TEST_ENTRY(real_proc_churn),
        TEST_ENTRY(cleanup),
    };
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
