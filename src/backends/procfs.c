/*
 * backends/procfs.c - what several backends need from /proc: process names
 * by upstream's rule, and host-PID mapping for rows the NVIDIA driver reports
 * (the driver is not PID-namespace aware: it always gives host PIDs).
 * The root is ctx->procfs (HMN_PROCFS), so tests run on fixture trees.
 */
#include "backends/procfs.h"
#include "parse/proc.h"

#include <string.h>

#if !defined(_WIN32)

static const char *base_name(const char *path, size_t len, size_t *blen)
{
    size_t i = len;
    while (i > 0 && path[i - 1] != '/')
        i--;
    *blen = len - i;
    return path + i;
}

/* candidate starts with comm and is longer: upstream's prefix rule.  comm's
 * raw bytes are compared, so a character the kernel's cut split still matches. */
static int take_candidate(const char *cand, size_t clen, const char *comm, size_t comm_len,
                          char *buf, size_t cap)
{
    if (clen < comm_len || memcmp(cand, comm, comm_len) != 0 || !hmn__utf8_valid(cand, clen))
        return 0;
    hmn__copy_text(buf, cap, cand, clen);
    return 1;
}

int hmn__proc_name(const hmn_ctx *ctx, uint32_t pid, char *buf, size_t cap)
{
    char path[600], comm[64], tmp[4096];
    size_t len, clen, blen;
    const char *c, *b;
    static const char deleted[] = " (deleted)";

    if (cap == 0)
        return HMN_EINVAL;
    buf[0] = '\0';
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/comm", pid) != HMN_OK ||
        hmn__read_file(path, comm, sizeof(comm), &len, NULL) != HMN_OK)
        return HMN_ENOENT;
    c = hmn__trim(comm, len, &clen);
    if (clen == 0)
        return HMN_ENOENT;
    /* The kernel cuts comm at 15 bytes, byte-wise: look for the full name
     * elsewhere before judging comm, whose last character may be cut in two. */
    if (clen >= 15) {
        if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/exe", pid) == HMN_OK &&
            hmn__readlink(path, tmp, sizeof(tmp)) == HMN_OK) {
            len = strlen(tmp);
            if (len > sizeof(deleted) - 1 &&
                strcmp(tmp + len - (sizeof(deleted) - 1), deleted) == 0)
                len -= sizeof(deleted) - 1;
            b = base_name(tmp, len, &blen);
            if (blen && take_candidate(b, blen, c, clen, buf, cap))
                return HMN_OK;
        }
        if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/cmdline", pid) == HMN_OK &&
            hmn__read_file(path, tmp, sizeof(tmp), &len, NULL) == HMN_OK) {
            len = strnlen(tmp, len);
            b = base_name(tmp, len, &blen);
            if (blen && take_candidate(b, blen, c, clen, buf, cap))
                return HMN_OK;
        }
        clen = hmn__utf8_drop_partial(c, clen);
    }
    if (clen == 0 || !hmn__utf8_valid(c, clen))
        return HMN_ENOENT;
    hmn__copy_text(buf, cap, c, clen);
    return HMN_OK;
}

/* NSpid list of procfs/<who>/status. */
static int read_nspid(const hmn_ctx *ctx, const char *who, uint32_t *pids, size_t max, size_t *n)
{
    char path[600], st[4096];
    size_t len;
    int rc;
    *n = 0;
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%s/status", who) != HMN_OK)
        return HMN_ENOBUFS;
    rc = hmn__read_file(path, st, sizeof(st), &len, NULL);
    if (rc != HMN_OK)
        return rc;
    return hmn__parse_nspid(st, len, pids, max, n);
}

/*
 * How many PID namespaces our own sits below the one procfs was mounted in:
 * 0 on the host (or in a container with its own /proc), >0 when the host's
 * /proc is visible (HMN_PROCFS=/host/proc, or a bind mount).
 */
static size_t self_depth(const hmn_ctx *ctx)
{
    uint32_t pids[16];
    size_t n;
    if (read_nspid(ctx, "self", pids, 16, &n) != HMN_OK || n == 0)
        return 0;
    return n - 1;
}

static int map_at_depth(const hmn_ctx *ctx, uint32_t host_pid, size_t depth, uint32_t *out)
{
    uint32_t pids[16];
    char who[16];
    size_t n;
    hmn__snprintf(who, sizeof(who), "%u", host_pid);
    if (read_nspid(ctx, who, pids, 16, &n) != HMN_OK) {
        /* No NSpid line (old kernel): only the identity mapping is possible. */
        char path[600];
        char tmp[8];
        size_t len;
        if (depth == 0 && hmn__path(path, sizeof(path), ctx->procfs, "/%u/comm", host_pid) == 0 &&
            hmn__read_file(path, tmp, sizeof(tmp), &len, NULL) == HMN_OK) {
            *out = host_pid;
            return HMN_OK;
        }
        return HMN_ENOENT;
    }
    if (n <= depth)
        return HMN_ENOENT; /* lives outside our namespace */
    *out = pids[depth];
    return HMN_OK;
}

int hmn__proc_map_host_pid(hmn_ctx *ctx, uint32_t host_pid, uint32_t *out)
{
    return map_at_depth(ctx, host_pid, self_depth(ctx), out);
}

void hmn__proc_resolve_rows(hmn_ctx *ctx, struct hmn__proc_vec *pv, int fill_names)
{
    /* Our own depth once per list: /proc/self/status is costly to generate. */
    size_t i, depth = pv->n ? self_depth(ctx) : 0;
    for (i = 0; i < pv->n; i++) {
        hmn_gpu_process *row = &pv->v[i];
        uint32_t mapped;
        int named = 0;
        row->host_pid = row->pid;
        if (fill_names && !(row->valid & HMN_PROC_HAS_NAME) &&
            hmn__proc_name(ctx, row->host_pid, row->name, sizeof(row->name)) == HMN_OK) {
            row->valid |= HMN_PROC_HAS_NAME;
            named = 1;
        }
        /* In procfs's own namespace the mapping is the identity, and the name
         * just read shows the process is there: no status file to parse. */
        if (depth == 0 && named)
            continue;
        if (map_at_depth(ctx, row->host_pid, depth, &mapped) != HMN_OK) {
            row->valid |= HMN_PROC_PID_UNMAPPED;
        } else if (mapped != row->host_pid) {
            row->pid = mapped;
            row->valid |= HMN_PROC_HAS_HOST_PID;
        }
    }
}

#else /* _WIN32: names come from the Windows backends; PIDs need no mapping. */

int hmn__proc_name(const hmn_ctx *ctx, uint32_t pid, char *buf, size_t cap)
{
    (void)ctx;
    (void)pid;
    if (cap)
        buf[0] = '\0';
    return HMN_EUNSUPPORTED;
}

int hmn__proc_map_host_pid(hmn_ctx *ctx, uint32_t host_pid, uint32_t *out)
{
    (void)ctx;
    *out = host_pid;
    return HMN_OK;
}

void hmn__proc_resolve_rows(hmn_ctx *ctx, struct hmn__proc_vec *pv, int fill_names)
{
    size_t i;
    (void)ctx;
    (void)fill_names;
    for (i = 0; i < pv->n; i++)
        pv->v[i].host_pid = pv->v[i].pid;
}

#endif
