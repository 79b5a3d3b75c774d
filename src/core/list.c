/* core/list.c - the public process-list handle over a dispatcher listing. */
#include "core/abi.h"
#include "core/dispatch.h"

#include <stdlib.h>

struct hmn_process_list {
    struct hmn__proc_vec rows;
};

int hmn_gpu_processes(hmn_ctx *ctx, uint32_t index, hmn_process_list **out)
{
    hmn_process_list *list;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    *out = NULL;
    list = calloc(1, sizeof(*list));
    if (!list)
        return HMN_ENOMEM;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0) {
        free(list);
        return rc;
    }
    rc = hmn__gpu_processes_locked(c, index, &list->rows);
    rc = hmn__ctx_leave(c, rc);
    if (rc < 0) {
        hmn_process_list_free(list);
        return rc;
    }
    *out = list;
    return HMN_OK;
}

size_t hmn_process_list_count(const hmn_process_list *list)
{
    return list ? list->rows.n : 0;
}

int hmn_process_list_get(const hmn_process_list *list, size_t i, hmn_gpu_process *out)
{
    if (!list || !out)
        return HMN_EINVAL;
    if (i >= list->rows.n)
        return HMN_ENOENT;
    return hmn__copy_out(out, &list->rows.v[i], sizeof(hmn_gpu_process),
                         HMN__GPU_PROCESS_SIZE_V1);
}

uint32_t hmn_process_list_unreadable(const hmn_process_list *list)
{
    return list ? list->rows.unreadable : 0;
}

int hmn_process_list_unreadable_pid(const hmn_process_list *list, size_t i, uint32_t *pid)
{
    if (!list || !pid)
        return HMN_EINVAL;
    if (i >= list->rows.unreadable)
        return HMN_ENOENT;
    *pid = list->rows.unreadable_pid[i];
    return HMN_OK;
}

uint32_t hmn_process_list_skipped_rows(const hmn_process_list *list)
{
    return list ? list->rows.skipped_rows : 0;
}

int hmn_process_list_source(const hmn_process_list *list)
{
    return list ? list->rows.source : HMN_SOURCE_NONE;
}

void hmn_process_list_free(hmn_process_list *list)
{
    if (!list)
        return;
    hmn__proc_vec_free(&list->rows);
    free(list);
}
