/*
 * core/abi.h - how the library hands a struct to a caller built against any
 * header version (docs/api.md "ABI policy").
 */
#ifndef HMN_CORE_ABI_H
#define HMN_CORE_ABI_H

#include <stddef.h>

/*
 * The first published layout of every public struct, as its size: the
 * smallest `size` a caller may pass (a smaller one is HMN_EVERSION).  These
 * never change.  A struct that grows keeps its _V1 value (callers built
 * against the old header still pass it) and tests/abi/test_abi_layout.c
 * gets the new size and field offsets.
 */
#define HMN__RSS_SIZE_V1 32u
#define HMN__GPU_DEVICE_INFO_SIZE_V1 528u
#define HMN__MIG_INFO_SIZE_V1 240u
#define HMN__PROCESS_GPU_SIZE_V1 32u
#define HMN__GPU_PROCESS_SIZE_V1 352u
#define HMN__SNAPSHOT_SIZE_V1 592u
#define HMN__SOURCE_REPORT_SIZE_V1 272u
#define HMN__SPILL_EPISODE_SIZE_V1 160u
#define HMN__SPILL_REPORT_SIZE_V1 64u
#define HMN__MEMORY_ACCOUNT_SIZE_V1 56u
#define HMN__PROCESS_OWNER_SIZE_V1 736u
#define HMN__SAMPLER_CONFIG_SIZE_V1 24u
#define HMN__SAMPLE_INFO_SIZE_V1 64u
#define HMN__SAMPLER_SUMMARY_SIZE_V1 72u
#define HMN__SAMPLE_DEVICE_SIZE_V1 288u
#define HMN__TREE_PROCESS_SIZE_V1 328u

/*
 * Write min(caller's size, full_size) bytes of a full internal struct to dst,
 * keeping the caller's own size word.  HMN_EVERSION when the caller's size is
 * below min_size (the struct's _V1 size), HMN_EINVAL for a NULL dst.
 */
int hmn__copy_out(void *dst, const void *src, size_t full_size, size_t min_size);

#endif /* HMN_CORE_ABI_H */
