/*
 * cli/plot_svg.c - the `hmn run --plot` chart: memory over time as a
 * self-contained SVG 1.1 document (no scripts, no external resources,
 * generic font families only, so any browser renders it offline).
 *
 * Layout: title on top, the plot area with nice 1-2-5 ticks (time in s, min
 * or h; memory in B ... EiB, one unit per axis), one path per series (colour
 * AND dash pattern differ, for readers who cannot tell the colours apart),
 * each series' peak marked and labelled, the legend below.
 *
 * Drawing hundreds of thousands of samples: the line is decimated per pixel
 * column, keeping the first, minimum, maximum and last sample of each
 * column, so a one-sample spike is still drawn at its height.  A NAN lifts
 * the pen (a gap) when it lies between two columns; inside one column it is
 * narrower than a pixel and is ignored.  Unknown values are never drawn.
 */
#include "plot_svg.h"

#include <hypomnesis.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#define TITLE_CHARS 100
#define LEGEND_CHARS 36
#define PEAK_CHARS 48
#define LEGEND_PER_ROW 3
#define LEGEND_COL_W 260
#define LEGEND_ROW_H 20

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Okabe-Ito palette (distinguishable with the common colour-vision deficiencies). */
static const char *const colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000", "#999933"};
/* Index 0 solid; combined with the colour so 64 series stay distinct. */
static const char *const dashes[] = {NULL,  "9 4", "3 3", "10 3 3 3",
                                     "6 2", "2 5", "14 4 2 4", "5 5"};

/* ------------------------------------------------------------------ data */

static int time_ok(double t)
{
    return t >= 0 && t <= PLOT_T_LIMIT; /* false for NAN */
}

static int value_ok(double v)
{
    return v >= 0 && v < PLOT_V_LIMIT;
}

/* Sample i when both figures are known. */
static int sample_at(const struct plot_series *s, size_t i, double *t, double *v)
{
    if (!s->t || !s->v)
        return 0;
    *t = s->t[i];
    *v = s->v[i];
    return time_ok(*t) && value_ok(*v);
}

enum peak_kind { PEAK_NONE, PEAK_POINT, PEAK_LEVEL };

struct peak {
    enum peak_kind kind;
    double t, v;
};

static struct peak series_peak(const struct plot_series *s)
{
    struct peak p = {PEAK_NONE, 0, 0};
    size_t i;
    double t, v;
    if (value_ok(s->peak_v)) {
        p.kind = time_ok(s->peak_t) ? PEAK_POINT : PEAK_LEVEL;
        p.t = s->peak_t;
        p.v = s->peak_v;
        return p;
    }
    for (i = 0; i < s->n; i++)
        if (sample_at(s, i, &t, &v) && (p.kind == PEAK_NONE || v > p.v)) {
            p.kind = PEAK_POINT;
            p.t = t;
            p.v = v;
        }
    return p;
}

struct frame {
    struct plot_axis xa, ya;
    double xmax, ymax; /* axis ends in seconds and bytes */
    int height;
    int legend_top;
    int has_data;      /* something to draw at all */
};

static void frame_init(struct frame *fr, const struct plot_spec *spec)
{
    double tmax = time_ok(spec->t_end) ? spec->t_end : 0, vmax = 0, t, v;
    size_t k, i, rows;
    fr->has_data = 0;
    for (k = 0; k < spec->nseries; k++) {
        const struct plot_series *s = &spec->series[k];
        struct peak p = series_peak(s);
        for (i = 0; i < s->n; i++)
            if (sample_at(s, i, &t, &v)) {
                tmax = t > tmax ? t : tmax;
                vmax = v > vmax ? v : vmax;
                fr->has_data = 1;
            }
        if (p.kind != PEAK_NONE) {
            vmax = p.v > vmax ? p.v : vmax;
            fr->has_data = 1;
        }
        if (p.kind == PEAK_POINT)
            tmax = p.t > tmax ? p.t : tmax;
    }
    plot_axis_time(tmax, &fr->xa);
    plot_axis_bytes(vmax, &fr->ya);
    fr->xmax = plot_axis_max(&fr->xa);
    fr->ymax = plot_axis_max(&fr->ya);
    rows = (spec->nseries + LEGEND_PER_ROW - 1) / LEGEND_PER_ROW;
    fr->legend_top = PLOT_TOP + PLOT_AREA_H + 60;
    fr->height = fr->legend_top + (int)(rows ? rows : 1) * LEGEND_ROW_H;
}

