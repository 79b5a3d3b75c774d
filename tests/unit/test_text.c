/* Shared text helpers: format_vram, format_vram_precise, SIZE, duration, JSON escaping. */
#include "harness.h"

#include <hypomnesis.h>

#define MIB 1048576ull
#define GIB 1073741824ull

static const char *vram(uint64_t b)
{
    static char buf[64];
    hmn_format_vram(buf, sizeof(buf), b);
    return buf;
}

static const char *precise(uint64_t b)
{
    static char buf[64];
    hmn_format_vram_precise(buf, sizeof(buf), b);
    return buf;
}

static void format_vram_upstream_examples(void)
{
    CHECK_STR(vram(0), "0 MiB");
    CHECK_STR(vram(512 * MIB), "512 MiB");
    CHECK_STR(vram(GIB - 1), "1023 MiB");
    CHECK_STR(vram(GIB), "1.0 GiB");
    CHECK_STR(vram(GIB + GIB / 2), "1.5 GiB");
    CHECK_STR(vram(8 * GIB + 200 * MIB), "8.2 GiB");
    CHECK_STR(vram(12 * GIB), "12.0 GiB");
    CHECK_STR(vram(MIB - 1), "0 MiB");
}

static void format_vram_precise_upstream_examples(void)
{
    CHECK_STR(precise(524288), "512 KiB");
    CHECK_STR(precise(50 * MIB), "50 MiB");
    CHECK_STR(precise(12 * GIB), "12 GiB");
    CHECK_STR(precise(0), "0 B");
    CHECK_STR(precise(1023), "1023 B");
    CHECK_STR(precise(1024), "1 KiB");
    CHECK_STR(precise(GIB + GIB / 4), "1.25 GiB");
    CHECK_STR(precise(GIB + GIB / 2), "1.5 GiB");
}

static void format_reports_needed_length(void)
{
    char small[4];
    int n = hmn_format_vram(small, sizeof(small), 512 * MIB);
    CHECK(n == 7);
    CHECK_STR(small, "512");
    CHECK(hmn_format_vram(NULL, 0, 3 * GIB) == 7);
}

static uint64_t size_ok(const char *s)
{
    uint64_t b = 12345;
    char err[160] = "";
    if (hmn_parse_size(s, &b, err, sizeof(err)) != HMN_OK)
        return UINT64_MAX;
    return b;
}

static void size_parser_accepts_own_output(void)
{
    CHECK_EQ_U64(size_ok("512 MiB"), 512 * MIB);
    CHECK_EQ_U64(size_ok("8.0 GiB"), 8 * GIB);
    CHECK_EQ_U64(size_ok("1.5GiB"), GIB + GIB / 2);
    CHECK_EQ_U64(size_ok("512 KiB"), 524288);
    CHECK_EQ_U64(size_ok("  42  "), 42);
    CHECK_EQ_U64(size_ok("0"), 0);
    CHECK_EQ_U64(size_ok("0.5 KiB"), 512);
    CHECK_EQ_U64(size_ok("1.0000001"), 1);
}

static void size_parser_rejects_garbage(void)
{
    uint64_t b = 7;
    char err[160] = "";
    CHECK(hmn_parse_size("", &b, err, sizeof(err)) == HMN_EPARSE);
    CHECK(hmn_parse_size("abc", &b, err, sizeof(err)) == HMN_EPARSE);
    CHECK(strstr(err, "\"abc\"") != NULL);
    CHECK(hmn_parse_size("12 TB", &b, err, sizeof(err)) == HMN_EPARSE);
    CHECK(hmn_parse_size("12 mib", &b, err, sizeof(err)) == HMN_EPARSE); /* case-sensitive */
    CHECK(hmn_parse_size("1.2.3 GiB", &b, err, sizeof(err)) == HMN_EPARSE);
    CHECK(hmn_parse_size("-1", &b, err, sizeof(err)) == HMN_EPARSE);
    CHECK(hmn_parse_size(".", &b, NULL, 0) == HMN_EPARSE);
    CHECK(b == 7); /* untouched on error */
    CHECK(hmn_parse_size(NULL, &b, NULL, 0) == HMN_EINVAL);
}

/* A size past 2^64 - 1 bytes is refused, whether the number itself or the
 * unit overflows, with one message; the largest size still parses exactly. */
static void size_parser_rejects_overflow(void)
{
    static const char *const too_large[] = {
        "99999999999999999999999 GiB", "99999999999 GiB", "17179869184 GiB",
        "18446744073709551616", "99999999999999999999999", "17179869184.5 GiB",
        "18014398509481984 KiB",
        "100000000000000000000000000000000000000000000000000000000000000000",
    };
    char err[200];
    uint64_t b = 7;
    size_t i;
    for (i = 0; i < sizeof(too_large) / sizeof(too_large[0]); i++) {
        char want[300];
        err[0] = '\0';
        CHECK(hmn_parse_size(too_large[i], &b, err, sizeof(err)) == HMN_EPARSE);
        snprintf(want, sizeof(want),
                 "invalid size \"%s\": too large (at most 18446744073709551615 bytes)",
                 too_large[i]);
        CHECK_STR(err, want);
    }
    CHECK(b == 7);
    CHECK_EQ_U64(size_ok("18446744073709551615"), UINT64_MAX);
    CHECK_EQ_U64(size_ok("17179869183 GiB"), 17179869183ull * GIB);
    CHECK_EQ_U64(size_ok("00000000000000000000000000042 MiB"), 42 * MIB);
}

