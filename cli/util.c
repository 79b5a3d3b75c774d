/* cli/util.c - small output helpers for every subcommand. */
#include "cli.h"

#include <errno.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void json_str(FILE *f, const char *s)
{
    char stackbuf[512];
    char *buf = stackbuf;
    int n;
    if (!s) {
        fputs("null", f);
        return;
    }
    n = hmn_json_escape(stackbuf, sizeof(stackbuf), s);
    if (n < 0) {
        fputs("null", f);
        return;
    }
    if ((size_t)n >= sizeof(stackbuf)) {
        buf = malloc((size_t)n + 1);
        if (!buf) {
            fputs("null", f);
            return;
        }
        hmn_json_escape(buf, (size_t)n + 1, s);
    }
    fputc('"', f);
    fputs(buf, f);
    fputc('"', f);
    if (buf != stackbuf)
        free(buf);
}

void json_u64(FILE *f, int valid, uint64_t v)
{
    if (valid)
        fprintf(f, "%llu", (unsigned long long)v);
    else
        fputs("null", f);
}

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

void errf(const char *fmt, ...)
{
    va_list ap;
    fputs("hmn: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void explain_sources(hmn_ctx *ctx)
{
    size_t i;
    hmn_source_report r = HMN_SOURCE_REPORT_INIT;
    fputs("hmn: GPU sources tried:\n", stderr);
    for (i = 0; hmn_source_report_get(ctx, i, &r) == HMN_OK; i++) {
        const char *state = r.state == HMN_SOURCE_AVAILABLE     ? "available"
                            : r.state == HMN_SOURCE_DISABLED    ? "disabled"
                            : r.state == HMN_SOURCE_UNAVAILABLE ? "unavailable"
                                                                : "not tried";
        fprintf(stderr, "  %-11s %s%s%s%s\n", hmn_source_name((int)r.source), state,
                r.reason[0] ? " (" : "", r.reason, r.reason[0] ? ")" : "");
    }
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

int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s < '0' || *s > '9' || strlen(s) > 20)
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

void json_bool(FILE *f, int tri)
{
    fputs(tri < 0 ? "null" : tri ? "true" : "false", f);
}

void csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
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

/* Rust's {:?} for str: quotes, backslash escapes, \u{..} for controls. */
const char *debug_quote(char *buf, size_t cap, const char *s)
{
    size_t o = 0;
    if (cap < 3) {
        if (cap)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    for (; *s && o + 12 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n' || c == '\t' || c == '\r') {
            buf[o++] = '\\';
            buf[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        } else if (c < 0x20 || c == 0x7F) {
            o += (size_t)snprintf(buf + o, cap - o, "\\u{%x}", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

const char *spill_unknown_glyph(void)
{
#if defined(_WIN32)
    return "?";
#else
    return "n/a";
#endif
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

/* Case-insensitive (ASCII) substring. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;
    for (; *hay; hay++) {
        for (i = 0; i < n && hay[i]; i++)
            if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
                break;
        if (i == n)
            return 1;
    }
    return n == 0;
}

int matches_any_filter(const struct cli_args *a, int opt, const char *name)
{
    const char *v;
    size_t i;
    for (i = 0; (v = cli_args_value(a, opt, i)) != NULL; i++)
        if (contains_ci(name, v))
            return 1;
    return 0;
}