static double px(const struct frame *fr, double t)
{
    return PLOT_LEFT + t / fr->xmax * PLOT_AREA_W;
}

static double py(const struct frame *fr, double v)
{
    return PLOT_TOP + PLOT_AREA_H - v / fr->ymax * PLOT_AREA_H;
}

static long column_of(const struct frame *fr, double t)
{
    long c = (long)floor(t / fr->xmax * PLOT_AREA_W);
    return c < 0 ? 0 : c >= PLOT_AREA_W ? PLOT_AREA_W - 1 : c;
}

/* ------------------------------------------------------------------ the line */

/* The samples of one pixel column: the ones it keeps. */
struct bucket {
    int open;
    long col;
    size_t first, last, imin, imax;
};

struct pen {
    FILE *f;
    const struct frame *fr;
    const struct plot_series *s;
    size_t sub_points; /* points in the current subpath */
    size_t points;     /* points written so far */
};

static void pen_point(struct pen *pn, size_t i)
{
    fprintf(pn->f, "%s%s%.1f %.1f", pn->points ? " " : "", pn->sub_points ? "L" : "M",
            px(pn->fr, pn->s->t[i]), py(pn->fr, pn->s->v[i]));
    pn->sub_points++;
    pn->points++;
}

/* End the subpath; a lone point gets a zero-length segment so its round cap shows. */
static void pen_up(struct pen *pn)
{
    if (pn->sub_points == 1)
        fputs(" h0", pn->f);
    pn->sub_points = 0;
}

static void bucket_flush(struct pen *pn, struct bucket *b)
{
    size_t keep[4], n = 0, a, c;
    if (!b->open)
        return;
    keep[n++] = b->first;
    keep[n++] = b->imin;
    keep[n++] = b->imax;
    keep[n++] = b->last;
    /* In sample order, each once. */
    for (a = 1; a < n; a++)
        for (c = a; c > 0 && keep[c - 1] > keep[c]; c--) {
            size_t tmp = keep[c];
            keep[c] = keep[c - 1];
            keep[c - 1] = tmp;
        }
    for (a = 0; a < n; a++)
        if (a == 0 || keep[a] != keep[a - 1])
            pen_point(pn, keep[a]);
    b->open = 0;
}

static void write_path_data(FILE *f, const struct frame *fr, const struct plot_series *s)
{
    struct pen pn = {f, fr, s, 0, 0};
    struct bucket b = {0, 0, 0, 0, 0, 0};
    int gap = 0;
    size_t i;
    double t, v;
    for (i = 0; i < s->n; i++) {
        long col;
        if (!sample_at(s, i, &t, &v)) {
            gap = 1;
            continue;
        }
        col = column_of(fr, t);
        if (b.open && col == b.col) {
            b.last = i;
            if (v < s->v[b.imin])
                b.imin = i;
            if (v > s->v[b.imax])
                b.imax = i;
            gap = 0; /* narrower than a pixel */
            continue;
        }
        bucket_flush(&pn, &b);
        if (gap)
            pen_up(&pn);
        gap = 0;
        b.open = 1;
        b.col = col;
        b.first = b.last = b.imin = b.imax = i;
    }
    bucket_flush(&pn, &b);
    pen_up(&pn);
}

/* ------------------------------------------------------------------ document */

/* Where peak labels already are (the first 64; later ones may overlap). */
struct box {
    double x0, x1, y0, y1;
};

struct labels {
    size_t n;
    struct box box[64];
};

static const char *colour_of(size_t k)
{
    return colours[k % ARRAY_LEN(colours)];
}

static void stroke_style(FILE *f, size_t k)
{
    const char *dash = dashes[(k + k / ARRAY_LEN(colours)) % ARRAY_LEN(dashes)];
    fprintf(f, " stroke=\"%s\" stroke-width=\"2\"", colour_of(k));
    if (dash)
        fprintf(f, " stroke-dasharray=\"%s\"", dash);
}

static int series_has_samples(const struct plot_series *s)
{
    size_t i;
    double t, v;
    for (i = 0; i < s->n; i++)
        if (sample_at(s, i, &t, &v))
            return 1;
    return 0;
}

/* "peak 1.5 GiB at 12.3 s" (a level, of no known time, says only the size), escaped. */
static void peak_text(char *buf, size_t cap, const struct frame *fr, const struct plot_series *s,
                      const struct peak *p)
{
    char size[64], when[64], text[160];
    if (s->peak_label) {
        plot_xml_escape(buf, cap, s->peak_label, PEAK_CHARS);
        return;
    }
    hmn_format_vram_precise(size, sizeof(size), (uint64_t)p->v); /* p->v < 2^64 */
    if (p->kind == PEAK_POINT) {
        plot_time_label(when, sizeof(when), p->t, &fr->xa);
        snprintf(text, sizeof(text), "peak %s at %s", size, when);
    } else {
        snprintf(text, sizeof(text), "peak %s", size);
    }
    plot_xml_escape(buf, cap, text, PEAK_CHARS);
}

