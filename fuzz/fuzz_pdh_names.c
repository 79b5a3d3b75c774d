/*
 * fuzz/fuzz_pdh_names.c - the PDH name helpers (parse/pdh_names.c): the
 * input is walked as a PDH multi-string and every item goes through both
 * instance parsers and the basename helper; the raw bytes also go through
 * the UTF-16 decoder.  Properties checked: nothing reads past the input, a
 * parsed instance round-trips through its printed form, the UTF-8
 * output is NUL-terminated within its buffer, and the per-PID fold of
 * samples built from the same bytes gives unique, bounded rows.
 */
#include "parse/pdh_names.h"

#include "hypomnesis.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_round_trip(const struct hmn__pdh_instance *in)
{
    char buf[128];
    struct hmn__pdh_instance again;
    int n;
    if (in->has_pid)
        n = snprintf(buf, sizeof(buf), "pid_%lu_luid_0x%08lX_0x%08lX_phys_%lu",
                     (unsigned long)in->pid, (unsigned long)(uint32_t)in->luid_high,
                     (unsigned long)in->luid_low, (unsigned long)in->phys);
    else
        n = snprintf(buf, sizeof(buf), "luid_0x%08lX_0x%08lX_phys_%lu",
                     (unsigned long)(uint32_t)in->luid_high, (unsigned long)in->luid_low,
                     (unsigned long)in->phys);
    if (n <= 0 || (size_t)n >= sizeof(buf))
        abort();
    if ((in->has_pid ? hmn__pdh_parse_process_instance(buf, (size_t)n, &again)
                     : hmn__pdh_parse_adapter_instance(buf, (size_t)n, &again)) != HMN_OK ||
        memcmp(&again, in, sizeof(again)) != 0)
        abort();
}

/* Samples from the raw bytes (10 bytes each): rows are unique, bounded, consistent. */
static void check_fold(const uint8_t *data, size_t size)
{
    struct hmn__pdh_sample s[64];
    struct hmn__pdh_row rows[64];
    uint32_t unreadable;
    size_t n = 0, nrows, i, j;
    for (; n < 64 && size >= 10; n++, data += 10, size -= 10) {
        s[n].pid = data[0] % 8u;
        s[n].dedicated_ok = data[1] & 1;
        s[n].shared_ok = (data[1] >> 1) & 1;
        s[n].dedicated = (uint64_t)data[2] << 56 | (uint64_t)data[3] << 24 | data[4];
        s[n].shared = (uint64_t)data[5] << 56 | (uint64_t)data[6] << 24 | data[7];
    }
    nrows = hmn__pdh_fold(s, n, rows, &unreadable);
    if (nrows > n || nrows + unreadable > 8)
        abort();
    for (i = 0; i < nrows; i++)
        for (j = i + 1; j < nrows; j++)
            if (rows[i].pid == rows[j].pid)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_copy(data, size);
    uint16_t *w;
    char out[64];
    const char *item;
    size_t pos = 0, len, guard = 0;
    if (!buf)
        return 0;
    while (hmn__pdh_multistring_next(buf, size, &pos, &item, &len)) {
        struct hmn__pdh_instance in;
        if (len == 0 || item < buf || item + len > buf + size || ++guard > size)
            abort(); /* items are non-empty, inside the input, and the walk ends */
        memset(&in, 0, sizeof(in));
        if (hmn__pdh_parse_process_instance(item, len, &in) == HMN_OK)
            check_round_trip(&in);
        memset(&in, 0, sizeof(in));
        if (hmn__pdh_parse_adapter_instance(item, len, &in) == HMN_OK)
            check_round_trip(&in);
        if (hmn__path_basename(item, len) > len)
            abort();
    }
    w = malloc((size / 2 ? size / 2 : 1) * sizeof(*w));
    if (w) {
        if (size / 2)
            memcpy(w, data, size / 2 * sizeof(*w));
        (void)hmn__utf16_to_utf8(w, size / 2, out, sizeof(out));
        if (memchr(out, '\0', sizeof(out)) == NULL)
            abort();
        free(w);
    }
    check_fold(data, size);
    free(buf);
    return 0;
}
