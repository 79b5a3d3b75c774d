/*
 * core/owner.c - hmn_process_owner_info(): the user, container, pod and
 * systemd unit of one process, read through the context's /proc root
 * (HMN_PROCFS) so that fixture trees and a host /proc mounted in a
 * container work alike.  The reading is the platform's owner backend
 * (backends/owner_procfs.c; owner_null.c on Windows), the text is parsed by
 * parse/cgroup.c and parse/proc.c.
 *
 * It is a call of its own, not fields of every hmn_gpu_process row: a
 * listing stays one driver call, and only a caller that wants owners pays
 * for two more file reads and a user-database lookup per process
 * (docs/api.md, "Who owns a process").
 */
#include "backend.h"
#include "core/abi.h"

#include <string.h>


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

int hmn_process_owner_info(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out)
{
    hmn_process_owner full;
    hmn_ctx *c;
    int rc;
    if (!out)
        return HMN_EINVAL;
    if (out->size < HMN__PROCESS_OWNER_SIZE_V1)
        return HMN_EVERSION;
    rc = hmn__ctx_enter(ctx, &c);
    if (rc < 0)
        return rc;
    memset(&full, 0, sizeof(full));
    full.size = sizeof(full);
    full.pid = pid;
    rc = hmn__owner_read(c, pid, &full);
    if (rc == HMN_OK)
        rc = hmn__copy_out(out, &full, sizeof(full), HMN__PROCESS_OWNER_SIZE_V1);
    return hmn__ctx_leave(c, rc);
}
