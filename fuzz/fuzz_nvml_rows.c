/*
 * fuzz/fuzz_nvml_rows.c - the NVML process-row decoder
 * (src/parse/nvml_rows.c).  Input: one byte choosing the stride (16, 24,
 * 32, or a _v3 guess of 24 / 32), eight bytes of device total (little
 * endian, 0 = unknown), then the rows as a driver would have written them,
 * copied into a buffer of exactly that size so ASan catches a read past
 * len.  More rows are asked for than fit.  Contracts: no more rows than fit
 * in len, a _v3 decode answers with one of the two _v3 strides, a "used"
 * figure is never the not-available sentinel nor above a known total, and
 * a plausible row has a real PID and MIG ids in range.
 */
#include "parse/nvml_rows.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 64

static void check_rows(const struct hmn__nvml_row *rows, size_t n, uint64_t total)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint64_t used = 0;
        if (hmn__nvml_row_used(&rows[i], total, &used))
            check(used != UINT64_MAX && (total == 0 || used <= total) && used == rows[i].used);
        if (hmn__nvml_row_plausible(&rows[i], total))
            check(rows[i].pid != 0 && (rows[i].gi == UINT32_MAX || rows[i].gi <= 64) &&
                  (rows[i].ci == UINT32_MAX || rows[i].ci <= 64));
    }
    if (hmn__nvml_rows_plausible(rows, n, total))
        for (i = 0; i < n; i++)
            check(hmn__nvml_row_plausible(&rows[i], total));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t strides[] = {HMN__NVML_STRIDE_V1, HMN__NVML_STRIDE_V2,
                                     HMN__NVML_STRIDE_DETAIL};
    struct hmn__nvml_row rows[MAX_ROWS];
    uint64_t total = 0;
    size_t len, n, got, stride, i;
    unsigned char *buf;
    uint8_t mode;
    if (size < 9)
        return 0;
    mode = data[0];
    for (i = 0; i < 8; i++)
        total |= (uint64_t)data[1 + i] << (8 * i);
    len = size - 9;
    buf = (unsigned char *)fuzz_copy(data + 9, len);
    if (!buf)
        return 0;
    n = len / HMN__NVML_STRIDE_V1 + 1;
    if (n > MAX_ROWS)
        n = MAX_ROWS;
    if ((mode & 3) < 3) {
        stride = strides[mode & 3];
        got = hmn__nvml_decode_rows(buf, len, n, stride, rows);
        check(got <= n && got * stride <= len);
    } else {
        size_t guess = (mode & 4) ? HMN__NVML_STRIDE_DETAIL : HMN__NVML_STRIDE_V2;
        stride = hmn__nvml_decode_v3(buf, len, n, guess, total, rows, &got);
        check(stride == HMN__NVML_STRIDE_V2 || stride == HMN__NVML_STRIDE_DETAIL);
        check(got <= n && got * stride <= len);
        /* Another stride than the guess is taken only when it makes every row plausible. */
        if (stride != guess)
            check(hmn__nvml_rows_plausible(rows, got, total));
    }
    check_rows(rows, got, total);
    /* An unknown stride decodes nothing. */
    check(hmn__nvml_decode_rows(buf, len, n, 20, rows) == 0);
    free(buf);
    return 0;
}
