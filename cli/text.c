/*
 * cli/text.c - text helpers of every subcommand: sizes, deltas, strict
 * number arguments, quoting, row order, kinds.  Pure (no I/O): part of the
 * CLI core library that the unit tests and the fuzzer link too.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *vram(char *buf, size_t cap, uint64_t bytes)
{
    hmn_format_vram(buf, cap, bytes);
    return buf;
}

const char *vram_precise(char *buf, size_t cap, uint64_t bytes)
{
    hmn_format_vram_precise(buf, cap, bytes);
    return buf;
}

int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    v = strtoull(s, &end, 10);
    if (*end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int parse_u64_n(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;
    if (!s || n == 0 || n > 20)
        return -1;
    for (i = 0; i < n; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
    return s ? parse_u64_n(s, strlen(s), out) : -1;
}

const char *vram_delta(char *buf, size_t cap, int64_t d)
{
    char v[32];
    uint64_t mag;
    if (d == 0) {
        snprintf(buf, cap, "+0 B");
        return buf;
    }
    mag = d < 0 ? (uint64_t)(-(d + 1)) + 1u : (uint64_t)d;
    snprintf(buf, cap, "%c%s", d < 0 ? '-' : '+', vram(v, sizeof(v), mag));
    return buf;
}

int name_is_unresolved(const char *name)
{
    return !name || strcmp(name, "[protected]") == 0 || strcmp(name, "[exited]") == 0 ||
           strcmp(name, "?") == 0;
}

/*
 * Rust's {:?} for str: quotes, \" and \\, and every other character by the
 * rules of safe_text (\n, \u{1b}, \u{202e} ...), so a quoted argument is as
 * safe to print as a name.  Cut on a whole character when buf is full.
 */
const char *debug_quote(char *buf, size_t cap, const char *s)
{
    size_t o = 0, i = 0, n = strlen(s);
    char esc[SAFE_TEXT_ESC_MAX];
    if (cap < 3) {
        if (cap)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    while (i < n) {
        size_t elen, k = safe_text_unit(s + i, n - i, esc, &elen);
        const char *piece = elen ? esc : s + i;
        size_t plen = elen ? elen : k;
        if (!elen && (s[i] == '"' || s[i] == '\\')) {
            esc[0] = '\\';
            esc[1] = s[i];
            piece = esc;
            plen = 2;
        }
        if (o + plen + 2 > cap)
            break;
        memcpy(buf + o, piece, plen);
        o += plen;
        i += k;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

int row_compare(uint64_t ka, const char *na, uint32_t pa, uint64_t kb, const char *nb, uint32_t pb)
{
    int c;
    if (ka != kb)
        return ka > kb ? -1 : 1;
    if (!na != !nb)
        return na ? 1 : -1; /* an absent name sorts first */
    if (na && (c = strcmp(na, nb)) != 0)
        return c < 0 ? -1 : 1;
    return pa < pb ? -1 : pa > pb ? 1 : 0;
}

const char *proc_name(const hmn_gpu_process *p)
{
    return (p->valid & HMN_PROC_HAS_NAME) ? p->name : NULL;
}

const char *kinds_text(char *buf, size_t cap, uint32_t kinds)
{
    static const struct {
        uint32_t bit;
        const char *text;
    } names[] = {{HMN_PROC_KIND_COMPUTE, "C"},
                 {HMN_PROC_KIND_GRAPHICS, "G"},
                 {HMN_PROC_KIND_MPS, "MPS"},
                 {HMN_PROC_KIND_DRM, "DRM"}};
    size_t i, o = 0;
    buf[0] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(kinds & names[i].bit))
            continue;
        o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s%s", o ? "+" : "", names[i].text);
        if (o >= cap)
            break;
    }
    if (!buf[0])
        snprintf(buf, cap, "?");
    return buf;
}

int is_blank(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

const char *printable_name(char *buf, size_t cap, const char *name)
{
    safe_text(buf, cap, name ? name : "?");
    return buf;
}
