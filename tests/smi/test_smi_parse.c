/*
 * test_smi_parse.c - the nvidia-smi CSV parsers on every real capture in
 * tests/data/fixtures/nvidia-smi/ and on hostile input.
 */
#include "harness.h"
#include "util/util.h"
#include "parse/smi_csv.h"

#define MAXR 16

struct gpus {
    struct hmn__smi_gpu r[MAXR];
    size_t n;
};
struct apps {
    struct hmn__smi_app r[MAXR];
    size_t n;
};

static int on_gpu(void *arg, const struct hmn__smi_gpu *row)
{
    struct gpus *g = arg;
    if (g->n < MAXR)
        g->r[g->n] = *row;
    g->n++;
    return 0;
}

static int on_app(void *arg, const struct hmn__smi_app *row)
{
    struct apps *a = arg;
    if (a->n < MAXR)
        a->r[a->n] = *row;
    a->n++;
    return 0;
}

static char fx[8192];
static size_t fx_len;

static int load_fixture(const char *name)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", HMN_T_FIXTURES, name);
    f = fopen(path, "rb");
    if (!f)
        return 0;
    fx_len = fread(fx, 1, sizeof(fx), f);
    fclose(f);
    return fx_len > 0;
}

/* Parse from an exact-size heap copy, so a sanitizer sees any read past len. */
static int gpus_of(const char *s, const int *cols, size_t n, struct gpus *g, char *why)
{
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1);
    int rc;
    memset(g, 0, sizeof(*g));
    if (!copy)
        return HMN_ENOMEM;
    memcpy(copy, s, len);
    rc = hmn__smi_parse_gpus(copy, len, cols, n, on_gpu, g, why, 160);
    free(copy);
    return rc;
}

static int apps_of(const char *s, size_t len, const int *cols, size_t n, struct apps *a)
{
    char *copy = malloc(len ? len : 1);
    int rc;
    memset(a, 0, sizeof(*a));
    if (!copy)
        return HMN_ENOMEM;
    memcpy(copy, s, len);
    rc = hmn__smi_parse_apps(copy, len, cols, n, on_app, a, NULL, 0);
    free(copy);
    return rc;
}

static const int app_cols[] = {HMN__SMI_COL_PID, HMN__SMI_COL_PNAME, HMN__SMI_COL_PUSED};

/* ---------------------------------------------------------------- captures */

static void fixture_titanx_8gpu(void)
{
    static const int cols[] = {HMN__SMI_COL_INDEX, HMN__SMI_COL_UUID,  HMN__SMI_COL_NAME,
                               HMN__SMI_COL_OTHER, HMN__SMI_COL_OTHER, HMN__SMI_COL_USED,
                               HMN__SMI_COL_TOTAL};
    static struct gpus g;
    CHECK(load_fixture("query-gpu-noheader-nounits-8gpu-titanx.txt"));
    memset(&g, 0, sizeof(g));
    CHECK(hmn__smi_parse_gpus(fx, fx_len, cols, 7, on_gpu, &g, NULL, 0) == HMN_OK);
    CHECK_EQ_U64(g.n, 8);
    CHECK_STR(g.r[0].name, "GeForce GTX TITAN X");
    CHECK_STR(g.r[0].uuid, "GPU-004f693d-767b-b215-b4a9-a18af0ffd643");
    CHECK_EQ_U64(g.r[0].used_mib, 802);
    CHECK_EQ_U64(g.r[0].total_mib, 12206);
    CHECK_EQ_U64(g.r[7].index, 7);
    CHECK_EQ_U64(g.r[7].used_mib, 6442);
    CHECK(g.r[7].valid & HMN__SMI_HAS_INDEX);
    /* Not asked for: unknown, never zero-valued "known". */
    CHECK(!(g.r[0].valid & (HMN__SMI_HAS_FREE | HMN__SMI_HAS_PCI | HMN__SMI_HAS_DRIVER)));
}

static const int fan_cols[] = {HMN__SMI_COL_TOTAL, HMN__SMI_COL_FREE,  HMN__SMI_COL_USED,
                               HMN__SMI_COL_OTHER, HMN__SMI_COL_OTHER, HMN__SMI_COL_OTHER,
                               HMN__SMI_COL_OTHER};

