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
    pv->v = NULL;
    pv->n = pv->cap = 0;
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

void hmn__proc_vec_sort_pid(struct hmn__proc_vec *pv)
{
    if (pv->n > 1)
        qsort(pv->v, pv->n, sizeof(*pv->v), cmp_pid);
}
