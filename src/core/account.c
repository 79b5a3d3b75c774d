/*
 * core/account.c - used memory = the rows' memory + an unattributed
 * remainder.  The arithmetic behind `hmn explain`, the hint line of `hmn`
 * and `hmn ps`, and the exporter's unattributed gauge: one implementation,
 * so they can never disagree.  Pure: the rows come from a list already read.
 */
#include "core/abi.h"
#include "util/util.h"

#include <stddef.h>
#include <string.h>

int hmn_process_attributed_bytes(const hmn_gpu_process *p, uint64_t *bytes)
{
    size_t unique_end = offsetof(hmn_gpu_process, unique_used_bytes) + sizeof(uint64_t);
    if (!p || !bytes)
        return HMN_EINVAL;
    if (!(p->valid & HMN_PROC_HAS_USED))
        return HMN_ENOENT;
    /* A DRM client held by several processes is the same memory: count it once. */
    if ((p->valid & HMN_PROC_HAS_CLIENTS) && p->size >= unique_end) {
        if (!(p->valid & HMN_PROC_HAS_UNIQUE_USED))
            return HMN_ENOENT; /* its share is unknown, not 0 */
        *bytes = p->unique_used_bytes;
    } else {
        *bytes = p->used_bytes;
    }
    return HMN_OK;
}

int hmn_memory_account_rows(const hmn_process_list *list, uint32_t gpu_instance_id,
                            int used_known, uint64_t used_bytes, hmn_memory_account *out)
{
    hmn_memory_account full;
    size_t i, n = hmn_process_list_count(list);
    if (!out)
        return HMN_EINVAL;
    memset(&full, 0, sizeof(full));
    full.size = sizeof(full);
    for (i = 0; i < n; i++) {
        hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
        uint64_t b;
        if (hmn_process_list_get(list, i, &p) != HMN_OK)
            continue;
        if (gpu_instance_id != HMN_ANY_GPU_INSTANCE && p.gpu_instance_id != gpu_instance_id)
            continue;
        full.rows++;
        if (hmn_process_attributed_bytes(&p, &b) == HMN_OK)
            full.attributed_bytes = hmn__sat_add(full.attributed_bytes, b);
        else
            full.unreported_rows++;
    }
    if (used_known) {
        full.valid |= HMN_ACCT_HAS_USED;
        full.used_bytes = used_bytes;
        if (full.attributed_bytes <= used_bytes) {
            full.valid |= HMN_ACCT_HAS_UNATTRIBUTED;
            full.unattributed_bytes = used_bytes - full.attributed_bytes;
        } else {
            /* Never a negative remainder: say by how much the rows exceed used. */
            full.valid |= HMN_ACCT_ROWS_EXCEED_USED;
            full.excess_bytes = full.attributed_bytes - used_bytes;
        }
    }
    return hmn__copy_out(out, &full, sizeof(full), HMN__MEMORY_ACCOUNT_SIZE_V1);
}
