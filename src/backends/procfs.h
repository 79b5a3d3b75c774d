/*
 * backends/procfs.h - what several backends need from /proc
 * (backends/procfs.c): process names and host-PID mapping.
 */
#ifndef HMN_BACKENDS_PROCFS_H
#define HMN_BACKENDS_PROCFS_H

#include "core/ctx.h"
#include "core/proc_vec.h"

/* Process name by upstream 0.2.12's rule (comm, extended past 15 bytes). */
int hmn__proc_name(const hmn_ctx *ctx, uint32_t pid, char *buf, size_t cap);
/* Map a host PID to our namespace via NSpid; 0 = mapped (out), <0 = not mapped. */
int hmn__proc_map_host_pid(hmn_ctx *ctx, uint32_t host_pid, uint32_t *out);
/* Fill name / pid mapping of rows reported with host PIDs (NVML, nvidia-smi). */
void hmn__proc_resolve_rows(hmn_ctx *ctx, struct hmn__proc_vec *pv, int fill_names);

#endif /* HMN_BACKENDS_PROCFS_H */
