/* tests/drm/test_drm_parse.c - DRM fdinfo, sysfs and uevent parsers. */
#include "harness.h"
#include "util/util.h"
#include "parse/drm.h"

#define KIB 1024ull

static size_t slurp(const char *name, char *buf, size_t cap)
{
    char path[1024];
    size_t n;
    FILE *f;
    snprintf(path, sizeof(path), "%s/fdinfo/%s", HMN_FIXTURES, name);
    f = fopen(path, "rb");
    if (!f)
        return 0;
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static int parse_str(const char *text, struct hmn__drm_client *c)
{
    return hmn__parse_drm_fdinfo(text, strlen(text), c);
}

static void test_units(void)
{
    uint64_t v = 0;
    CHECK(hmn__drm_parse_size("0", 1, &v) == HMN_OK);
    CHECK_EQ_U64(v, 0);
    CHECK(hmn__drm_parse_size("1000", 4, &v) == HMN_OK);
    CHECK_EQ_U64(v, 1000);
    CHECK(hmn__drm_parse_size("4096 B", 6, &v) == HMN_OK);
    CHECK_EQ_U64(v, 4096);
    CHECK(hmn__drm_parse_size("2068 KiB", 8, &v) == HMN_OK);
    CHECK_EQ_U64(v, 2068 * KIB);
    CHECK(hmn__drm_parse_size("3 kB", 4, &v) == HMN_OK);
    CHECK_EQ_U64(v, 3 * KIB);
    CHECK(hmn__drm_parse_size("16 MiB", 6, &v) == HMN_OK);
    CHECK_EQ_U64(v, 16 * HMN__MIB);
    CHECK(hmn__drm_parse_size("2 GiB", 5, &v) == HMN_OK);
    CHECK_EQ_U64(v, 2 * HMN__GIB);
    CHECK(hmn__drm_parse_size(" 7\tKiB \r", 8, &v) == HMN_OK);
    CHECK_EQ_U64(v, 7 * KIB);
    CHECK(hmn__drm_parse_size("12KiB", 5, &v) == HMN_OK); /* no space: still unambiguous */
    CHECK_EQ_U64(v, 12 * KIB);
}

static void test_units_rejected(void)
{
    uint64_t v = 77;
    static const char *const bad[] = {"", "KiB", "5 TiB", "5 kib", "5 KB", "5 MB", "-1",
                                      "+1", "1.5 MiB", "0x10", "5 KiB extra", "5 Ki B",
                                      "123456789012345678901", "18446744073709551616",
                                      "18446744073709551615 KiB", "17179869184 GiB"};
    size_t i;
    for (i = 0; i < HMN__ARRAY_LEN(bad); i++)
        CHECK(hmn__drm_parse_size(bad[i], strlen(bad[i]), &v) == HMN_EPARSE);
    CHECK_EQ_U64(v, 77); /* never written on failure */
    /* The largest representable values still parse. */
    CHECK(hmn__drm_parse_size("18446744073709551615", 20, &v) == HMN_OK);
    CHECK_EQ_U64(v, UINT64_MAX);
    CHECK(hmn__drm_parse_size("17179869183 GiB", 15, &v) == HMN_OK);
    CHECK_EQ_U64(v, 17179869183ull * HMN__GIB);
}

static void test_region_class(void)
{
    CHECK(hmn__drm_region_class("vram", 4) == HMN__DRM_LOCAL);
    CHECK(hmn__drm_region_class("vram1", 5) == HMN__DRM_LOCAL);
    CHECK(hmn__drm_region_class("local0", 6) == HMN__DRM_LOCAL);
    CHECK(hmn__drm_region_class("system0", 7) == HMN__DRM_SYSTEM);
    CHECK(hmn__drm_region_class("system", 6) == HMN__DRM_SYSTEM);
    CHECK(hmn__drm_region_class("memory", 6) == HMN__DRM_SYSTEM);
    CHECK(hmn__drm_region_class("gtt", 3) == HMN__DRM_GTT);
    CHECK(hmn__drm_region_class("cpu", 3) == HMN__DRM_CPU);
    CHECK(hmn__drm_region_class("stolen", 6) == HMN__DRM_STOLEN);
    CHECK(hmn__drm_region_class("stolen-system0", 14) == HMN__DRM_STOLEN);
    CHECK(hmn__drm_region_class("stolen-local0", 13) == HMN__DRM_STOLEN);
    CHECK(hmn__drm_region_class("gds", 3) == HMN__DRM_OTHER);
    CHECK(hmn__drm_region_class("doorbell", 8) == HMN__DRM_OTHER);
    CHECK(hmn__drm_region_class("memoryx", 7) == HMN__DRM_OTHER);
    /* Only len bytes are looked at. */
    CHECK(hmn__drm_region_class("vramXYZ", 2) == HMN__DRM_OTHER);
}

static void test_amdgpu_legacy_sample(void)
{
    char buf[4096];
    struct hmn__drm_client c;
    const uint64_t *r;
    unsigned seen;
    size_t n = slurp("amdgpu-1.txt", buf, sizeof(buf));
    CHECK(n > 0);
    CHECK(hmn__parse_drm_fdinfo(buf, n, &c) == HMN_OK);
    CHECK(c.is_drm);
    CHECK_STR(c.driver, "amdgpu");
    CHECK_STR(c.pdev, "0000:08:00.0");
    CHECK(c.has_client_id);
    CHECK_EQ_U64(c.client_id, 217);
    CHECK_EQ_U64(c.resident_seen, 0);
    r = hmn__drm_client_regions(&c, &seen);
    CHECK_EQ_U64(seen, (1u << HMN__DRM_LOCAL) | (1u << HMN__DRM_GTT) | (1u << HMN__DRM_CPU));
    CHECK_EQ_U64(r[HMN__DRM_LOCAL], 2068 * KIB);
    CHECK_EQ_U64(r[HMN__DRM_GTT], 8192 * KIB);
    CHECK_EQ_U64(r[HMN__DRM_CPU], 0);
    CHECK_EQ_U64(c.bad_values, 0);
    CHECK_EQ_U64(c.unknown_keys, 0);
}

static void test_i915_sample(void)
{
    char buf[4096];
    struct hmn__drm_client c;
    const uint64_t *r;
    unsigned seen;
    size_t n = slurp("i915-1.txt", buf, sizeof(buf));
    CHECK(n > 0);
    CHECK(hmn__parse_drm_fdinfo(buf, n, &c) == HMN_OK);
    CHECK_STR(c.driver, "i915");
    CHECK_STR(c.pdev, "0000:00:02.0");
    CHECK_EQ_U64(c.client_id, 39);
    r = hmn__drm_client_regions(&c, &seen);
    /* Integrated: no local region, system0 resident, stolen-system0 reported apart. */
    CHECK_EQ_U64(seen, (1u << HMN__DRM_SYSTEM) | (1u << HMN__DRM_STOLEN));
    CHECK_EQ_U64(r[HMN__DRM_SYSTEM], 6044 * KIB);
    CHECK_EQ_U64(r[HMN__DRM_STOLEN], 0);
    CHECK_EQ_U64(c.unknown_keys, 0);
    CHECK_EQ_U64(c.bad_values, 0);
}

static void test_xe_sample(void)
{
    char buf[4096];
    struct hmn__drm_client c;
    const uint64_t *r;
    unsigned seen;
    size_t n = slurp("xe-1.txt", buf, sizeof(buf));
    CHECK(n > 0);
    CHECK(hmn__parse_drm_fdinfo(buf, n, &c) == HMN_OK);
    CHECK_STR(c.driver, "xe");
    CHECK_EQ_U64(c.client_id, 3);
    r = hmn__drm_client_regions(&c, &seen);
    CHECK(seen & (1u << HMN__DRM_LOCAL));
    CHECK_EQ_U64(r[HMN__DRM_LOCAL], 23992 * KIB);
    CHECK_EQ_U64(r[HMN__DRM_GTT], 192 * KIB);
    CHECK_EQ_U64(r[HMN__DRM_SYSTEM], 0);
    CHECK_EQ_U64(r[HMN__DRM_STOLEN], 0);
    /* drm-cycles-*, drm-total-cycles-*, drm-engine-capacity-* are known keys. */
    CHECK_EQ_U64(c.unknown_keys, 0);
    CHECK_EQ_U64(c.bad_values, 0);
}

static void test_resident_preferred(void)
{
    struct hmn__drm_client c;
    const uint64_t *r;
    unsigned seen;
    parse_str("drm-driver:\tamdgpu\ndrm-memory-vram:\t99999 KiB\ndrm-resident-vram:\t12 KiB\n"
              "drm-memory-gtt: \t5 KiB\n",
              &c);
    r = hmn__drm_client_regions(&c, &seen);
    CHECK_EQ_U64(r[HMN__DRM_LOCAL], 12 * KIB);
    /* GTT only printed as legacy: the file prints resident keys, so none is taken. */
    CHECK_EQ_U64(seen, 1u << HMN__DRM_LOCAL);
    CHECK_EQ_U64(c.legacy[HMN__DRM_GTT], 5 * KIB);
}

static void test_counts_unknown(void)
{
    struct hmn__drm_client c;
    const uint64_t *r;
    unsigned seen;
    parse_str("drm-driver: xe\ndrm-resident-vram0: 5 TiB\ndrm-resident-vram1: 1000\n"
              "drm-frobnicate: 1\ndrm-resident-: 4\ndrm-client-id: x12\n"
              "drm-total-vram0: 9 parsecs\nno colon here\n: empty key\npasid: 3\n",
              &c);
    r = hmn__drm_client_regions(&c, &seen);
    CHECK_EQ_U64(r[HMN__DRM_LOCAL], 1000); /* the TiB line is skipped, not misread */
    CHECK_EQ_U64(c.bad_values, 2);          /* TiB, x12 */
    CHECK_EQ_U64(c.unknown_keys, 2);        /* drm-frobnicate, empty region */
    CHECK(!c.has_client_id);
}

static void test_bounds_and_format(void)
{
    struct hmn__drm_client c;
    const char *t = "drm-driver:\txe\r\ndrm-client-id:\t12345\r\nDRM-PDEV: x\r\n";
    /* Cut inside the number: only len bytes count. */
    size_t cut = strlen("drm-driver:\txe\r\ndrm-client-id:\t12");
    CHECK(hmn__parse_drm_fdinfo(t, cut, &c) == HMN_OK);
    CHECK_STR(c.driver, "xe");
    CHECK_EQ_U64(c.client_id, 12);
    parse_str("drm-pdev:\t0000:0C:00.0\ndrm-driver:\tamdgpu\n", &c);
    CHECK_STR(c.pdev, "0000:0c:00.0");
    /* The first amdgpu fdinfo printed "pdev"; drm-pdev wins when both appear. */
    parse_str("pdev:\t0000:01:00.0\ndrm-driver:\tamdgpu\n", &c);
    CHECK_STR(c.pdev, "0000:01:00.0");
    parse_str("drm-pdev:\t0000:02:00.0\npdev:\t0000:01:00.0\ndrm-driver:\tamdgpu\n", &c);
    CHECK_STR(c.pdev, "0000:02:00.0");
    /* No drm-driver: not a DRM client (e.g. the nvidia driver's fds). */
    parse_str("pos:\t0\nflags:\t02\nmnt_id:\t9\n", &c);
    CHECK(!c.is_drm);
    CHECK(hmn__parse_drm_fdinfo("", 0, &c) == HMN_OK);
    CHECK(!c.is_drm);
}

static void test_sysfs_values(void)
{
    uint64_t v = 0;
    uint32_t h = 0;
    CHECK(hmn__parse_sysfs_u64("17163091968\n", 12, &v) == HMN_OK);
    CHECK_EQ_U64(v, 17163091968ull);
    CHECK(hmn__parse_sysfs_u64("", 0, &v) == HMN_EPARSE);
    CHECK(hmn__parse_sysfs_u64("12 MB\n", 6, &v) == HMN_EPARSE);
    CHECK(hmn__parse_sysfs_hex("0x1002\n", 7, &h) == HMN_OK);
    CHECK_EQ_U64(h, 0x1002);
    CHECK(hmn__parse_sysfs_hex("0x73BF", 6, &h) == HMN_OK);
    CHECK_EQ_U64(h, 0x73bf);
    CHECK(hmn__parse_sysfs_hex("10de", 4, &h) == HMN_OK);
    CHECK_EQ_U64(h, 0x10de);
    CHECK(hmn__parse_sysfs_hex("0x", 2, &h) == HMN_EPARSE);
    CHECK(hmn__parse_sysfs_hex("0x123456789", 11, &h) == HMN_EPARSE);
    CHECK(hmn__parse_sysfs_hex("0xzz", 4, &h) == HMN_EPARSE);
}

static void test_uevent(void)
{
    const char *u = "DRIVER=amdgpu\nPCI_CLASS=30000\nPCI_SLOT_NAME=0000:08:00.0\n"
                    "DRIVERX=no\nMODALIAS=pci:v00001002d000073BF\n";
    char out[32], tiny[4];
    CHECK(hmn__parse_uevent(u, strlen(u), "DRIVER", out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "amdgpu");
    CHECK(hmn__parse_uevent(u, strlen(u), "PCI_SLOT_NAME", out, sizeof(out)) == HMN_OK);
    CHECK_STR(out, "0000:08:00.0");
    CHECK(hmn__parse_uevent(u, strlen(u), "PCI_ID", out, sizeof(out)) == HMN_ENOENT);
    CHECK_STR(out, "");
    CHECK(hmn__parse_uevent(u, strlen(u), "PCI_SLOT_NAME", tiny, sizeof(tiny)) == HMN_ENOBUFS);
    CHECK_STR(tiny, "");
    /* Cut before the value's line: not found rather than read past len. */
    CHECK(hmn__parse_uevent(u, 14, "PCI_SLOT_NAME", out, sizeof(out)) == HMN_ENOENT);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_units),           TEST_ENTRY(test_units_rejected),
        TEST_ENTRY(test_region_class),    TEST_ENTRY(test_amdgpu_legacy_sample),
        TEST_ENTRY(test_i915_sample),     TEST_ENTRY(test_xe_sample),
        TEST_ENTRY(test_resident_preferred), TEST_ENTRY(test_counts_unknown),
        TEST_ENTRY(test_bounds_and_format), TEST_ENTRY(test_sysfs_values),
        TEST_ENTRY(test_uevent),
    };
    return RUN_TESTS(tests);
}
