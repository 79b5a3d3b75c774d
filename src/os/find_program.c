/*
 * os/find_program.c - the PATH walk, once for every platform; what differs
 * (the separator, which entries may be searched, the program suffix) comes
 * from os_<os>.c.
 */
#include "os/os.h"
#include "hypomnesis.h"

#include <stdio.h>
#include <string.h>

/* dir/name+ext into out when it is a program. */
static int program_in(const char *dir, size_t dlen, const char *name, const char *ext, char *out,
                      size_t cap)
{
    int n = snprintf(out, cap, "%.*s/%s%s", (int)dlen, dir, name, ext);
    return n > 0 && (size_t)n < cap && hmn__is_program(out);
}

int hmn__find_program(const char *name, char *out, size_t cap)
{
    const char *path = hmn__getenv("PATH"), *p, *end;
    if (cap)
        out[0] = '\0';
    if (!path)
        return HMN_ENOENT;
    for (p = path; *p; p = *end ? end + 1 : end) {
        size_t len;
        end = strchr(p, hmn__path_sep);
        if (!end)
            end = p + strlen(p);
        len = (size_t)(end - p);
        if (!hmn__path_entry_ok(p, len))
            continue;
        if (program_in(p, len, name, "", out, cap))
            return HMN_OK;
        /* "nvidia-smi" given without its extension (Windows). */
        if (hmn__exe_suffix[0] && !strchr(name, '.') &&
            program_in(p, len, name, hmn__exe_suffix, out, cap))
            return HMN_OK;
    }
    if (cap)
        out[0] = '\0';
    return HMN_ENOENT;
}
