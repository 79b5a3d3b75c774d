/*
 * fuzz/fuzz_safe_text.c - safe_text, the one path every name, device
 * string and quoted error text of the CLI takes to a terminal (cli/safe_text.c).
 *
 * Asserts that the output can do nothing to a terminal: no C0 control, no
 * DEL, strictly valid UTF-8, and no code point the sanitiser escapes (C1,
 * bidi and other format characters, U+2028/2029).  Also: the return value
 * is the full length, a truncated result is a prefix of the full one, the
 * output is its own fixed point, text with nothing to escape is unchanged,
 * and debug_quote (quoted arguments in messages) is as safe.
 */
#include "cli.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Strict UTF-8: length and code point of the sequence at s, 0 when invalid. */
static size_t utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t need = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                                  : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                                  : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    uint32_t c;
    size_t k;
    if (need == 0 || need > n)
        return 0;
    c = need == 1 ? s[0] : s[0] & (0x3Fu >> (need - 1));
    for (k = 1; k < need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3Fu);
    }
    if ((need == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
        (need == 4 && (c < 0x10000 || c > 0x10FFFF)))
        return 0;
    *cp = c;
    return need;
}

/* 1 when s (n bytes) is safe for a terminal. */
static int safe_for_terminal(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp = 0;
        size_t k = utf8(u + i, n - i, &cp);
        if (k == 0 || safe_text_hidden(cp))
            return 0;
        i += k;
    }
    return 1;
}

/* 1 when nothing in s needs escaping (the output must then be s itself). */
static int nothing_to_escape(const char *s, size_t n)
{
    return safe_for_terminal(s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1), *out = NULL, *again = NULL, small[16], q[96];
    size_t n, full, cut;
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    n = strlen(in); /* a NUL ends a C string: the text is what precedes it */
    full = safe_text(NULL, 0, in);
    out = malloc(full + 1);
    again = malloc(full + 1);
    if (out && again) {
        check(safe_text(out, full + 1, in) == full);
        check(strlen(out) == full);
        check(safe_for_terminal(out, full));
        check(full >= n);
        if (nothing_to_escape(in, n))
            check(full == n && memcmp(out, in, n) == 0);
        check(safe_text(again, full + 1, out) == full); /* its own fixed point */
        check(memcmp(again, out, full + 1) == 0);
        cut = safe_text(small, sizeof(small), in);
        check(cut == full);
        check(strlen(small) < sizeof(small) && memcmp(small, out, strlen(small)) == 0);
        check(safe_for_terminal(small, strlen(small)));
    }
    debug_quote(q, sizeof(q), in);
    check(strlen(q) >= 2 && q[0] == '"' && q[strlen(q) - 1] == '"');
    check(safe_for_terminal(q, strlen(q)));
    free(in);
    free(out);
    free(again);
    return 0;
}
