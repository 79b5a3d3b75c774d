/* tests/portable/test_pdh_names.c - PDH instance names and name rules (parse/pdh_names.c). */
#include "harness.h"

#include "hypomnesis.h"
#include "parse/pdh_names.h"

#define S(lit) lit, sizeof(lit) - 1

static void process_instance_basic(void)
{
    struct hmn__pdh_instance in;
    CHECK(hmn__pdh_parse_process_instance(S("pid_1234_luid_0x00000000_0x0000D1E4_phys_0"), &in) ==
          HMN_OK);
    CHECK(in.has_pid);
    CHECK_EQ_U64(in.pid, 1234);
    CHECK(in.luid_high == 0);
    CHECK_EQ_U64(in.luid_low, 0xD1E4);
    CHECK_EQ_U64(in.phys, 0);
}

static void process_instance_high_part_is_signed(void)
{
    struct hmn__pdh_instance in;
    /* HighPart is a LONG written as unsigned hex: 0xFFFFFFFF means -1. */
    CHECK(hmn__pdh_parse_process_instance(S("pid_4_luid_0xFFFFFFFF_0xabcdef01_phys_3"), &in) ==
          HMN_OK);
    CHECK(in.luid_high == -1);
    CHECK_EQ_U64(in.luid_low, 0xABCDEF01u);
    CHECK_EQ_U64(in.phys, 3);
    CHECK(hmn__pdh_parse_process_instance(S("pid_7_luid_0x80000000_0x1_phys_12"), &in) == HMN_OK);
    CHECK(in.luid_high == INT32_MIN);
    CHECK_EQ_U64(in.phys, 12);
    CHECK(hmn__pdh_parse_process_instance(S("pid_4294967295_luid_0x7FFFFFFF_0x0_phys_0"), &in) ==
          HMN_OK);
    CHECK_EQ_U64(in.pid, 4294967295u);
    CHECK(in.luid_high == INT32_MAX);
}

static void process_instance_rejects(void)
{
    struct hmn__pdh_instance in;
    static const char *const bad[] = {
        "",
        "pid_",
        "pid_1234",
        "pid__luid_0x0_0x0_phys_0",
        "pid_4294967296_luid_0x0_0x0_phys_0", /* PID past 32 bits */
        "pid_12a_luid_0x0_0x0_phys_0",
        "pid_1_luid_0x_0x0_phys_0",           /* no hex digits */
        "pid_1_luid_0x123456789_0x0_phys_0",  /* 9 hex digits */
        "pid_1_luid_0x0_0xG_phys_0",
        "pid_1_luid_0x0_0x0_phys_",
        "pid_1_luid_0x0_0x0_phys_0_eng_0_engtype_3D", /* a GPU Engine name */
        "pid_1_luid_0x0_0x0_phys_0 ",
        "luid_0x0_0x0_phys_0",                /* an adapter name */
        "PID_1_luid_0x0_0x0_phys_0",
        "pid_-1_luid_0x0_0x0_phys_0",
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (hmn__pdh_parse_process_instance(bad[i], strlen(bad[i]), &in) != HMN_EPARSE)
            fprintf(stderr, "accepted: [%s]\n", bad[i]);
        CHECK(hmn__pdh_parse_process_instance(bad[i], strlen(bad[i]), &in) == HMN_EPARSE);
    }
}

static void process_instance_respects_len(void)
{
    struct hmn__pdh_instance in;
    const char *s = "pid_12_luid_0x0_0x1_phys_0XYZ";
    /* Only the first len bytes count: the trailing junk is outside. */
    CHECK(hmn__pdh_parse_process_instance(s, strlen(s) - 3, &in) == HMN_OK);
    CHECK_EQ_U64(in.pid, 12);
    CHECK(hmn__pdh_parse_process_instance(s, 10, &in) == HMN_EPARSE);
}

static void adapter_instance(void)
{
    struct hmn__pdh_instance in;
    CHECK(hmn__pdh_parse_adapter_instance(S("luid_0x00000000_0x0000EB3C_phys_0"), &in) == HMN_OK);
    CHECK(!in.has_pid);
    CHECK(in.luid_high == 0);
    CHECK_EQ_U64(in.luid_low, 0xEB3C);
    CHECK(hmn__pdh_parse_adapter_instance(S("luid_0xFFFFFFFE_0x1_phys_1"), &in) == HMN_OK);
    CHECK(in.luid_high == -2);
    CHECK_EQ_U64(in.phys, 1);
    CHECK(hmn__pdh_parse_adapter_instance(S("pid_1_luid_0x0_0x0_phys_0"), &in) == HMN_EPARSE);
    CHECK(hmn__pdh_parse_adapter_instance(S("luid_0x0_0x0"), &in) == HMN_EPARSE);
    CHECK(hmn__pdh_parse_adapter_instance(S("_Total"), &in) == HMN_EPARSE);
}

