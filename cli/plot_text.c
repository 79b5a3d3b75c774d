/*
 * cli/plot_text.c - the text of the `hmn run --plot` chart: XML escaping of
 * labels and titles (they come from process names and command lines, so
 * they are arbitrary bytes), the 1-2-5 axis ticks and their labels.
 */
#include "plot_svg.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ escaping */

/*
 * Decode one UTF-8 sequence at s (NUL-terminated).  Returns the bytes
 * consumed; *cp is U+FFFD for an ill-formed sequence, which is its maximal
 * valid prefix (at least one byte), as Unicode recommends.
 */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, k;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : lo; /* overlong */
        hi = c == 0xED ? 0x9F : hi; /* UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : lo; /* overlong */
        hi = c == 0xF4 ? 0x8F : hi; /* above U+10FFFF */
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (k = 1; k <= need; k++) {
        unsigned b = s[k]; /* the terminating NUL fails the range test */
        if (b < lo || b > hi) {
            *cp = 0xFFFD;
            return k;
        }
        v = (v << 6) | (b & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need + 1;
}

/* XML 1.0 forbids most controls; C1, DEL and U+FFFE/U+FFFF are not text either. */
static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

/* The escaped form of one character into piece (at most 8 bytes); its length. */
static size_t escape_char(uint32_t cp, char *piece)
{
    static const struct {
        char c;
        const char *entity;
    } entities[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
    size_t i;
    if (is_control(cp))
        cp = 0xFFFD;
    for (i = 0; i < ARRAY_LEN(entities); i++)
        if (cp == (uint32_t)(unsigned char)entities[i].c) {
            strcpy(piece, entities[i].entity);
            return strlen(piece);
        }
    if (cp < 0x80) {
        piece[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        piece[0] = (char)(0xC0 | (cp >> 6));
        piece[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        piece[0] = (char)(0xE0 | (cp >> 12));
        piece[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        piece[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    piece[0] = (char)(0xF0 | (cp >> 18));
    piece[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    piece[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    piece[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Escape s character by character, at most max_chars of them (0: all), the
 * last an ellipsis when cut; each escaped character goes to emit.  Returns
 * the escaped length in bytes.
 */
typedef void (*emit_fn)(void *ctx, const char *piece, size_t n);

static size_t escape_each(const char *s, size_t max_chars, emit_fn emit, void *ctx)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t total = 0, keep, len = 0, i, n;
    uint32_t cp;
    char piece[8];
    for (i = 0; p[i]; total++)
        i += utf8_next(p + i, &cp);
    keep = max_chars && total > max_chars ? max_chars - 1 : total;
    for (i = 0; keep > 0; keep--) {
        i += utf8_next(p + i, &cp);
        n = escape_char(cp, piece);
        emit(ctx, piece, n);
        len += n;
    }
    if (max_chars && total > max_chars) {
        n = escape_char(0x2026, piece); /* ellipsis */
        emit(ctx, piece, n);
        len += n;
    }
    return len;
}

struct sink {
    char *buf;
    size_t cap, used;
    int full; /* a piece did not fit: keep the prefix whole */
};

static void emit_buf(void *ctx, const char *piece, size_t n)
{
    struct sink *k = ctx;
    if (!k->full && k->buf && k->used + n < k->cap) {
        memcpy(k->buf + k->used, piece, n);
        k->used += n;
    } else {
        k->full = 1;
    }
}

static void emit_file(void *ctx, const char *piece, size_t n)
{
    fwrite(piece, 1, n, (FILE *)ctx);
}

size_t plot_xml_escape(char *buf, size_t cap, const char *s, size_t max_chars)
{
    struct sink k = {buf, cap, 0, 0};
    size_t len = escape_each(s, max_chars, emit_buf, &k);
    if (buf && cap)
        buf[k.used] = '\0';
    return len;
}

void plot_put_text(FILE *f, const char *s, size_t max_chars)
{
    escape_each(s, max_chars, emit_file, f);
}

/* ------------------------------------------------------------------ axes */

static double pow10i(int e)
{
    double p = 1.0;
    int k;
    for (k = 0; k < (e < 0 ? -e : e); k++)
        p *= 10.0;
    return e < 0 ? 1.0 / p : p;
}

/*
 * The smallest 1-2-5 step (at least min_step) that covers range with at most
 * target intervals; the axis then ends at the first tick at or above range.
 */
static void nice_axis(double range, int target, double min_step, struct plot_axis *ax)
{
    static const double mult[] = {1.0, 2.0, 5.0, 10.0};
    double raw = range / target;
    int e = 0;
    size_t i;
    while (e < 320 && pow10i(e + 1) <= raw)
        e++;
    while (e > -320 && pow10i(e) > raw)
        e--;
    for (i = 0; i < ARRAY_LEN(mult) - 1; i++)
        if (mult[i] * pow10i(e) >= raw)
            break;
    if (i == ARRAY_LEN(mult) - 1) {
        i = 0;
        e++;
    }
    ax->step = mult[i] * pow10i(e);
    if (ax->step < min_step) {
        ax->step = min_step;
        e = 0;
    }
    ax->decimals = e < 0 ? -e : 0;
    /* The tolerance keeps a range of exactly 5 steps at 5 despite rounding. */
    ax->intervals = (int)ceil(range / ax->step - 1e-9);
    if (ax->intervals < 1)
        ax->intervals = 1;
}

void plot_axis_time(double tmax, struct plot_axis *ax)
{
    if (!(tmax > 0) || tmax > PLOT_T_LIMIT)
        tmax = 1.0;
    if (tmax < 0.001)
        tmax = 0.001;
    if (tmax <= 600) {
        ax->unit = 1;
        ax->unit_name = "s";
    } else if (tmax <= 36000) {
        ax->unit = 60;
        ax->unit_name = "min";
    } else {
        ax->unit = 3600;
        ax->unit_name = "h";
    }
    nice_axis(tmax / ax->unit, 10, 0, ax);
}

void plot_axis_bytes(double vmax, struct plot_axis *ax)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t i = 0;
    double unit = 1;
    if (!(vmax > 0) || vmax >= PLOT_V_LIMIT)
        vmax = 1024.0 * 1024.0;
    while (i + 1 < ARRAY_LEN(names) && vmax >= unit * 1024) {
        unit *= 1024;
        i++;
    }
    ax->unit = unit;
    ax->unit_name = names[i];
    nice_axis(vmax / unit, 8, i == 0 ? 1.0 : 0.0, ax);
}

double plot_axis_max(const struct plot_axis *ax)
{
    return ax->intervals * ax->step * ax->unit;
}

/* "%.*f" without trailing zeros (and point). */
static void fmt_trimmed(char *buf, size_t cap, double v, int decimals)
{
    size_t n;
    snprintf(buf, cap, "%.*f", decimals, v);
    n = strlen(buf);
    if (decimals > 0 && strchr(buf, '.')) {
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
}

int plot_axis_label(char *buf, size_t cap, const struct plot_axis *ax, int k)
{
    char num[64];
    fmt_trimmed(num, sizeof(num), k * ax->step, ax->decimals);
    return snprintf(buf, cap, "%s %s", num, ax->unit_name);
}

int plot_time_label(char *buf, size_t cap, double t, const struct plot_axis *ax)
{
    char num[64];
    double v = t / ax->unit;
    fmt_trimmed(num, sizeof(num), v, v < 10 ? 2 : v < 100 ? 1 : 0);
    return snprintf(buf, cap, "%s %s", num, ax->unit_name);
}

