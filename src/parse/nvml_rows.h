/*
 * parse/nvml_rows.h - the rows NVML's process calls write, decoded without
 * trusting them (parse/nvml_rows.c).  No I/O: the backend hands over the
 * raw buffer a call filled; every function reads at most len bytes.
 *
 * Every row layout starts with the same fields at the same offsets (pid,
 * usedGpuMemory, then gpuInstanceId / computeInstanceId from _v2 on), so
 * one decoder serves every stride: 16 bytes (unsuffixed calls), 24 (_v2,
 * _v3) and 32 (the detail list, and R535.43-R535.98's _v3, which wrote
 * 32-byte rows without a version bump).
 */
#ifndef HMN_PARSE_NVML_ROWS_H
#define HMN_PARSE_NVML_ROWS_H

#include <stddef.h>
#include <stdint.h>

#define HMN__NVML_STRIDE_V1 16u     /* nvmlProcessInfo_v1_t */
#define HMN__NVML_STRIDE_V2 24u     /* nvmlProcessInfo_v2_t (_v2, usual _v3) */
#define HMN__NVML_STRIDE_DETAIL 32u /* nvmlProcessDetail_v1_t (detail list, R535.43 _v3) */

/* One decoded row; gi / ci are UINT32_MAX where the layout has none. */
struct hmn__nvml_row {
    uint32_t pid, gi, ci;
    uint64_t used; /* usedGpuMemory as written (all ones: "not available") */
};

/*
 * Decode up to n rows of `stride` bytes (one of the three above) from buf.
 * Returns how many were decoded: fewer than n when len ends first, 0 for
 * an unknown stride.
 */
size_t hmn__nvml_decode_rows(const unsigned char *buf, size_t len, size_t n, size_t stride,
                             struct hmn__nvml_row *out);

/* A real PID, memory within the device (total 0: unknown), sane MIG ids. */
int hmn__nvml_row_plausible(const struct hmn__nvml_row *r, uint64_t total);
/* Every one of n rows is plausible. */
int hmn__nvml_rows_plausible(const struct hmn__nvml_row *rows, size_t n, uint64_t total);

/* 1 and *used when the row's memory is a figure: not "not available", not above total. */
int hmn__nvml_row_used(const struct hmn__nvml_row *r, uint64_t total, uint64_t *used);

/*
 * Rows of a _v3 call, whose stride depends on the driver: decoded with the
 * guessed stride (24 or 32), and with the other one when only that makes
 * every row plausible.  Returns the stride the rows in out were decoded
 * with (the guess when neither makes sense); *decoded gets their count.
 */
size_t hmn__nvml_decode_v3(const unsigned char *buf, size_t len, size_t n, size_t guess,
                           uint64_t total, struct hmn__nvml_row *out, size_t *decoded);

#endif /* HMN_PARSE_NVML_ROWS_H */
