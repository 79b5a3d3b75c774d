/* /proc text parsers (pure): statm, status kB fields, Tgid, NSpid. */
#include "harness.h"

#include "util/util.h"
#include "parse/proc.h"

static int kb(const char *text, uint64_t *out, char *why)
{
    return hmn__parse_status_kb(text, strlen(text), "VmRSS", out, why, 128);
}

static void statm_second_field(void)
{
    uint64_t p = 0;
    const char *s = "10724 1523 1208 2 0 234 0\n";
    CHECK(hmn__parse_statm(s, strlen(s), &p) == HMN_OK);
    CHECK_EQ_U64(p, 1523);
    CHECK(hmn__parse_statm("12", 2, &p) == HMN_EPARSE);
    CHECK(hmn__parse_statm("", 0, &p) == HMN_EPARSE);
    CHECK(hmn__parse_statm("a b", 3, &p) == HMN_EPARSE);
    CHECK(hmn__parse_statm("1 99999999999999999999999", 25, &p) == HMN_EPARSE);
}

static void vmrss_six_shapes(void)
{
    uint64_t v = 0;
    char why[128] = "";
    CHECK(kb("Name:\tx\nVmRSS:\t  12345 kB\n", &v, why) == HMN_OK && v == 12345);
    CHECK(kb("VmRSS:\t0 kB\n", &v, why) == HMN_OK && v == 0);
    CHECK(kb("VmRSS: 42", &v, why) == HMN_OK && v == 42); /* bare number, no newline */
    CHECK(kb("VmHWM:\t5 kB\nVmRSS:\t7 kB\nVmRSS:\t9 kB\n", &v, why) == HMN_OK && v == 7);
    CHECK(kb("Name:\tx\n", &v, why) == HMN_ENOENT);
    CHECK(kb("VmRSS:\tabc kB\n", &v, why) == HMN_EPARSE);
    CHECK_STR(why, "'abc': invalid digit found in string");
    CHECK(kb("VmRSS:\t kB\n", &v, why) == HMN_EPARSE);
    CHECK(kb("VmRSS:\t\n", &v, why) == HMN_EPARSE);
    CHECK_STR(why, "'': cannot parse integer from empty string");
    CHECK(kb("VmRSS:\t99999999999999999999 kB\n", &v, why) == HMN_EPARSE);
    CHECK_STR(why, "'99999999999999999999': number too large to fit in target type");
    CHECK(kb("XVmRSS:\t1 kB\n", &v, why) == HMN_ENOENT); /* key must start the line */
}

static void tgid_and_nspid(void)
{
    const char *st = "Name:\tpython\nTgid:\t4242\nNgid:\t0\nPid:\t4243\nNSpid:\t4243\t17\t1\n";
    uint32_t t = 0, pids[4];
    size_t n = 0;
    CHECK(hmn__parse_status_u32(st, strlen(st), "Tgid", &t) == HMN_OK && t == 4242);
    CHECK(hmn__parse_nspid(st, strlen(st), pids, 4, &n) == HMN_OK);
    CHECK(n == 3 && pids[0] == 4243 && pids[1] == 17 && pids[2] == 1);
    CHECK(hmn__parse_nspid("NSpid:\tx\n", 9, pids, 4, &n) == HMN_EPARSE);
    CHECK(hmn__parse_nspid("Pid:\t1\n", 7, pids, 4, &n) == HMN_ENOENT);
    CHECK(hmn__parse_status_u32("Tgid:\t99999999999\n", 18, "Tgid", &t) == HMN_EPARSE);
}

static void no_read_past_length(void)
{
    /* The buffer is not NUL-terminated where len says it ends. */
    char buf[16];
    uint64_t v = 0;
    memcpy(buf, "VmRSS:\t12 kB9999", 16);
    CHECK(hmn__parse_status_kb(buf, 12, "VmRSS", &v, NULL, 0) == HMN_OK && v == 12);
}

