/*
 * fuzz/fuzz_proc_stat.c - the sampler's tree-scan parser of one
 * /proc/<pid>/stat line (hmn__parse_stat_tree, src/parse/proc.c).  The
 * input is handed over in a buffer of exactly its size with no terminating
 * NUL, so ASan catches any read past len.  Contracts: only HMN_OK or
 * HMN_EPARSE; nothing written on failure; on success the state is one
 * letter and the start time agrees with hmn__parse_stat_starttime.
 */
#include "util/util.h"
#include "parse/proc.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hmn__stat_tree t = {'?', 0xA5A5A5A5u, 0xA5A5A5A5A5A5A5A5ull};
    uint64_t start = 0;
    char *buf = fuzz_copy(data, size);
    int rc;
    if (!buf)
        return 0;
    rc = hmn__parse_stat_tree(buf, size, &t);
    check(rc == HMN_OK || rc == HMN_EPARSE);
    if (rc == HMN_OK) {
        check((t.state >= 'A' && t.state <= 'Z') || (t.state >= 'a' && t.state <= 'z'));
        check(hmn__parse_stat_starttime(buf, size, &start) == HMN_OK && start == t.start);
    } else {
        check(t.state == '?' && t.ppid == 0xA5A5A5A5u && t.start == 0xA5A5A5A5A5A5A5A5ull);
    }
    free(buf);
    return 0;
}
