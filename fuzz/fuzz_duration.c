/*
 * fuzz/fuzz_duration.c - hmn_parse_duration_ms (`--interval`, `--duration`).
 * Beyond "no crash": zero is never accepted, the error text always ends
 * inside its buffer, plain "<n>ms" gives n, and "<digits><unit>" gives
 * exactly digits * unit or, when that passes 2^64 - 1, the "too large"
 * refusal (never a saturated figure).
 */
#include "hypomnesis.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The unit's milliseconds for the whole rest of the text, 0 when not a unit. */
static uint64_t unit_ms(const char *u)
{
    if (!*u || !strcmp(u, "s"))
        return 1000;
    if (!strcmp(u, "ms"))
        return 1;
    if (!strcmp(u, "m"))
        return 60000;
    return strcmp(u, "h") ? 0 : 3600000;
}

/* Exact product of the digits and the unit; 0 = overflow. */
static int exact(const char *s, size_t n, uint64_t mult, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v && mult > UINT64_MAX / v)
        return 0;
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
    ok = hmn_parse_duration_ms(text, &v, big, n) == HMN_EPARSE && strstr(big, "too large") != NULL;
    free(big);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), err[96], tiny[3] = "";
    uint64_t ms = 0;
    int rc;
    size_t i;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rc = hmn_parse_duration_ms(text, &ms, err, sizeof(err));
    check(rc == HMN_OK || rc == HMN_EPARSE);
    if (rc == HMN_OK)
        check(ms > 0);
    else
        check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
    /* "<digits>ms" with no leading zero trouble: exactly the number. */
    for (i = 0; i < size && text[i] >= '0' && text[i] <= '9'; i++)
        ;
    if (i > 0 && i <= 15 && i + 2 == size && text[i] == 'm' && text[i + 1] == 's') {
        uint64_t want = strtoull(text, NULL, 10);
        check(want == 0 ? rc == HMN_EPARSE : (rc == HMN_OK && ms == want));
    }
    /* "<digits><unit>" with nothing around it: the exact figure or "too large". */
    if (i > 0 && memchr(text, '\0', size) == NULL && unit_ms(text + i)) {
        uint64_t want;
        if (!exact(text, i, unit_ms(text + i), &want))
            check(rc == HMN_EPARSE && says_too_large(text));
        else if (want == 0)
            check(rc == HMN_EPARSE);
        else
            check(rc == HMN_OK && ms == want);
    }
    check(hmn_parse_duration_ms(text, &ms, tiny, sizeof(tiny)) == rc);
    check(memchr(tiny, '\0', sizeof(tiny)) != NULL);
    check(hmn_parse_duration_ms(text, &ms, NULL, 0) == rc);
    free(text);
    return 0;
}
