/* core/abi.c - copy-out to caller structs of any header version (see abi.h). */
#include "core/abi.h"
#include "hypomnesis.h"

#include <stdint.h>
#include <string.h>

int hmn__copy_out(void *dst, const void *src, size_t full_size, size_t min_size)
{
    uint32_t want;
    if (!dst)
        return HMN_EINVAL;
    memcpy(&want, dst, sizeof(want));
    if (want < min_size)
        return HMN_EVERSION;
    memcpy(dst, src, want < full_size ? want : full_size);
    /* Keep the caller's own size word: it says how much they can read. */
    memcpy(dst, &want, sizeof(want));
    return HMN_OK;
}
