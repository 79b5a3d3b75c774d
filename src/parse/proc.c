/* parse/proc.c - /proc/<pid>/{statm,status,stat} text. */
#include "proc.h"
#include "util.h"

#include <string.h>

int hmn__parse_statm(const char *buf, size_t len, uint64_t *resident_pages)
{
    size_t i = 0, start;
    /* "size resident shared text lib data dt": skip field 1, read field 2. */
    while (i < len && buf[i] == ' ')
        i++;
    while (i < len && buf[i] >= '0' && buf[i] <= '9')
        i++;
    if (i == 0 || i >= len || buf[i] != ' ')
        return HMN_EPARSE;
    while (i < len && buf[i] == ' ')
        i++;
    start = i;
    while (i < len && buf[i] >= '0' && buf[i] <= '9')
        i++;
    if (i == start)
        return HMN_EPARSE;
    return hmn__parse_u64(buf + start, i - start, resident_pages);
}

const char *hmn__status_field(const char *buf, size_t len, const char *key, size_t *vlen)
{
    size_t klen = strlen(key), pos = 0;
    while (pos < len) {
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        if (llen > klen && memcmp(line, key, klen) == 0 && line[klen] == ':') {
            *vlen = llen - klen - 1;
            return line + klen + 1;
        }
        pos += llen + 1;
    }
    *vlen = 0;
    return NULL;
}

/* Rust's u64::from_str messages, which upstream's error text embeds. */
static const char *u64_error(const char *s, size_t n)
{
    size_t i;
    if (n == 0)
        return "cannot parse integer from empty string";
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return "invalid digit found in string";
    return "number too large to fit in target type";
}

int hmn__parse_status_kb(const char *buf, size_t len, const char *key, uint64_t *kb, char *why,
                         size_t whycap)
{
    size_t vlen, tlen;
    const char *v = hmn__status_field(buf, len, key, &vlen), *t;
    if (!v)
        return HMN_ENOENT;
    t = hmn__trim(v, vlen, &tlen);
    if (tlen >= 3 && memcmp(t + tlen - 3, " kB", 3) == 0)
        t = hmn__trim(t, tlen - 3, &tlen);
    if (hmn__parse_u64(t, tlen, kb) != HMN_OK) {
        if (why && whycap)
            hmn__snprintf(why, whycap, "'%.*s': %s", (int)HMN__MIN(tlen, 64), t,
                          u64_error(t, tlen));
        return HMN_EPARSE;
    }
    return HMN_OK;
}

int hmn__parse_status_u32(const char *buf, size_t len, const char *key, uint32_t *out)
{
    size_t vlen, tlen;
    uint64_t v64;
    const char *v = hmn__status_field(buf, len, key, &vlen), *t;
    if (!v)
        return HMN_ENOENT;
    t = hmn__trim(v, vlen, &tlen);
    if (hmn__parse_u64(t, tlen, &v64) != HMN_OK || v64 > UINT32_MAX)
        return HMN_EPARSE;
    *out = (uint32_t)v64;
    return HMN_OK;
}

int hmn__parse_nspid(const char *buf, size_t len, uint32_t *pids, size_t max, size_t *n)
{
    size_t vlen, i = 0;
    const char *v = hmn__status_field(buf, len, "NSpid", &vlen);
    *n = 0;
    if (!v)
        return HMN_ENOENT;
    while (i < vlen) {
        size_t start;
        uint64_t p;
        while (i < vlen && (v[i] == ' ' || v[i] == '\t'))
            i++;
        start = i;
        while (i < vlen && v[i] >= '0' && v[i] <= '9')
            i++;
        if (i == start) {
            if (i < vlen)
                return HMN_EPARSE;
            break;
        }
        if (hmn__parse_u64(v + start, i - start, &p) != HMN_OK || p > UINT32_MAX)
            return HMN_EPARSE;
        if (*n < max)
            pids[(*n)++] = (uint32_t)p;
    }
    return *n ? HMN_OK : HMN_EPARSE;
}

int hmn__parse_status_uid(const char *buf, size_t len, uint32_t *uid)
{
    size_t vlen, tlen, n = 0;
    uint64_t v;
    const char *v0 = hmn__status_field(buf, len, "Uid", &vlen), *t;
    if (!v0)
        return HMN_ENOENT;
    /* "Uid:\treal\teffective\tsaved\tfs": the real UID, the one ps shows as USER. */
    t = hmn__trim(v0, vlen, &tlen);
    while (n < tlen && t[n] >= '0' && t[n] <= '9')
        n++;
    if (n == 0 || (n < tlen && t[n] != '\t' && t[n] != ' ') ||
        hmn__parse_u64(t, n, &v) != HMN_OK || v > UINT32_MAX)
        return HMN_EPARSE;
    *uid = (uint32_t)v;
    return HMN_OK;
}

/* Where field 3 starts looking: just after the last ')' (comm may hold anything). */
static int stat_fields_from(const char *buf, size_t len, size_t *pos)
{
    size_t i = len;
    while (i > 0 && buf[i - 1] != ')')
        i--;
    if (i == 0)
        return HMN_EPARSE;
    *pos = i;
    return HMN_OK;
}

int hmn__parse_stat_starttime(const char *buf, size_t len, uint64_t *ticks)
{
    size_t i, field = 2, start;
    if (stat_fields_from(buf, len, &i) != HMN_OK)
        return HMN_EPARSE;
    while (i < len) {
        while (i < len && buf[i] == ' ')
            i++;
        start = i;
        while (i < len && buf[i] != ' ' && buf[i] != '\n')
            i++;
        if (i == start)
            return HMN_EPARSE;
        if (++field == 22)
            return hmn__parse_u64(buf + start, i - start, ticks);
    }
    return HMN_EPARSE;
}

int hmn__parse_stat_tree(const char *buf, size_t len, struct hmn__stat_tree *out)
{
    struct hmn__stat_tree t = {0, 0, 0};
    size_t i, field = 2, start;
    uint64_t v;
    int have = 0;
    if (stat_fields_from(buf, len, &i) != HMN_OK)
        return HMN_EPARSE;
    while (i < len && have < 3) {
        while (i < len && buf[i] == ' ')
            i++;
        start = i;
        while (i < len && buf[i] != ' ' && buf[i] != '\n')
            i++;
        if (i == start)
            return HMN_EPARSE;
        field++;
        if (field == 3) {
            char c = buf[start];
            if (i - start != 1 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                return HMN_EPARSE; /* one letter, as the kernel prints it */
            t.state = buf[start];
            have++;
        } else if (field == 4) {
            if (hmn__parse_u64(buf + start, i - start, &v) != HMN_OK || v > UINT32_MAX)
                return HMN_EPARSE;
            t.ppid = (uint32_t)v;
            have++;
        } else if (field == 22) {
            if (hmn__parse_u64(buf + start, i - start, &t.start) != HMN_OK)
                return HMN_EPARSE;
            have++;
        }
    }
    if (have != 3)
        return HMN_EPARSE;
    *out = t;
    return HMN_OK;
}
