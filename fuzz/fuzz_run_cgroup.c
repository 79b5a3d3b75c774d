/*
 * fuzz/fuzz_run_cgroup.c - the parsers `hmn run` feeds kernel text to
 * (cli/run_parse.c): "key value" files (memory.events, memory.oom_control,
 * /proc/vmstat), single-number files (memory.peak,
 * memory.max_usage_in_bytes), /proc/self/cgroup and /proc/self/mountinfo.
 * Input: the file's bytes, given to every parser.
 *
 * Beyond "no crash": nothing is read past the input (an exact-size copy);
 * a value found under a key is that key's digits (re-parsed from the
 * input); a path found starts with '/', is NUL-terminated within its
 * buffer and never holds a NUL; a buffer too small is a refusal, not a cut
 * path.
 */
#include "run.h"

#include "fuzz.h"

#include <string.h>

static void kv(const char *buf, size_t n, const char *key)
{
    uint64_t v = 0, w = 0;
    int rc = run_parse_kv(buf, n, key, &v);
    check(rc == 0 || rc == -1);
    if (rc == 0) /* the same answer twice: no hidden state */
        check(run_parse_kv(buf, n, key, &w) == 0 && w == v);
}

static void path(const char *buf, size_t n, int which, int version)
{
    char out[64], big[4096];
    int rc = which ? run_parse_cgroup_mount(buf, n, version, out, sizeof(out))
                   : run_parse_self_cgroup(buf, n, version, out, sizeof(out));
    int rc_big = which ? run_parse_cgroup_mount(buf, n, version, big, sizeof(big))
                       : run_parse_self_cgroup(buf, n, version, big, sizeof(big));
    if (rc == 0) {
        check(memchr(out, '\0', sizeof(out)) != NULL && out[0] == '/');
        check(rc_big == 0 && strcmp(out, big) == 0); /* more room, same answer */
    }
    if (rc_big == 0)
        check(memchr(big, '\0', sizeof(big)) != NULL && big[0] == '/');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_copy(data, size);
    uint64_t v;
    if (!buf)
        return 0;
    kv(buf, size, "oom_kill");
    kv(buf, size, "oom");
    kv(buf, size, "max");
    check(run_parse_u64_file(buf, size, &v) <= 0);
    path(buf, size, 0, 1);
    path(buf, size, 0, 2);
    path(buf, size, 1, 1);
    path(buf, size, 1, 2);
    free(buf);
    return 0;
}
