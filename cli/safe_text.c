/*
 * cli/safe_text.c - the one place where a string from outside (a process
 * name, a device name, an owner's cgroup path, a driver's or nvidia-smi's
 * text, an error message quoting any of them) becomes text fit for a
 * terminal.  Any local user chooses their processes' names, so a name can
 * hold an OSC 52 sequence that writes the watcher's clipboard, a CSI that
 * moves the cursor, a newline that forges a table row, or a bidi override
 * that shows "exe.txt" as "txt.exe".  Every table cell, CSV field and line
 * of free text the CLI prints passes through safe_text(); JSON keeps the
 * exact name (hmn_json_escape escapes what JSON needs).
 *
 * Rules (docs/security.md):
 *  - printable ASCII and valid UTF-8 of any other code point pass unchanged;
 *  - LF, CR and TAB become \n, \r, \t; the other C0 controls, DEL, the C1
 *    controls U+0080..U+009F, the invisible format characters (Unicode
 *    category Cf: bidi embeddings, overrides and isolates, zero-width
 *    characters, the BOM, tag characters, ...), the line and paragraph
 *    separators U+2028 / U+2029 and the Hangul fillers become \u{hex};
 *  - a byte that does not start a valid UTF-8 sequence (overlong forms,
 *    surrogates, values above U+10FFFF included) becomes \xHH.
 * A backslash is kept as is: the escapes are for the eye, not a reversible
 * encoding.  The output of safe_text() is its own fixed point.
 *
 * Pure (no I/O besides the FILE handed to put_safe): part of the CLI core
 * library, fuzzed by fuzz/fuzz_safe_text.c.
 */
#include "cli.h"

#include <string.h>

struct range {
    uint32_t lo, hi;
};

/* Unicode 15 category Cf, plus Zl/Zp and the invisible Hangul fillers. */
static const struct range hidden[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x115F, 0x1160},
    {0x180E, 0x180E},   {0x200B, 0x200F},   {0x2028, 0x202E},   {0x2060, 0x2064},
    {0x2066, 0x206F},   {0x3164, 0x3164},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},
    {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

int safe_text_hidden(uint32_t cp)
{
    size_t lo = 0, hi = sizeof(hidden) / sizeof(hidden[0]);
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return 1;
    while (lo < hi) { /* the table is sorted and its ranges do not overlap */
        size_t mid = (lo + hi) / 2;
        if (cp < hidden[mid].lo)
            hi = mid;
        else if (cp > hidden[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Strict UTF-8 (RFC 3629): length of the sequence at s and its code point; 0 when invalid. */
static size_t utf8_strict(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned lo = 0x80, hi = 0xBF;
    size_t need, k;
    uint32_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* UTF-16 surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    if (need > n || s[1] < lo || s[1] > hi)
        return 0;
    c &= 0x3Fu >> (need - 1);
    for (k = 1; k < need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3Fu);
    }
    *cp = c;
    return need;
}

static size_t hex_escape(char *esc, const char *lead, uint32_t v, const char *tail)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[8];
    size_t o = 0, n = 0;
    while (*lead)
        esc[o++] = *lead++;
    do {
        tmp[n++] = digits[v & 0xF];
        v >>= 4;
    } while (v);
    if (!*tail && n < 2)
        tmp[n++] = '0'; /* \xHH: always two digits */
    while (n)
        esc[o++] = tmp[--n];
    while (*tail)
        esc[o++] = *tail++;
    return o;
}

size_t safe_text_unit(const char *s, size_t n, char *esc, size_t *esc_len)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp = 0;
    size_t k;
    *esc_len = 0;
    if (u[0] >= 0x20 && u[0] < 0x7F)
        return 1;
    if (u[0] == '\n' || u[0] == '\r' || u[0] == '\t') {
        esc[0] = '\\';
        esc[1] = u[0] == '\n' ? 'n' : u[0] == '\r' ? 'r' : 't';
        *esc_len = 2;
        return 1;
    }
    k = utf8_strict(u, n, &cp);
    if (k == 0) {
        *esc_len = hex_escape(esc, "\\x", u[0], "");
        return 1;
    }
    if (safe_text_hidden(cp))
        *esc_len = hex_escape(esc, "\\u{", cp, "}");
    return k;
}

size_t safe_text(char *buf, size_t cap, const char *s)
{
    size_t n = s ? strlen(s) : 0, i = 0, o = 0;
    int full = 0;
    char esc[SAFE_TEXT_ESC_MAX];
    if (cap)
        buf[0] = '\0';
    while (i < n) {
        size_t elen, k = safe_text_unit(s + i, n - i, esc, &elen);
        const char *piece = elen ? esc : s + i;
        size_t plen = elen ? elen : k;
        /* Truncate on a unit boundary: never half an escape or a character. */
        if (!full && o + plen < cap)
            memcpy(buf + o, piece, plen);
        else
            full = 1;
        if (!full && cap)
            buf[o + plen] = '\0';
        o += plen;
        i += k;
    }
    return o;
}

void put_safe(FILE *f, const char *s)
{
    size_t n = s ? strlen(s) : 0, i = 0, run = 0;
    char esc[SAFE_TEXT_ESC_MAX];
    while (i < n) {
        size_t elen, k = safe_text_unit(s + i, n - i, esc, &elen);
        if (elen) {
            if (run)
                fwrite(s + i - run, 1, run, f);
            fwrite(esc, 1, elen, f);
            run = 0;
        } else {
            run += k; /* plain runs go out in one write */
        }
        i += k;
    }
    if (run)
        fwrite(s + n - run, 1, run, f);
}
