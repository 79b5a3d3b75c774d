/*
 * tests/plot/test_plot_units.c - the chart's tick choice, its XML escaping,
 * determinism and write errors (cli/plot_svg.c, cli/plot_text.c).
 */
#include "plot_svg.h"

#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

static char label_buf[64];

static const char *label(const struct plot_axis *ax, int k)
{
    plot_axis_label(label_buf, sizeof(label_buf), ax, k);
    return label_buf;
}

/* ---------------------------------------------------------------- time ticks */

static void test_time_seconds(void)
{
    struct plot_axis ax;
    plot_axis_time(60, &ax);
    CHECK_STR(ax.unit_name, "s");
    CHECK(ax.step == 10 && ax.intervals == 6 && ax.decimals == 0);
    CHECK_STR(label(&ax, 0), "0 s");
    CHECK_STR(label(&ax, 6), "60 s");
    plot_axis_time(61, &ax); /* just over a tick: one more interval */
    CHECK(ax.step == 10 && ax.intervals == 7);
    plot_axis_time(600, &ax); /* ten minutes still read in seconds */
    CHECK_STR(ax.unit_name, "s");
    CHECK(ax.step == 100 && ax.intervals == 6);
}

static void test_time_short_and_unknown(void)
{
    struct plot_axis ax;
    plot_axis_time(0, &ax); /* t_end 0: one second */
    CHECK(ax.intervals == 10 && ax.decimals == 1);
    CHECK_STR(label(&ax, 3), "0.3 s");
    CHECK_STR(label(&ax, 10), "1 s");
    CHECK(plot_axis_max(&ax) == 1.0);
    plot_axis_time(NAN, &ax);
    CHECK(plot_axis_max(&ax) == 1.0);
    plot_axis_time(-5, &ax);
    CHECK(plot_axis_max(&ax) == 1.0);
    plot_axis_time(1e300, &ax); /* out of range: unknown */
    CHECK(plot_axis_max(&ax) == 1.0);
    plot_axis_time(0.35, &ax);
    CHECK(ax.decimals == 2 && ax.intervals == 7);
    CHECK_STR(label(&ax, 1), "0.05 s");
    CHECK_STR(label(&ax, 7), "0.35 s");
}

static void test_time_minutes_hours(void)
{
    struct plot_axis ax;
    plot_axis_time(601, &ax);
    CHECK_STR(ax.unit_name, "min");
    CHECK(ax.step == 2 && ax.intervals == 6);
    plot_axis_time(5400, &ax);
    CHECK_STR(ax.unit_name, "min");
    CHECK(ax.step == 10 && ax.intervals == 9);
    CHECK_STR(label(&ax, 9), "90 min");
    plot_axis_time(86400, &ax);
    CHECK_STR(ax.unit_name, "h");
    CHECK(ax.step == 5 && ax.intervals == 5);
    CHECK_STR(label(&ax, 5), "25 h");
    CHECK(plot_axis_max(&ax) == 25 * 3600.0);
}

/* ---------------------------------------------------------------- memory ticks */

static void test_bytes_units(void)
{
    struct plot_axis ax;
    plot_axis_bytes(3 * GIB, &ax);
    CHECK_STR(ax.unit_name, "GiB");
    CHECK(ax.step == 0.5 && ax.intervals == 6);
    CHECK_STR(label(&ax, 1), "0.5 GiB");
    CHECK_STR(label(&ax, 6), "3 GiB");
    plot_axis_bytes(1.5 * GIB, &ax);
    CHECK(ax.step == 0.2 && ax.intervals == 8);
    CHECK_STR(label(&ax, 3), "0.6 GiB"); /* 3 * 0.2 is 0.6000000000000001 */
    plot_axis_bytes(1000 * MIB, &ax);    /* exactly five steps */
    CHECK_STR(ax.unit_name, "MiB");
    CHECK(ax.step == 200 && ax.intervals == 5);
    plot_axis_bytes(700 * MIB, &ax);
    CHECK(ax.step == 100 && ax.intervals == 7);
    plot_axis_bytes(1024, &ax);
    CHECK_STR(ax.unit_name, "KiB");
    CHECK(ax.step == 0.2 && ax.intervals == 5);
}