static void fixture_fan_na(void)
{
    struct gpus g;
    CHECK(load_fixture("query-gpu-noheader-nounits-fan-na.txt"));
    memset(&g, 0, sizeof(g));
    CHECK(hmn__smi_parse_gpus(fx, fx_len, fan_cols, 7, on_gpu, &g, NULL, 0) == HMN_OK);
    CHECK_EQ_U64(g.n, 1);
    CHECK_EQ_U64(g.r[0].total_mib, 2004);
    CHECK_EQ_U64(g.r[0].free_mib, 2004);
    CHECK(g.r[0].valid & HMN__SMI_HAS_USED); /* a measured 0 is a value */
    CHECK_EQ_U64(g.r[0].used_mib, 0);
}

static void fixture_fan_not_supported(void)
{
    struct gpus g;
    CHECK(load_fixture("query-gpu-noheader-nounits-fan-not-supported.txt"));
    memset(&g, 0, sizeof(g));
    CHECK(hmn__smi_parse_gpus(fx, fx_len, fan_cols, 7, on_gpu, &g, NULL, 0) == HMN_OK);
    CHECK_EQ_U64(g.n, 1);
    CHECK_EQ_U64(g.r[0].total_mib, 2004);
}

static void fixture_wsl2_gpu(void)
{
    static const int cols[] = {HMN__SMI_COL_NAME, HMN__SMI_COL_TOTAL, HMN__SMI_COL_USED};
    struct gpus g;
    CHECK(load_fixture("query-gpu-noheader-nounits-wsl2.txt"));
    memset(&g, 0, sizeof(g));
    CHECK(hmn__smi_parse_gpus(fx, fx_len, cols, 3, on_gpu, &g, NULL, 0) == HMN_OK);
    CHECK_EQ_U64(g.n, 1);
    CHECK_STR(g.r[0].name, "NVIDIA GeForce RTX 4070 Ti SUPER");
    CHECK_EQ_U64(g.r[0].total_mib, 16376);
    CHECK_EQ_U64(g.r[0].used_mib, 14360);
}

static void fixture_wsl2_apps_na(void)
{
    static const int cols[] = {HMN__SMI_COL_PID, HMN__SMI_COL_PUSED};
    struct apps a;
    CHECK(load_fixture("query-compute-apps-noheader-nounits-wsl2-na.txt"));
    CHECK(apps_of(fx, fx_len, cols, 2, &a) == HMN_OK);
    /* Upstream drops this row; we keep it with the figure unknown. */
    CHECK_EQ_U64(a.n, 1);
    CHECK_EQ_U64(a.r[0].pid, 79);
    CHECK(!(a.r[0].valid & HMN__SMI_HAS_USED));
}

static const int h100_cols[] = {HMN__SMI_COL_OTHER, HMN__SMI_COL_NAME, HMN__SMI_COL_PCI,
                                HMN__SMI_COL_OTHER, HMN__SMI_COL_UUID, HMN__SMI_COL_PID,
                                HMN__SMI_COL_PNAME, HMN__SMI_COL_PUSED};

static void fixture_h100_header_units(void)
{
    struct apps a;
    CHECK(load_fixture("query-compute-apps-csv-header-units-linux-h100-3procs.txt"));
    CHECK(apps_of(fx, fx_len, h100_cols, 8, &a) == HMN_OK);
    CHECK_EQ_U64(a.n, 3);
    CHECK_EQ_U64(a.r[0].pid, 11327);
    CHECK_STR(a.r[0].name, "/root/tools/memhog");
    CHECK_EQ_U64(a.r[0].used_mib, 2566);
    CHECK_STR(a.r[0].pci_bus_id, "0000:00:09.0");
    CHECK_STR(a.r[0].uuid, "GPU-00000000-0000-0000-0000-000000000000");
    CHECK_EQ_U64(a.r[2].pid, 11345);
    CHECK_STR(a.r[2].name, "./gpu_burn");
    CHECK_EQ_U64(a.r[2].used_mib, 15690);
}

static void fixture_h100_empty(void)
{
    struct apps a;
    CHECK(load_fixture("query-compute-apps-csv-header-units-empty.txt"));
    CHECK(apps_of(fx, fx_len, h100_cols, 8, &a) == HMN_OK);
    CHECK_EQ_U64(a.n, 0);
}

