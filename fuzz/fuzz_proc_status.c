/*
 * fuzz/fuzz_proc_status.c - /proc/<pid>/statm, status and stat parsers
 * (src/parse/proc.c).  The input is handed over in a buffer of exactly its
 * size with no terminating NUL, so ASan catches any read past len.  Checks
 * the contracts too: results are only written on success, NSpid never
 * reports more entries than asked for, status_field stays inside the input.
 */
#include "util/util.h"
#include "parse/proc.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_statm(const char *buf, size_t len)
{
    uint64_t pages = 0xA5A5A5A5u;
    int rc = hmn__parse_statm(buf, len, &pages);
    check(rc == HMN_OK || rc == HMN_EPARSE);
}

static void fuzz_status(const char *buf, size_t len)
{
    static const char *const keys[] = {"VmRSS", "VmHWM", "Tgid", "Pid", "NSpid", "Name", ""};
    char why[128];
    size_t i;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        uint64_t kb;
        uint32_t u32;
        size_t vlen = 12345;
        const char *v = hmn__status_field(buf, len, keys[i], &vlen);
        int rc;
        if (v)
            check(v >= buf && v + vlen <= buf + len);
        else
            check(vlen == 0);
        why[0] = '\0';
        rc = hmn__parse_status_kb(buf, len, keys[i], &kb, why, sizeof(why));
        check(rc == HMN_OK || rc == HMN_ENOENT || rc == HMN_EPARSE);
        check(memchr(why, '\0', sizeof(why)) != NULL);
        check(rc != HMN_EPARSE || why[0] != '\0');
        rc = hmn__parse_status_u32(buf, len, keys[i], &u32);
        check(rc == HMN_OK || rc == HMN_ENOENT || rc == HMN_EPARSE);
    }
}

static void fuzz_nspid(const char *buf, size_t len)
{
    uint32_t pids[4];
    size_t n = 99, max;
    for (max = 0; max <= 4; max += 2) {
        int rc = hmn__parse_nspid(buf, len, pids, max, &n);
        check(rc == HMN_OK || rc == HMN_ENOENT || rc == HMN_EPARSE);
        check(n <= max);
        check(rc != HMN_OK || n > 0);
    }
}

static void fuzz_stat(const char *buf, size_t len)
{
    uint64_t t = 0xA5A5A5A5u;
    int rc = hmn__parse_stat_starttime(buf, len, &t);
    check(rc == HMN_OK || rc == HMN_EPARSE);
    check(rc == HMN_OK || t == 0xA5A5A5A5u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_copy(data, size);
    if (!buf)
        return 0;
    fuzz_statm(buf, size);
    fuzz_status(buf, size);
    fuzz_nspid(buf, size);
    fuzz_stat(buf, size);
    free(buf);
    return 0;
}
