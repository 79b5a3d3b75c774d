/*
 * tests/portable/test_win_quote.c - Windows argument quoting
 * (src/common/win_quote.h), which the library's spawn_win.c and the CLI's
 * sys_win.c both use.  Pure, so it runs on every platform (and under Wine
 * in the Windows build): exact quoted forms written from the C runtime's
 * rules, and a round trip through an independent parser of those rules.
 * test_win_spawn and test_win_cli check the same strings through real child
 * processes.
 */
#include "harness.h"

#include "common/win_quote.h"

#include <string.h>

/* The C runtime's split of one argument starting at *p (MSVCRT / UCRT rules). */
static const char *parse_one(const char *p, char *out, size_t cap)
{
    size_t o = 0, bs;
    int quoted = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
        for (bs = 0; *p == '\\'; p++)
            bs++;
        if (*p == '"') {
            for (; bs >= 2; bs -= 2)
                if (o + 1 < cap)
                    out[o++] = '\\';
            if (bs) { /* an odd run: the quote is literal */
                if (o + 1 < cap)
                    out[o++] = '"';
            } else if (quoted && p[1] == '"') {
                if (o + 1 < cap)
                    out[o++] = '"';
                p++;
            } else {
                quoted = !quoted;
            }
            p++;
            continue;
        }
        for (; bs; bs--)
            if (o + 1 < cap)
                out[o++] = '\\';
        if (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (o + 1 < cap)
                out[o++] = *p;
            p++;
        }
    }
    out[o] = '\0';
    return p;
}

static const char *quoted(const char *arg)
{
    static char buf[256];
    size_t n = hmn__win_quote_arg(buf, arg);
    return n == strlen(buf) && n == hmn__win_quote_arg(NULL, arg) ? buf : "(length mismatch)";
}

static void test_plain_arguments_stay_as_they_are(void)
{
    CHECK_STR(quoted("plain"), "plain");
    CHECK_STR(quoted("C:\\path\\to\\file.txt"), "C:\\path\\to\\file.txt");
    CHECK_STR(quoted("back\\slash\\"), "back\\slash\\"); /* no quotes around: no doubling */
    CHECK_STR(quoted("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");
}

static void test_whitespace_and_empty_are_quoted(void)
{
    CHECK_STR(quoted(""), "\"\"");
    CHECK_STR(quoted("with space"), "\"with space\"");
    CHECK_STR(quoted("tab\there"), "\"tab\there\"");
    CHECK_STR(quoted("line\nbreak"), "\"line\nbreak\"");
    CHECK_STR(quoted("v\vtab"), "\"v\vtab\"");
}

static void test_quotes_and_backslashes(void)
{
    CHECK_STR(quoted("quote\"inside"), "\"quote\\\"inside\"");
    CHECK_STR(quoted("\"lead"), "\"\\\"lead\"");
    /* Backslashes double only before a quote, and before the closing quote. */
    CHECK_STR(quoted("a b\\"), "\"a b\\\\\"");
    CHECK_STR(quoted("a\\\\b c"), "\"a\\\\b c\"");
    CHECK_STR(quoted("x\\\"y"), "\"x\\\\\\\"y\"");
    CHECK_STR(quoted("back\\\\slash \\\"q"), "\"back\\\\slash \\\\\\\"q\"");
}

static void test_round_trip_through_the_runtime_rules(void)
{
    static const char *const args[] = {
        "", "plain", "with space", "tab\there", "line\nbreak", "v\vtab", "\"", "\"\"",
        "\\", "\\\\", "a\\", "a b\\", "a b\\\\", "\\\"", "x\\\"y z", "trail\\", " lead",
        "end ", "mixed \"quotes\" and \\\\\"slashes\\", "C:\\Program Files\\x\\",
    };
    char line[4096], got[256];
    const char *p = line;
    size_t i, pos = 0;
    for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        CHECK(pos + hmn__win_quote_arg(NULL, args[i]) + 2 < sizeof(line));
        CHECK(hmn__win_quote_arg(NULL, args[i]) <= 2 * strlen(args[i]) + 2);
        if (i)
            line[pos++] = ' ';
        pos += hmn__win_quote_arg(line + pos, args[i]);
    }
    for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        p = parse_one(p, got, sizeof(got));
        CHECK_STR(got, args[i]);
    }
    while (*p == ' ')
        p++;
    CHECK(*p == '\0');
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_plain_arguments_stay_as_they_are),
        TEST_ENTRY(test_whitespace_and_empty_are_quoted),
        TEST_ENTRY(test_quotes_and_backslashes),
        TEST_ENTRY(test_round_trip_through_the_runtime_rules),
    };
    return RUN_TESTS(tests);
}
