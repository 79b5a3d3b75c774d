/* fuzz/fuzz.h - helpers shared by the fuzz harnesses (header-only). */
#ifndef HMN_FUZZ_H
#define HMN_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken contract is a finding, like a crash. */
static inline void check(int ok)
{
    if (!ok)
        abort();
}

/* Exact-size heap copy (no NUL after the data) so ASan catches over-reads.
 * NULL when out of memory; free() it. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (buf && size)
        memcpy(buf, data, size);
    return buf;
}

#endif
