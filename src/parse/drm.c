/*
 * parse/drm.c - DRM client fdinfo and the sysfs files of a DRM card.
 *
 * fdinfo rules (Documentation/gpu/drm-usage-stats.rst): one "key: value" per
 * line, whitespace after ':' ignored (amdgpu even prints "key: \tvalue").
 * Memory values are a number and an optional unit; the kernel's helper
 * prints bare bytes, " KiB" or " MiB", and we also take "B", "kB" and "GiB"
 * defensively.  Anything else is skipped and counted, never guessed at.
 */
#include "drm.h"
#include "util.h"

#include <string.h>

static int has_prefix(const char *s, size_t len, const char *p, size_t *plen)
{
    size_t n = strlen(p);
    if (len < n || memcmp(s, p, n) != 0)
        return 0;
    if (plen)
        *plen = n;
    return 1;
}

static int equals(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

int hmn__drm_region_class(const char *name, size_t len)
{
    /* "stolen-local0" is stolen memory, not local: test stolen first. */
    if (has_prefix(name, len, "stolen", NULL))
        return HMN__DRM_STOLEN;
    if (has_prefix(name, len, "vram", NULL) || has_prefix(name, len, "local", NULL))
        return HMN__DRM_LOCAL;
    if (has_prefix(name, len, "gtt", NULL))
        return HMN__DRM_GTT;
    if (has_prefix(name, len, "cpu", NULL))
        return HMN__DRM_CPU;
    if (has_prefix(name, len, "system", NULL) || equals(name, len, "memory"))
        return HMN__DRM_SYSTEM;
    return HMN__DRM_OTHER;
}

static uint64_t unit_factor(const char *u, size_t len)
{
    if (len == 0 || equals(u, len, "B"))
        return 1;
    /* The kernel never prints "kB" for DRM stats; older tools read it as KiB. */
    if (equals(u, len, "KiB") || equals(u, len, "kB"))
        return 1024;
    if (equals(u, len, "MiB"))
        return HMN__MIB;
    if (equals(u, len, "GiB"))
        return HMN__GIB;
    return 0;
}

int hmn__drm_parse_size(const char *s, size_t len, uint64_t *bytes)
{
    size_t i = 0, ulen;
    uint64_t v, f;
    const char *u;
    s = hmn__trim(s, len, &len);
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0 || hmn__parse_u64(s, i, &v) != HMN_OK)
        return HMN_EPARSE;
    u = s + i;
    ulen = len - i;
    while (ulen > 0 && (*u == ' ' || *u == '\t')) {
        u++;
        ulen--;
    }
    f = unit_factor(u, ulen);
    if (f == 0 || v > UINT64_MAX / f)
        return HMN_EPARSE;
    *bytes = v * f;
    return HMN_OK;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t vlen)
{
    hmn__copy_text(dst, cap, v, vlen);
}

/* drm-resident-<region> / drm-memory-<region>: add the bytes to its class. */
static void take_memory(struct hmn__drm_client *c, int legacy, const char *region, size_t rlen,
                        const char *v, size_t vlen)
{
    uint64_t bytes;
    int cls;
    if (rlen == 0) {
        c->unknown_keys++;
        return;
    }
    if (hmn__drm_parse_size(v, vlen, &bytes) != HMN_OK) {
        c->bad_values++;
        return;
    }
    cls = hmn__drm_region_class(region, rlen);
    if (legacy) {
        c->legacy[cls] = hmn__sat_add(c->legacy[cls], bytes);
        c->legacy_seen |= 1u << cls;
    } else {
        c->resident[cls] = hmn__sat_add(c->resident[cls], bytes);
        c->resident_seen |= 1u << cls;
    }
}

/* drm-* keys we know and deliberately do not use (engines, other stats). */
static int known_unused(const char *k, size_t klen)
{
    static const char *const prefixes[] = {
        "drm-engine-", "drm-cycles-", "drm-total-", "drm-shared-", "drm-purgeable-",
        "drm-active-", "drm-maxfreq-", "drm-curfreq-"};
    size_t i;
    if (equals(k, klen, "drm-client-name"))
        return 1;
    for (i = 0; i < HMN__ARRAY_LEN(prefixes); i++)
        if (has_prefix(k, klen, prefixes[i], NULL))
            return 1;
    return 0;
}

