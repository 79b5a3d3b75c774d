/*
 * tests/sampler/test_sampler_tree.c - tree membership and RAM figures of the
 * sampler over /proc fixture trees (HMN_PROCFS) that change between
 * samples: children and grandchildren join, a reparented member stays, an
 * exited one leaves, a reused PID is another process, the root can be left
 * out, and the figures are the fixture's own numbers.
 */
#include "harness.h"
#include "hypomnesis.h"
#include "sampler_members.h"
#include "sampler_fixture.h"
#include "test_support.h"

#include <stdio.h>
#include <string.h>

static char root[512];

static void put_proc(unsigned pid, unsigned ppid, unsigned long long start, const char *name,
                     unsigned rss_kb, unsigned hwm_kb)
{
    CHECK(sf_put_proc(root, pid, ppid, start, name, rss_kb, hwm_kb) == 0);
}

static void put_zombie(unsigned pid, unsigned ppid, unsigned long long start)
{
    CHECK(sf_put_zombie(root, pid, ppid, start) == 0);
}

static void drop_proc(unsigned pid)
{
    sf_drop_proc(root, pid);
}

static hmn_ctx *fixture_ctx(void)
{
    hmn_ctx *ctx = NULL;
    if (t_tree_new(root, sizeof(root)) != 0)
        return NULL;
    t_setenv("HMN_PROCFS", root);
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    return ctx;
}

static void done(hmn_ctx *ctx, hmn_sampler *s)
{
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
    t_rmtree(root);
    t_unsetenv("HMN_PROCFS");
}

static void tree_changes_between_samples(void)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_tree_process p = HMN_TREE_PROCESS_INIT;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = fixture_ctx();
    CHECK(ctx != NULL);
    put_proc(1, 0, 1, "init", 1000, 1000);
    put_proc(100, 1, 500, "job (main)", 1024, 2048);
    put_proc(101, 100, 600, "worker", 4096, 8192);
    put_proc(102, 101, 700, "helper", 512, 512);
    put_proc(200, 1, 550, "stranger", 99999, 99999);
    cfg.root_pid = 100;
    cfg.flags = HMN_SAMPLER_CHILDREN;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_ENOENT);

    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.seq, 0);
    CHECK_EQ_U64(info.processes, 3);
    CHECK(info.valid & HMN_SAMPLE_HAS_RSS);
    CHECK(!(info.valid & HMN_SAMPLE_HAS_PSS));
    CHECK_EQ_U64(info.rss_bytes, (1024 + 4096 + 512) * 1024ull);
    CHECK_EQ_U64(info.device_count, 0);

    /* 101 exits; its child 102 is adopted by init and grows; 103 joins under
     * the root; 104 is a grandchild whose parent 103 sorts before it. */
    drop_proc(101);
    put_proc(102, 1, 700, "helper", 3072, 3072);
    put_proc(103, 100, 800, "late", 256, 256);
    put_proc(104, 103, 810, "later", 128, 128);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.seq, 1);
    CHECK_EQ_U64(info.processes, 4);
    CHECK_EQ_U64(info.rss_bytes, (1024 + 3072 + 256 + 128) * 1024ull);
    CHECK(sm_member(s, 102, &p));
    CHECK(p.alive == 1);
    CHECK_EQ_U64(p.ppid, 1);
    CHECK(sm_member(s, 101, &p));
    CHECK(p.alive == 0);
    CHECK_EQ_U64(p.peak_bytes, 8192 * 1024ull);
    CHECK_EQ_U64(p.sampled_peak_bytes, 4096 * 1024ull);
    CHECK(p.valid & HMN_TPROC_HAS_NAME);
    CHECK_STR(p.name, "worker");
    CHECK(!sm_member(s, 200, &p));

    /* PID 101 comes back as another process (new start time) under the
     * root's PID space but parented by init: not a member.  A zombie member
     * (104) has exited. */
    put_proc(101, 1, 900, "reused", 50000, 50000);
    put_zombie(104, 103, 810);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 3);
    CHECK_EQ_U64(info.rss_bytes, (1024 + 3072 + 256) * 1024ull);
    CHECK(sm_member(s, 101, &p));
    CHECK(p.alive == 0);
    CHECK(sm_member(s, 104, &p));
    CHECK(p.alive == 0);

    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK_EQ_U64(sum.samples, 3);
    CHECK_EQ_U64(sum.processes_seen, 5);
    CHECK(sum.valid & HMN_SAMPLE_HAS_RSS_PEAK);
    CHECK_EQ_U64(sum.rss_peak_bytes, (1024 + 4096 + 512) * 1024ull); /* the first sample */
    CHECK_EQ_U64(sum.rss_peak_at_ms, sum.first_ms);
    CHECK(sum.valid & HMN_SAMPLE_HAS_HWM_MAX);
    CHECK_EQ_U64(sum.hwm_max_bytes, 8192 * 1024ull);
    CHECK_EQ_U64(sum.rss_source, HMN_SOURCE_PROCFS);
    CHECK(sum.first_ms <= sum.last_ms);
    CHECK(sm_member(s, 100, &p));
    CHECK_STR(p.name, "job (main)");
    done(ctx, s);
}