static void test_bytes_edges(void)
{
    struct plot_axis ax;
    plot_axis_bytes(0, &ax); /* nothing known: one MiB */
    CHECK_STR(ax.unit_name, "MiB");
    CHECK(ax.step == 0.2 && ax.intervals == 5);
    CHECK_STR(label(&ax, 0), "0 MiB");
    plot_axis_bytes(NAN, &ax);
    CHECK(plot_axis_max(&ax) == MIB);
    plot_axis_bytes(3, &ax); /* no fraction of a byte */
    CHECK_STR(ax.unit_name, "B");
    CHECK(ax.step == 1 && ax.intervals == 3);
    CHECK_STR(label(&ax, 3), "3 B");
    plot_axis_bytes(9223372036854775808.0, &ax); /* 2^63 */
    CHECK_STR(ax.unit_name, "EiB");
    CHECK(ax.step == 1 && ax.intervals == 8);
    CHECK_STR(label(&ax, 8), "8 EiB");
    plot_axis_bytes(1.8e19, &ax); /* just under 2^64 */
    CHECK(ax.step == 2 && ax.intervals == 8);
    plot_axis_bytes(18446744073709551616.0, &ax); /* 2^64: not a uint64_t any more */
    CHECK(plot_axis_max(&ax) == MIB);
}

static void test_time_label(void)
{
    struct plot_axis ax;
    char buf[64];
    plot_axis_time(600, &ax);
    plot_time_label(buf, sizeof(buf), 12.345, &ax);
    CHECK_STR(buf, "12.3 s");
    plot_time_label(buf, sizeof(buf), 0.35, &ax);
    CHECK_STR(buf, "0.35 s");
    plot_time_label(buf, sizeof(buf), 543.2, &ax);
    CHECK_STR(buf, "543 s");
    plot_time_label(buf, sizeof(buf), 0, &ax);
    CHECK_STR(buf, "0 s");
    plot_axis_time(5400, &ax);
    plot_time_label(buf, sizeof(buf), 3258, &ax);
    CHECK_STR(buf, "54.3 min");
}

/* ---------------------------------------------------------------- escaping */

static const char *esc(const char *s, size_t max_chars)
{
    static char buf[256];
    size_t n = plot_xml_escape(buf, sizeof(buf), s, max_chars);
    return n == strlen(buf) ? buf : "(length mismatch)";
}

