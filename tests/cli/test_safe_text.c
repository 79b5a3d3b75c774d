/*
 * tests/cli/test_safe_text.c - the one output-sanitising path of the CLI
 * (cli/safe_text.c, cli/line.c) and the writers built on it: table cells,
 * watch rows, CSV fields, quoted arguments and lines of free text.  Names
 * with OSC 52, CSI, C1, bidi overrides, newlines and invalid UTF-8 must come
 * out as visible escapes; every other character as it was.
 */
#include "harness.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char osc52[] = "\x1b]52;c;aGk=\x07";
static const char csi_clear[] = "\x1b[2J\x1b[H";
static const char c1_csi[] = "x\xC2\x9B" "31m";   /* U+009B: 8-bit CSI */
static const char rlo[] = "evil\xE2\x80\xAEtxt.exe"; /* U+202E right-to-left override */

static const char *safe(const char *s, char *buf, size_t cap)
{
    safe_text(buf, cap, s);
    return buf;
}

/* Whatever reached a stream, as one string. */
static const char *drain(FILE *f, char *buf, size_t cap)
{
    size_t n;
    rewind(f);
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static FILE *scratch(void)
{
    FILE *f = tmpfile();
    return f ? f : fopen("test_safe_text.tmp", "w+b");
}

/* No byte an attacker could use against a terminal survives. */
static int terminal_safe(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i;
    for (i = 0; u[i]; i++) {
        if (u[i] < 0x20 && u[i] != '\n')
            return 0;
        if (u[i] == 0x7F || (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F))
            return 0;
        if (u[i] == 0xE2 && u[i + 1] == 0x80 && u[i + 2] >= 0xA8 && u[i + 2] <= 0xAE)
            return 0; /* U+2028..U+202E */
        if (u[i] == 0xE2 && u[i + 1] == 0x81 && u[i + 2] >= 0xA6 && u[i + 2] <= 0xA9)
            return 0; /* U+2066..U+2069 */
    }
    return 1;
}

static void keeps_what_is_printable(void)
{
    char b[128];
    CHECK_STR(safe("python3 train.py", b, sizeof(b)), "python3 train.py");
    CHECK_STR(safe("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", b, sizeof(b)), "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    CHECK_STR(safe("caf\xC3\xA9 \xF0\x9F\x98\x80", b, sizeof(b)), "caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK_STR(safe("C:\\Program Files\\x.exe", b, sizeof(b)), "C:\\Program Files\\x.exe");
    CHECK_STR(safe("\xCE\x94" "COMMIT \xE2\x80\x94 \xE2\x86\x92", b, sizeof(b)),
              "\xCE\x94" "COMMIT \xE2\x80\x94 \xE2\x86\x92");
    CHECK_STR(safe("", b, sizeof(b)), "");
    CHECK_STR(safe(NULL, b, sizeof(b)), "");
}

static void escapes_controls_c1_and_bidi(void)
{
    char b[128];
    CHECK_STR(safe(osc52, b, sizeof(b)), "\\u{1b}]52;c;aGk=\\u{7}");
    CHECK_STR(safe(csi_clear, b, sizeof(b)), "\\u{1b}[2J\\u{1b}[H");
    CHECK_STR(safe(c1_csi, b, sizeof(b)), "x\\u{9b}31m");
    CHECK_STR(safe(rlo, b, sizeof(b)), "evil\\u{202e}txt.exe");
    CHECK_STR(safe("a\nb\rc\td", b, sizeof(b)), "a\\nb\\rc\\td");
    CHECK_STR(safe("del\x7F", b, sizeof(b)), "del\\u{7f}");
    CHECK_STR(safe("nul\x01", b, sizeof(b)), "nul\\u{1}");
    /* Isolates, zero-width characters, the BOM, line separators, tag characters. */
    CHECK_STR(safe("\xE2\x81\xA6" "a\xE2\x81\xA9", b, sizeof(b)), "\\u{2066}a\\u{2069}");
    CHECK_STR(safe("a\xE2\x80\x8B" "b\xEF\xBB\xBF", b, sizeof(b)), "a\\u{200b}b\\u{feff}");
    CHECK_STR(safe("a\xE2\x80\xA8" "b\xE2\x80\xA9", b, sizeof(b)), "a\\u{2028}b\\u{2029}");
    CHECK_STR(safe("\xF3\xA0\x80\x81", b, sizeof(b)), "\\u{e0001}");
    CHECK_STR(safe("soft\xC2\xAD", b, sizeof(b)), "soft\\u{ad}");
    CHECK(safe_text_hidden(0x9B) && safe_text_hidden(0x202A) && safe_text_hidden(0x061C));
    CHECK(!safe_text_hidden('a') && !safe_text_hidden(0xE9) && !safe_text_hidden(0x1F600));
}

static void escapes_invalid_utf8_bytewise(void)
{
    char b[128];
    CHECK_STR(safe("a\xFF" "b", b, sizeof(b)), "a\\xffb");
    CHECK_STR(safe("\xC0\xAF", b, sizeof(b)), "\\xc0\\xaf");          /* overlong '/' */
    CHECK_STR(safe("\xED\xA0\x80", b, sizeof(b)), "\\xed\\xa0\\x80"); /* a surrogate */
    CHECK_STR(safe("\xF4\x90\x80\x80", b, sizeof(b)), "\\xf4\\x90\\x80\\x80");
    CHECK_STR(safe("cut\xE6\x97", b, sizeof(b)), "cut\\xe6\\x97");    /* a cut character */
    CHECK_STR(safe("\x80x", b, sizeof(b)), "\\x80x");
}

static void truncates_on_whole_units(void)
{
    char b[16];
    size_t n = safe_text(b, 6, "ab\x1b" "cd");
    CHECK_EQ_U64(n, strlen("ab\\u{1b}cd"));
    CHECK_STR(b, "ab"); /* never half an escape */
    n = safe_text(b, 4, "a\xE6\x97\xA5");
    CHECK_EQ_U64(n, 4);
    CHECK_STR(b, "a"); /* never half a character */
    CHECK_EQ_U64(safe_text(NULL, 0, osc52), strlen("\\u{1b}]52;c;aGk=\\u{7}"));
}

static void is_its_own_fixed_point(void)
{
    static const char *const in[] = {osc52, csi_clear, c1_csi, rlo, "a\xFF\n\xE2\x80\xA8"};
    char once[128], twice[128];
    size_t i;
    for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        safe_text(once, sizeof(once), in[i]);
        safe_text(twice, sizeof(twice), once);
        CHECK_STR(twice, once);
        CHECK(terminal_safe(once));
    }
}

static void stream_writers_match(void)
{
    char b[256], s[256];
    FILE *f = scratch();
    CHECK(f);
    put_safe(f, rlo);
    CHECK_STR(drain(f, b, sizeof(b)), safe(rlo, s, sizeof(s)));
    f = scratch();
    CHECK(f);
    /* A name with a newline stays on its line; the line ends once. */
    linef(f, "hmn watch: pid=%u name changed (%s \xE2\x86\x92 %s)", 7u, "a\nforged line", osc52);
    CHECK_STR(drain(f, b, sizeof(b)),
              "hmn watch: pid=7 name changed (a\\nforged line \xE2\x86\x92 "
              "\\u{1b}]52;c;aGk=\\u{7})\n");
}

static void long_lines_grow(void)
{
    char name[3000], b[4096];
    struct line l;
    FILE *f = scratch();
    size_t i;
    CHECK(f);
    for (i = 0; i + 1 < sizeof(name); i++)
        name[i] = i % 100 == 0 ? '\x1b' : 'n';
    name[sizeof(name) - 1] = '\0';
    line_init(&l);
    line_add(&l, "start ");
    line_add(&l, "%s", name);
    line_add(&l, " end");
    line_end(&l, f);
    drain(f, b, sizeof(b));
    CHECK(terminal_safe(b));
    CHECK(strncmp(b, "start \\u{1b}nnn", 15) == 0);
    CHECK(strcmp(b + strlen(b) - 5, " end\n") == 0);
}

static void quoted_arguments_are_safe(void)
{
    char b[128];
    CHECK_STR(debug_quote(b, sizeof(b), "a\"b\\c"), "\"a\\\"b\\\\c\"");
    CHECK_STR(debug_quote(b, sizeof(b), osc52), "\"\\u{1b}]52;c;aGk=\\u{7}\"");
    CHECK_STR(debug_quote(b, sizeof(b), rlo), "\"evil\\u{202e}txt.exe\"");
    CHECK_STR(debug_quote(b, sizeof(b), "\xE6\x97\xA5"), "\"\xE6\x97\xA5\"");
    CHECK_STR(debug_quote(b, 5, "abcdef"), "\"ab\"");
}

static void table_cells_and_rows_are_safe(void)
{
    static const char *const hdr[] = {"PID", "NAME", "VRAM"};
    const char *r1[] = {"1", osc52, "8.0 GiB"};
    const char *r2[] = {"22", "two\nlines", "1 MiB"};
    const char *cells[] = {"+0.0s", "7", rlo, "n/a"};
    const size_t widths[] = {8, 7, 20, 5};
    struct table t;
    char out[512];
    FILE *f = scratch();
    CHECK(f);
    table_init(&t, 3, hdr, NULL);
    CHECK(table_add(&t, r1) == 0);
    CHECK(table_add(&t, r2) == 0);
    table_print(f, &t, 1);
    table_free(&t);
    /* Widths are those of the escaped text: the columns stay aligned. */
    CHECK_STR(drain(f, out, sizeof(out)), "PID  NAME                   VRAM\n"
                                          "1    \\u{1b}]52;c;aGk=\\u{7}  8.0 GiB\n"
                                          "22   two\\nlines             1 MiB\n");
    f = scratch();
    CHECK(f);
    print_cells(f, cells, widths, 4);
    CHECK_STR(drain(f, out, sizeof(out)), "+0.0s     7        evil\\u{202e}txt.exe   n/a\n");
    CHECK_STR(printable_name(out, sizeof(out), NULL), "?");
    CHECK_STR(printable_name(out, sizeof(out), c1_csi), "x\\u{9b}31m");
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(keeps_what_is_printable),
        TEST_ENTRY(escapes_controls_c1_and_bidi),
        TEST_ENTRY(escapes_invalid_utf8_bytewise),
        TEST_ENTRY(truncates_on_whole_units),
        TEST_ENTRY(is_its_own_fixed_point),
        TEST_ENTRY(stream_writers_match),
        TEST_ENTRY(long_lines_grow),
        TEST_ENTRY(quoted_arguments_are_safe),
        TEST_ENTRY(table_cells_and_rows_are_safe),
    };
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
