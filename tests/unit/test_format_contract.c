/*
 * tests/unit/test_format_contract.c - the buffer contract shared by every
 * public formatter (hmn_format_*, hmn_json_escape), checked for each one:
 *   - NULL buffer with cap 0: a length query, returns the length needed;
 *   - NULL buffer with cap > 0: HMN_EINVAL, never a crash;
 *   - a real buffer with cap 0: the length, nothing written;
 *   - a short buffer: a NUL-terminated prefix, the full length returned.
 */
#include "harness.h"
#include "hypomnesis.h"

#define MIB 1048576ull
#define GIB 1073741824ull

static hmn_snapshot snap_before, snap_after;
static hmn_gpu_device_info dev;

static void fixtures(void)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    s.valid = HMN_SNAP_HAS_GPU;
    s.ram_bytes = 512 * MIB;
    s.gpu.valid = HMN_PGPU_HAS_USED;
    s.gpu.used_bytes = GIB;
    snap_before = s;
    s.ram_bytes = 768 * MIB;
    s.gpu.used_bytes = 3 * GIB;
    snap_after = s;
    d.valid = HMN_DEV_HAS_FREE | HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED | HMN_DEV_HAS_NAME;
    d.free_bytes = 6 * GIB;
    d.total_bytes = 8 * GIB;
    d.used_bytes = 2 * GIB;
    strcpy(d.name, "Test GPU");
    dev = d;
}

static int f_delta(char *b, size_t c)
{
    return hmn_format_delta(b, c, &snap_before, &snap_after, "load");
}
static int f_before_after(char *b, size_t c)
{
    return hmn_format_before_after(b, c, &snap_before, &snap_after, "load");
}
static int f_free(char *b, size_t c) { return hmn_format_free(b, c, &dev); }
static int f_total(char *b, size_t c) { return hmn_format_total(b, c, &dev); }
static int f_used(char *b, size_t c) { return hmn_format_used(b, c, &dev); }
static int f_vram(char *b, size_t c) { return hmn_format_vram(b, c, 3 * GIB); }
static int f_vram_mib(char *b, size_t c) { return hmn_format_vram(b, c, 10); }
static int f_precise(char *b, size_t c) { return hmn_format_vram_precise(b, c, GIB + GIB / 4); }
static int f_precise_b(char *b, size_t c) { return hmn_format_vram_precise(b, c, 1023); }
static int f_json(char *b, size_t c) { return hmn_json_escape(b, c, "a \"quoted\"\n name"); }

static const struct {
    const char *name;
    int (*fn)(char *, size_t);
} formatters[] = {
    {"hmn_format_delta", f_delta},
    {"hmn_format_before_after", f_before_after},
    {"hmn_format_free", f_free},
    {"hmn_format_total", f_total},
    {"hmn_format_used", f_used},
    {"hmn_format_vram (GiB)", f_vram},
    {"hmn_format_vram (MiB)", f_vram_mib},
    {"hmn_format_vram_precise", f_precise},
    {"hmn_format_vram_precise (B)", f_precise_b},
    {"hmn_json_escape", f_json},
};

static void null_buffer_with_cap_is_einval(void)
{
    size_t i;
    fixtures();
    for (i = 0; i < sizeof(formatters) / sizeof(formatters[0]); i++) {
        int rc = formatters[i].fn(NULL, 10);
        if (rc != HMN_EINVAL)
            fprintf(stderr, "%s(NULL, 10) -> %d\n", formatters[i].name, rc);
        CHECK(rc == HMN_EINVAL);
    }
}

static void null_buffer_cap_zero_is_a_length_query(void)
{
    char full[512];
    size_t i;
    fixtures();
    for (i = 0; i < sizeof(formatters) / sizeof(formatters[0]); i++) {
        int need = formatters[i].fn(NULL, 0), n = formatters[i].fn(full, sizeof(full));
        CHECK(need > 0);
        CHECK(n == need);
        CHECK((size_t)need == strlen(full));
    }
}

static void cap_zero_writes_nothing(void)
{
    char buf[8];
    size_t i;
    fixtures();
    for (i = 0; i < sizeof(formatters) / sizeof(formatters[0]); i++) {
        memset(buf, '#', sizeof(buf));
        CHECK(formatters[i].fn(buf, 0) == formatters[i].fn(NULL, 0));
        CHECK(buf[0] == '#');
    }
}

static void short_buffer_gets_a_terminated_prefix(void)
{
    char full[512], small[5];
    size_t i;
    fixtures();
    for (i = 0; i < sizeof(formatters) / sizeof(formatters[0]); i++) {
        int need = formatters[i].fn(full, sizeof(full));
        memset(small, '#', sizeof(small));
        CHECK(formatters[i].fn(small, sizeof(small)) == need);
        CHECK(small[sizeof(small) - 1] == '\0');
        CHECK(strncmp(small, full, strlen(small)) == 0);
        CHECK(strlen(small) == (size_t)(need < 4 ? need : 4));
    }
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(null_buffer_with_cap_is_einval),
        TEST_ENTRY(null_buffer_cap_zero_is_a_length_query),
        TEST_ENTRY(cap_zero_writes_nothing),
        TEST_ENTRY(short_buffer_gets_a_terminated_prefix),
    };
    return RUN_TESTS(tests);
}