static void root_excluded(void)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_tree_process p = HMN_TREE_PROCESS_INIT;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = fixture_ctx();
    CHECK(ctx != NULL);
    put_proc(100, 1, 500, "hmn", 9000, 9000);
    put_proc(101, 100, 600, "cmd", 100, 300);
    cfg.root_pid = 100;
    cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 1);
    CHECK_EQ_U64(info.rss_bytes, 100 * 1024ull);
    CHECK(hmn_sampler_process(s, 0, &p) == HMN_OK);
    CHECK_EQ_U64(p.pid, 101);
    CHECK(hmn_sampler_process(s, 1, &p) == HMN_ENOENT);
    /* The command exits: nobody is left, so the sum is unknown, not 0. */
    drop_proc(101);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 0);
    CHECK(!(info.valid & HMN_SAMPLE_HAS_RSS));
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK_EQ_U64(sum.processes_seen, 1);
    CHECK_EQ_U64(sum.rss_peak_bytes, 100 * 1024ull);
    CHECK_EQ_U64(sum.hwm_max_bytes, 300 * 1024ull);
    done(ctx, s);
}

static void root_alone_and_pss(void)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = fixture_ctx();
    CHECK(ctx != NULL);
    put_proc(100, 1, 500, "solo", 2000, 2000);
    put_proc(101, 100, 600, "kid", 100, 100);
    CHECK(t_tree_write(root, "100/smaps_rollup",
                       "55d0c0000000-7ffd00000000 ---p 00000000 00:00 0  [rollup]\n"
                       "Rss:                2000 kB\nPss:                1500 kB\n") == 0);
    cfg.root_pid = 100;
    cfg.flags = HMN_SAMPLER_PSS; /* no CHILDREN: the root alone */
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 1);
    CHECK_EQ_U64(info.rss_bytes, 2000 * 1024ull);
    CHECK(info.valid & HMN_SAMPLE_HAS_PSS);
    CHECK_EQ_U64(info.pss_bytes, 1500 * 1024ull);
    hmn_sampler_close(s);
    s = NULL;
    /* With the child, whose PSS cannot be read, the PSS sum is unknown. */
    cfg.flags = HMN_SAMPLER_PSS | HMN_SAMPLER_CHILDREN;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 2);
    CHECK(!(info.valid & HMN_SAMPLE_HAS_PSS));
    /* The root replaced by another process with its PID: gone. */
    put_proc(100, 1, 999, "other", 7, 7);
    hmn_sampler_close(s);
    s = NULL;
    cfg.flags = 0;
    put_proc(100, 1, 500, "solo", 2000, 2000);
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    put_proc(100, 1, 999, "other", 7, 7);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 0);
    done(ctx, s);
}