static void multistring(void)
{
    static const char ms[] = "pid_1_luid_0x0_0x1_phys_0\0_Total\0x\0\0ignored\0";
    const char *item;
    size_t pos = 0, n;
    CHECK(hmn__pdh_multistring_next(ms, sizeof(ms) - 1, &pos, &item, &n) == 1);
    CHECK(n == strlen("pid_1_luid_0x0_0x1_phys_0") && memcmp(item, "pid_1", 5) == 0);
    CHECK(hmn__pdh_multistring_next(ms, sizeof(ms) - 1, &pos, &item, &n) == 1);
    CHECK(n == 6 && memcmp(item, "_Total", 6) == 0);
    CHECK(hmn__pdh_multistring_next(ms, sizeof(ms) - 1, &pos, &item, &n) == 1);
    CHECK(n == 1 && item[0] == 'x');
    /* The double NUL ends the list: what follows is never returned. */
    CHECK(hmn__pdh_multistring_next(ms, sizeof(ms) - 1, &pos, &item, &n) == 0);
    CHECK(hmn__pdh_multistring_next(ms, sizeof(ms) - 1, &pos, &item, &n) == 0);
}

static void multistring_edges(void)
{
    const char *item;
    size_t pos = 0, n;
    CHECK(hmn__pdh_multistring_next("", 0, &pos, &item, &n) == 0);
    CHECK(hmn__pdh_multistring_next(NULL, 10, &pos, &item, &n) == 0);
    /* Unterminated last item ends at len, and the walk then stops. */
    pos = 0;
    CHECK(hmn__pdh_multistring_next("abc", 3, &pos, &item, &n) == 1);
    CHECK(n == 3 && pos == 3);
    CHECK(hmn__pdh_multistring_next("abc", 3, &pos, &item, &n) == 0);
    /* Empty first item = empty list. */
    pos = 0;
    CHECK(hmn__pdh_multistring_next("\0abc\0", 5, &pos, &item, &n) == 0);
}

static void basename_rules(void)
{
    const char *p = "C:\\Program Files\\App\\app.exe";
    CHECK_STR(p + hmn__path_basename(p, strlen(p)), "app.exe");
    p = "C:/tools/mixed\\sep/python.exe";
    CHECK_STR(p + hmn__path_basename(p, strlen(p)), "python.exe");
    p = "plain.exe";
    CHECK(hmn__path_basename(p, strlen(p)) == 0);
    p = "C:\\dir\\";
    CHECK(hmn__path_basename(p, strlen(p)) == strlen(p)); /* empty basename */
    CHECK(hmn__path_basename(NULL, 4) == 0);
}

