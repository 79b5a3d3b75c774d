/*
 * core/plausible.c - figures that cannot be true become unknown, the same
 * way for every backend: NVML answers "not available" with all ones, a
 * damaged nvidia-smi prints 18446744073709551615, a DRM fdinfo can sum to
 * 2^64 - 1 by saturation, and any of them can report a process holding
 * more than the whole card.  Such a figure is not a number (unknown is
 * never zero, and never a lie either); the row or device stays listed.
 * Pure: the dispatcher calls it on every answer (core/dispatch.c).
 */
#include "core/plausible.h"

#include <stddef.h>

#define ALL_ONES UINT64_MAX

/* Clear `bit` of *valid when v is all ones or (with a total) above it. */
static void check(uint64_t *valid, uint64_t bit, uint64_t v, int has_total, uint64_t total)
{
    if ((*valid & bit) && (v == ALL_ONES || (has_total && v > total)))
        *valid &= ~bit;
}

int hmn__plausible_total(uint64_t total)
{
    return total != 0 && total != ALL_ONES;
}

void hmn__plausible_device(hmn_gpu_device_info *d)
{
    int has_total = (d->valid & HMN_DEV_HAS_TOTAL) != 0;
    if (has_total && !hmn__plausible_total(d->total_bytes)) {
        /* A UMA part's 0, or "not available": what is reported beside it is
         * measured against nothing. */
        d->valid &= ~(uint64_t)(HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_FREE | HMN_DEV_HAS_USED |
                                HMN_DEV_HAS_RESERVED);
        has_total = 0;
    }
    check(&d->valid, HMN_DEV_HAS_FREE, d->free_bytes, has_total, d->total_bytes);
    check(&d->valid, HMN_DEV_HAS_USED, d->used_bytes, has_total, d->total_bytes);
    check(&d->valid, HMN_DEV_HAS_RESERVED, d->reserved_bytes, has_total, d->total_bytes);
    if ((d->valid & HMN_DEV_HAS_GTT) &&
        (d->gtt_total_bytes == ALL_ONES || d->gtt_used_bytes == ALL_ONES ||
         d->gtt_used_bytes > d->gtt_total_bytes))
        d->valid &= ~(uint64_t)HMN_DEV_HAS_GTT;
    if ((d->valid & HMN_DEV_HAS_VIS_VRAM) &&
        (d->vis_vram_total_bytes == ALL_ONES || d->vis_vram_used_bytes == ALL_ONES ||
         d->vis_vram_used_bytes > d->vis_vram_total_bytes))
        d->valid &= ~(uint64_t)HMN_DEV_HAS_VIS_VRAM;
}

void hmn__plausible_rows(struct hmn__proc_vec *pv, int has_total, uint64_t total)
{
    size_t i;
    for (i = 0; i < pv->n; i++) {
        hmn_gpu_process *p = &pv->v[i];
        check(&p->valid, HMN_PROC_HAS_USED, p->used_bytes, has_total, total);
        if (!(p->valid & HMN_PROC_HAS_USED) || p->unique_used_bytes > p->used_bytes)
            p->valid &= ~(uint64_t)HMN_PROC_HAS_UNIQUE_USED; /* a part of an unknown */
        /* Shared, GTT and CPU memory are system memory: no device total bounds them. */
        check(&p->valid, HMN_PROC_HAS_SHARED, p->shared_used_bytes, 0, 0);
        check(&p->valid, HMN_PROC_HAS_GTT, p->gtt_bytes, 0, 0);
        check(&p->valid, HMN_PROC_HAS_CPU, p->cpu_bytes, 0, 0);
        check(&p->valid, HMN_PROC_HAS_STOLEN, p->stolen_bytes, 0, 0);
    }
}