static void take_line(struct hmn__drm_client *c, const char *k, size_t klen, const char *v,
                      size_t vlen)
{
    size_t p;
    if (equals(k, klen, "drm-driver")) {
        copy_value(c->driver, sizeof(c->driver), v, vlen);
        c->is_drm = 1;
    } else if (equals(k, klen, "drm-pdev") || (equals(k, klen, "pdev") && !c->pdev[0])) {
        /* "pdev" is what the first amdgpu fdinfo (5.14) printed. */
        copy_value(c->pdev, sizeof(c->pdev), v, vlen);
        hmn__drm_lower(c->pdev);
    } else if (equals(k, klen, "drm-client-id")) {
        if (hmn__parse_u64(v, vlen, &c->client_id) == HMN_OK)
            c->has_client_id = 1;
        else
            c->bad_values++;
    } else if (has_prefix(k, klen, "drm-resident-", &p)) {
        take_memory(c, 0, k + p, klen - p, v, vlen);
    } else if (has_prefix(k, klen, "drm-memory-", &p)) {
        take_memory(c, 1, k + p, klen - p, v, vlen);
    } else if (has_prefix(k, klen, "drm-", NULL) && !known_unused(k, klen)) {
        c->unknown_keys++;
    }
    /* Non-DRM lines (pos, flags, mnt_id, ino, pasid, amd-*) are simply not ours. */
}

int hmn__parse_drm_fdinfo(const char *buf, size_t len, struct hmn__drm_client *out)
{
    size_t pos = 0;
    memset(out, 0, sizeof(*out));
    while (pos < len) {
        const char *line = buf + pos, *nl = memchr(line, '\n', len - pos), *colon, *k, *v;
        size_t llen = nl ? (size_t)(nl - line) : len - pos, klen, vlen;
        pos += llen + 1;
        colon = memchr(line, ':', llen);
        if (!colon)
            continue;
        klen = (size_t)(colon - line);
        vlen = llen - klen - 1;
        k = hmn__trim(line, klen, &klen);
        v = hmn__trim(colon + 1, vlen, &vlen);
        if (klen > 0)
            take_line(out, k, klen, v, vlen);
    }
    return HMN_OK;
}

const uint64_t *hmn__drm_client_regions(const struct hmn__drm_client *c, unsigned *seen)
{
    /* The kernel prints both on amdgpu; drm-memory-* is the deprecated alias. */
    if (c->resident_seen) {
        *seen = c->resident_seen;
        return c->resident;
    }
    *seen = c->legacy_seen;
    return c->legacy;
}

int hmn__parse_sysfs_u64(const char *buf, size_t len, uint64_t *out)
{
    buf = hmn__trim(buf, len, &len);
    return hmn__parse_u64(buf, len, out);
}

int hmn__parse_sysfs_hex(const char *buf, size_t len, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;
    buf = hmn__trim(buf, len, &len);
    if (len >= 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
        buf += 2;
        len -= 2;
    }
    /* PCI ids are 16-bit; 8 digits is the most a uint32_t holds. */
    if (len == 0 || len > 8)
        return HMN_EPARSE;
    for (i = 0; i < len; i++) {
        int d = hmn__hex_digit(buf[i]);
        if (d < 0)
            return HMN_EPARSE;
        v = (v << 4) | (uint32_t)d;
    }
    *out = v;
    return HMN_OK;
}

int hmn__parse_uevent(const char *buf, size_t len, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key), pos = 0;
    if (cap == 0)
        return HMN_EINVAL;
    out[0] = '\0';
    while (pos < len) {
        const char *line = buf + pos, *nl = memchr(line, '\n', len - pos), *v;
        size_t llen = nl ? (size_t)(nl - line) : len - pos, vlen;
        pos += llen + 1;
        if (llen <= klen || memcmp(line, key, klen) != 0 || line[klen] != '=')
            continue;
        vlen = llen - klen - 1;
        v = hmn__trim(line + klen + 1, vlen, &vlen);
        if (vlen >= cap)
            return HMN_ENOBUFS;
        memcpy(out, v, vlen);
        out[vlen] = '\0';
        return HMN_OK;
    }
    return HMN_ENOENT;
}

void hmn__drm_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}
