/*
 * tests/plot/plot_render.c - render a chart described in a text file, for the
 * Python checks (check_svg.py, check_screenshot.py), which write the case,
 * know its data and check the SVG against it.
 *
 *   plot_render CASE OUT.svg
 *
 * CASE, one item per line:
 *   title TEXT          the chart title (absent: NULL)
 *   t_end SECONDS
 *   series [TEXT]       starts a series (no TEXT: NULL label)
 *   peak V T            exact peak (either may be nan)
 *   peak_label TEXT
 *   T V                 one sample (strtod syntax: nan, inf, -1, 1e300)
 * TEXT is taken as is, except "\xNN", which stands for the byte 0xNN (so a
 * case can hold any byte but NUL).  Exit 0, or 1 with a message.
 */
#include "plot_svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct series_buf {
    struct plot_series s;
    double *t, *v;
    char *label, *peak_label; /* owned copies of s.label, s.peak_label */
    size_t cap;
};

static char *decode_text(const char *in)
{
    size_t n = strlen(in), i, o = 0;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned hi, lo;
        if (in[i] == '\\' && in[i + 1] == 'x' && sscanf(in + i + 2, "%1x%1x", &hi, &lo) == 2) {
            out[o++] = (char)(hi * 16 + lo);
            i += 3;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    return out;
}

static int push_sample(struct series_buf *b, double t, double v)
{
    if (b->s.n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        double *nt = realloc(b->t, cap * sizeof(*nt)), *nv;
        if (!nt)
            return -1;
        b->t = nt;
        nv = realloc(b->v, cap * sizeof(*nv));
        if (!nv)
            return -1;
        b->v = nv;
        b->cap = cap;
    }
    b->t[b->s.n] = t;
    b->v[b->s.n] = v;
    b->s.n++;
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "plot_render: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    static char line[1 << 16];
    struct series_buf *bufs = NULL;
    struct plot_series *series = NULL;
    struct plot_spec spec = {NULL, NULL, 0, NAN};
    char *title = NULL;
    size_t n = 0, k;
    FILE *in, *out;
    int rc;
    if (argc != 3)
        return fail("usage: plot_render CASE OUT.svg");
    in = fopen(argv[1], "r");
    if (!in)
        return fail("cannot open the case");
    while (fgets(line, sizeof(line), in)) {
        char *nl = strchr(line, '\n'), *end;
        struct series_buf *b = n ? &bufs[n - 1] : NULL;
        double t, v;
        if (nl)
            *nl = '\0';
        if (strncmp(line, "title ", 6) == 0) {
            free(title);
            title = decode_text(line + 6);
            spec.title = title;
        } else if (strncmp(line, "t_end ", 6) == 0) {
            spec.t_end = strtod(line + 6, NULL);
        } else if (strncmp(line, "series", 6) == 0) {
            struct series_buf *nb = realloc(bufs, (n + 1) * sizeof(*bufs));
            if (!nb)
                return fail("out of memory");
            bufs = nb;
            memset(&bufs[n], 0, sizeof(bufs[n]));
            bufs[n].s.peak_v = NAN;
            bufs[n].s.peak_t = NAN;
            bufs[n].label = line[6] == ' ' ? decode_text(line + 7) : NULL;
            bufs[n].s.label = bufs[n].label;
            n++;
        } else if (b && strncmp(line, "peak_label ", 11) == 0) {
            free(b->peak_label);
            b->peak_label = decode_text(line + 11);
            b->s.peak_label = b->peak_label;
        } else if (b && strncmp(line, "peak ", 5) == 0) {
            b->s.peak_v = strtod(line + 5, &end);
            b->s.peak_t = strtod(end, NULL);
        } else if (b && line[0]) {
            t = strtod(line, &end);
            v = strtod(end, NULL);
            if (push_sample(b, t, v) != 0)
                return fail("out of memory");
        }
    }
    fclose(in);
    series = calloc(n ? n : 1, sizeof(*series));
    if (!series)
        return fail("out of memory");
    for (k = 0; k < n; k++) {
        series[k] = bufs[k].s;
        series[k].t = bufs[k].t;
        series[k].v = bufs[k].v;
    }
    spec.series = series;
    spec.nseries = n;
    out = fopen(argv[2], "wb");
    if (!out)
        return fail("cannot create the output");
    rc = plot_svg_write(out, &spec);
    if (fclose(out) != 0 || rc != 0)
        return fail("write error");
    for (k = 0; k < n; k++) {
        free(bufs[k].t);
        free(bufs[k].v);
        free(bufs[k].label);
        free(bufs[k].peak_label);
    }
    free(title);
    free(bufs);
    free(series);
    return 0;
}
