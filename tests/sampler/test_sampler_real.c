/*
 * tests/sampler/test_sampler_real.c - the sampler on real processes built
 * by the test: a grandchild that maps and touches a known amount (the
 * sampled tree peak and its own VmHWM must show it), a grandchild whose
 * parent exits (reparented, it stays a member), a member that is killed
 * (it leaves), the callback after every sample, hmn_pid_rss_info on a
 * child, and the background thread's prompt stop.
 *
 * Tolerance: the touched amount is ALLOC bytes in its own mapping; a figure
 * must be at least ALLOC - 1 MiB above the baseline taken before the
 * mapping (a page or two may be counted elsewhere) and at most
 * ALLOC + 16 MiB above it (stack and allocator pages; AddressSanitizer's
 * shadow of the touched pages is ALLOC / 8).  Every process the test forks
 * ends itself with alarm() so that a failed check leaves nothing behind.
 */
#define _DEFAULT_SOURCE 1
#include "harness.h"
#include "hypomnesis.h"
#include "sampler_members.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024ull * 1024ull)
#define ALLOC (64 * MIB)
#define LOW_SLACK (1 * MIB)
#define HIGH_SLACK (16 * MIB)

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int read_byte(int fd, char *c)
{
    return read(fd, c, 1) == 1 ? 0 : -1;
}

/* The grandchild: report its PID, wait for "go", map and touch ALLOC, say
 * "ready", wait for "end", exit. */
static void grandchild(int up, int down)
{
    pid_t me = getpid();
    char c;
    size_t i;
    unsigned char *p;
    if (write(up, &me, sizeof(me)) != (ssize_t)sizeof(me) || read_byte(down, &c) != 0)
        _exit(2);
    p = mmap(NULL, ALLOC, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(3);
    for (i = 0; i < ALLOC; i += 4096)
        ((volatile unsigned char *)p)[i] = 1;
    c = 'r';
    if (write(up, &c, 1) != 1 || read_byte(down, &c) != 0)
        _exit(4);
    munmap(p, ALLOC);
    _exit(0);
}

struct family {
    pid_t child, grandchild;
    int up[2], down[2], hold[2];
};

/* fork a child that forks the grandchild; exit_early: the child exits on a
 * byte on hold, leaving the grandchild behind. */
static int spawn_family(struct family *f, int exit_early)
{
    if (pipe(f->up) != 0 || pipe(f->down) != 0 || pipe(f->hold) != 0)
        return -1;
    f->child = fork();
    if (f->child < 0)
        return -1;
    if (f->child == 0) {
        pid_t g;
        int st;
        alarm(30);
        g = fork();
        if (g == 0) {
            alarm(30);
            grandchild(f->up[1], f->down[0]);
        }
        if (g < 0)
            _exit(1);
        if (exit_early) {
            char c;
            _exit(read_byte(f->hold[0], &c) == 0 ? 0 : 5);
        }
        waitpid(g, &st, 0);
        _exit(0);
    }
    if (read(f->up[0], &f->grandchild, sizeof(f->grandchild)) != (ssize_t)sizeof(f->grandchild))
        return -1;
    return 0;
}

static void end_family(struct family *f)
{
    int st;
    char c = 'e';
    (void)!write(f->down[1], &c, 1);
    waitpid(f->child, &st, 0);
    close(f->up[0]);
    close(f->up[1]);
    close(f->down[0]);
    close(f->down[1]);
    close(f->hold[0]);
    close(f->hold[1]);
}

static hmn_sampler *open_self(hmn_ctx *ctx)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sampler *s = NULL;
    cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT; /* as hmn run */
    cfg.interval_ms = 10;
    return hmn_sampler_open(ctx, &cfg, &s) == HMN_OK ? s : NULL;
}