static void utf16_decoding(void)
{
    /* "python.exe", then a NUL and garbage that must be ignored. */
    static const uint16_t ascii[] = {'p', 'y', 't', 'h', 'o', 'n', '.', 'e', 'x', 'e', 0, 'Z'};
    /* "é" (U+00E9), "€" (U+20AC), U+1F600 as a surrogate pair. */
    static const uint16_t mixed[] = {0x00E9, 0x20AC, 0xD83D, 0xDE00, 0};
    static const uint16_t lone[] = {'a', 0xD800, 'b', 0xDC00, 0};
    char out[64];
    CHECK(hmn__utf16_to_utf8(ascii, 12, out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "python.exe");
    CHECK(hmn__utf16_to_utf8(mixed, 5, out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(hmn__utf16_to_utf8(lone, 5, out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    /* No NUL within wlen: stops at wlen. */
    CHECK(hmn__utf16_to_utf8(ascii, 3, out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "pyt");
    /* A high surrogate cut off by wlen is lone. */
    CHECK(hmn__utf16_to_utf8(mixed, 3, out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBD");
}

static void utf16_truncation(void)
{
    static const uint16_t mixed[] = {'a', 0x20AC, 'b', 0};
    char out[4];
    /* "a€" needs 4 bytes + NUL: the euro sign is not split. */
    CHECK(hmn__utf16_to_utf8(mixed, 4, out, sizeof(out)) == HMN_ENOBUFS);
    CHECK_STR(out, "a");
    CHECK(hmn__utf16_to_utf8(mixed, 4, out, 0) == HMN_ENOBUFS);
    CHECK(hmn__utf16_to_utf8(NULL, 4, out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "");
}

static const char *name_of(uint32_t pid, const char *image, int snap_ok, const char *exe)
{
    static char buf[300];
    struct hmn__pdh_name_in in;
    const char *s;
    size_t n;
    memset(&in, 0, sizeof(in));
    in.pid = pid;
    in.image = image;
    in.snapshot_ok = snap_ok;
    in.exe_file = exe;
    s = hmn__pdh_process_name(&in, &n);
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static void name_rules(void)
{
    /* PID 4 is the kernel whatever the lookups say. */
    CHECK_STR(name_of(4, "C:\\Windows\\System32\\ntoskrnl.exe", 1, "System"), "[kernel]");
    CHECK_STR(name_of(4, NULL, 0, NULL), "[kernel]");
    /* Image path wins, reduced to its basename. */
    CHECK_STR(name_of(100, "C:\\Users\\me\\AppData\\python.exe", 1, "other.exe"), "python.exe");
    /* No image: the snapshot's szExeFile. */
    CHECK_STR(name_of(100, NULL, 1, "dwm.exe"), "dwm.exe");
    /* Empty image or empty basename falls through. */
    CHECK_STR(name_of(100, "", 1, "dwm.exe"), "dwm.exe");
    CHECK_STR(name_of(100, "C:\\dir\\", 1, "x.exe"), "x.exe");
    /* Snapshot ok but the PID is gone: exited. */
    CHECK_STR(name_of(100, NULL, 1, NULL), "[exited]");
    CHECK_STR(name_of(100, NULL, 1, ""), "[exited]");
    /* Snapshot failed: protected (we could not look). */
    CHECK_STR(name_of(100, NULL, 0, NULL), "[protected]");
    CHECK_STR(name_of(100, NULL, 0, "ignored.exe"), "[protected]");
}

static void fold_sums_segments_per_pid(void)
{
    /* PID 10 on phys_0 and phys_1, PID 20 on phys_0: one row each, first-seen order. */
    static const struct hmn__pdh_sample s[] = {
        {20, 1, 1, 100, 7},
        {10, 1, 1, 1000, 5},
        {10, 1, 1, 24, 3},
    };
    struct hmn__pdh_row rows[3];
    uint32_t unreadable = 99;
    CHECK(hmn__pdh_fold(s, 3, rows, &unreadable) == 2);
    CHECK_EQ_U64(unreadable, 0);
    CHECK_EQ_U64(rows[0].pid, 20);
    CHECK_EQ_U64(rows[0].dedicated, 100);
    CHECK_EQ_U64(rows[1].pid, 10);
    CHECK_EQ_U64(rows[1].dedicated, 1024);
    CHECK_EQ_U64(rows[1].shared, 8);
    CHECK(rows[1].shared_ok);
}

static void fold_unknowns_stay_unknown(void)
{
    static const struct hmn__pdh_sample s[] = {
        {10, 1, 1, 50, 5},
        {10, 1, 0, 50, 0},   /* no Shared Usage on phys_1: shared is unknown */
        {30, 0, 1, 0, 9},    /* dedicated unreadable: dropped */
        {30, 0, 1, 0, 9},    /* same PID again: counted once */
        {40, 0, 0, 0, 0},    /* dropped ... */
        {40, 1, 1, 7, 1},    /* ... but another segment is readable: listed */
    };
    struct hmn__pdh_row rows[6];
    uint32_t unreadable = 0;
    CHECK(hmn__pdh_fold(s, 6, rows, &unreadable) == 2);
    CHECK_EQ_U64(rows[0].pid, 10);
    CHECK_EQ_U64(rows[0].dedicated, 100);
    CHECK(!rows[0].shared_ok);
    CHECK_EQ_U64(rows[1].pid, 40);
    CHECK_EQ_U64(rows[1].dedicated, 7);
    CHECK(rows[1].shared_ok);
    CHECK_EQ_U64(unreadable, 1); /* PID 30 only */
}

static void fold_saturates_and_handles_empty(void)
{
    static const struct hmn__pdh_sample s[] = {
        {1, 1, 1, UINT64_MAX - 1, UINT64_MAX},
        {1, 1, 1, 5, 5},
    };
    struct hmn__pdh_row rows[2];
    uint32_t unreadable = 7;
    CHECK(hmn__pdh_fold(s, 2, rows, &unreadable) == 1);
    CHECK(rows[0].dedicated == UINT64_MAX);
    CHECK(rows[0].shared == UINT64_MAX);
    CHECK(hmn__pdh_fold(s, 0, rows, &unreadable) == 0);
    CHECK_EQ_U64(unreadable, 0);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(process_instance_basic),
        TEST_ENTRY(process_instance_high_part_is_signed),
        TEST_ENTRY(process_instance_rejects),
        TEST_ENTRY(process_instance_respects_len),
        TEST_ENTRY(adapter_instance),
        TEST_ENTRY(multistring),
        TEST_ENTRY(multistring_edges),
        TEST_ENTRY(basename_rules),
        TEST_ENTRY(utf16_decoding),
        TEST_ENTRY(utf16_truncation),
        TEST_ENTRY(name_rules),
        TEST_ENTRY(fold_sums_segments_per_pid),
        TEST_ENTRY(fold_unknowns_stay_unknown),
        TEST_ENTRY(fold_saturates_and_handles_empty),
    };
    return RUN_TESTS(tests);
}
