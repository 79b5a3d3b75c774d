/*
 * backends/owner_procfs.c - who owns a process, from <procfs>/<pid>/status
 * (the real UID, named through this mount namespace's user database) and
 * <procfs>/<pid>/cgroup (container, pod, systemd unit; parse/cgroup.c).
 * POSIX; Windows builds owner_null.c instead (CMake).
 */
#include "backend.h"
#include "parse/cgroup.h"
#include "parse/proc.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The name of uid in this mount namespace's user database (/etc/passwd,
 * NSS).  Inside a container that is the container's database, which may
 * not know the host's users: the numeric uid is then all there is.
 */
static int user_name(uint32_t uid, char *buf, size_t cap)
{
    struct passwd pw, *res = NULL;
    long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t size = hint > 0 ? (size_t)hint : 4096;
    int rc = HMN_ENOENT, tries;
    for (tries = 0; tries < 4; tries++, size *= 4) {
        char *tmp = malloc(size);
        int e;
        if (!tmp)
            return HMN_ENOMEM;
        e = getpwuid_r((uid_t)uid, &pw, tmp, size, &res);
        if (e == 0 && res && res->pw_name && res->pw_name[0] &&
            strlen(res->pw_name) < cap && hmn__utf8_valid(res->pw_name, strlen(res->pw_name))) {
            hmn__strlcpy(buf, res->pw_name, cap);
            rc = HMN_OK;
        }
        free(tmp);
        if (e != ERANGE)
            break;
    }
    return rc;
}

static void read_uid(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out, int *seen)
{
    char path[600], st[4096];
    size_t len;
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/status", pid) != HMN_OK ||
        hmn__read_file(path, st, sizeof(st), &len, NULL) != HMN_OK)
        return;
    *seen = 1;
    if (hmn__parse_status_uid(st, len, &out->uid) != HMN_OK)
        return;
    out->valid |= HMN_OWNER_HAS_UID;
    if (user_name(out->uid, out->user, sizeof(out->user)) == HMN_OK)
        out->valid |= HMN_OWNER_HAS_USER;
}

static void read_cgroup(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out, int *seen)
{
    char path[600], buf[16384];
    struct hmn__cgroup_info cg;
    size_t len;
    int truncated = 0;
    if (hmn__path(path, sizeof(path), ctx->procfs, "/%u/cgroup", pid) != HMN_OK ||
        hmn__read_file(path, buf, sizeof(buf), &len, &truncated) != HMN_OK)
        return;
    *seen = 1;
    if (truncated) {
        /* Keep the complete lines only. */
        while (len > 0 && buf[len - 1] != '\n')
            len--;
    }
    if (hmn__parse_cgroup(buf, len, &cg) != HMN_OK) {
        hmn__debug(ctx, "[owner debug] %s: not a cgroup file hmn understands", path);
        return;
    }
    out->valid |= cg.valid;
    out->cgroup_version = cg.version;
    out->runtime = cg.runtime;
    out->qos = cg.qos;
    hmn__strlcpy(out->container_id, cg.container_id, sizeof(out->container_id));
    hmn__strlcpy(out->pod_uid, cg.pod_uid, sizeof(out->pod_uid));
    hmn__strlcpy(out->unit, cg.unit, sizeof(out->unit));
    hmn__strlcpy(out->slice, cg.slice, sizeof(out->slice));
}

int hmn__owner_read(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out)
{
    int seen = 0;
    read_uid(ctx, pid, out, &seen);
    read_cgroup(ctx, pid, out, &seen);
    if (!seen)
        return hmn__fail(ctx, HMN_ENOENT, "process %u: no %s/%u/status or cgroup to read", pid,
                         ctx->procfs, pid);
    return HMN_OK;
}
