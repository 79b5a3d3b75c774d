/*
 * fuzz/fuzz_plot_svg.c - the `hmn run --plot` chart writer with arbitrary
 * titles, labels (process names and commands are attacker-controlled) and
 * values (NAN, infinities, negatives, huge, unsorted times).
 *
 * Input: byte 0 picks the series count (0..4) and byte 1 the mode; then
 * NUL-separated texts: the title, each series' label, each series' peak
 * label (an empty text is NULL); the rest is the data.  Mode bit 0: raw
 * doubles (8 bytes each: peak_v, peak_t, then t/v pairs) instead of bytes
 * mapped to plausible samples (t grows by byte/10 s, v = byte MiB, 255 =
 * NAN); bit 1: every sample repeated 64 times, to exercise decimation;
 * bits 2-3: t_end (0, NAN, from the data, 1e13).
 *
 * Asserts: the write succeeds; the output is strictly valid UTF-8 with no
 * control character but '\n'; tags are balanced with one root <svg>; text
 * and attribute values hold no raw '<' or '>' and only the five entities the
 * writer uses; the same input gives the same bytes.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include "plot_svg.h"
#include "util/util.h"

#include "fuzz.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 4
#define MAX_DEPTH 16

static const char *entity_at(const char *s)
{
    static const char *const ok[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strncmp(s, ok[i], strlen(ok[i])) == 0)
            return s + strlen(ok[i]);
    return NULL;
}

/* Text or an attribute value up to stop: no markup, only known entities. */
static const char *check_chars(const char *s, const char *end, char stop)
{
    while (s < end && *s != stop) {
        check(*s != '>' && (*s != '<' || stop == '<'));
        if (*s == '&') {
            s = entity_at(s);
            check(s != NULL);
        } else {
            s++;
        }
    }
    return s;
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == ':' || c == '_';
}

/* One start or end tag at s ('<'); returns the byte after its '>'. */
static const char *check_tag(const char *s, const char *end, const char **stack, size_t *lens,
                             size_t *depth, int *roots)
{
    const char *name;
    size_t len;
    int closing = s[1] == '/';
    s += closing ? 2 : 1;
    for (name = s; s < end && name_char(*s); s++)
        ;
    len = (size_t)(s - name);
    check(len > 0);
    if (closing) {
        check(*depth > 0 && lens[*depth - 1] == len && memcmp(stack[*depth - 1], name, len) == 0);
        check(s < end && *s == '>');
        (*depth)--;
        return s + 1;
    }
    while (s < end && *s == ' ') { /* attributes: name="value" */
        const char *an = ++s;
        while (s < end && name_char(*s))
            s++;
        check(s > an && s + 1 < end && s[0] == '=' && s[1] == '"');
        s = check_chars(s + 2, end, '"');
        check(s < end);
        s++;
    }
    if (*depth == 0) {
        check(len == 3 && memcmp(name, "svg", 3) == 0);
        (*roots)++;
    }
    if (s < end && *s == '/') {
        check(s + 1 < end && s[1] == '>');
        return s + 2;
    }
    check(s < end && *s == '>' && *depth < MAX_DEPTH);
    stack[*depth] = name;
    lens[*depth] = len;
    (*depth)++;
    return s + 1;
}

/* The code point of the well-formed k-byte sequence at s. */
static uint32_t code_point(const unsigned char *s, size_t k)
{
    uint32_t cp = k == 1 ? s[0] : k == 2 ? s[0] & 0x1Fu : k == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
    size_t j;
    for (j = 1; j < k; j++)
        cp = (cp << 6) | (s[j] & 0x3Fu);
    return cp;
}

/* Strictly valid UTF-8 by the library's own validator (not the writer's
 * decoder), with no control character but '\n' (XML 1.0 text). */
static void check_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = hmn__utf8_seq(s + i, n - i);
        uint32_t cp;
        check(k > 0 && s[i] != '\0');
        cp = code_point(s + i, k);
        check(cp == '\n' || !(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE ||
                               cp == 0xFFFF));
        i += k;
    }
}

static void check_svg(const char *out, size_t n)
{
    const char *s = out, *end = out + n, *stack[MAX_DEPTH];
    size_t lens[MAX_DEPTH], depth = 0;
    int roots = 0;
    check_utf8((const unsigned char *)out, n);
    check(n > 6 && memcmp(s, "<?xml ", 6) == 0);
    s = strstr(s, "?>");
    check(s != NULL);
    s += 2;
    while (s < end) {
        if (*s == '<') {
            s = check_tag(s, end, stack, lens, &depth, &roots);
        } else {
            check(depth > 0 || *s == '\n'); /* no text outside the root */
            s = check_chars(s, end, '<');
        }
    }
    check(depth == 0 && roots == 1);
}