static void test_escape_markup(void)
{
    CHECK_STR(esc("a&b<c>d\"e'f", 0), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    CHECK_STR(esc("</title><script>", 0), "&lt;/title&gt;&lt;script&gt;");
    CHECK_STR(esc("&amp;", 0), "&amp;amp;");
    CHECK_STR(esc("", 0), "");
    CHECK_STR(esc(NULL, 0), "");
    CHECK_STR(esc("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 0), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

#define FFFD "\xEF\xBF\xBD"

static void test_escape_controls_and_invalid(void)
{
    CHECK_STR(esc("\x01\t\n\x7F", 0), FFFD FFFD FFFD FFFD);
    CHECK_STR(esc("a\xC2\x85z", 0), "a" FFFD "z");       /* C1 control U+0085 */
    CHECK_STR(esc("\xFF", 0), FFFD);                      /* never a UTF-8 byte */
    CHECK_STR(esc("\xE2\x82" "A", 0), FFFD "A");          /* cut sequence: one U+FFFD */
    CHECK_STR(esc("\xED\xA0\x80", 0), FFFD FFFD FFFD);    /* surrogate */
    CHECK_STR(esc("\xC0\xAF", 0), FFFD FFFD);             /* overlong '/' */
    CHECK_STR(esc("\xF4\x90\x80\x80", 0), FFFD FFFD FFFD FFFD); /* above U+10FFFF */
    CHECK_STR(esc("\xEF\xBF\xBE", 0), FFFD);              /* U+FFFE */
    CHECK_STR(esc("\xE2\x82", 0), FFFD);                  /* cut at the end */
}

static void test_escape_truncation(void)
{
    char small[4];
    size_t n;
    CHECK_STR(esc("abcdef", 4), "abc\xE2\x80\xA6");
    CHECK_STR(esc("abcdef", 6), "abcdef");
    CHECK_STR(esc("abcdef", 1), "\xE2\x80\xA6");
    CHECK_STR(esc("<<<<<", 3), "&lt;&lt;\xE2\x80\xA6"); /* characters, not bytes */
    CHECK_STR(esc("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 2), "\xE2\x82\xAC\xE2\x80\xA6");
    /* snprintf-style: full length back, a prefix of whole characters kept. */
    n = plot_xml_escape(small, sizeof(small), "a&b", 0);
    CHECK_EQ_U64(n, 7);
    CHECK_STR(small, "a");
    n = plot_xml_escape(small, sizeof(small), "ab\xE2\x82\xAC", 0);
    CHECK_EQ_U64(n, 5);
    CHECK_STR(small, "ab");
    CHECK_EQ_U64(plot_xml_escape(NULL, 0, "a<", 0), 5);
}

/* ---------------------------------------------------------------- whole documents */

static char *render(const struct plot_spec *spec, size_t *len)
{
    FILE *f = tmpfile();
    char *buf;
    long n;
    if (!f)
        return NULL;
    if (plot_svg_write(f, spec) != 0 || (n = ftell(f)) < 0) {
        fclose(f);
        return NULL;
    }
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void test_deterministic(void)
{
    double t[] = {0, 1, 2, 3}, v[] = {MIB, NAN, 3 * MIB, 2 * MIB};
    struct plot_series s = {"RAM <tree>", 4, t, v, NAN, NAN, NULL};
    struct plot_spec spec = {"run & see", &s, 1, 3};
    size_t na = 0, nb = 0;
    char *a = render(&spec, &na), *b = render(&spec, &nb);
    CHECK(a && b && na == nb && memcmp(a, b, na) == 0);
    CHECK(strstr(a, "RAM &lt;tree&gt;") && strstr(a, "run &amp; see"));
    CHECK(strstr(a, "peak 3 MiB at 2 s"));
    CHECK(strstr(a, "d=\"M88.0 284.0 h0 M608.0 44.0 L868.0 164.0\""));
    free(a);
    free(b);
}

/* 300 000 samples become at most 4 points per pixel column; the spike stays. */
static void test_decimation_bound(void)
{
    size_t n = 300000, i, len = 0, points = 0;
    double *t = malloc(n * sizeof(*t)), *v = malloc(n * sizeof(*v));
    struct plot_series s = {"RAM", n, t, v, NAN, NAN, NULL};
    struct plot_spec spec = {NULL, &s, 1, 0};
    char *out, *p;
    CHECK(t && v);
    for (i = 0; i < n; i++) {
        t[i] = (double)i * 0.001;
        v[i] = (double)(i % 100) * MIB;
    }
    v[123456] = 1000 * MIB;
    out = render(&spec, &len);
    free(t);
    free(v);
    CHECK(out);
    for (p = out; (p = strpbrk(p, "ML")) != NULL; p++)
        if (p[1] >= '0' && p[1] <= '9')
            points++;
    CHECK(points > PLOT_AREA_W && points <= 4 * PLOT_AREA_W);
    CHECK(strstr(out, " 44.0") != NULL); /* 1000 MiB is the axis top: y = PLOT_TOP */
    free(out);
}

static void test_errors(void)
{
    struct plot_spec spec = {NULL, NULL, 3, 0}; /* nseries without series: none drawn */
    size_t len = 0;
    char *out = render(&spec, &len);
    CHECK(out && strstr(out, "no samples") && !strstr(out, "class=\"series\""));
    free(out);
    CHECK(plot_svg_write(NULL, &spec) == -1);
    CHECK(plot_svg_write(stdout, NULL) == -1);
#ifdef __linux__
    {
        FILE *full = fopen("/dev/full", "w");
        if (full) {
            CHECK(plot_svg_write(full, &spec) == -1);
            fclose(full);
        }
    }
#endif
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_time_seconds),
        TEST_ENTRY(test_time_short_and_unknown),
        TEST_ENTRY(test_time_minutes_hours),
        TEST_ENTRY(test_bytes_units),
        TEST_ENTRY(test_bytes_edges),
        TEST_ENTRY(test_time_label),
        TEST_ENTRY(test_escape_markup),
        TEST_ENTRY(test_escape_controls_and_invalid),
        TEST_ENTRY(test_escape_truncation),
        TEST_ENTRY(test_deterministic),
        TEST_ENTRY(test_decimation_bound),
        TEST_ENTRY(test_errors),
    };
    return RUN_TESTS(tests);
}
