/*
 * fuzz/fuzz_json_escape.c - hmn_json_escape, which every `--json` string
 * goes through (process names come from other users' /proc/<pid>/comm and
 * from driver output, so they are attacker-controlled).
 *
 * Asserts the output is valid JSON string content: no raw control
 * character (C1 included), no raw U+2028 / U+2029, every '"' and '\'
 * escaped, every escape well-formed, and the
 * bytes strictly valid UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF).  Also: the return value is the full length, and a
 * truncated result is a NUL-terminated prefix of the full one.
 */
#include "hypomnesis.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the escape at s (n bytes left), 0 when it is not a JSON escape. */
static size_t escape_len(const unsigned char *s, size_t n)
{
    if (n < 2)
        return 0;
    if (strchr("\"\\/bfnrt", s[1]) && s[1] != '\0')
        return 2;
    if (s[1] == 'u' && n >= 6 && is_hex(s[2]) && is_hex(s[3]) && is_hex(s[4]) && is_hex(s[5]))
        return 6;
    return 0;
}

/* Strict UTF-8 (RFC 3629): length of the sequence at s, 0 when invalid. */
static size_t utf8_strict(const unsigned char *s, size_t n)
{
    unsigned lo = 0x80, hi = 0xBF;
    size_t need, k;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 4;
    else
        return 0;
    if (s[0] == 0xE0)
        lo = 0xA0; /* overlong */
    else if (s[0] == 0xED)
        hi = 0x9F; /* UTF-16 surrogates */
    else if (s[0] == 0xF0)
        lo = 0x90; /* overlong */
    else if (s[0] == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    if (need > n || s[1] < lo || s[1] > hi)
        return 0;
    for (k = 2; k < need; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return need;
}

static void check_json_body(const char *out, size_t n)
{
    const unsigned char *s = (const unsigned char *)out;
    size_t i = 0;
    while (i < n) {
        size_t step;
        check(s[i] >= 0x20 && s[i] != 0x7F && s[i] != '"');
        step = s[i] == '\\' ? escape_len(s + i, n - i) : utf8_strict(s + i, n - i);
        check(step > 0);
        /* C1 controls and U+2028 / U+2029 are escaped, never raw. */
        check(!(step == 2 && s[i] == 0xC2 && s[i + 1] <= 0x9F));
        check(!(step == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)));
        i += step;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *out, small[16];
    int need, again;
    size_t cap;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* the API takes a C string: it stops at the first NUL */
    need = hmn_json_escape(NULL, 0, text);
    check(need >= 0);
    cap = (size_t)need + 1;
    out = malloc(cap);
    if (!out) {
        free(text);
        return 0;
    }
    again = hmn_json_escape(out, cap, text);
    check(again == need && strlen(out) == (size_t)need);
    check_json_body(out, (size_t)need);
    /* Truncation: NUL-terminated, a prefix, same length reported. */
    check(hmn_json_escape(small, sizeof(small), text) == need);
    check(strlen(small) < sizeof(small));
    check(strncmp(small, out, strlen(small)) == 0);
    free(out);
    free(text);
    return 0;
}