static void fixture_error_no_driver(void)
{
    char first[200];
    CHECK(load_fixture("error-no-driver.txt"));
    CHECK(hmn__smi_classify_failure(fx, fx_len, 9, first, sizeof(first)) ==
          HMN__SMI_FAIL_NO_DRIVER);
    CHECK_STR(first, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
                     "driver. Make sure that the latest NVIDIA driver is installed and running.");
    /* The text alone is enough (exit statuses are not a documented contract). */
    CHECK(hmn__smi_classify_failure(fx, fx_len, 1, NULL, 0) == HMN__SMI_FAIL_NO_DRIVER);
}

/* ---------------------------------------------------------------- upstream examples */

static void upstream_app_examples(void)
{
    struct apps a;
    const char *s = "12345, python.exe, 1024\n42, weird,name.exe, 8\n999, ?, 256\n";
    CHECK(apps_of(s, strlen(s), app_cols, 3, &a) == HMN_OK);
    CHECK_EQ_U64(a.n, 3);
    CHECK_EQ_U64(a.r[0].pid, 12345);
    CHECK_STR(a.r[0].name, "python.exe");
    CHECK_EQ_U64(a.r[0].used_mib, 1024);
    CHECK_STR(a.r[1].name, "weird,name.exe");
    CHECK_EQ_U64(a.r[1].used_mib, 8);
    CHECK_STR(a.r[2].name, "?");
}

static void names_with_commas_and_spaces(void)
{
    static const int cols[] = {HMN__SMI_COL_INDEX, HMN__SMI_COL_NAME,  HMN__SMI_COL_UUID,
                               HMN__SMI_COL_PCI,   HMN__SMI_COL_TOTAL, HMN__SMI_COL_USED,
                               HMN__SMI_COL_FREE,  HMN__SMI_COL_DRIVER, HMN__SMI_COL_RESERVED};
    struct gpus g;
    struct apps a;
    const char *s = "0, Weird, GPU, Name, GPU-1, 00000000:0C:00.0, 100, 10, 80, 535.161.07, 10\n";
    const char *p = "1234, /opt/my app/run, v2 --flag, 512\n7,,3\n";
    CHECK(gpus_of(s, cols, 9, &g, NULL) == HMN_OK);
    CHECK_EQ_U64(g.n, 1);
    CHECK_STR(g.r[0].name, "Weird, GPU, Name");
    CHECK_STR(g.r[0].uuid, "GPU-1");
    CHECK_STR(g.r[0].pci_bus_id, "0000:0c:00.0");
    CHECK_STR(g.r[0].driver, "535.161.07");
    CHECK_EQ_U64(g.r[0].reserved_mib, 10);
    CHECK(apps_of(p, strlen(p), app_cols, 3, &a) == HMN_OK);
    CHECK_EQ_U64(a.n, 2);
    CHECK_STR(a.r[0].name, "/opt/my app/run, v2 --flag");
    CHECK(!(a.r[1].valid & HMN__SMI_HAS_NAME)); /* empty name: unknown */
    CHECK_EQ_U64(a.r[1].used_mib, 3);
}

static void placeholders_are_unknown(void)
{
    static const int cols[] = {HMN__SMI_COL_NAME, HMN__SMI_COL_TOTAL, HMN__SMI_COL_USED,
                               HMN__SMI_COL_FREE, HMN__SMI_COL_DRIVER, HMN__SMI_COL_RESERVED};
    struct gpus g;
    const char *s = "[N/A], [Not Supported], N/A, [Unknown Error], [N/A], [Insufficient "
                    "Permissions]\n";
    CHECK(gpus_of(s, cols, 6, &g, NULL) == HMN_OK);
    CHECK_EQ_U64(g.n, 1);
    CHECK_EQ_U64(g.r[0].valid, 0);
    CHECK(hmn__smi_is_placeholder("N/A", 3));
    CHECK(hmn__smi_is_placeholder("[whatever]", 10));
    CHECK(!hmn__smi_is_placeholder("[N/A", 4));
    CHECK(!hmn__smi_is_placeholder("NA", 2));
}

