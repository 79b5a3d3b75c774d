/*
 * core/abi.h - how the library hands a struct to a caller built against any
 * header version (docs/api.md "ABI policy").
 */
#ifndef HMN_CORE_ABI_H
#define HMN_CORE_ABI_H

#include <stddef.h>

/*
 * Write min(caller's size, full_size) bytes of a full internal struct to dst,
 * keeping the caller's own size word.  HMN_EVERSION when the caller's size is
 * below min_size, HMN_EINVAL for a NULL dst.
 */
int hmn__copy_out(void *dst, const void *src, size_t full_size, size_t min_size);

#endif /* HMN_CORE_ABI_H */