static void grandchild_allocation_is_seen(void)
{
    hmn_sample_info base = HMN_SAMPLE_INFO_INIT, at = HMN_SAMPLE_INFO_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_tree_process g = HMN_TREE_PROCESS_INIT;
    hmn_rss r = HMN_RSS_INIT;
    struct family f;
    hmn_ctx *ctx = NULL;
    hmn_sampler *s;
    uint64_t g_base;
    char c = 'g';
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    s = open_self(ctx);
    CHECK(s != NULL);
    CHECK(spawn_family(&f, 0) == 0);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &base) == HMN_OK);
    CHECK_EQ_U64(base.processes, 2);
    CHECK(sm_member(s, (uint32_t)f.grandchild, &g));
    CHECK(g.valid & HMN_TPROC_HAS_RSS);
    g_base = g.rss_bytes;
    CHECK(write(f.down[1], &c, 1) == 1);
    CHECK(read(f.up[0], &c, 1) == 1 && c == 'r');
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &at) == HMN_OK);
    CHECK(at.rss_bytes >= base.rss_bytes + ALLOC - LOW_SLACK);
    CHECK(at.rss_bytes <= base.rss_bytes + ALLOC + HIGH_SLACK);
    /* hmn_pid_rss_info on the grandchild: another process's figures. */
    CHECK(hmn_pid_rss_info(ctx, (uint32_t)f.grandchild, &r) == HMN_OK);
    CHECK(r.valid == (HMN_RSS_HAS_CURRENT | HMN_RSS_HAS_PEAK));
    CHECK(r.current_bytes >= g_base + ALLOC - LOW_SLACK);
    end_family(&f);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(hmn_sampler_latest(s, &at) == HMN_OK);
    CHECK_EQ_U64(at.processes, 0);
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK_EQ_U64(sum.samples, 3);
    CHECK_EQ_U64(sum.processes_seen, 2);
    CHECK(sum.rss_peak_bytes >= base.rss_bytes + ALLOC - LOW_SLACK);
    CHECK(sum.rss_peak_bytes <= base.rss_bytes + ALLOC + HIGH_SLACK);
    CHECK(sm_member(s, (uint32_t)f.grandchild, &g));
    CHECK(g.alive == 0);
    CHECK(g.valid & HMN_TPROC_HAS_PEAK);
    /* Its own exact peak (VmHWM), as last read while it held the mapping. */
    CHECK(g.peak_bytes >= g_base + ALLOC - LOW_SLACK);
    CHECK(g.peak_bytes <= g_base + ALLOC + HIGH_SLACK);
    CHECK(sum.hwm_max_bytes >= g.peak_bytes);
    CHECK(g.sampled_peak_bytes >= g_base + ALLOC - LOW_SLACK);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
}

static void reparented_grandchild_stays(void)
{
    hmn_tree_process g = HMN_TREE_PROCESS_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    struct family f;
    hmn_ctx *ctx = NULL;
    hmn_sampler *s;
    int st, i;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    s = open_self(ctx);
    CHECK(s != NULL);
    CHECK(spawn_family(&f, 1) == 0);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(sm_member(s, (uint32_t)f.grandchild, &g) && g.alive);
    CHECK_EQ_U64(g.ppid, (uint32_t)f.child);
    CHECK(write(f.hold[1], "x", 1) == 1);
    waitpid(f.child, &st, 0); /* the parent is gone: the grandchild is adopted */
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(sm_member(s, (uint32_t)f.grandchild, &g));
    CHECK(g.alive == 1);
    CHECK(g.ppid != (uint32_t)f.child);
    CHECK(sm_member(s, (uint32_t)f.child, &g) && g.alive == 0);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 1);
    /* Killed, it leaves (its new parent reaps it; a zombie does not count). */
    kill(f.grandchild, SIGKILL);
    for (i = 0; i < 200; i++) {
        CHECK(hmn_sampler_sample(s) == HMN_OK);
        CHECK(sm_member(s, (uint32_t)f.grandchild, &g));
        if (!g.alive)
            break;
        nap_ms(10);
    }
    CHECK(g.alive == 0);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 0);
    close(f.up[0]);
    close(f.up[1]);
    close(f.down[0]);
    close(f.down[1]);
    close(f.hold[0]);
    close(f.hold[1]);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
}

/* How many entries of the member list name pid. */
static int member_entries(hmn_sampler *s, uint32_t pid)
{
    size_t i;
    int n = 0;
    for (i = 0;; i++) {
        hmn_tree_process p = HMN_TREE_PROCESS_INIT;
        if (hmn_sampler_process(s, i, &p) != HMN_OK)
            return n;
        n += p.pid == pid;
    }
}

/* Whether pid is a zombie now (field 3 of its stat is Z). */
static int is_zombie(pid_t pid)
{
    char path[64], buf[512];
    FILE *f;
    size_t n;
    const char *close_paren;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

/* A member that exits stays a zombie until its parent waits: it was one
 * process, so it is one entry (with the figures read while it ran), never
 * taken in again at the samples that still list its PID. */
static void exited_child_is_one_member(void)
{
    hmn_tree_process c = HMN_TREE_PROCESS_INIT;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_ctx *ctx = NULL;
    hmn_sampler *s;
    int go[2], st, i;
    pid_t child;
    char b;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    s = open_self(ctx);
    CHECK(s != NULL);
    CHECK(pipe(go) == 0);
    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        alarm(30);
        _exit(read_byte(go[0], &b) == 0 ? 0 : 1);
    }
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK(sm_member(s, (uint32_t)child, &c) && c.alive == 1);
    CHECK(c.valid & HMN_TPROC_HAS_RSS);
    CHECK(write(go[1], "x", 1) == 1);
    for (i = 0; i < 500 && !is_zombie(child); i++)
        nap_ms(2);
    CHECK(is_zombie(child));
    for (i = 0; i < 4; i++) /* the table may keep listing it */
        CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK_EQ_U64((uint64_t)member_entries(s, (uint32_t)child), 1);
    CHECK(sm_member(s, (uint32_t)child, &c) && c.alive == 0);
    CHECK(c.valid & HMN_TPROC_HAS_RSS);
    CHECK(hmn_sampler_latest(s, &info) == HMN_OK);
    CHECK_EQ_U64(info.processes, 0);
    waitpid(child, &st, 0);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK_EQ_U64((uint64_t)member_entries(s, (uint32_t)child), 1);
    close(go[0]);
    close(go[1]);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
}

