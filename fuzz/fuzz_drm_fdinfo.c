/*
 * fuzz/fuzz_drm_fdinfo.c - DRM client fdinfo, sysfs value and uevent parsers
 * (src/parse/drm.c).  The input is handed over in a buffer of exactly its
 * size with no terminating NUL, so ASan catches any read past len.  Checks
 * the contracts too: strings stay terminated, seen bits only name real
 * region classes, results are only written on success.
 */
#include "util/util.h"
#include "parse/drm.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_fdinfo(const char *buf, size_t len)
{
    struct hmn__drm_client c;
    const uint64_t *r;
    unsigned seen;
    check(hmn__parse_drm_fdinfo(buf, len, &c) == HMN_OK);
    check(memchr(c.driver, '\0', sizeof(c.driver)) != NULL);
    check(memchr(c.pdev, '\0', sizeof(c.pdev)) != NULL);
    check(c.is_drm || c.driver[0] == '\0');
    r = hmn__drm_client_regions(&c, &seen);
    check(r == c.resident || r == c.legacy);
    check((seen >> HMN__DRM_REGIONS) == 0);
    check(c.resident_seen == 0 || r == c.resident);
}

static void fuzz_size(const char *buf, size_t len)
{
    uint64_t v = 0x5A5A5A5Au;
    int rc = hmn__drm_parse_size(buf, len, &v);
    check(rc == HMN_OK || rc == HMN_EPARSE);
    check(rc == HMN_OK || v == 0x5A5A5A5Au);
    (void)hmn__drm_region_class(buf, len);
}

static void fuzz_sysfs(const char *buf, size_t len)
{
    static const char *const keys[] = {"DRIVER", "PCI_SLOT_NAME", "PCI_ID", "D"};
    char out[32], tiny[2];
    uint64_t v;
    uint32_t h;
    size_t i;
    int rc = hmn__parse_sysfs_u64(buf, len, &v);
    check(rc == HMN_OK || rc == HMN_EPARSE);
    rc = hmn__parse_sysfs_hex(buf, len, &h);
    check(rc == HMN_OK || rc == HMN_EPARSE);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        rc = hmn__parse_uevent(buf, len, keys[i], out, sizeof(out));
        check(rc == HMN_OK || rc == HMN_ENOENT || rc == HMN_ENOBUFS);
        check(memchr(out, '\0', sizeof(out)) != NULL);
        check(rc == HMN_OK || out[0] == '\0');
        rc = hmn__parse_uevent(buf, len, keys[i], tiny, sizeof(tiny));
        check(rc == HMN_OK || rc == HMN_ENOENT || rc == HMN_ENOBUFS);
        check(tiny[0] == '\0' || tiny[1] == '\0');
    }
    if (rc == HMN_OK) {
        hmn__drm_lower(out);
        check(memchr(out, '\0', sizeof(out)) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_copy(data, size);
    if (!buf)
        return 0;
    fuzz_fdinfo(buf, size);
    fuzz_size(buf, size);
    fuzz_sysfs(buf, size);
    free(buf);
    return 0;
}
