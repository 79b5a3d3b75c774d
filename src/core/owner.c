/*
 * core/owner.c - hmn_process_owner_info(): the user, container, pod and
 * systemd unit of one process, read through the context's /proc root
 * (HMN_PROCFS) so that fixture trees and a host /proc mounted in a
 * container work alike.  The text is parsed by parse/cgroup.c and
 * parse/proc.c; this file only reads files and resolves the user name.
 *
 * It is a call of its own, not fields of every hmn_gpu_process row: a
 * listing stays one driver call, and only a caller that wants owners pays
 * for two more file reads and a user-database lookup per process
 * (docs/api.md, "Who owns a process").
 */
#include "core/abi.h"
#include "core/ctx.h"
#include "parse/cgroup.h"
#include "parse/proc.h"

#include <string.h>

#if !defined(_WIN32)
#  include <errno.h>
#  include <pwd.h>
#  include <stdlib.h>
#  include <unistd.h>
#endif

const char *hmn_runtime_name(int runtime)
{
    switch (runtime) {
    case HMN_RUNTIME_DOCKER:
        return "docker";
    case HMN_RUNTIME_CONTAINERD:
        return "containerd";
    case HMN_RUNTIME_CRIO:
        return "cri-o";
    case HMN_RUNTIME_PODMAN:
        return "podman";
    default:
        return NULL;
    }
}

const char *hmn_pod_qos_name(int qos)
{
    switch (qos) {
    case HMN_QOS_GUARANTEED:
        return "guaranteed";
    case HMN_QOS_BURSTABLE:
        return "burstable";
    case HMN_QOS_BESTEFFORT:
        return "besteffort";
    default:
        return NULL;
    }
}

#if !defined(_WIN32)

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

static int owner_locked(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out)
{
    int seen = 0;
    read_uid(ctx, pid, out, &seen);
    read_cgroup(ctx, pid, out, &seen);
    if (!seen)
        return hmn__fail(ctx, HMN_ENOENT, "process %u: no %s/%u/status or cgroup to read", pid,
                         ctx->procfs, pid);
    return HMN_OK;
}

#else /* _WIN32 */

static int owner_locked(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out)
{
    (void)pid;
    (void)out;
    return hmn__fail(ctx, HMN_EUNSUPPORTED, "process owners are read from /proc (Linux only)");
}

#endif

int hmn_process_owner_info(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out)
{
    hmn_process_owner full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    if (out->size < sizeof(hmn_process_owner))
        return HMN_EVERSION;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    memset(&full, 0, sizeof(full));
    full.size = sizeof(full);
    full.pid = pid;
    rc = owner_locked(c, pid, &full);
    if (rc == HMN_OK)
        rc = hmn__copy_out(out, &full, sizeof(full), HMN__PROCESS_OWNER_SIZE_V1);
    return hmn__ctx_leave(c, rc);
}
