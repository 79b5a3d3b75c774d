/* RSS of the calling process: context and one-shot paths, peak, growth, process_exists,
 * process start times. */
#define _GNU_SOURCE 1
#include "harness.h"

#include <hypomnesis.h>

#include "support/test_support.h"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void rss_positive_both_paths(void)
{
    hmn_ctx *ctx = NULL;
    uint64_t a = 0, b = 0;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_process_rss(ctx, &a) == HMN_OK);
    CHECK(hmn_process_rss(NULL, &b) == HMN_OK);
    hmn_ctx_close(ctx);
    CHECK(a > 0 && b > 0);
    CHECK(a % (uint64_t)sysconf(_SC_PAGESIZE) == 0);
}

static void rss_tracks_an_allocation(void)
{
    const size_t size = 64u << 20;
    hmn_ctx *ctx = NULL;
    uint64_t before = 0, after = 0;
    char *p;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_process_rss(ctx, &before) == HMN_OK);
    p = malloc(size);
    CHECK(p != NULL);
    memset(p, 7, size);
    CHECK(hmn_process_rss(ctx, &after) == HMN_OK);
    /* Within 8 MiB of the 64 MiB touched. */
    CHECK(after >= before + size - (8u << 20));
    CHECK(after <= before + size + (8u << 20) + 0 * p[size - 1]);
    free(p);
    hmn_ctx_close(ctx);
}

static void rss_info_has_peak(void)
{
    hmn_rss r = HMN_RSS_INIT;
    CHECK(hmn_process_rss_info(NULL, &r) == HMN_OK);
    CHECK(r.valid & HMN_RSS_HAS_CURRENT);
    CHECK(r.valid & HMN_RSS_HAS_PEAK);
    CHECK(r.source == HMN_SOURCE_PROCFS);
    CHECK(r.peak_bytes >= r.current_bytes - (1u << 20));
}

static void rss_rejects_old_struct_size(void)
{
    hmn_rss r = HMN_RSS_INIT;
    r.size = 8;
    CHECK(hmn_process_rss_info(NULL, &r) == HMN_EVERSION);
    CHECK(hmn_process_rss(NULL, NULL) == HMN_EINVAL);
}

static void *thread_id(void *arg)
{
    *(long *)arg = (long)syscall(SYS_gettid);
    sleep(1);
    return NULL;
}

static void process_exists_rules(void)
{
    pthread_t t;
    long tid = 0;
    int i;
    CHECK(hmn_process_exists(NULL, (uint32_t)getpid()) == 1);
    CHECK(hmn_process_exists(NULL, 4294967295u) == 0);
    CHECK(pthread_create(&t, NULL, thread_id, &tid) == 0);
    for (i = 0; i < 100 && tid == 0; i++)
        usleep(10000);
    /* A thread id has a /proc entry but is not a process (Tgid differs). */
    CHECK(tid > 0 && hmn_process_exists(NULL, (uint32_t)tid) == 0);
    pthread_join(t, NULL);
}

/* A process keeps its start time whatever it calls itself; a new process has its own. */
static void process_start_time_rules(void)
{
    char root[512], keep[600];
    uint64_t a = 0, b = 0, c = 0;
    pid_t child;
    hmn_ctx *ctx = NULL;
    CHECK(hmn_process_start_time(NULL, (uint32_t)getpid(), &a) == HMN_OK);
    CHECK(hmn_process_start_time(NULL, (uint32_t)getpid(), &b) == HMN_OK);
    CHECK(a > 0 && a == b);
    CHECK(hmn_process_start_time(NULL, 4294967295u, &c) == HMN_ENOENT);
    CHECK(hmn_process_start_time(NULL, 0, &c) == HMN_EINVAL);
    CHECK(hmn_process_start_time(NULL, 1, NULL) == HMN_EINVAL);
    usleep(20000); /* > 1 clock tick */
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    CHECK(child > 0);
    c = 0;
    CHECK(hmn_process_start_time(NULL, (uint32_t)child, &c) == HMN_OK);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    CHECK(c > a);
    /* Field 22 of the context's /proc, past a name with spaces and parentheses. */
    CHECK(t_tree_new(root, sizeof(root)) == 0);
    CHECK(t_tree_write(root, "4242/stat",
                       "4242 (a) b (c) S 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 987654 0\n") ==
          0);
    CHECK(t_tree_write(root, "4243/stat", "4243 (x) S 1\n") == 0);
    snprintf(keep, sizeof(keep), "%s", getenv("HMN_PROCFS") ? getenv("HMN_PROCFS") : "");
    t_setenv("HMN_PROCFS", root);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_process_start_time(ctx, 4242, &c) == HMN_OK);
    CHECK_EQ_U64(c, 987654);
    CHECK(hmn_process_start_time(ctx, 4243, &c) == HMN_EPARSE);
    CHECK(hmn_process_start_time(ctx, 4244, &c) == HMN_ENOENT);
    CHECK(hmn_errmsg(ctx)[0] != '\0');
    hmn_ctx_close(ctx);
    t_setenv("HMN_PROCFS", keep[0] ? keep : NULL);
    t_rmtree(root);
}

static void snapshot_ram_is_mandatory_gpu_best_effort(void)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    CHECK(hmn_snapshot_now(NULL, 0, &s) == HMN_OK);
    CHECK(s.ram_bytes > 0);
    CHECK(s.valid & HMN_SNAP_HAS_PEAK_RAM);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(rss_positive_both_paths),
        TEST_ENTRY(rss_tracks_an_allocation),
        TEST_ENTRY(rss_info_has_peak),
        TEST_ENTRY(rss_rejects_old_struct_size),
        TEST_ENTRY(process_exists_rules),
        TEST_ENTRY(process_start_time_rules),
        TEST_ENTRY(snapshot_ram_is_mandatory_gpu_best_effort),
    };
    return RUN_TESTS(tests);
}