/* The next NUL-terminated text of the input (empty -> NULL); advances *p. */
static const char *next_text(const char **p, const char *end)
{
    const char *s = *p;
    const char *nul = memchr(s, '\0', (size_t)(end - s));
    if (!nul)
        return NULL;
    *p = nul + 1;
    return *s ? s : NULL;
}

/*
 * Series k's samples from the data d (nd bytes, shared by nseries series)
 * into t/v (room for everything); returns the sample count.
 */
static size_t fill_series(struct plot_series *s, const uint8_t *d, size_t nd, size_t nseries,
                          size_t k, unsigned mode, double *t, double *v)
{
    size_t rep = mode & 2 ? 64 : 1, m = 0, i, r, per;
    double clock = 0;
    s->peak_v = NAN;
    s->peak_t = NAN;
    if (mode & 1) { /* raw doubles: peak_v, peak_t, then t, v pairs */
        double x[2];
        per = nd / sizeof(double) / nseries;
        d += k * per * sizeof(double);
        for (i = 0; i + 1 < per; i += 2) {
            memcpy(x, d + i * sizeof(double), sizeof(x));
            if (i == 0) {
                s->peak_v = x[0];
                s->peak_t = x[1];
                continue;
            }
            for (r = 0; r < rep; r++, m++) {
                t[m] = x[0] + (double)r * 1e-4;
                v[m] = x[1];
            }
        }
        return m;
    }
    per = nd / nseries; /* bytes: plausible samples, 255 unknown */
    d += k * per;
    for (i = 0; i < per; i++) {
        clock += d[i] / 10.0;
        for (r = 0; r < rep; r++, m++) {
            t[m] = clock + (double)r * 1e-4;
            v[m] = d[i] == 255 ? NAN : d[i] * 1048576.0 + (double)r;
        }
    }
    return m;
}

/* The chart in a heap buffer (free it); NULL when no stream could be made. */
static char *render(const struct plot_spec *spec, size_t *len)
{
    char *out = NULL;
#ifdef _WIN32 /* no open_memstream: a temporary file, read back */
    FILE *f = tmpfile();
    long n;
    if (!f)
        return NULL;
    check(plot_svg_write(f, spec) == 0);
    n = ftell(f);
    out = n >= 0 ? malloc((size_t)n + 1) : NULL;
    rewind(f);
    if (out && fread(out, 1, (size_t)n, f) != (size_t)n) {
        free(out);
        out = NULL;
    }
    *len = n >= 0 ? (size_t)n : 0;
#else
    FILE *f = open_memstream(&out, len);
    if (!f)
        return NULL;
    check(plot_svg_write(f, spec) == 0);
#endif
    fclose(f);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct plot_series series[MAX_SERIES];
    struct plot_spec spec;
    char *copy, *a, *b;
    const char *p, *end;
    size_t nseries, k, nd, room, alen = 0, blen = 0;
    unsigned mode;
    double *t, *v;
    if (size < 2)
        return 0;
    copy = malloc(size); /* the texts, NUL-terminated at the end */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size - 1] = '\0';
    nseries = data[0] % (MAX_SERIES + 1);
    mode = data[1];
    p = copy + 2;
    end = copy + size;
    memset(&spec, 0, sizeof(spec));
    memset(series, 0, sizeof(series));
    spec.title = next_text(&p, end);
    for (k = 0; k < nseries; k++)
        series[k].label = next_text(&p, end);
    for (k = 0; k < nseries; k++)
        series[k].peak_label = next_text(&p, end);
    nd = p < end ? (size_t)(end - p) : 0; /* the data: the rest of the input */
    room = (nd + 1) * (mode & 2 ? 64 : 1);
    t = malloc(room * sizeof(*t));
    v = malloc(room * sizeof(*v));
    if (!t || !v)
        goto out;
    for (k = 0, room = 0; k < nseries; k++) {
        series[k].n = fill_series(&series[k], data + (size - nd), nd, nseries, k, mode, t + room,
                                  v + room);
        series[k].t = t + room;
        series[k].v = v + room;
        room += series[k].n;
    }
    /* t_end: none, unknown, from the data, past the time limit. */
    switch ((mode >> 2) & 3) {
    case 0:
        spec.t_end = 0;
        break;
    case 1:
        spec.t_end = NAN;
        break;
    case 2:
        spec.t_end = nd ? data[size - 1] * 3.0 : 1;
        break;
    default:
        spec.t_end = 1e13;
        break;
    }
    spec.series = series;
    spec.nseries = nseries;
    a = render(&spec, &alen);
    b = render(&spec, &blen);
    if (a && b) {
        check(alen == blen && memcmp(a, b, alen) == 0);
        check_svg(a, alen);
    }
    free(a);
    free(b);
out:
    free(t);
    free(v);
    free(copy);
    return 0;
}
