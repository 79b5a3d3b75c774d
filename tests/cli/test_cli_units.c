/*
 * tests/cli/test_cli_units.c - the CLI's pure pieces: display width, table
 * layout, CSV quoting, delta and debug-quote formatting, argument parsing.
 */
#include "harness.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>

/* A scratch stream: tmpfile() can fail on Windows (it writes to the drive
 * root), so fall back to a file in the working directory. */
static FILE *scratch(void)
{
    FILE *f = tmpfile();
    return f ? f : fopen("test_cli_units.tmp", "w+b");
}

/* Render a table into a string through a temporary file. */
static const char *render(const struct table *t, char *buf, size_t cap)
{
    FILE *f = scratch();
    size_t n;
    if (!f)
        return "";
    table_print(f, t, 1);
    rewind(f);
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_display_width(void)
{
    CHECK_EQ_U64(display_width(""), 0);
    CHECK_EQ_U64(display_width("python"), 6);
    CHECK_EQ_U64(display_width("\xCE\x94" "COMMIT"), 7);                  /* U+0394: one column */
    CHECK_EQ_U64(display_width("\xE6\xB5\x8B\xE8\xAF\x95"), 4);           /* two CJK: 2 each */
    CHECK_EQ_U64(display_width("e\xCC\x81"), 1);                          /* e + combining acute */
    CHECK_EQ_U64(display_width("\xEF\xBC\xA1"), 2);                       /* fullwidth A */
    CHECK_EQ_U64(display_width("\xF0\x9F\x98\x80"), 2);                   /* emoji */
    CHECK_EQ_U64(display_width("\xFF\xFE"), 2);                           /* invalid bytes: 1 each */
    CHECK_EQ_U64(display_width("\xE6\xB5"), 2);                           /* truncated sequence */
    CHECK_EQ_U64(display_width("\xC0\xAF"), 2);                           /* overlong form */
}

static void test_table_wide_names(void)
{
    static const char *const hdr[] = {"PID", "NAME", "VRAM"};
    const char *r1[] = {"1", "\xE6\xB5\x8B\xE8\xAF\x95", "8.0 GiB"};
    const char *r2[] = {"22", "ab", "1 MiB"};
    struct table t;
    char out[512];
    table_init(&t, 3, hdr, NULL);
    CHECK(table_add(&t, r1) == 0);
    CHECK(table_add(&t, r2) == 0);
    /* NAME is 4 columns wide; the last column carries no padding. */
    CHECK_STR(render(&t, out, sizeof(out)), "PID  NAME  VRAM\n"
                                            "1    \xE6\xB5\x8B\xE8\xAF\x95  8.0 GiB\n"
                                            "22   ab    1 MiB\n");
    table_free(&t);
}

static void test_table_min_width_and_empty(void)
{
    static const char *const hdr[] = {"A", "B"};
    static const size_t minw[] = {4, 9};
    struct table t;
    char out[128];
    table_init(&t, 2, hdr, minw);
    CHECK_STR(render(&t, out, sizeof(out)), "A     B\n");
    table_free(&t);
}

static const char *csv(const char *s, char *buf, size_t cap)
{
    FILE *f = scratch();
    size_t n;
    if (!f)
        return "";
    csv_field(f, s);
    rewind(f);
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_csv_quoting(void)
{
    char b[64];
    CHECK_STR(csv("plain", b, sizeof(b)), "plain");
    CHECK_STR(csv("a,b", b, sizeof(b)), "\"a,b\"");
    CHECK_STR(csv("say \"hi\"", b, sizeof(b)), "\"say \"\"hi\"\"\"");
    /* A newline is shown, not obeyed: one record stays one line. */
    CHECK_STR(csv("two\nlines", b, sizeof(b)), "two\\nlines");
    CHECK_STR(csv("a,\x1b]52;c;aGk=\a", b, sizeof(b)), "\"a,\\u{1b}]52;c;aGk=\\u{7}\"");
    CHECK_STR(csv(NULL, b, sizeof(b)), "");
}

static void test_delta_and_quote(void)
{
    char b[64];
    CHECK_STR(vram_delta(b, sizeof(b), 0), "+0 B");
    CHECK_STR(vram_delta(b, sizeof(b), 1000), "+0 MiB");
    CHECK_STR(vram_delta(b, sizeof(b), -(int64_t)4 * 1048576), "-4 MiB");
    CHECK_STR(vram_delta(b, sizeof(b), (int64_t)3 << 30), "+3.0 GiB");
    CHECK_STR(vram_delta(b, sizeof(b), INT64_MIN), "-8589934592.0 GiB");
    CHECK_STR(debug_quote(b, sizeof(b), "a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    CHECK_STR(debug_quote(b, sizeof(b), "\x01"), "\"\\u{1}\"");
}

static void test_kinds_and_compare(void)
{
    char b[32];
    CHECK_STR(kinds_text(b, sizeof(b), HMN_PROC_KIND_COMPUTE), "C");
    CHECK_STR(kinds_text(b, sizeof(b), HMN_PROC_KIND_COMPUTE | HMN_PROC_KIND_GRAPHICS), "C+G");
    CHECK_STR(kinds_text(b, sizeof(b), HMN_PROC_KIND_DRM), "DRM");
    CHECK_STR(kinds_text(b, sizeof(b), 0), "?");
    /* Key descending, then absent name first, then name, then pid. */
    CHECK(row_compare(10, "a", 1, 5, "a", 1) < 0);
    CHECK(row_compare(5, NULL, 9, 5, "a", 1) < 0);
    CHECK(row_compare(5, "b", 1, 5, "a", 1) > 0);
    CHECK(row_compare(5, "a", 1, 5, "a", 2) < 0);
    CHECK(row_compare(5, "a", 2, 5, "a", 2) == 0);
}

/* Upstream's exact fixture for the three-line report, through fold(). */
static void test_spill_report_text(void)
{
    const uint64_t mib = 1048576, gib = 1024 * mib, limit = 16 * gib;
    hmn_spill_tracker *t = NULL;
    char out[512];
    FILE *f;
    size_t n;
    CHECK(hmn_spill_tracker_open(NULL, 0, &t) == HMN_OK && t != NULL);
    hmn_spill_tracker_fold(t, 10 * gib, 300 * mib, limit, "+0.0s", 0);
    hmn_spill_tracker_fold(t, 16 * gib, 3 * gib, limit, "+12.4s", 12400);
    hmn_spill_tracker_fold(t, 16 * gib, 4300 * mib, limit, "+19.1s", 19100);
    hmn_spill_tracker_fold(t, 10 * gib, 300 * mib, limit, "+20.0s", 20000);
    hmn_spill_tracker_fold(t, 16 * gib, gib, limit, "+30.0s", 30000);
    hmn_spill_tracker_fold(t, 16 * gib, gib, limit, "+33.1s", 33100);
    hmn_spill_tracker_fold(t, 10 * gib, 300 * mib, limit, "+34.0s", 34000);
    f = scratch();
    if (!f)
        hmn_spill_tracker_close(t);
    CHECK(f != NULL);
    spill_report_text(f, "hmn spill", t);
    rewind(f);
    n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = '\0';
    fclose(f);
    hmn_spill_tracker_close(t);
    CHECK_STR(out, "hmn spill: peak dedicated 16.0 GiB / 16.0 GiB\n"
                   "           peak shared    4.2 GiB (baseline 300 MiB)\n"
                   "           episodes       2 \xE2\x80\x94 total 9.8s, longest 6.7s, first +12.4s "
                   "into run\n");
}

/* Where spill cannot be measured every figure is null, never 0. */
static void test_spill_json_unmeasurable(void)
{
    char out[512];
    FILE *f = scratch();
    size_t n;
    CHECK(f != NULL);
    spill_report_json_fields(f, NULL, 0);
    rewind(f);
    n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = '\0';
    fclose(f);
    CHECK_STR(out, "\"measurable\":false,\"spilled\":null,\"observations\":0,"
                   "\"baseline_shared_bytes\":null,\"peak_shared_bytes\":null,"
                   "\"peak_dedicated_bytes\":null,\"dedicated_limit_bytes\":null,"
                   "\"total_spill_duration_ms\":null,\"episodes\":[]");
}

static const struct cli_opt opts[] = {
    {"--device", 0, "INDEX", 0}, {"--pid", 0, "PID", OPT_MULTI}, {"--json", 0, NULL, 0}};
static const struct cli_cmd cmd = {"hmn t [OPTIONS]", opts, 3, "[PID]...", 0, 1, 0};
static const struct cli_cmd trailing = {"hmn s -- <COMMAND>...", opts, 3, "<COMMAND>...", 1, 1, 1};

static int parse(const struct cli_cmd *c, int argc, char **argv, struct cli_args *a, char *err,
                 size_t cap)
{
    static struct cli_item items[32];
    a->items = items;
    return cli_args_parse(c, argc, argv, a, err, cap);
}

static void test_args_ok(void)
{
    char a0[] = "t", a1[] = "--pid", a2[] = "4", a3[] = "--pid=5", a4[] = "77", a5[] = "--json",
         a6[] = "--device=0";
    char *argv[] = {a0, a1, a2, a3, a4, a5, a6};
    struct cli_args a;
    char err[256];
    const char *last = NULL;
    CHECK(parse(&cmd, 7, argv, &a, err, sizeof(err)) == ARGS_OK);
    CHECK_EQ_U64(cli_args_count(&a, 1, &last), 2);
    CHECK_STR(last, "5");
    CHECK_STR(cli_args_value(&a, 1, 0), "4");
    CHECK_STR(cli_args_value(&a, -1, 0), "77");
    CHECK(cli_args_value(&a, -1, 1) == NULL);
    CHECK_EQ_U64(cli_args_count(&a, 2, NULL), 1);
    CHECK_STR(cli_args_value(&a, 0, 0), "0");
}

static void test_args_errors(void)
{
    char a0[] = "t", dev[] = "--device", one[] = "1", bogus[] = "--bogus", help[] = "-h",
         jsonv[] = "--json=x";
    char *dup[] = {a0, dev, one, dev, one};
    char *missing[] = {a0, dev};
    char *unknown[] = {a0, bogus};
    char *helpv[] = {a0, bogus, help};
    char *flagval[] = {a0, jsonv};
    struct cli_args a;
    char err[256];
    CHECK(parse(&cmd, 5, dup, &a, err, sizeof(err)) == ARGS_USAGE);
    CHECK_STR(err, "error: the argument '--device <INDEX>' cannot be used multiple times\n\n"
                   "Usage: hmn t [OPTIONS]\n\nFor more information, try '--help'.\n");
    CHECK(parse(&cmd, 2, missing, &a, err, sizeof(err)) == ARGS_USAGE);
    CHECK_STR(err, "error: a value is required for '--device <INDEX>' but none was supplied\n\n"
                   "For more information, try '--help'.\n");
    CHECK(parse(&cmd, 2, unknown, &a, err, sizeof(err)) == ARGS_USAGE);
    CHECK(strstr(err, "unexpected argument '--bogus' found") != NULL);
    /* clap reports the first problem it meets. */
    CHECK(parse(&cmd, 3, helpv, &a, err, sizeof(err)) == ARGS_USAGE);
    CHECK(parse(&cmd, 2, flagval, &a, err, sizeof(err)) == ARGS_USAGE);
    CHECK(strstr(err, "unexpected value 'x' for '--json'") != NULL);
    /* A tiny error buffer is truncated, never overrun. */
    CHECK(parse(&cmd, 2, unknown, &a, err, 8) == ARGS_USAGE);
    CHECK_STR(err, "error: ");
}

static void test_args_trailing(void)
{
    char a0[] = "s", dd[] = "--", sh[] = "sh", c[] = "-c", json[] = "--json", prog[] = "prog";
    char *argv[] = {a0, json, dd, sh, c, json};
    char *nodash[] = {a0, prog, json};
    char *none[] = {a0, json};
    struct cli_args a;
    char err[256];
    CHECK(parse(&trailing, 6, argv, &a, err, sizeof(err)) == ARGS_OK);
    CHECK_EQ_U64(cli_args_count(&a, 2, NULL), 1);
    CHECK_EQ_U64(cli_args_count(&a, -1, NULL), 3);
    CHECK_STR(cli_args_value(&a, -1, 2), "--json");
    /* After the first positional everything belongs to the command. */
    CHECK(parse(&trailing, 3, nodash, &a, err, sizeof(err)) == ARGS_OK);
    CHECK_EQ_U64(cli_args_count(&a, 2, NULL), 0);
    CHECK_EQ_U64(cli_args_count(&a, -1, NULL), 2);
    CHECK(parse(&trailing, 2, none, &a, err, sizeof(err)) == ARGS_USAGE);
    CHECK(strstr(err, "required arguments were not provided:\n  <COMMAND>...") != NULL);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_display_width),     TEST_ENTRY(test_table_wide_names),
        TEST_ENTRY(test_table_min_width_and_empty), TEST_ENTRY(test_csv_quoting),
        TEST_ENTRY(test_delta_and_quote),   TEST_ENTRY(test_kinds_and_compare),
        TEST_ENTRY(test_args_ok),           TEST_ENTRY(test_args_errors),
        TEST_ENTRY(test_args_trailing),     TEST_ENTRY(test_spill_report_text),
        TEST_ENTRY(test_spill_json_unmeasurable),
    };
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
