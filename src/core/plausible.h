/*
 * core/plausible.h - the one rule for figures no device can have
 * (core/plausible.c), applied by the dispatcher to every backend's answer.
 */
#ifndef HMN_CORE_PLAUSIBLE_H
#define HMN_CORE_PLAUSIBLE_H

#include "core/proc_vec.h"

/*
 * A device's figures: a total of 0 or all ones makes the total and every
 * figure measured against it unknown; all ones, or more than the total,
 * makes a free / used / reserved figure unknown; GTT and CPU-visible VRAM
 * likewise against their own totals.  Only valid bits change.
 */
void hmn__plausible_device(hmn_gpu_device_info *d);
/* 1 for a total that can be true: neither 0 nor all ones. */
int hmn__plausible_total(uint64_t total);
/*
 * Process rows: all ones, or more than the device total (when has_total),
 * makes a row's figure unknown; the row itself is kept.
 */
void hmn__plausible_rows(struct hmn__proc_vec *pv, int has_total, uint64_t total);

#endif /* HMN_CORE_PLAUSIBLE_H */
