/*
 * core/text.c - the formatting and parsing shared by the library and the
 * CLI: format_vram, format_vram_precise, SIZE and duration parsing, JSON
 * string escaping.  One implementation each, so that hmn and library users
 * print and accept the same text (docs/cli.md describes the formats).
 */
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hmn_format_vram(char *buf, size_t cap, uint64_t bytes)
{
    if (bytes >= HMN__GIB)
        return hmn__snprintf(buf, cap, "%.1f GiB", (double)bytes / (double)HMN__GIB);
    return hmn__snprintf(buf, cap, "%llu MiB", (unsigned long long)(bytes / HMN__MIB));
}

int hmn_format_vram_precise(char *buf, size_t cap, uint64_t bytes)
{
    static const struct {
        uint64_t size;
        const char *name;
    } units[] = {{HMN__GIB, "GiB"}, {HMN__MIB, "MiB"}, {1024, "KiB"}};
    char num[64];
    size_t i, n;
    for (i = 0; i < HMN__ARRAY_LEN(units); i++) {
        if (bytes < units[i].size)
            continue;
        hmn__snprintf(num, sizeof(num), "%.2f", (double)bytes / (double)units[i].size);
        n = strlen(num);
        while (n > 0 && num[n - 1] == '0')
            n--;
        if (n > 0 && num[n - 1] == '.')
            n--;
        num[n] = '\0';
        return hmn__snprintf(buf, cap, "%s %s", num, units[i].name);
    }
    return hmn__snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
}

static void set_err(char *err, size_t cap, const char *fmt, ...) HMN__PRINTF(3, 4);
static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (!err || !cap)
        return;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* Leading zeros do not count toward hmn__parse_u64's 20 digits ("007" is 7). */
static const char *skip_zeros(const char *s, size_t *n)
{
    while (*n > 1 && *s == '0') {
        s++;
        (*n)--;
    }
    return s;
}

int hmn_parse_size(const char *text, uint64_t *bytes, char *err, size_t errcap)
{
#define BAD_SIZE "invalid size \"%s\": expected a number with an optional unit (KiB, MiB, GiB)"
#define BIG_SIZE "invalid size \"%s\": too large (at most 18446744073709551615 bytes)"
    char *end;
    size_t len, i = 0, ulen, dots = 0;
    const char *t, *unit;
    uint64_t mult, whole;
    double v;
    if (!text || !bytes)
        return HMN_EINVAL;
    t = hmn__trim(text, strlen(text), &len);
    for (; i < len && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.'); i++)
        dots += t[i] == '.';
    if (i == 0 || dots > 1 || (dots == 1 && i == 1)) {
        set_err(err, errcap, BAD_SIZE, text);
        return HMN_EPARSE;
    }
    unit = t + i;
    ulen = len - i;
    while (ulen && *unit == ' ') {
        unit++;
        ulen--;
    }
    if (ulen == 0)
        mult = 1;
    else if (ulen == 3 && memcmp(unit, "KiB", 3) == 0)
        mult = 1024;
    else if (ulen == 3 && memcmp(unit, "MiB", 3) == 0)
        mult = HMN__MIB;
    else if (ulen == 3 && memcmp(unit, "GiB", 3) == 0)
        mult = HMN__GIB;
    else {
        set_err(err, errcap, "invalid size \"%s\": unknown unit (expected KiB, MiB or GiB)", text);
        return HMN_EPARSE;
    }
    if (dots == 0) {
        /* A whole number is exact: no detour through a double. */
        size_t n = i;
        const char *d = skip_zeros(t, &n);
        if (hmn__parse_u64(d, n, &whole) != HMN_OK || whole > UINT64_MAX / mult) {
            set_err(err, errcap, BIG_SIZE, text);
            return HMN_EPARSE;
        }
        *bytes = whole * mult;
        return HMN_OK;
    }
    /* t[0..i) is digits and one dot, so strtod stops exactly at t + i. */
    v = strtod(t, &end);
    if (end != t + i) {
        set_err(err, errcap, BAD_SIZE, text);
        return HMN_EPARSE;
    }
    v = round(v * (double)mult);
    /* Past 2^64 - 1 (or infinite) is refused, never saturated. */
    if (!isfinite(v) || v >= 18446744073709551616.0) {
        set_err(err, errcap, BIG_SIZE, text);
        return HMN_EPARSE;
    }
    *bytes = (uint64_t)v;
    return HMN_OK;
}

int hmn_parse_duration_ms(const char *text, uint64_t *ms, char *err, size_t errcap)
{
    char unit[32];
    size_t len, i = 0, ulen, n;
    const char *t, *d;
    uint64_t v, mult;
    if (!text || !ms)
        return HMN_EINVAL;
    t = hmn__trim(text, strlen(text), &len);
    while (i < len && t[i] >= '0' && t[i] <= '9')
        i++;
    if (i == 0) {
        set_err(err, errcap,
                "invalid duration \"%s\": expected digits followed by an optional unit (ms, s, "
                "m, h)",
                text);
        return HMN_EPARSE;
    }
    ulen = len - i;
    hmn__snprintf(unit, sizeof(unit), "%.*s", (int)HMN__MIN(ulen, sizeof(unit) - 1), t + i);
    if (ulen == 0 || (ulen == 1 && t[i] == 's'))
        mult = 1000;
    else if (ulen == 2 && t[i] == 'm' && t[i + 1] == 's')
        mult = 1;
    else if (ulen == 1 && t[i] == 'm')
        mult = 60000;
    else if (ulen == 1 && t[i] == 'h')
        mult = 3600000;
    else {
        set_err(err, errcap, "invalid duration \"%s\": unknown unit \"%s\" (expected ms, s, m, or h)",
                text, unit);
        return HMN_EPARSE;
    }
    n = i;
    d = skip_zeros(t, &n);
    /* Digits only, so a failed parse is an overflow: the same refusal as a
     * unit that overflows (never a saturated figure). */
    if (hmn__parse_u64(d, n, &v) != HMN_OK || v > UINT64_MAX / mult) {
        set_err(err, errcap, "invalid duration \"%s\": too large (at most 18446744073709551615 ms)",
                text);
        return HMN_EPARSE;
    }
    if (v == 0) {
        set_err(err, errcap, "invalid duration \"%s\": must be greater than zero", text);
        return HMN_EPARSE;
    }
    *ms = v * mult;
    return HMN_OK;
}

/* Append n bytes to buf (cap-bounded); pos counts what was needed. */
static void put(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos < cap) {
        size_t room = cap - *pos - 1;
        memcpy(buf + *pos, s, n < room ? n : room);
    }
    *pos += n;
}

