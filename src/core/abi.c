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

/* A struct may only grow past its first layout. */
_Static_assert(sizeof(hmn_rss) >= HMN__RSS_SIZE_V1, "hmn_rss shrank");
_Static_assert(sizeof(hmn_gpu_device_info) >= HMN__GPU_DEVICE_INFO_SIZE_V1,
               "hmn_gpu_device_info shrank");
_Static_assert(sizeof(hmn_mig_info) >= HMN__MIG_INFO_SIZE_V1, "hmn_mig_info shrank");
_Static_assert(sizeof(hmn_process_gpu) >= HMN__PROCESS_GPU_SIZE_V1, "hmn_process_gpu shrank");
_Static_assert(sizeof(hmn_gpu_process) >= HMN__GPU_PROCESS_SIZE_V1, "hmn_gpu_process shrank");
_Static_assert(sizeof(hmn_snapshot) >= HMN__SNAPSHOT_SIZE_V1, "hmn_snapshot shrank");
_Static_assert(sizeof(hmn_source_report) >= HMN__SOURCE_REPORT_SIZE_V1,
               "hmn_source_report shrank");
_Static_assert(sizeof(hmn_spill_episode) >= HMN__SPILL_EPISODE_SIZE_V1,
               "hmn_spill_episode shrank");
_Static_assert(sizeof(hmn_spill_report) >= HMN__SPILL_REPORT_SIZE_V1, "hmn_spill_report shrank");
_Static_assert(sizeof(hmn_memory_account) >= HMN__MEMORY_ACCOUNT_SIZE_V1,
               "hmn_memory_account shrank");
_Static_assert(sizeof(hmn_process_owner) >= HMN__PROCESS_OWNER_SIZE_V1,
               "hmn_process_owner shrank");