static uint64_t dur(const char *s, char *err, size_t cap)
{
    uint64_t ms = 0;
    if (hmn_parse_duration_ms(s, &ms, err, cap) != HMN_OK)
        return UINT64_MAX;
    return ms;
}

static void duration_units(void)
{
    char err[200];
    CHECK_EQ_U64(dur("5", err, sizeof(err)), 5000);
    CHECK_EQ_U64(dur("5s", err, sizeof(err)), 5000);
    CHECK_EQ_U64(dur("250ms", err, sizeof(err)), 250);
    CHECK_EQ_U64(dur("2m", err, sizeof(err)), 120000);
    CHECK_EQ_U64(dur("1h", err, sizeof(err)), 3600000);
    CHECK_EQ_U64(dur(" 3s ", err, sizeof(err)), 3000);
}

static void duration_errors_are_upstream_worded(void)
{
    char err[200];
    CHECK_EQ_U64(dur("0", err, sizeof(err)), UINT64_MAX);
    CHECK_STR(err, "invalid duration \"0\": must be greater than zero");
    CHECK_EQ_U64(dur("s", err, sizeof(err)), UINT64_MAX);
    CHECK_STR(err, "invalid duration \"s\": expected digits followed by an optional unit (ms, s, "
                   "m, h)");
    CHECK_EQ_U64(dur("5x", err, sizeof(err)), UINT64_MAX);
    CHECK_STR(err, "invalid duration \"5x\": unknown unit \"x\" (expected ms, s, m, or h)");
    CHECK_EQ_U64(dur("5S", err, sizeof(err)), UINT64_MAX);
    CHECK_EQ_U64(dur("5 s", err, sizeof(err)), UINT64_MAX);
}

/* A duration past 2^64 - 1 ms is refused, whether the digits or the unit
 * overflow, with one message; the largest one still parses exactly. */
static void duration_rejects_overflow(void)
{
    static const char *const too_large[] = {
        "9999999999999999h", "18446744073709551615h", "123456789012345678901234s",
        "18446744073709551616ms", "18446744073709552s", "307445734561826m",
    };
    char err[200], want[300];
    size_t i;
    for (i = 0; i < sizeof(too_large) / sizeof(too_large[0]); i++) {
        err[0] = '\0';
        CHECK_EQ_U64(dur(too_large[i], err, sizeof(err)), UINT64_MAX);
        snprintf(want, sizeof(want),
                 "invalid duration \"%s\": too large (at most 18446744073709551615 ms)",
                 too_large[i]);
        CHECK_STR(err, want);
    }
    CHECK_EQ_U64(dur("18446744073709551615ms", err, sizeof(err)), UINT64_MAX);
    CHECK_EQ_U64(dur("18446744073709551s", err, sizeof(err)), 18446744073709551000ull);
    CHECK_EQ_U64(dur("0000000000000000000000005s", err, sizeof(err)), 5000);
}

static const char *esc(const char *s)
{
    static char buf[256];
    hmn_json_escape(buf, sizeof(buf), s);
    return buf;
}

static void json_escape_rules(void)
{
    CHECK_STR(esc("plain"), "plain");
    CHECK_STR(esc("a\"b\\c"), "a\\\"b\\\\c");
    CHECK_STR(esc("l1\nl2\r\t"), "l1\\nl2\\r\\t");
    CHECK_STR(esc("\x01\x1f\x7f"), "\\u0001\\u001f\\u007f");
    CHECK_STR(esc("\xC2\x85x"), "\\u0085x");             /* C1 control NEL */
    CHECK_STR(esc("caf\xC3\xA9 \xE2\x86\x92"), "caf\xC3\xA9 \xE2\x86\x92"); /* raw UTF-8 */
    CHECK_STR(esc("bad\xFFz"), "bad\xEF\xBF\xBDz");       /* invalid byte → U+FFFD */
    CHECK_STR(esc("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD"); /* truncated sequence */
    /* Line and paragraph separators: JSON allows them raw, JavaScript does not. */
    CHECK_STR(esc("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c"), "a\\u2028b\\u2029c");
    /* An OSC 52 name and a bidi override keep their exact text in JSON. */
    CHECK_STR(esc("\x1b]52;c;aGk=\x07"), "\\u001b]52;c;aGk=\\u0007");
    CHECK_STR(esc("a\xE2\x80\xAE" "b"), "a\xE2\x80\xAE" "b");
}

static void json_escape_truncates_safely(void)
{
    char buf[5];
    int n = hmn_json_escape(buf, sizeof(buf), "\"\"\"\"");
    CHECK(n == 8);
    CHECK(strlen(buf) == 4);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(format_vram_upstream_examples),
        TEST_ENTRY(format_vram_precise_upstream_examples),
        TEST_ENTRY(format_reports_needed_length),
        TEST_ENTRY(size_parser_accepts_own_output),
        TEST_ENTRY(size_parser_rejects_garbage),
        TEST_ENTRY(size_parser_rejects_overflow),
        TEST_ENTRY(duration_units),
        TEST_ENTRY(duration_errors_are_upstream_worded),
        TEST_ENTRY(duration_rejects_overflow),
        TEST_ENTRY(json_escape_rules),
        TEST_ENTRY(json_escape_truncates_safely),
    };
    return RUN_TESTS(tests);
}
