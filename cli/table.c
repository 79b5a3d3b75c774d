/*
 * cli/table.c - left-aligned text tables measured in display columns.
 * Upstream measured widths in bytes and padded in characters, so names with
 * multibyte or wide characters pushed the following columns out of line;
 * here both use display width (a small UTF-8 decoder with a wcwidth-like
 * table), so the output does not depend on the locale.  Cells are made
 * safe for a terminal first (cli/safe_text.c) and measured as printed.
 */
#include "cli.h"
#include "grow.h" /* src/common/ */

#include <stdlib.h>
#include <string.h>

struct range {
    uint32_t lo, hi;
};

/* Combining marks and zero-width characters (no column of their own). */
static const struct range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
    {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

/* East Asian Wide and Fullwidth blocks (two columns). */
static const struct range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
    {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static int in_ranges(uint32_t c, const struct range *r, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (c >= r[i].lo && c <= r[i].hi)
            return 1;
    return 0;
}

static size_t char_width(uint32_t c)
{
    if (in_ranges(c, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
        return 0;
    if (in_ranges(c, wide, sizeof(wide) / sizeof(wide[0])))
        return 2;
    return 1;
}

/* Decode one UTF-8 sequence; an invalid byte counts as one column. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    size_t n, i;
    uint32_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    n = (c >= 0xF0 && c < 0xF5) ? 4 : (c >= 0xE0) && c < 0xF0 ? 3 : (c >= 0xC2 && c < 0xE0) ? 2 : 0;
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    c &= 0x3Fu >> (n - 1);
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    *cp = c;
    return n;
}

size_t display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;
    while (*p) {
        uint32_t cp;
        p += decode(p, &cp);
        w += char_width(cp);
    }
    return w;
}

void table_init(struct table *t, size_t ncols, const char *const *headers, const size_t *minw)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    t->headers = headers;
    t->min_width = minw;
}

/* A copy of s as it will be printed: through safe_text (NULL reads as ""). */
static char *dup_safe(const char *s)
{
    size_t n = safe_text(NULL, 0, s) + 1;
    char *d = malloc(n);
    if (d)
        safe_text(d, n, s);
    return d;
}

int table_add(struct table *t, const char *const *row)
{
    size_t c;
    if (t->nrows == t->cap) {
        /* One item = one row of ncols cells. */
        char **cells = hmn__grow(t->cells, &t->cap, t->nrows + 1, sizeof(*cells) * t->ncols, 8);
        if (!cells)
            return -1;
        t->cells = cells;
    }
    for (c = 0; c < t->ncols; c++) {
        char *d = dup_safe(row[c]);
        if (!d) {
            while (c-- > 0)
                free(t->cells[t->nrows * t->ncols + c]);
            return -1;
        }
        t->cells[t->nrows * t->ncols + c] = d;
    }
    t->nrows++;
    return 0;
}

/*
 * Every cell is written through safe_text and measured as written, so a
 * name cannot move the cursor, end the row or push the columns out of line.
 */
void print_cells(FILE *f, const char *const *cells, const size_t *widths, size_t n)
{
    char small[512];
    size_t c, w;
    for (c = 0; c < n; c++) {
        size_t len = safe_text(small, sizeof(small), cells[c]);
        char *cell = len < sizeof(small) ? small : dup_safe(cells[c]);
        if (c)
            fputs("  ", f);
        if (!cell) /* out of memory: the cut copy, still safe */
            cell = small;
        fputs(cell, f);
        if (c + 1 < n) /* no trailing padding on the last column */
            for (w = display_width(cell); w < widths[c]; w++)
                fputc(' ', f);
        if (cell != small)
            free(cell);
    }
    fputc('\n', f);
}

void table_print(FILE *f, const struct table *t, int with_header)
{
    table_print_prefixed(f, t, with_header ? "" : NULL, "");
}

void table_print_prefixed(FILE *f, const struct table *t, const char *hdr_prefix,
                          const char *row_prefix)
{
    size_t widths[16];
    size_t r, c, n = t->ncols < 16 ? t->ncols : 16;
    for (c = 0; c < n; c++) {
        widths[c] = display_width(t->headers[c]);
        if (t->min_width && t->min_width[c] > widths[c])
            widths[c] = t->min_width[c];
        for (r = 0; r < t->nrows; r++) {
            size_t w = display_width(t->cells[r * t->ncols + c]);
            if (w > widths[c])
                widths[c] = w;
        }
    }
    if (hdr_prefix) {
        fputs(hdr_prefix, f);
        print_cells(f, t->headers, widths, n);
    }
    for (r = 0; r < t->nrows; r++) {
        fputs(row_prefix, f);
        print_cells(f, (const char *const *)&t->cells[r * t->ncols], widths, n);
    }
}

void table_free(struct table *t)
{
    size_t i;
    for (i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}
