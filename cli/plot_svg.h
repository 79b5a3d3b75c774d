/*
 * cli/plot_svg.h - memory-over-time chart as a self-contained SVG 1.1
 * document (`hmn run --plot FILE.svg`).  A pure module (cli/plot_svg.c, the
 * document; cli/plot_text.c, escaping and axis ticks): it depends on the
 * public header (size formatting) and libc only, so tests and the fuzz
 * harness compile both files directly.
 *
 * Every label and title is escaped for XML (any bytes are accepted: invalid
 * UTF-8 and control characters become U+FFFD), NAN values are gaps in the
 * line, never zero, and the output is byte-for-byte deterministic.
 */
#ifndef HMN_PLOT_SVG_H
#define HMN_PLOT_SVG_H

#include <stddef.h>
#include <stdio.h>

struct plot_series {
    const char *label;
    size_t n;
    const double *t; /* seconds since start, ascending */
    const double *v; /* bytes, NAN = unknown: a gap in the line, never drawn as 0 */
    double peak_v;
    double peak_t;   /* NAN: the renderer marks the series maximum */
    const char *peak_label; /* NULL: "peak <size> at <time>" with the project's size formatting */
};

struct plot_spec {
    const char *title;
    const struct plot_series *series;
    size_t nseries;
    double t_end;
};

/*
 * Write the chart to f.  Returns 0, or -1 on a write error (or a NULL
 * argument).  Peaks: peak_v NAN -> the series maximum is marked at its time;
 * peak_v known and peak_t known -> that point is marked; peak_v known and
 * peak_t NAN (an exact high-water mark without a time) -> a dashed
 * horizontal line at peak_v.  A sample with a NAN, negative or infinite t
 * or v is a gap.
 */
int plot_svg_write(FILE *f, const struct plot_spec *spec);

/* ---- pieces exposed for the unit tests ---------------------------------- */

/* Samples outside these bounds are unknown (gaps). */
#define PLOT_T_LIMIT 1e12                   /* seconds: ~31 700 years */
#define PLOT_V_LIMIT 18446744073709551616.0 /* 2^64 bytes: no uint64_t holds more */

/* Chart geometry in SVG user units (pixels at 100 % zoom). */
enum {
    PLOT_WIDTH = 900,
    PLOT_LEFT = 88,   /* plot area: x from PLOT_LEFT, PLOT_AREA_W wide */
    PLOT_AREA_W = 780,
    PLOT_TOP = 44,
    PLOT_AREA_H = 360,
};

/* One axis from 0: ticks at k * step (k = 0..intervals), in display units. */
struct plot_axis {
    double unit;           /* native units (seconds, bytes) per display unit */
    const char *unit_name; /* "s", "min", "h"; "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" */
    double step;           /* 1, 2 or 5 times a power of ten */
    int decimals;          /* digits after the point a tick label needs */
    int intervals;         /* the axis ends at intervals * step */
};

/* Time axis covering [0, tmax] seconds (tmax <= 0 or NAN: one second). */
void plot_axis_time(double tmax, struct plot_axis *ax);
/* Memory axis covering [0, vmax] bytes (vmax <= 0 or NAN: one MiB). */
void plot_axis_bytes(double vmax, struct plot_axis *ax);
/* The axis end in native units. */
double plot_axis_max(const struct plot_axis *ax);
/* Tick k's label, e.g. "1.5 GiB", "20 s" (trailing zeros trimmed). */
int plot_axis_label(char *buf, size_t cap, const struct plot_axis *ax, int k);
/* A time in the axis unit, at least 3 significant digits: "0.35 s", "12.3 s", "5.43 min". */
int plot_time_label(char *buf, size_t cap, double t, const struct plot_axis *ax);

/*
 * XML text escaping of a C string: & < > " ' as entities, invalid UTF-8
 * (each maximal ill-formed subsequence), C0/C1 controls, DEL, U+FFFE and
 * U+FFFF as U+FFFD.  max_chars > 0 keeps at most that many characters, the
 * last one an ellipsis when cut.  snprintf-style: returns the full length,
 * writes a NUL-terminated prefix (never a cut entity or UTF-8 sequence).
 */
size_t plot_xml_escape(char *buf, size_t cap, const char *s, size_t max_chars);
/* The same, written to f (any length). */
void plot_put_text(FILE *f, const char *s, size_t max_chars);

#endif /* HMN_PLOT_SVG_H */
