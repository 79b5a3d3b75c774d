/* parse/nvml_rows.c - NVML process rows (rules in nvml_rows.h). */
#include "nvml_rows.h"
#include "nvml_abi.h"
#include "util.h"

#include <string.h>

/* The decoder's strides are the ABI header's layouts. */
_Static_assert(sizeof(hmn_nvmlProcessInfo_v1_t) == HMN__NVML_STRIDE_V1, "v1 row size");
_Static_assert(sizeof(hmn_nvmlProcessInfo_v2_t) == HMN__NVML_STRIDE_V2, "v2 row size");
_Static_assert(sizeof(hmn_nvmlProcessDetail_v1_t) == HMN__NVML_STRIDE_DETAIL, "detail row size");

#define MAX_PID 0x3fffffffu /* above any kernel's pid_max */
#define MAX_MIG_ID 64u      /* more GPU / compute instances than any GPU has */

size_t hmn__nvml_decode_rows(const unsigned char *buf, size_t len, size_t n, size_t stride,
                             struct hmn__nvml_row *out)
{
    size_t i;
    if (stride != HMN__NVML_STRIDE_V1 && stride != HMN__NVML_STRIDE_V2 &&
        stride != HMN__NVML_STRIDE_DETAIL)
        return 0;
    if (n > len / stride)
        n = len / stride;
    for (i = 0; i < n; i++) {
        const unsigned char *p = buf + i * stride;
        hmn_nvmlProcessInfo_v2_t r2;
        /* memcpy: the buffer has no alignment promise, and the fields are common. */
        memset(&r2, 0, sizeof(r2));
        memcpy(&r2, p, stride >= sizeof(r2) ? sizeof(r2) : sizeof(hmn_nvmlProcessInfo_v1_t));
        out[i].pid = r2.pid;
        out[i].used = r2.usedGpuMemory;
        out[i].gi = stride >= sizeof(r2) ? r2.gpuInstanceId : UINT32_MAX;
        out[i].ci = stride >= sizeof(r2) ? r2.computeInstanceId : UINT32_MAX;
    }
    return n;
}

int hmn__nvml_row_plausible(const struct hmn__nvml_row *r, uint64_t total)
{
    if (r->pid == 0 || r->pid > MAX_PID)
        return 0;
    if (r->used != HMN_NVML_VALUE_NOT_AVAILABLE_ULL && total && r->used > total)
        return 0;
    if ((r->gi != UINT32_MAX && r->gi > MAX_MIG_ID) || (r->ci != UINT32_MAX && r->ci > MAX_MIG_ID))
        return 0;
    return 1;
}

int hmn__nvml_rows_plausible(const struct hmn__nvml_row *rows, size_t n, uint64_t total)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!hmn__nvml_row_plausible(&rows[i], total))
            return 0;
    return 1;
}

int hmn__nvml_row_used(const struct hmn__nvml_row *r, uint64_t total, uint64_t *used)
{
    if (r->used == HMN_NVML_VALUE_NOT_AVAILABLE_ULL || (total && r->used > total))
        return 0;
    *used = r->used;
    return 1;
}

size_t hmn__nvml_decode_v3(const unsigned char *buf, size_t len, size_t n, size_t guess,
                           uint64_t total, struct hmn__nvml_row *out, size_t *decoded)
{
    size_t other = guess == HMN__NVML_STRIDE_V2 ? HMN__NVML_STRIDE_DETAIL : HMN__NVML_STRIDE_V2;
    size_t got = hmn__nvml_decode_rows(buf, len, n, guess, out);
    *decoded = got;
    if (hmn__nvml_rows_plausible(out, got, total))
        return guess;
    got = hmn__nvml_decode_rows(buf, len, n, other, out);
    if (hmn__nvml_rows_plausible(out, got, total)) {
        *decoded = got;
        return other;
    }
    *decoded = hmn__nvml_decode_rows(buf, len, n, guess, out);
    return guess;
}
