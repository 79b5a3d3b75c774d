/*
 * fuzz/fuzz_duration.c - hmn_parse_duration_ms (`--interval`, `--duration`).
 * Beyond "no crash": zero is never accepted, the error text always ends
 * inside its buffer, and plain "<n>ms" gives n.
 */
#include "hypomnesis.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    check(hmn_parse_duration_ms(text, &ms, tiny, sizeof(tiny)) == rc);
    check(memchr(tiny, '\0', sizeof(tiny)) != NULL);
    check(hmn_parse_duration_ms(text, &ms, NULL, 0) == rc);
    free(text);
    return 0;
}