static void hostile_and_invalid(void)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sampler *s = NULL;
    hmn_rss r = HMN_RSS_INIT;
    hmn_ctx *ctx = fixture_ctx();
    CHECK(ctx != NULL);
    put_proc(100, 1, 500, "root", 10, 10);
    /* A child whose status is garbage and one whose stat is garbage. */
    put_proc(101, 100, 600, "bad", 10, 10);
    CHECK(t_tree_write(root, "101/status", "Name:\tbad\nVmRSS:\tlots kB\n") == 0);
    CHECK(t_tree_write(root, "102/stat", "102 (x) S notanumber\n") == 0);
    /* A kernel thread: no Vm lines. */
    CHECK(t_tree_write(root, "2/stat",
                       "2 (kthreadd) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0\n") == 0);
    CHECK(t_tree_write(root, "2/status", "Name:\tkthreadd\nState:\tS\nTgid:\t2\n") == 0);

    cfg.root_pid = 100;
    cfg.interval_ms = 5;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_EINVAL);
    CHECK(s == NULL);
    CHECK(t_contains(hmn_errmsg(ctx), "interval"));
    cfg.interval_ms = 100;
    cfg.flags = 1u << 20;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_EINVAL);
    cfg.flags = HMN_SAMPLER_CHILDREN;
    cfg.size = 8;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_EVERSION);
    cfg.size = sizeof(cfg);
    cfg.root_pid = 4000;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_ENOENT);
    CHECK(hmn_sampler_open(NULL, &cfg, &s) == HMN_EINVAL);
    cfg.root_pid = 100;
    cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_GPU;
    cfg.device = 7; /* no device in this fixture */
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_ERANGE);
    cfg.device = HMN_SAMPLER_ALL_DEVICES;
    cfg.flags = HMN_SAMPLER_CHILDREN;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 2);
    CHECK_EQ_U64(info.unreadable, 1); /* 101's VmRSS is garbage */
    CHECK_EQ_U64(info.rss_bytes, 10 * 1024ull);
    /* A sample with an unreadable member is a success that leaves the
     * context's last error message alone. */
    CHECK(hmn_pid_rss_info(ctx, 4000, &r) == HMN_ENOENT);
    CHECK(t_contains(hmn_errmsg(ctx), "4000"));
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(t_contains(hmn_errmsg(ctx), "4000"));
    CHECK(hmn_sampler_other(s, 0, HMN_SAMPLER_AT_LAST, 0, NULL) == HMN_EINVAL);
    CHECK(hmn_sampler_process(NULL, 0, NULL) == HMN_EINVAL);
    CHECK(hmn_sampler_start(NULL) == HMN_EINVAL);

    /* hmn_pid_rss_info through the same tree. */
    CHECK(hmn_pid_rss_info(ctx, 100, &r) == HMN_OK);
    CHECK_EQ_U64(r.current_bytes, 10 * 1024ull);
    CHECK(r.valid == (HMN_RSS_HAS_CURRENT | HMN_RSS_HAS_PEAK));
    CHECK_EQ_U64(r.source, HMN_SOURCE_PROCFS);
    CHECK(hmn_pid_rss_info(ctx, 2, &r) == HMN_OK);
    CHECK(r.valid == 0);
    CHECK(hmn_pid_rss_info(ctx, 101, &r) == HMN_EPARSE); /* garbage is not a figure */
    CHECK(hmn_pid_rss_info(ctx, 4000, &r) == HMN_ENOENT);
    CHECK(hmn_pid_rss_info(ctx, 100, NULL) == HMN_EINVAL);
    r.size = 4;
    CHECK(hmn_pid_rss_info(ctx, 100, &r) == HMN_EVERSION);
    done(ctx, s);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(tree_changes_between_samples),
        TEST_ENTRY(root_excluded),
        TEST_ENTRY(root_alone_and_pss),
        TEST_ENTRY(hostile_and_invalid),
    };
    return RUN_TESTS(tests);
}