static void units_crlf_blank_lines(void)
{
    static const int cols[] = {HMN__SMI_COL_INDEX, HMN__SMI_COL_TOTAL, HMN__SMI_COL_USED};
    struct gpus g;
    const char *s = "index, memory.total [MiB], memory.used [MiB]\r\n\r\n"
                    "0, 16384 MiB, 1024 MiB\r\n\n   \n1, 8192 MiB, [N/A]\r\n";
    CHECK(gpus_of(s, cols, 3, &g, NULL) == HMN_OK);
    CHECK_EQ_U64(g.n, 2);
    CHECK_EQ_U64(g.r[0].total_mib, 16384);
    CHECK_EQ_U64(g.r[0].used_mib, 1024);
    CHECK_EQ_U64(g.r[1].index, 1);
    CHECK(!(g.r[1].valid & HMN__SMI_HAS_USED));
}

static void stray_newline_between_values(void)
{
    /* MaxContextFinder #6: "' 16380\n5'" - a row split in two must not parse. */
    static const int cols[] = {HMN__SMI_COL_TOTAL, HMN__SMI_COL_USED};
    struct gpus g;
    char why[160];
    CHECK(gpus_of(" 16380\n5\n", cols, 2, &g, why) == HMN_EPARSE);
    CHECK(strstr(why, "line 1") != NULL);
}

/* ---------------------------------------------------------------- hostile */

static void malformed_rows_are_errors(void)
{
    static const int cols[] = {HMN__SMI_COL_PID, HMN__SMI_COL_PUSED};
    struct apps a;
    char why[160];
    const char *extra = "1, 2, 3\n";
    CHECK(apps_of("abc, x, 1\n", 10, app_cols, 3, &a) == HMN_EPARSE);
    CHECK(apps_of("1024\n", 5, app_cols, 3, &a) == HMN_EPARSE);
    CHECK(apps_of(extra, strlen(extra), cols, 2, &a) == HMN_EPARSE);
    CHECK(apps_of("1, a, 99999999999999999999999\n", 30, app_cols, 3, &a) == HMN_EPARSE);
    CHECK(apps_of("4294967296, a, 1\n", 17, app_cols, 3, &a) == HMN_EPARSE);
    CHECK(apps_of("-1, a, 1\n", 9, app_cols, 3, &a) == HMN_EPARSE);
    CHECK(apps_of("1, a, 1,\n", 9, cols, 2, &a) == HMN_EPARSE);
    memset(&a, 0, sizeof(a));
    CHECK(hmn__smi_parse_apps("5, a, 1\n6, b\n", 13, app_cols, 3, on_app, &a, why,
                              sizeof(why)) == HMN_EPARSE);
    CHECK(strstr(why, "line 2") != NULL);
}

/* One damaged line of a listing costs that line: the rest is read, the line counted. */
static void malformed_rows_can_be_skipped(void)
{
    static const char out[] = "11327, memhog, 2566\n"
                              "11328, memhog, 12x\n"   /* malformed value */
                              "garbage without commas\n" /* wrong field count */
                              "11345, gpu_burn, 15690\n";
    static const char junk[] = "Junk!\nmore junk\n";
    static const char clean[] = "pid, process_name, used_memory\n[N/A], x, 1\n5, a, 1\n";
    struct apps a;
    char why[160];
    unsigned skipped = 99;
    memset(&a, 0, sizeof(a));
    CHECK(hmn__smi_parse_apps_skipping(out, strlen(out), app_cols, 3, on_app, &a, &skipped, why,
                                       sizeof(why)) == HMN_OK);
    CHECK_EQ_U64(skipped, 2);
    CHECK_EQ_U64(a.n, 2);
    CHECK_EQ_U64(a.r[0].pid, 11327);
    CHECK_EQ_U64(a.r[1].pid, 11345);
    CHECK(strstr(why, "line 2") != NULL); /* the first one is described */
    /* The strict parser still refuses the same output. */
    memset(&a, 0, sizeof(a));
    CHECK(hmn__smi_parse_apps(out, strlen(out), app_cols, 3, on_app, &a, NULL, 0) == HMN_EPARSE);
    /* Not one readable line: no listing at all. */
    memset(&a, 0, sizeof(a));
    CHECK(hmn__smi_parse_apps_skipping(junk, strlen(junk), app_cols, 3, on_app, &a, &skipped, why,
                                       sizeof(why)) == HMN_EPARSE);
    CHECK_EQ_U64(skipped, 2);
    /* Nothing to skip, nothing counted; a header and an [N/A] PID are not malformed. */
    memset(&a, 0, sizeof(a));
    CHECK(hmn__smi_parse_apps_skipping(clean, strlen(clean), app_cols, 3, on_app, &a, &skipped,
                                       NULL, 0) == HMN_OK);
    CHECK_EQ_U64(skipped, 0);
    CHECK_EQ_U64(a.n, 1);
}

