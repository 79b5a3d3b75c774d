/*
 * backends/nvml.h - what the two files of the NVML backend share:
 * gpu_nvml.c (loading, devices, device info, MIG, the ops object) and
 * nvml_procs.c (process lists).  Private to them; the helpers are inline so
 * that nvml_procs.c calls nothing back in gpu_nvml.c.
 */
#ifndef HMN_BACKENDS_NVML_H
#define HMN_BACKENDS_NVML_H

#include "backend.h"
#include "abi/nvml_abi.h"

enum proc_kind { K_COMPUTE, K_GRAPHICS, K_MPS, K_COUNT };

/* Resolved entry points: one context's copy, never global. */
struct nvml_fns {
    hmn_nvml_void_fn init, shutdown;
    hmn_nvml_errstr_fn error_string;
    hmn_nvml_sysstr_fn driver_version, nvml_version;
    hmn_nvml_int_fn cuda_version;
    hmn_nvml_count_fn count;
    hmn_nvml_handle_fn handle;
    hmn_nvml_devstr_fn name, uuid;
    hmn_nvml_pci_fn pci;
    hmn_nvml_mem_fn mem_v1;
    hmn_nvml_mem2_fn mem_v2;
    hmn_nvml_migmode_fn mig_mode;
    hmn_nvml_devuint_fn max_mig, gi_id, ci_id;
    hmn_nvml_mighandle_fn mig_handle;
    hmn_nvml_detail_fn detail_list;
    hmn_nvml_procs_fn procs_v3[K_COUNT], procs_v2[K_COUNT], procs_v1[K_COUNT];
    hmn_nvml_any_fn conf_compute_mem;
    hmn_nvml_acctmode_fn accounting_mode;
    hmn_nvml_acctstats_fn accounting_stats;
};

/* Which process API this library gets (newest available). */
enum proc_api { API_DETAIL, API_V3, API_V2, API_V1, API_NONE };
/* Its name, for messages. */
static inline const char *hmn__nvml_api_name(enum proc_api api)
{
    switch (api) {
    case API_DETAIL:
        return "nvmlDeviceGetRunningProcessDetailList";
    case API_V3:
        return "_v3 process calls";
    case API_V2:
        return "_v2 process calls";
    case API_V1:
        return "unsuffixed process calls";
    default:
        return "none";
    }
}

struct nvml_state {
    hmn__dl *dl;
    int initialised;
    struct nvml_fns fn;
    enum proc_api api;
    size_t v3_stride; /* guessed row size of the _v3 calls (24 or 32) */
    char lib[512];    /* the file that was loaded */
};

/* NVML's text for a return code ("Insufficient Permissions"), never NULL. */
static inline const char *hmn__nvml_err(const struct nvml_state *st, hmn_nvmlReturn_t r)
{
    const char *s = st->fn.error_string ? st->fn.error_string(r) : NULL;
    return s && s[0] ? s : "error";
}

/* NVML's failure as an hmn error with a message naming the call. */
static inline int hmn__nvml_fail(hmn_ctx *ctx, const struct nvml_state *st, const char *call,
                                 hmn_nvmlReturn_t r)
{
    int code = r == HMN_NVML_ERROR_NO_PERMISSION ? HMN_EACCES : HMN_EBACKEND;
    return hmn__fail(ctx, code, "%s failed: %s (%d)", call, hmn__nvml_err(st, r), r);
}

/* Handle of NVML device `index`. */
static inline int hmn__nvml_handle(hmn_ctx *ctx, const struct nvml_state *st, uint32_t index,
                                   hmn_nvmlDevice_t *h)
{
    hmn_nvmlReturn_t r = st->fn.handle(index, h);
    if (r != HMN_NVML_SUCCESS)
        return hmn__nvml_fail(ctx, st, "nvmlDeviceGetHandleByIndex", r);
    return HMN_OK;
}

/* The backend's processes() and self_gpu() (nvml_procs.c). */
int hmn__nvml_processes(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                        struct hmn__proc_vec *out);
int hmn__nvml_self_gpu(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                       hmn_process_gpu *out);
/* The backend's accounting() (nvml_procs.c). */
int hmn__nvml_accounting(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                         const uint32_t *pids, size_t n, uint64_t *sum);

#endif /* HMN_BACKENDS_NVML_H */