struct seen {
    int calls;
    uint64_t last_seq;
    int ordered;
    int dev_enoent;
};

static void on_sample(const hmn_sample *sample, void *user)
{
    struct seen *w = user;
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
    if (hmn_sample_get_info(sample, &info) != HMN_OK)
        return;
    if (w->calls > 0 && info.seq != w->last_seq + 1)
        w->ordered = 0;
    w->last_seq = info.seq;
    w->dev_enoent = hmn_sample_get_device(sample, info.device_count, &d) == HMN_ENOENT;
    w->calls++;
}

static void callback_and_thread(void)
{
    struct seen w = {0, 0, 1, 0};
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    hmn_ctx *ctx = NULL;
    hmn_sampler *s;
    uint64_t waited;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    s = open_self(ctx);
    CHECK(s != NULL);
    CHECK(hmn_sampler_set_callback(s, on_sample, &w) == HMN_OK);
    CHECK(hmn_sampler_sample(s) == HMN_OK);
    CHECK_EQ_U64(w.calls, 1);
    CHECK(w.dev_enoent);
    CHECK(hmn_sampler_start(s) == HMN_OK);
    CHECK(hmn_sampler_start(s) == HMN_EINVAL); /* already running */
    nap_ms(120);
    CHECK(hmn_sampler_stop(s) == HMN_OK);
    CHECK(hmn_sampler_stop(s) == HMN_OK); /* not running: a no-op */
    CHECK(w.calls >= 3);
    CHECK(w.ordered);
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK_EQ_U64(sum.samples, (uint64_t)w.calls);
    /* A long interval: stop must not wait for it (condition variable, not sleep). */
    hmn_sampler_close(s);
    {
        hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
        struct timespec a, b;
        cfg.flags = HMN_SAMPLER_CHILDREN;
        cfg.interval_ms = 60000;
        s = NULL;
        CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
        CHECK(hmn_sampler_start(s) == HMN_OK);
        nap_ms(50);
        clock_gettime(CLOCK_MONOTONIC, &a);
        CHECK(hmn_sampler_stop(s) == HMN_OK);
        clock_gettime(CLOCK_MONOTONIC, &b);
        waited = (uint64_t)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000);
        CHECK(waited < 5000);
        CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
        CHECK_EQ_U64(sum.samples, 1); /* the one at start */
        CHECK(hmn_sampler_start(s) == HMN_OK); /* restartable */
        hmn_sampler_close(s);              /* close stops it */
    }
    hmn_ctx_close(ctx);
}

static void own_rss(void)
{
    hmn_rss a = HMN_RSS_INIT, b = HMN_RSS_INIT;
    hmn_ctx *ctx = NULL;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(hmn_pid_rss_info(ctx, 0, &a) == HMN_OK);
    CHECK(hmn_pid_rss_info(ctx, (uint32_t)getpid(), &b) == HMN_OK);
    CHECK(a.valid & HMN_RSS_HAS_CURRENT);
    CHECK(b.valid == (HMN_RSS_HAS_CURRENT | HMN_RSS_HAS_PEAK));
    CHECK(b.current_bytes > 0);
    CHECK(b.peak_bytes >= b.current_bytes);
    CHECK(b.current_bytes + 4 * MIB >= a.current_bytes && a.current_bytes + 4 * MIB >= b.current_bytes);
    CHECK(hmn_pid_rss_info(NULL, (uint32_t)getpid(), &b) == HMN_OK);
    hmn_ctx_close(ctx);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(grandchild_allocation_is_seen),
        TEST_ENTRY(reparented_grandchild_stays),
        TEST_ENTRY(exited_child_is_one_member),
        TEST_ENTRY(callback_and_thread),
        TEST_ENTRY(own_rss),
    };
    return RUN_TESTS(tests);
}
