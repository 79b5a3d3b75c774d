/*
 * parse/pdh_names.c - pure parsing for the Windows PDH backend (see
 * pdh_names.h).  Strict on purpose: a name that does not match exactly is
 * rejected, so the backend drops the row instead of guessing a PID or an
 * adapter.
 */
#include "pdh_names.h"
#include "util.h"

#include <string.h>

/* Match a literal prefix at *p; advance on success. */
static int eat(const char *buf, size_t len, size_t *p, const char *lit)
{
    size_t n = strlen(lit);
    if (len - *p < n || memcmp(buf + *p, lit, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* Decimal run at *p (1..10 digits) that fits in uint32_t. */
static int dec_u32(const char *buf, size_t len, size_t *p, uint32_t *out)
{
    size_t start = *p;
    uint64_t v;
    while (*p < len && buf[*p] >= '0' && buf[*p] <= '9' && *p - start <= 10)
        (*p)++;
    if (hmn__parse_u64(buf + start, *p - start, &v) != HMN_OK || v > UINT32_MAX)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

/* "0x" then 1..8 hex digits. */
static int hex_u32(const char *buf, size_t len, size_t *p, uint32_t *out)
{
    uint32_t v = 0;
    size_t n = 0;
    if (!eat(buf, len, p, "0x") && !eat(buf, len, p, "0X"))
        return 0;
    while (*p < len && hmn__hex_digit(buf[*p]) >= 0) {
        if (++n > 8)
            return 0;
        v = (v << 4) | (uint32_t)hmn__hex_digit(buf[*p]);
        (*p)++;
    }
    *out = v;
    return n > 0;
}

/* "luid_0xH_0xL_phys_N" to the end of the buffer. */
static int parse_luid_phys(const char *buf, size_t len, size_t p, struct hmn__pdh_instance *out)
{
    uint32_t high, low, phys;
    if (!eat(buf, len, &p, "luid_") || !hex_u32(buf, len, &p, &high) ||
        !eat(buf, len, &p, "_") || !hex_u32(buf, len, &p, &low) ||
        !eat(buf, len, &p, "_phys_") || !dec_u32(buf, len, &p, &phys) || p != len)
        return HMN_EPARSE;
    /* The LUID's HighPart is a LONG printed as unsigned hex. */
    out->luid_high = (int32_t)(high <= INT32_MAX ? (int64_t)high : (int64_t)high - 4294967296LL);
    out->luid_low = low;
    out->phys = phys;
    return HMN_OK;
}

int hmn__pdh_parse_process_instance(const char *buf, size_t len, struct hmn__pdh_instance *out)
{
    struct hmn__pdh_instance r;
    size_t p = 0;
    if (!buf || !out)
        return HMN_EPARSE;
    memset(&r, 0, sizeof(r));
    if (!eat(buf, len, &p, "pid_") || !dec_u32(buf, len, &p, &r.pid) || !eat(buf, len, &p, "_"))
        return HMN_EPARSE;
    r.has_pid = 1;
    if (parse_luid_phys(buf, len, p, &r) != HMN_OK)
        return HMN_EPARSE;
    *out = r;
    return HMN_OK;
}

int hmn__pdh_parse_adapter_instance(const char *buf, size_t len, struct hmn__pdh_instance *out)
{
    struct hmn__pdh_instance r;
    if (!buf || !out)
        return HMN_EPARSE;
    memset(&r, 0, sizeof(r));
    if (parse_luid_phys(buf, len, 0, &r) != HMN_OK)
        return HMN_EPARSE;
    *out = r;
    return HMN_OK;
}

int hmn__pdh_multistring_next(const char *buf, size_t len, size_t *pos, const char **item,
                              size_t *item_len)
{
    size_t start = *pos, end;
    if (!buf || start >= len || buf[start] == '\0')
        return 0;
    end = start;
    while (end < len && buf[end] != '\0')
        end++;
    *item = buf + start;
    *item_len = end - start;
    *pos = end < len ? end + 1 : len;
    return 1;
}

size_t hmn__path_basename(const char *buf, size_t len)
{
    size_t i, base = 0;
    for (i = 0; buf && i < len; i++)
        if (buf[i] == '\\' || buf[i] == '/')
            base = i + 1;
    return base;
}

/* Code point of units w[i..]; advances *i.  Lone surrogates -> U+FFFD. */
static uint32_t next_cp(const uint16_t *w, size_t wlen, size_t *i)
{
    uint32_t u = w[(*i)++];
    if (u >= 0xD800 && u <= 0xDBFF) {
        if (*i < wlen && w[*i] >= 0xDC00 && w[*i] <= 0xDFFF)
            return 0x10000 + ((u - 0xD800) << 10) + (uint32_t)(w[(*i)++] - 0xDC00);
        return 0xFFFD;
    }
    if (u >= 0xDC00 && u <= 0xDFFF)
        return 0xFFFD;
    return u;
}

static size_t encode_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int hmn__utf16_to_utf8(const uint16_t *w, size_t wlen, char *out, size_t cap)
{
    size_t i = 0, n = 0;
    if (!out || cap == 0)
        return HMN_ENOBUFS;
    out[0] = '\0';
    if (!w)
        return HMN_OK;
    while (i < wlen && w[i] != 0) {
        char enc[4];
        size_t k = encode_utf8(next_cp(w, wlen, &i), enc);
        if (n + k > cap - 1) {
            out[n] = '\0';
            return HMN_ENOBUFS;
        }
        memcpy(out + n, enc, k);
        n += k;
    }
    out[n] = '\0';
    return HMN_OK;
}

const char *hmn__pdh_process_name(const struct hmn__pdh_name_in *in, size_t *len)
{
    static const char kernel[] = "[kernel]", exited[] = "[exited]", prot[] = "[protected]";
    const char *s;
    size_t n, b;
    if (in->pid == 4) {
        *len = sizeof(kernel) - 1;
        return kernel;
    }
    if (in->image && in->image[0]) {
        n = strlen(in->image);
        b = hmn__path_basename(in->image, n);
        if (b < n) {
            *len = n - b;
            return in->image + b;
        }
    }
    if (in->snapshot_ok && in->exe_file && in->exe_file[0]) {
        *len = strlen(in->exe_file);
        return in->exe_file;
    }
    s = in->snapshot_ok ? exited : prot;
    *len = strlen(s);
    return s;
}

static struct hmn__pdh_row *find_row(struct hmn__pdh_row *rows, size_t n, uint32_t pid)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (rows[i].pid == pid)
            return &rows[i];
    return NULL;
}

size_t hmn__pdh_fold(const struct hmn__pdh_sample *s, size_t n, struct hmn__pdh_row *rows,
                     uint32_t *unreadable)
{
    size_t i, j, nrows = 0;
    *unreadable = 0;
    for (i = 0; i < n; i++) {
        struct hmn__pdh_row *r;
        if (!s[i].dedicated_ok)
            continue;
        r = find_row(rows, nrows, s[i].pid);
        if (!r) {
            r = &rows[nrows++];
            memset(r, 0, sizeof(*r));
            r->pid = s[i].pid;
            r->shared_ok = 1;
        }
        r->dedicated = hmn__sat_add(r->dedicated, s[i].dedicated);
        /* A partial sum is not the process's shared figure: unknown instead. */
        if (s[i].shared_ok)
            r->shared = hmn__sat_add(r->shared, s[i].shared);
        else
            r->shared_ok = 0;
    }
    for (i = 0; i < n; i++) {
        int seen = 0;
        if (s[i].dedicated_ok || find_row(rows, nrows, s[i].pid))
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = !s[j].dedicated_ok && s[j].pid == s[i].pid;
        if (!seen)
            (*unreadable)++;
    }
    return nrows;
}
