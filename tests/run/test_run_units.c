/*
 * tests/run/test_run_units.c - the pure pieces of `hmn run`: the cgroup and
 * /proc parsers, the OOM verdict, the JSON and text report written from a
 * made-up run (unknown figures null / n/a, never 0), and the TSV rows.
 */
#include "harness.h"

#include "run.h"

#include <signal.h>
#ifndef SIGKILL
#define SIGKILL 9 /* Windows has no SIGKILL; the verdict uses the POSIX number */
#endif

/* What f received, NUL-terminated (tmpfile-backed). */
static char *slurp(FILE *f)
{
    long n;
    char *s;
    fflush(f);
    n = ftell(f);
    rewind(f);
    s = calloc(1, (size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n)
        s[0] = '\0';
    fclose(f);
    return s;
}

static char *json_of(const struct run_report *r)
{
    FILE *f = tmpfile();
    if (!f)
        return NULL;
    run_json(f, r);
    return slurp(f);
}

static char *text_of(const struct run_report *r)
{
    FILE *f = tmpfile();
    if (!f)
        return NULL;
    run_text(f, r);
    return slurp(f);
}

static void kv_files(void)
{
    static const char events[] = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n";
    static const char oomc[] = "oom_kill_disable 0\nunder_oom 0\noom_kill 7";
    uint64_t v = 99;
    CHECK(run_parse_kv(events, sizeof(events) - 1, "oom_kill", &v) == 0);
    CHECK_EQ_U64(v, 2);
    CHECK(run_parse_kv(events, sizeof(events) - 1, "oom", &v) == 0);
    CHECK_EQ_U64(v, 3);
    CHECK(run_parse_kv(oomc, sizeof(oomc) - 1, "oom_kill", &v) == 0); /* no final newline */
    CHECK_EQ_U64(v, 7);
    CHECK(run_parse_kv(oomc, sizeof(oomc) - 2, "oom_kill", &v) == -1); /* cut: "oom_kill " */
    CHECK(run_parse_kv("oom_kill -1\n", 12, "oom_kill", &v) == -1);
    CHECK(run_parse_kv("oom_kill 18446744073709551616\n", 30, "oom_kill", &v) == -1);
    CHECK(run_parse_kv("oom_kill 18446744073709551615\n", 30, "oom_kill", &v) == 0);
    CHECK_EQ_U64(v, UINT64_MAX);
    CHECK(run_parse_kv("xoom_kill 1\n", 12, "oom_kill", &v) == -1);
    CHECK(run_parse_kv("", 0, "oom_kill", &v) == -1);
}

static void peak_files(void)
{
    uint64_t v = 0;
    CHECK(run_parse_u64_file("123456\n", 7, &v) == 0);
    CHECK_EQ_U64(v, 123456);
    CHECK(run_parse_u64_file("123456", 6, &v) == 0);
    CHECK(run_parse_u64_file("\n", 1, &v) == -1);
    CHECK(run_parse_u64_file("12 3\n", 5, &v) == -1);
    CHECK(run_parse_u64_file("max\n", 4, &v) == -1);
}

static void self_cgroup(void)
{
    static const char hybrid[] = "9:name=systemd:/\n4:memory:/jobs/a b\n2:cpu,cpuacct:/x\n0::/user.slice/s.scope\n";
    char out[64];
    CHECK(run_parse_self_cgroup(hybrid, sizeof(hybrid) - 1, 1, out, sizeof(out)) == 0);
    CHECK_STR(out, "/jobs/a b");
    CHECK(run_parse_self_cgroup(hybrid, sizeof(hybrid) - 1, 2, out, sizeof(out)) == 0);
    CHECK_STR(out, "/user.slice/s.scope");
    CHECK(run_parse_self_cgroup("0::/\n", 5, 2, out, sizeof(out)) == 0);
    CHECK_STR(out, "/");
    CHECK(run_parse_self_cgroup("0::/\n", 5, 1, out, sizeof(out)) == -1);
    CHECK(run_parse_self_cgroup("3:memoryx:/a\n", 13, 1, out, sizeof(out)) == -1);
    CHECK(run_parse_self_cgroup("0::relative\n", 12, 2, out, sizeof(out)) == -1);
    CHECK(run_parse_self_cgroup("0::/0123456789\n", 15, 2, out, 8) == -1); /* too long */
}

static void mounts(void)
{
    static const char mi[] =
        "25 30 0:22 / /sys rw,nosuid - sysfs sysfs rw\n"
        "31 25 0:26 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
        "35 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "36 25 0:31 / /sys/fs/my\\040cg rw - cgroup cgroup rw,memory\n";
    char out[128];
    CHECK(run_parse_cgroup_mount(mi, sizeof(mi) - 1, 2, out, sizeof(out)) == 0);
    CHECK_STR(out, "/sys/fs/cgroup/unified");
    CHECK(run_parse_cgroup_mount(mi, sizeof(mi) - 1, 1, out, sizeof(out)) == 0);
    CHECK_STR(out, "/sys/fs/my cg");
    CHECK(run_parse_cgroup_mount(mi, 45, 1, out, sizeof(out)) == -1);
    CHECK(run_parse_cgroup_mount("1 2 3 4 /x - cgroup2", 20, 2, out, sizeof(out)) == -1);
    CHECK(run_parse_cgroup_mount("1 2 3 4 /x y - cgroup2 c o", 26, 2, out, sizeof(out)) == 0);
    CHECK_STR(out, "/x");
}

static void verdicts(void)
{
    struct run_oom_input in;
    char d[512];
    memset(&in, 0, sizeof(in));
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_NONE);
    in.signal = SIGKILL;
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_UNKNOWN); /* nothing to look at */
    in.host_known = 1;
    in.host_before = in.host_after = 4;
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_SIGNAL);
    in.host_after = 5;
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_KERNEL);
    CHECK(strstr(d, "host-wide") != NULL && strstr(d, "/proc/vmstat") != NULL);
    /* A cgroup count beats the host's, both ways. */
    in.cgroup_known = 1;
    in.cgroup_file = "memory.events";
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_SIGNAL);
    CHECK(strstr(d, "memory.events") != NULL);
    in.cgroup_kills = 1;
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_KERNEL);
    CHECK(strstr(d, "cgroup memory.events oom_kill") != NULL);
    /* A worker OOM-killed while CMD exited by itself is still the kernel's doing. */
    in.signal = 0;
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_KERNEL);
    in.cgroup_kills = 0;
    in.signal = SIGSEGV;
    CHECK(run_oom_verdict(&in, d, sizeof(d)) == RUN_OOM_SIGNAL);
    CHECK(strstr(d, "SIGSEGV") != NULL);
    CHECK_STR(run_verdict_name(RUN_OOM_KERNEL), "kernel-oom-kill");
}