static void never_reads_past_len(void)
{
    struct apps a;
    /* len stops inside the last value: "1, a, " - the used column is empty. */
    CHECK(apps_of("1, a, 5", 6, app_cols, 3, &a) == HMN_EPARSE);
    /* len 0 and NULL-free empty buffer: empty list. */
    CHECK(apps_of("", 0, app_cols, 3, &a) == HMN_OK);
    CHECK_EQ_U64(a.n, 0);
    /* Embedded NUL bytes are data, not terminators. */
    CHECK(apps_of("1, a\0b, 5\n", 10, app_cols, 3, &a) == HMN_OK);
    CHECK_EQ_U64(a.n, 1);
    CHECK_STR(a.r[0].name, "a?b");
}

static void placeholder_pid_row_skipped(void)
{
    struct apps a;
    const char *s = "[N/A], ghost, 10\n8, real, 20\n";
    CHECK(apps_of(s, strlen(s), app_cols, 3, &a) == HMN_OK);
    CHECK_EQ_U64(a.n, 1);
    CHECK_EQ_U64(a.r[0].pid, 8);
}

static void header_only_on_first_line(void)
{
    static const int cols[] = {HMN__SMI_COL_NAME, HMN__SMI_COL_TOTAL};
    struct gpus g;
    /* A lower-case GPU name is data: the second field is a number. */
    CHECK(gpus_of("name, memory.total [MiB]\nfoo, 12 MiB\n", cols, 2, &g, NULL) == HMN_OK);
    CHECK_EQ_U64(g.n, 1);
    CHECK_STR(g.r[0].name, "foo");
    /* A header-looking line later on is a malformed row, not skipped. */
    CHECK(gpus_of("foo, 12\nname, memory.total\n", cols, 2, &g, NULL) == HMN_EPARSE);
}

static void pci_normalisation(void)
{
    char b[32];
    CHECK(hmn__smi_norm_pci("00000000:0C:00.0", 16, b, sizeof(b)) == HMN_OK);
    CHECK_STR(b, "0000:0c:00.0");
    CHECK(hmn__smi_norm_pci(" 0000:0c:1f.7 ", 14, b, sizeof(b)) == HMN_OK);
    CHECK_STR(b, "0000:0c:1f.7");
    CHECK(hmn__smi_norm_pci("00000001:81:00.1", 16, b, sizeof(b)) == HMN_OK);
    CHECK_STR(b, "0001:81:00.1");
    CHECK(hmn__smi_norm_pci("000000000:0C:00.0", 17, b, sizeof(b)) == HMN_EPARSE);
    CHECK(hmn__smi_norm_pci("00000000:0C:00", 14, b, sizeof(b)) == HMN_EPARSE);
    CHECK(hmn__smi_norm_pci("00000000:0C:20.0", 16, b, sizeof(b)) == HMN_EPARSE);
    CHECK(hmn__smi_norm_pci("[N/A]", 5, b, sizeof(b)) == HMN_EPARSE);
    CHECK(hmn__smi_norm_pci("00000000:0C:00.0", 10, b, sizeof(b)) == HMN_EPARSE);
}

static void mib_values(void)
{
    uint64_t v = 7;
    CHECK(hmn__smi_parse_mib("2566 MiB", 8, &v) == HMN_OK);
    CHECK_EQ_U64(v, 2566);
    CHECK(hmn__smi_parse_mib(" 0 ", 3, &v) == HMN_OK);
    CHECK_EQ_U64(v, 0);
    CHECK(hmn__smi_parse_mib("[N/A]", 5, &v) == HMN_ENOENT);
    CHECK(hmn__smi_parse_mib("N/A", 3, &v) == HMN_ENOENT);
    CHECK(hmn__smi_parse_mib("12x", 3, &v) == HMN_EPARSE);
    CHECK(hmn__smi_parse_mib(" MiB", 4, &v) == HMN_EPARSE);
    CHECK(hmn__smi_parse_mib("", 0, &v) == HMN_EPARSE);
}

