/* core/list.c - process rows: the growable vector and the public list handle. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void hmn__proc_vec_init(struct hmn__proc_vec *pv)
{
    memset(pv, 0, sizeof(*pv));
}

void hmn__proc_vec_free(struct hmn__proc_vec *pv)
{
    free(pv->v);
    pv->v = NULL;
    pv->n = pv->cap = 0;
}

hmn_gpu_process *hmn__proc_vec_push(struct hmn__proc_vec *pv)
{
    hmn_gpu_process *row;
    if (pv->n == pv->cap) {
        size_t cap = pv->cap ? pv->cap * 2 : 16;
        hmn_gpu_process *v = realloc(pv->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        pv->v = v;
        pv->cap = cap;
    }
    row = &pv->v[pv->n++];
    memset(row, 0, sizeof(*row));
    row->size = sizeof(*row);
    row->gpu_instance_id = UINT32_MAX;
    row->compute_instance_id = UINT32_MAX;
    return row;
}

hmn_gpu_process *hmn__proc_vec_find(struct hmn__proc_vec *pv, uint32_t pid)
{
    size_t i;
    for (i = 0; i < pv->n; i++)
        if (pv->v[i].pid == pid)
            return &pv->v[i];
    return NULL;
}

static int cmp_pid(const void *a, const void *b)
{
    const hmn_gpu_process *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

void hmn__proc_vec_sort_pid(struct hmn__proc_vec *pv)
{
    if (pv->n > 1)
        qsort(pv->v, pv->n, sizeof(*pv->v), cmp_pid);
}

/* ---------------------------------------------------------------- public */

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
                         sizeof(hmn_gpu_process));
}

uint32_t hmn_process_list_unreadable(const hmn_process_list *list)
{
    return list ? list->rows.unreadable : 0;
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
