/* util/util.c - string, number and UTF-8 helpers (see util.h). */
#include "util.h"

#include <stdio.h>
#include <string.h>

int hmn__snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    /* Every formatter's contract: NULL with cap 0 is a length query, NULL
     * with room claimed is a caller error (vsnprintf would write through it). */
    if (!buf && cap)
        return HMN_EINVAL;
    va_start(ap, fmt);
    n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n < 0 ? HMN_EINVAL : n;
}

int hmn__path(char *buf, size_t cap, const char *root, const char *fmt, ...)
{
    va_list ap;
    size_t n = hmn__strlcpy(buf, root, cap);
    int m;
    if (n >= cap)
        return HMN_ENOBUFS;
    va_start(ap, fmt);
    m = vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
    return (m < 0 || (size_t)m >= cap - n) ? HMN_ENOBUFS : HMN_OK;
}

size_t hmn__strlcpy(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    if (cap) {
        size_t c = n < cap - 1 ? n : cap - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

const char *hmn__trim(const char *s, size_t len, size_t *out_len)
{
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        len--;
    *out_len = len;
    return s;
}

int hmn__parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;
    /* Bounded: at most 20 digits, and no overflow (a fuzzer found that class). */
    if (len == 0 || len > 20)
        return HMN_EPARSE;
    for (i = 0; i < len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return HMN_EPARSE;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return HMN_EPARSE;
        v = v * 10 + d;
    }
    *out = v;
    return HMN_OK;
}

uint64_t hmn__sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t hmn__sat_mul(uint64_t a, uint64_t b)
{
    if (a != 0 && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

size_t hmn__utf8_seq(const unsigned char *s, size_t n)
{
    size_t need, k;
    if (n == 0)
        return 0;
    need = s[0] < 0x80                          ? 1
           : (s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2 ? 2
           : (s[0] & 0xF0) == 0xE0                 ? 3
           : (s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4 ? 4
                                                   : 0;
    if (need == 0 || need > n)
        return 0;
    for (k = 1; k < need; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    /* RFC 3629: no overlong 3/4-byte forms, no surrogates, nothing past U+10FFFF. */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return need;
}

int hmn__utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = hmn__utf8_seq(u + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

size_t hmn__utf8_cut(const char *s, size_t len, size_t max)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n, k;
    if (len <= max)
        return len;
    /* u[max] is the first byte left out: a continuation byte there means the
     * cut falls inside a character, so it moves back to that character's start
     * (at most 3 bytes: no sequence is longer than 4). */
    for (n = max, k = 0; n > 0 && k < 3 && (u[n] & 0xC0) == 0x80; n--, k++) {
    }
    return (u[n] & 0xC0) == 0x80 ? max : n;
}

size_t hmn__utf8_drop_partial(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char pad[4];
    size_t start = len, have, need, k;
    while (start > 0 && len - start < 3 && (u[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return len;
    start--; /* the lead byte of the last character */
    have = len - start;
    need = u[start] >= 0xF0 ? 4 : u[start] >= 0xE0 ? 3 : u[start] >= 0xC2 ? 2 : 1;
    if (need <= have || u[start] < 0xC2 || u[start] > 0xF4)
        return len;
    /* Dropped only when the bytes present begin a valid character: complete
     * them with the smallest allowed continuation and check. */
    memcpy(pad, u + start, have);
    for (k = have; k < need; k++)
        pad[k] = (k == 1 && u[start] == 0xE0) ? 0xA0 : (k == 1 && u[start] == 0xF0) ? 0x90 : 0x80;
    return hmn__utf8_seq(pad, need) == need ? start : len;
}

size_t hmn__copy_text(char *dst, size_t cap, const char *src, size_t len)
{
    size_t n;
    if (cap == 0)
        return 0;
    n = hmn__utf8_cut(src, len, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

int hmn__hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
