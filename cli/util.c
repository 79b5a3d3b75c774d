/* cli/util.c - small output helpers for every subcommand. */
#include "cli.h"

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