int hmn_json_escape(char *buf, size_t cap, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n, i = 0, pos = 0;
    char esc[8];
    if (!text || (!buf && cap))
        return HMN_EINVAL;
    n = strlen(text);
    while (i < n) {
        unsigned c = s[i];
        size_t seq;
        switch (c) {
        case '"':
            put(buf, cap, &pos, "\\\"", 2);
            i++;
            continue;
        case '\\':
            put(buf, cap, &pos, "\\\\", 2);
            i++;
            continue;
        case '\n':
            put(buf, cap, &pos, "\\n", 2);
            i++;
            continue;
        case '\r':
            put(buf, cap, &pos, "\\r", 2);
            i++;
            continue;
        case '\t':
            put(buf, cap, &pos, "\\t", 2);
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            hmn__snprintf(esc, sizeof(esc), "\\u%04x", c);
            put(buf, cap, &pos, esc, 6);
            i++;
            continue;
        }
        seq = hmn__utf8_seq(s + i, n - i);
        if (seq == 0) {
            /* Invalid byte: U+FFFD, as a lossy UTF-8 decode would give. */
            put(buf, cap, &pos, "\xEF\xBF\xBD", 3);
            i++;
        } else if (seq == 2 && c == 0xC2 && s[i + 1] <= 0x9F) {
            /* C1 controls U+0080..U+009F */
            hmn__snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)s[i + 1]);
            put(buf, cap, &pos, esc, 6);
            i += 2;
        } else if (seq == 3 && c == 0xE2 && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
            /* U+2028 / U+2029: valid JSON, but line ends to JavaScript and some readers */
            put(buf, cap, &pos, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            i += 3;
        } else {
            put(buf, cap, &pos, (const char *)s + i, seq);
            i += seq;
        }
    }
    if (cap)
        buf[pos < cap ? pos : cap - 1] = '\0';
    return pos > (size_t)INT32_MAX ? HMN_ENOBUFS : (int)pos;
}
