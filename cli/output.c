/*
 * cli/output.c - JSON and CSV value writers shared by every subcommand
 * (unknown figures become null, never 0; JSON strings keep the exact
 * text, CSV fields go through safe_text).  Part of the CLI core library.
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

/*
 * CSV is read in terminals and spreadsheets as often as by parsers, so a
 * field is made safe first (a newline in a name becomes \n, not a row).
 */
void csv_field(FILE *f, const char *s)
{
    char small[512];
    char *safe = small;
    size_t len;
    if (!s)
        return;
    len = safe_text(small, sizeof(small), s);
    if (len >= sizeof(small) && (safe = malloc(len + 1)) != NULL)
        safe_text(safe, len + 1, s);
    if (!safe)
        safe = small; /* out of memory: the cut copy, still safe */
    if (!strpbrk(safe, ",\"")) {
        fputs(safe, f);
    } else {
        const char *p;
        fputc('"', f);
        for (p = safe; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    }
    if (safe != small)
        free(safe);
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