/* Characters of escaped text (an entity is one). */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s == '&')
            while (s[1] && *s != ';')
                s++;
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    }
    return n;
}

static int overlaps_placed(const struct labels *placed, const struct box *b)
{
    size_t i;
    for (i = 0; i < placed->n; i++) {
        const struct box *a = &placed->box[i];
        if (a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1)
            return 1;
    }
    return 0;
}

/*
 * The baseline of a peak label: the first of above, below, further above,
 * further below ... the mark that stays inside the plot and clear of the
 * labels placed before (widths estimated from the character count), so
 * peaks at the same moment stay readable.
 */
static double place_label(struct labels *placed, double x, double y, const char *anchor,
                          size_t chars)
{
    double w = (double)chars * 6.6, first = y - 8, ty = y - 8;
    struct box b;
    int k, inside = 0;
    b.x0 = anchor[0] == 's' ? x : x - w;
    b.x1 = b.x0 + w;
    for (k = 0; k < 24; k++) {
        ty = k % 2 == 0 ? y - 8 - 14 * (k / 2) : y + 16 + 14 * (k / 2);
        if (ty < PLOT_TOP + 12 || ty > PLOT_TOP + PLOT_AREA_H - 4)
            continue;
        if (!inside++)
            first = ty;
        b.y0 = ty - 11;
        b.y1 = ty + 3;
        if (!overlaps_placed(placed, &b))
            break;
    }
    if (k == 24) /* crowded: the first place inside the plot */
        ty = first;
    b.y0 = ty - 11;
    b.y1 = ty + 3;
    if (placed->n < ARRAY_LEN(placed->box))
        placed->box[placed->n++] = b;
    return ty;
}

/*
 * A point peak is a filled circle with a white rim; a level (exact
 * high-water mark of unknown time) a thin dashed line across the plot.
 */
static void write_peak(FILE *f, const struct frame *fr, const struct plot_series *s, size_t k,
                       struct labels *placed)
{
    struct peak p = series_peak(s);
    char text[512];
    double x, y, ty;
    const char *anchor = "end";
    if (p.kind == PEAK_NONE)
        return;
    y = py(fr, p.v);
    if (p.kind == PEAK_LEVEL) {
        fprintf(f,
                "<line class=\"peak\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"1\" stroke-dasharray=\"2 3\"/>\n",
                PLOT_LEFT, y, PLOT_LEFT + PLOT_AREA_W, y, colour_of(k));
        x = PLOT_LEFT + PLOT_AREA_W - 4;
    } else {
        x = px(fr, p.t);
        fprintf(f,
                "<circle class=\"peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" "
                "stroke=\"#ffffff\" stroke-width=\"1\"/>\n",
                x, y, colour_of(k));
        if (x < PLOT_LEFT + PLOT_AREA_W * 0.6)
            anchor = "start";
        x += anchor[0] == 's' ? 7 : -7;
    }
    peak_text(text, sizeof(text), fr, s, &p);
    ty = place_label(placed, x, y, anchor, text_chars(text));
    fprintf(f, "<text class=\"peak-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", x,
            ty, anchor, text);
}

static void write_series(FILE *f, const struct frame *fr, const struct plot_series *s, size_t k,
                         struct labels *placed)
{
    fprintf(f, "<g id=\"series-%lu\" class=\"series\">\n<path class=\"line\" d=\"",
            (unsigned long)k);
    write_path_data(f, fr, s);
    fputs("\" fill=\"none\"", f);
    stroke_style(f, k);
    fputs(" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n", f);
    write_peak(f, fr, s, k, placed);
    fputs("</g>\n", f);
}

