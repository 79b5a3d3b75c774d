/*
 * core/dispatch.h - the dispatcher's entry points for a context already
 * entered (hmn__ctx_enter): used by the public wrappers in core/ that
 * combine several questions (snapshots, lists, spill).  Backends never call
 * these: a backend answers only for its own devices.
 */
#ifndef HMN_CORE_DISPATCH_H
#define HMN_CORE_DISPATCH_H

#include "core/ctx.h"
#include "core/proc_vec.h"

int hmn__device_count_locked(hmn_ctx *ctx, uint32_t *count);
/* The device table entry of index (the table is built on first use). */
int hmn__device_lookup_locked(hmn_ctx *ctx, uint32_t index, const struct hmn__dev **dev);
int hmn__device_info_locked(hmn_ctx *ctx, uint32_t index, hmn_gpu_device_info *out);
int hmn__process_gpu_info_locked(hmn_ctx *ctx, uint32_t index, hmn_process_gpu *out);
int hmn__gpu_processes_locked(hmn_ctx *ctx, uint32_t index, struct hmn__proc_vec *pv);
/*
 * NVML accounting of dev `index`: the sum of maxMemoryUsage over the PIDs
 * (as the driver names them) that have a record.  HMN_EUNSUPPORTED when the
 * device's backend keeps no accounting or accounting mode is off (it is
 * never switched on).
 */
int hmn__accounting_locked(hmn_ctx *ctx, uint32_t index, const uint32_t *pids, size_t n,
                           uint64_t *sum);
int hmn__rss_locked(hmn_ctx *ctx, hmn_rss *out, int want_peak);

#endif /* HMN_CORE_DISPATCH_H */