static void stat_start_time(void)
{
    /* A real line of /proc/<pid>/stat; starttime (field 22) is 8834213. */
    static const char real[] =
        "1234 (sleep) S 1000 1234 1000 34816 1234 4194304 95 0 0 0 0 0 0 0 20 0 1 0 8834213 "
        "5799936 230 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 2 0 0 0 0 0\n";
    /* A name with spaces and parentheses, as any user may choose one. */
    static const char hostile[] = "77 (a) 9 (b c) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n";
    uint64_t t = 5;
    CHECK(hmn__parse_stat_starttime(real, sizeof(real) - 1, &t) == HMN_OK);
    CHECK_EQ_U64(t, 8834213);
    CHECK(hmn__parse_stat_starttime(hostile, sizeof(hostile) - 1, &t) == HMN_OK);
    CHECK_EQ_U64(t, 42);
    t = 5;
    CHECK(hmn__parse_stat_starttime("1 (x) S 1 2 3", 13, &t) == HMN_EPARSE); /* too short */
    CHECK(hmn__parse_stat_starttime("no paren", 8, &t) == HMN_EPARSE);
    CHECK(hmn__parse_stat_starttime(real, 60, &t) == HMN_EPARSE); /* cut before field 22 */
    CHECK_EQ_U64(t, 5);
}

static void stat_tree_fields(void)
{
    static const char real[] =
        "1234 (sleep) S 1000 1234 1000 34816 1234 4194304 95 0 0 0 0 0 0 0 20 0 1 0 8834213 "
        "5799936 230 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 2 0 0 0 0 0\n";
    static const char hostile[] = "77 (a) Z 9 (b c) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0\n";
    static const char big[] =
        "1234 (sleep) S 99999999999 1234 1000 34816 1234 4194304 95 0 0 0 0 0 0 0 20 0 1 0 8834213 "
        "5799936 230\n";
    static const char bracket[] = "5 (sh) ] 1 5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0\n";
    static const char zombie[] = "99 (x) Z 98 99 99 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0\n";
    struct hmn__stat_tree t = {'?', 5, 5};
    CHECK(hmn__parse_stat_tree(real, sizeof(real) - 1, &t) == HMN_OK);
    CHECK(t.state == 'S');
    CHECK_EQ_U64(t.ppid, 1000);
    CHECK_EQ_U64(t.start, 8834213);
    /* The fields after the last ')': a name faking "Z 9" does not count. */
    CHECK(hmn__parse_stat_tree(hostile, sizeof(hostile) - 1, &t) == HMN_OK);
    CHECK(t.state == 'R');
    CHECK_EQ_U64(t.ppid, 1);
    CHECK_EQ_U64(t.start, 42);
    CHECK(hmn__parse_stat_tree(zombie, sizeof(zombie) - 1, &t) == HMN_OK);
    CHECK(t.state == 'Z');
    t.state = '?';
    t.ppid = 5;
    CHECK(hmn__parse_stat_tree(real, 60, &t) == HMN_EPARSE); /* cut before field 22 */
    CHECK(hmn__parse_stat_tree("1 (x) SS 1 2", 12, &t) == HMN_EPARSE);
    /* ']' sorts between 'Z' and 'a': not a state letter (found by fuzz_proc_stat). */
    CHECK(hmn__parse_stat_tree(bracket, sizeof(bracket) - 1, &t) == HMN_EPARSE);
    CHECK(hmn__parse_stat_tree(big, sizeof(big) - 1, &t) == HMN_EPARSE); /* PPID past 32 bits */
    CHECK(hmn__parse_stat_tree("no paren", 8, &t) == HMN_EPARSE);
    CHECK(t.state == '?' && t.ppid == 5); /* untouched on failure */
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(statm_second_field),
        TEST_ENTRY(vmrss_six_shapes),
        TEST_ENTRY(tgid_and_nspid),
        TEST_ENTRY(no_read_past_length),
        TEST_ENTRY(stat_start_time),
        TEST_ENTRY(stat_tree_fields),
    };
    return RUN_TESTS(tests);
}
