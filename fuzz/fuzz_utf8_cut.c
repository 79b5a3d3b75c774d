/*
 * fuzz/fuzz_utf8_cut.c - the one way names are cut (src/core/util.c):
 * hmn__utf8_cut, hmn__utf8_drop_partial and hmn__copy_text.  The first input
 * byte is the size limit (0-255, so every real name buffer size is reached),
 * the rest is the name, in a buffer of exactly its size.  Checks: a cut is
 * never longer than the limit nor than the text; on valid UTF-8 it is valid,
 * ends on a character boundary and loses at most 3 bytes; drop_partial never
 * changes valid text, drops at most 3 bytes and only an incomplete character;
 * copy_text writes a NUL-terminated prefix inside its buffer.
 */
#include "util/util.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_cut(const char *s, size_t len, size_t max, int valid)
{
    size_t k = hmn__utf8_cut(s, len, max);
    check(k <= len && k <= max);
    if (len <= max)
        check(k == len);
    if (valid) {
        check(hmn__utf8_valid(s, k));
        check(k == len || ((unsigned char)s[k] & 0xC0) != 0x80);
        check(len <= max || max - k <= 3);
    }
}

static void check_drop(const char *s, size_t len, int valid)
{
    size_t d = hmn__utf8_drop_partial(s, len);
    check(d <= len && len - d <= 3);
    if (valid)
        check(d == len);
    if (d < len)
        check(((unsigned char)s[d] & 0xC0) == 0xC0 && hmn__utf8_seq((const unsigned char *)s + d,
                                                                      len - d) == 0);
}

static void check_copy(const char *s, size_t len, size_t cap)
{
    char *dst = malloc(cap ? cap : 1);
    size_t n;
    if (!dst)
        return;
    n = hmn__copy_text(dst, cap, s, len);
    if (cap) {
        check(n < cap && dst[n] == '\0' && memcmp(dst, s, n) == 0);
        check(n == hmn__utf8_cut(s, len, cap - 1));
    } else {
        check(n == 0);
    }
    free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    size_t max, len;
    int valid;
    if (size == 0)
        return 0;
    max = data[0];
    len = size - 1;
    s = fuzz_copy(data + 1, len);
    if (!s)
        return 0;
    valid = hmn__utf8_valid(s, len);
    check_cut(s, len, max, valid);
    check_drop(s, len, valid);
    check_copy(s, len, max);
    /* The kernel's comm: the first 15 bytes of a name, then its partial tail dropped. */
    if (valid && len >= 15)
        check(hmn__utf8_valid(s, hmn__utf8_drop_partial(s, 15)));
    free(s);
    return 0;
}
