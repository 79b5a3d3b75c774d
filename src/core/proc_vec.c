/* core/proc_vec.c - the growable vector of process rows (see proc_vec.h). */
#include "core/proc_vec.h"
#include "common/grow.h"

#include <stdlib.h>
#include <string.h>

void hmn__proc_vec_init(struct hmn__proc_vec *pv)
{
    memset(pv, 0, sizeof(*pv));
}

void hmn__proc_vec_free(struct hmn__proc_vec *pv)
{
    free(pv->v);
    free(pv->unreadable_pid);
    pv->v = NULL;
    pv->n = pv->cap = 0;
    pv->unreadable_pid = NULL;
    pv->unreadable = 0;
    pv->unreadable_cap = 0;
    pv->skipped_rows = 0;
}

int hmn__proc_vec_add_unreadable(struct hmn__proc_vec *pv, uint32_t pid)
{
    if (pv->unreadable == pv->unreadable_cap) {
        uint32_t *v = hmn__grow(pv->unreadable_pid, &pv->unreadable_cap, (size_t)pv->unreadable + 1,
                                sizeof(*v), 16);
        if (!v)
            return HMN_ENOMEM;
        pv->unreadable_pid = v;
    }
    pv->unreadable_pid[pv->unreadable++] = pid;
    return HMN_OK;
}

hmn_gpu_process *hmn__proc_vec_push(struct hmn__proc_vec *pv)
{
    hmn_gpu_process *row;
    if (pv->n == pv->cap) {
        hmn_gpu_process *v = hmn__grow(pv->v, &pv->cap, pv->n + 1, sizeof(*v), 16);
        if (!v)
            return NULL;
        pv->v = v;
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

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void hmn__proc_vec_sort_pid(struct hmn__proc_vec *pv)
{
    uint32_t i, k = 0;
    if (pv->n > 1)
        qsort(pv->v, pv->n, sizeof(*pv->v), cmp_pid);
    if (pv->unreadable < 2)
        return;
    qsort(pv->unreadable_pid, pv->unreadable, sizeof(*pv->unreadable_pid), cmp_u32);
    for (i = 0; i < pv->unreadable; i++)
        if (k == 0 || pv->unreadable_pid[k - 1] != pv->unreadable_pid[i])
            pv->unreadable_pid[k++] = pv->unreadable_pid[i];
    pv->unreadable = k;
}