static char arg0[] = "python", arg1[] = "train.py", arg2[] = "a\"b\n";
static char *cmd_args[] = {arg0, arg1, arg2};

static void base_report(struct run_report *r)
{
    memset(r, 0, sizeof(*r));
    r->argv = cmd_args;
    r->argc = 3;
    r->exit_code = 0;
    r->wall_seconds = 1.5;
    r->interval_ms = 100;
    r->samples = 16;
}

static void json_unknowns_are_null(void)
{
    struct run_report r;
    char *s;
    base_report(&r);
    r.verdict = RUN_OOM_NONE;
    snprintf(r.oom_detail, sizeof(r.oom_detail), "the command exited by itself");
    s = json_of(&r);
    CHECK(s != NULL);
    CHECK(s != NULL);
    CHECK_STR(s, "{\"command\":[\"python\",\"train.py\",\"a\\\"b\\n\"],\"exit_code\":0,\"signal\":null,"
                 "\"wall_seconds\":1.500,\"interval_ms\":100,\"samples\":16,\"ram\":{\"peak_bytes\":null,"
                 "\"peak_method\":null,\"peak_at_seconds\":null,\"sampled_peak_bytes\":null,"
                 "\"processes\":[]},\"gpus\":[],\"oom\":{\"verdict\":\"none\",\"detail\":"
                 "\"the command exited by itself\"}}\n");
    free(s);
}

