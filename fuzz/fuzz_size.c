/*
 * fuzz/fuzz_size.c - hmn_parse_size (the SIZE argument of `hmn fits`).
 * Beyond "no crash": the error text is always NUL-terminated inside its
 * buffer, a failure is HMN_EPARSE with a reason, a success whose text is
 * plain digits gives exactly that integer, and "<digits>[ ]<unit>" gives
 * exactly digits * unit or, past 2^64 - 1, the "too large" refusal (never a
 * saturated figure).
 */
#include "hypomnesis.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int all_digits(const char *s)
{
    size_t i, n = strlen(s);
    if (n == 0 || n > 19)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* "<digits>[spaces]<unit>": the exact byte count; -1 overflow, 0 not that form. */
static int exact(const char *s, uint64_t *out)
{
    uint64_t v = 0, mult;
    size_t i = 0;
    int over = 0;
    if (!(s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            over = 1;
        else
            v = v * 10 + d;
    }
    while (s[i] == ' ')
        i++;
    if (!s[i])
        mult = 1;
    else if (!strcmp(s + i, "KiB"))
        mult = 1024;
    else if (!strcmp(s + i, "MiB"))
        mult = 1048576;
    else if (!strcmp(s + i, "GiB"))
        mult = 1073741824;
    else
        return 0;
    if (over || (v && mult > UINT64_MAX / v))
        return -1;
    *out = v * mult;
    return 1;
}

/* The refusal names the cause (in a buffer big enough for the quoted text). */
static int says_too_large(const char *text)
{
    size_t n = strlen(text) + 128;
    char *big = malloc(n);
    uint64_t v;
    int ok;
    if (!big)
        return 1;
    ok = hmn_parse_size(text, &v, big, n) == HMN_EPARSE && strstr(big, "too large") != NULL;
    free(big);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), err[96], tiny[4] = "";
    uint64_t bytes = 0;
    int rc;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(err, 'x', sizeof(err));
    rc = hmn_parse_size(text, &bytes, err, sizeof(err));
    check(rc == HMN_OK || rc == HMN_EPARSE);
    if (rc == HMN_EPARSE)
        check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
    /* Plain digits that fit below 2^53 round-trip exactly through the double. */
    if (all_digits(text) && strlen(text) <= 15)
        check(rc == HMN_OK && bytes == strtoull(text, NULL, 10));
    if (memchr(data, '\0', size) == NULL) {
        uint64_t want = 0;
        int form = exact(text, &want);
        if (form < 0)
            check(rc == HMN_EPARSE && says_too_large(text));
        else if (form > 0)
            check(rc == HMN_OK && bytes == want);
    }
    /* A tiny error buffer and no error buffer are both safe. */
    check(hmn_parse_size(text, &bytes, tiny, sizeof(tiny)) == rc);
    check(memchr(tiny, '\0', sizeof(tiny)) != NULL);
    check(hmn_parse_size(text, &bytes, NULL, 0) == rc);
    free(text);
    return 0;
}
