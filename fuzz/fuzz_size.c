/*
 * fuzz/fuzz_size.c - hmn_parse_size (the SIZE argument of `hmn fits`).
 * Beyond "no crash": the error text is always NUL-terminated inside its
 * buffer, a failure is HMN_EPARSE with a reason, and a success whose text is
 * plain digits gives exactly that integer.
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
    /* A tiny error buffer and no error buffer are both safe. */
    check(hmn_parse_size(text, &bytes, tiny, sizeof(tiny)) == rc);
    check(memchr(tiny, '\0', sizeof(tiny)) != NULL);
    check(hmn_parse_size(text, &bytes, NULL, 0) == rc);
    free(text);
    return 0;
}