static void json_full(void)
{
    struct run_report r;
    struct run_process p = {4242, 1, 1, 123456789, "python"};
    struct run_other o[2] = {{77, 1, 1, 1073741824ull, "ollama"}, {78, 0, 0, 0, ""}};
    struct run_gpu g;
    char *s;
    base_report(&r);
    r.exit_code = -1;
    r.signal = 9;
    r.has_ram_peak = 1;
    r.ram_peak_bytes = 200000000;
    r.ram_peak_method = "cgroup-v1";
    r.has_sampled_peak = 1;
    r.sampled_peak_bytes = 190000000;
    r.procs = &p;
    r.nprocs = 1;
    memset(&g, 0, sizeof(g));
    g.dev.index = 0;
    g.dev.valid = HMN_SDEV_HAS_TREE_PEAK | HMN_SDEV_HAS_USED_PEAK;
    g.dev.tree_peak_bytes = 5ull << 30;
    g.dev.tree_peak_at_ms = 1250;
    g.dev.device_used_peak_bytes = 7ull << 30;
    snprintf(g.dev.name, sizeof(g.dev.name), "NVIDIA H100");
    g.at_peak = o;
    g.n_at_peak = 2;
    r.gpus = &g;
    r.ngpus = 1;
    r.verdict = RUN_OOM_KERNEL;
    snprintf(r.oom_detail, sizeof(r.oom_detail), "x");
    s = json_of(&r);
    CHECK(s != NULL);
    CHECK(strstr(s, "\"exit_code\":null,\"signal\":9") != NULL);
    CHECK(strstr(s, "\"ram\":{\"peak_bytes\":200000000,\"peak_method\":\"cgroup-v1\",\"peak_at_seconds\":null,"
                    "\"sampled_peak_bytes\":190000000,\"processes\":[{\"pid\":4242,\"name\":\"python\","
                    "\"peak_bytes\":123456789}]}") != NULL);
    CHECK(strstr(s, "{\"index\":0,\"name\":\"NVIDIA H100\",\"uuid\":null,\"peak_bytes\":5368709120,"
                    "\"peak_method\":\"sampled\",\"peak_at_seconds\":1.250,\"sampled_peak_bytes\":5368709120,"
                    "\"device_used_peak_bytes\":7516192768,\"device_free_min_bytes\":null,"
                    "\"others_at_peak\":[{\"pid\":77,\"name\":\"ollama\",\"used_bytes\":1073741824},"
                    "{\"pid\":78,\"name\":null,\"used_bytes\":null}]}") != NULL);
    CHECK(strstr(s, "\"oom\":{\"verdict\":\"kernel-oom-kill\"") != NULL);
    free(s);
    /* The driver's exact peak wins and has no time. */
    g.dev.valid |= HMN_SDEV_HAS_ACCOUNTING;
    g.dev.accounting_peak_bytes = 6ull << 30;
    s = json_of(&r);
    CHECK(s != NULL);
    CHECK(strstr(s, "\"peak_bytes\":6442450944,\"peak_method\":\"nvml-accounting\",\"peak_at_seconds\":null,"
                    "\"sampled_peak_bytes\":5368709120") != NULL);
    free(s);
}

static void text_is_safe(void)
{
    struct run_report r;
    struct run_process p = {1, 1, 1, 1048576, "evil\x1b[2J"};
    char *s;
    base_report(&r);
    r.procs = &p;
    r.nprocs = 1;
    snprintf(r.group_note, sizeof(r.group_note), "cgroup v2: nope");
    snprintf(r.oom_detail, sizeof(r.oom_detail), "the command exited by itself");
    s = text_of(&r);
    CHECK(s != NULL);
    CHECK(strchr(s, '\x1b') == NULL);
    CHECK(strstr(s, "evil\\u{1b}[2J") != NULL);
    CHECK(strstr(s, "a\"b\\n exited with 0") != NULL);
    CHECK(strstr(s, "RAM peak n/a (sampled; no exact group peak: cgroup v2: nope)") != NULL);
    CHECK(strstr(s, "GPU n/a") != NULL);
    free(s);
}

static void tsv_rows(void)
{
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
    FILE *f;
    char *s;
    info.valid = HMN_SAMPLE_HAS_RSS;
    info.rss_bytes = 10240;
    info.epoch_ms = 1700000000999ull;
    info.t_ms = 1500;
    d.valid = HMN_SDEV_HAS_TREE_USED;
    d.tree_used_bytes = 2048;
    f = tmpfile();
    CHECK(f != NULL);
    run_tsv_header(f, 1, 1);
    run_tsv_row(f, &info, &d, 1, 1, 1);
    d.valid = 0;
    run_tsv_row(f, &info, &d, 1, 1, 1);
    s = slurp(f);
    CHECK(s != NULL);
    CHECK_STR(s, "Time\twtime\trss\tpss\tgpufbmem\n1700000000\t1.500\t10\t\t2\n1700000000\t1.500\t10\t\t\n");
    free(s);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(kv_files),   TEST_ENTRY(peak_files), TEST_ENTRY(self_cgroup),
        TEST_ENTRY(mounts),     TEST_ENTRY(verdicts),   TEST_ENTRY(json_unknowns_are_null),
        TEST_ENTRY(json_full),  TEST_ENTRY(text_is_safe), TEST_ENTRY(tsv_rows)};
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
