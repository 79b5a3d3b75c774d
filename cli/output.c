/*
 * cli/output.c - JSON and CSV value writers shared by every subcommand
 * (unknown figures become null, never 0).  Part of the CLI core library.
 */
#include "cli.h"

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

void csv_u64(FILE *f, int valid, uint64_t v)
{
    fputc(',', f);
    if (valid)
        fprintf(f, "%llu", (unsigned long long)v);
}

void csv_i64(FILE *f, int valid, int64_t v)
{
    fputc(',', f);
    if (valid)
        fprintf(f, "%lld", (long long)v);
}