/* Ticks as groups translated to their position, so a reader (or a test) maps labels to pixels. */
static void write_axes(FILE *f, const struct frame *fr)
{
    const int bottom = PLOT_TOP + PLOT_AREA_H;
    char label[64];
    int k;
    fprintf(f,
            "<rect id=\"plot-area\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
            "stroke=\"#999999\" stroke-width=\"1\"/>\n",
            PLOT_LEFT, PLOT_TOP, PLOT_AREA_W, PLOT_AREA_H);
    fputs("<g id=\"x-ticks\" fill=\"#333333\" text-anchor=\"middle\">\n", f);
    for (k = 0; k <= fr->xa.intervals; k++) {
        plot_axis_label(label, sizeof(label), &fr->xa, k);
        fprintf(f, "<g class=\"tick\" transform=\"translate(%.1f,%d)\">",
                px(fr, k * fr->xa.step * fr->xa.unit), bottom);
        if (k > 0 && k < fr->xa.intervals)
            fprintf(f, "<line y2=\"-%d\" stroke=\"#e8e8e8\"/>", PLOT_AREA_H);
        fprintf(f, "<line y2=\"5\" stroke=\"#999999\"/><text y=\"18\">%s</text></g>\n", label);
    }
    fputs("</g>\n<g id=\"y-ticks\" fill=\"#333333\" text-anchor=\"end\">\n", f);
    for (k = 0; k <= fr->ya.intervals; k++) {
        plot_axis_label(label, sizeof(label), &fr->ya, k);
        fprintf(f, "<g class=\"tick\" transform=\"translate(%d,%.1f)\">", PLOT_LEFT,
                py(fr, k * fr->ya.step * fr->ya.unit));
        if (k > 0 && k < fr->ya.intervals)
            fprintf(f, "<line x2=\"%d\" stroke=\"#e8e8e8\"/>", PLOT_AREA_W);
        fprintf(f, "<line x2=\"-5\" stroke=\"#999999\"/><text x=\"-8\" y=\"4\">%s</text></g>\n",
                label);
    }
    fprintf(f,
            "</g>\n<text id=\"x-title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333333\">"
            "time since start</text>\n"
            "<text id=\"y-title\" transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\" "
            "fill=\"#333333\">memory</text>\n",
            PLOT_LEFT + PLOT_AREA_W / 2, bottom + 38, PLOT_TOP + PLOT_AREA_H / 2);
}

static void write_legend(FILE *f, const struct frame *fr, const struct plot_spec *spec)
{
    size_t k;
    fputs("<g id=\"legend\" fill=\"#222222\">\n", f);
    for (k = 0; k < spec->nseries; k++) {
        const struct plot_series *s = &spec->series[k];
        int x = PLOT_LEFT + (int)(k % LEGEND_PER_ROW) * LEGEND_COL_W;
        int y = fr->legend_top + (int)(k / LEGEND_PER_ROW) * LEGEND_ROW_H;
        fprintf(f, "<g class=\"legend-item\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"", x,
                y - 4, x + 28, y - 4);
        stroke_style(f, k);
        fprintf(f, " stroke-linecap=\"round\"/><text x=\"%d\" y=\"%d\">", x + 36, y);
        if (s->label)
            plot_put_text(f, s->label, LEGEND_CHARS);
        else
            fprintf(f, "series %lu", (unsigned long)k + 1);
        if (!series_has_samples(s))
            fputs(" (no data)", f);
        fputs("</text></g>\n", f);
    }
    fputs("</g>\n", f);
}

int plot_svg_write(FILE *f, const struct plot_spec *spec)
{
    struct plot_spec sp;
    struct frame fr;
    struct labels placed;
    size_t k;
    if (!f || !spec)
        return -1;
    sp = *spec;
    if (!sp.series)
        sp.nseries = 0;
    frame_init(&fr, &sp);
    placed.n = 0;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n<title>",
            PLOT_WIDTH, fr.height, PLOT_WIDTH, fr.height);
    plot_put_text(f, sp.title ? sp.title : "Memory over time", TITLE_CHARS);
    fprintf(f,
            "</title>\n<rect id=\"background\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
            "fill=\"#ffffff\"/>\n<text id=\"title\" x=\"%d\" y=\"27\" text-anchor=\"middle\" "
            "font-size=\"15\" font-weight=\"bold\" fill=\"#111111\">",
            PLOT_WIDTH, fr.height, PLOT_WIDTH / 2);
    plot_put_text(f, sp.title ? sp.title : "Memory over time", TITLE_CHARS);
    fputs("</text>\n", f);
    write_axes(f, &fr);
    if (!fr.has_data)
        fprintf(f,
                "<text id=\"no-data\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#777777\">"
                "no samples</text>\n",
                PLOT_LEFT + PLOT_AREA_W / 2, PLOT_TOP + PLOT_AREA_H / 2);
    for (k = 0; k < sp.nseries; k++)
        write_series(f, &fr, &sp.series[k], k, &placed);
    write_legend(f, &fr, &sp);
    fputs("</svg>\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
