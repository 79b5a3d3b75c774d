/*
 * cli/owner.c - who owns a GPU process, as `hmn explain` and `hmn ps -f`
 * print it: the library's hmn_process_owner, looked up once per row, and
 * its text (USER, WHERE cells), JSON and CSV forms.
 */
#include "cli.h"

#include <string.h>

int owner_lookup(hmn_ctx *ctx, const hmn_gpu_process *p, hmn_process_owner *o)
{
    memset(o, 0, sizeof(*o));
    o->size = sizeof(*o);
    /* The context's /proc names processes by the PID the driver reported
     * (host_pid); it is the same number on a host without PID namespaces. */
    if (hmn_process_owner_info(ctx, p->host_pid ? p->host_pid : p->pid, o) != HMN_OK) {
        memset(o, 0, sizeof(*o));
        o->size = sizeof(*o);
        return 0;
    }
    return 1;
}

const char *owner_user_text(char *buf, size_t cap, const hmn_process_owner *o)
{
    if (o->valid & HMN_OWNER_HAS_USER)
        snprintf(buf, cap, "%s", o->user);
    else if (o->valid & HMN_OWNER_HAS_UID)
        snprintf(buf, cap, "%u", o->uid);
    else
        snprintf(buf, cap, "?");
    return buf;
}

/* Append " " + text to buf at *len (bounded). */
static void add(char *buf, size_t cap, size_t *len, const char *text)
{
    int n;
    if (*len >= cap)
        return;
    n = snprintf(buf + *len, cap - *len, "%s%s", *len ? " " : "", text);
    if (n > 0)
        *len += (size_t)n;
}

const char *owner_where_text(char *buf, size_t cap, const hmn_process_owner *o, int other_ns)
{
    char part[320];
    size_t len = 0;
    buf[0] = '\0';
    if (other_ns)
        add(buf, cap, &len, "[other namespace]");
    if (o->valid & HMN_OWNER_HAS_POD) {
        const char *q = hmn_pod_qos_name((int)o->qos);
        snprintf(part, sizeof(part), "pod:%s%s%s%s", o->pod_uid, q ? "(" : "", q ? q : "",
                 q ? ")" : "");
        add(buf, cap, &len, part);
    }
    if (o->valid & HMN_OWNER_HAS_CONTAINER) {
        const char *rt = hmn_runtime_name((int)o->runtime);
        /* The 12-digit short id, as `docker ps` and `crictl ps` print it. */
        snprintf(part, sizeof(part), "%s:%.12s", rt ? rt : "container", o->container_id);
        add(buf, cap, &len, part);
    } else if (o->valid & HMN_OWNER_HAS_UNIT) {
        snprintf(part, sizeof(part), "unit:%s", o->unit);
        add(buf, cap, &len, part);
    } else if (o->valid & HMN_OWNER_HAS_SLICE) {
        snprintf(part, sizeof(part), "slice:%s", o->slice);
        add(buf, cap, &len, part);
    }
    if (len == 0)
        snprintf(buf, cap, "-");
    return buf;
}

static const char *str_if(const hmn_process_owner *o, uint64_t bit, const char *s)
{
    return (o->valid & bit) ? s : NULL;
}

/* The eight owner fields, in output order; NULL values are unknown. */
static const char *const owner_keys[8] = {"uid", "user", "container_runtime",
                                          "container_id", "pod_uid", "pod_qos", "unit", "slice"};

static void owner_values(const hmn_process_owner *o, char *uid, size_t cap, const char *v[8])
{
    snprintf(uid, cap, "%u", o->uid);
    v[0] = (o->valid & HMN_OWNER_HAS_UID) ? uid : NULL;
    v[1] = str_if(o, HMN_OWNER_HAS_USER, o->user);
    v[2] = (o->valid & HMN_OWNER_HAS_CONTAINER) ? hmn_runtime_name((int)o->runtime) : NULL;
    v[3] = str_if(o, HMN_OWNER_HAS_CONTAINER, o->container_id);
    v[4] = str_if(o, HMN_OWNER_HAS_POD, o->pod_uid);
    v[5] = (o->valid & HMN_OWNER_HAS_QOS) ? hmn_pod_qos_name((int)o->qos) : NULL;
    v[6] = str_if(o, HMN_OWNER_HAS_UNIT, o->unit);
    v[7] = str_if(o, HMN_OWNER_HAS_SLICE, o->slice);
}

void owner_json_fields(FILE *f, const hmn_process_owner *o)
{
    const char *v[8];
    char uid[16];
    size_t i;
    owner_values(o, uid, sizeof(uid), v);
    for (i = 0; i < 8; i++) {
        fprintf(f, ",\"%s\":", owner_keys[i]);
        if (i == 0) /* a number, not a string */
            json_u64(f, v[0] != NULL, o->uid);
        else
            json_str(f, v[i]);
    }
}

const char *const owner_csv_header = "uid,user,container_runtime,container_id,pod_uid,pod_qos,unit,slice";

void owner_csv_fields(FILE *f, const hmn_process_owner *o)
{
    const char *v[8];
    char uid[16];
    size_t i;
    owner_values(o, uid, sizeof(uid), v);
    for (i = 0; i < 8; i++) {
        fputc(',', f);
        csv_field(f, v[i]);
    }
}