static void failure_classes(void)
{
    char first[64];
    const char *mm = "Failed to initialize NVML: Driver/library version mismatch\n"
                     "NVML library version: 535.161\n";
    const char *uf = "Field \"memory.reserved\" is not a valid field to query.\n\n";
    CHECK(hmn__smi_classify_failure(mm, strlen(mm), 18, first, sizeof(first)) ==
          HMN__SMI_FAIL_MISMATCH);
    CHECK_STR(first, "Failed to initialize NVML: Driver/library version mismatch");
    CHECK(hmn__smi_classify_failure(uf, strlen(uf), 2, NULL, 0) == HMN__SMI_FAIL_UNKNOWN_FIELD);
    CHECK(hmn__smi_classify_failure("No devices were found\n", 22, 6, NULL, 0) ==
          HMN__SMI_FAIL_NO_DEVICES);
    CHECK(hmn__smi_classify_failure("", 0, 12, first, sizeof(first)) == HMN__SMI_FAIL_NO_NVML);
    CHECK_STR(first, "");
    CHECK(hmn__smi_classify_failure("boom\n", 5, 3, first, sizeof(first)) ==
          HMN__SMI_FAIL_OTHER);
    CHECK_STR(first, "boom");
    /* A first line longer than the buffer is cut, never overrun. */
    CHECK(hmn__smi_classify_failure(mm, strlen(mm), 18, first, 8) == HMN__SMI_FAIL_MISMATCH);
    CHECK_STR(first, "Failed ");
}

static int stop_after_one(void *arg, const struct hmn__smi_app *row)
{
    (void)row;
    ++*(int *)arg;
    return 5;
}

static void callback_can_stop(void)
{
    int calls = 0;
    const char *s = "1, a, 1\n2, b, 2\n";
    CHECK(hmn__smi_parse_apps(s, strlen(s), app_cols, 3, stop_after_one, &calls, NULL, 0) == 5);
    CHECK(calls == 1);
}

static void column_names(void)
{
    CHECK(hmn__smi_col_of("memory.used", 11) == HMN__SMI_COL_USED);
    CHECK(hmn__smi_col_of("used_gpu_memory", 15) == HMN__SMI_COL_PUSED);
    CHECK(hmn__smi_col_of("gpu_bus_id", 10) == HMN__SMI_COL_PCI);
    CHECK(hmn__smi_col_of("memory.use", 10) == HMN__SMI_COL_OTHER);
    CHECK(hmn__smi_col_of("fan.speed", 9) == HMN__SMI_COL_OTHER);
}

static const struct hmn_test tests[] = {
    TEST_ENTRY(fixture_titanx_8gpu),
    TEST_ENTRY(fixture_fan_na),
    TEST_ENTRY(fixture_fan_not_supported),
    TEST_ENTRY(fixture_wsl2_gpu),
    TEST_ENTRY(fixture_wsl2_apps_na),
    TEST_ENTRY(fixture_h100_header_units),
    TEST_ENTRY(fixture_h100_empty),
    TEST_ENTRY(fixture_error_no_driver),
    TEST_ENTRY(upstream_app_examples),
    TEST_ENTRY(names_with_commas_and_spaces),
    TEST_ENTRY(placeholders_are_unknown),
    TEST_ENTRY(units_crlf_blank_lines),
    TEST_ENTRY(stray_newline_between_values),
    TEST_ENTRY(malformed_rows_are_errors),
    TEST_ENTRY(never_reads_past_len),
    TEST_ENTRY(placeholder_pid_row_skipped),
    TEST_ENTRY(header_only_on_first_line),
    TEST_ENTRY(pci_normalisation),
    TEST_ENTRY(mib_values),
    TEST_ENTRY(failure_classes),
    TEST_ENTRY(callback_can_stop),
    TEST_ENTRY(column_names),
    TEST_ENTRY(malformed_rows_can_be_skipped),
};

int main(int argc, char **argv)
{
    return RUN_TESTS(tests);
}
