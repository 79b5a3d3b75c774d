/*
 * cli/metrics_render.c - a snapshot as Prometheus text exposition 0.0.4.
 *
 * Pure: a struct in, text out, no I/O and no context, so it is unit-tested
 * and fuzzed (fuzz/fuzz_prom_label.c).  Rules the output keeps:
 *  - a figure the library could not read has no sample (never 0, never NaN);
 *  - HELP and TYPE once per family, only for families with a sample;
 *  - label values are valid UTF-8 with `\`, `"` and newline escaped;
 *  - a stable order (by device index, then PID) and no timestamps, so the
 *    same snapshot always gives the same bytes (golden files, textfiles).
 */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- buffer */

void mx_buf_free(struct mx_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

static int reserve(struct mx_buf *b, size_t extra)
{
    size_t cap;
    char *p;
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void mx_buf_put(struct mx_buf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mx_buf_puts(struct mx_buf *b, const char *s)
{
    mx_buf_put(b, s, strlen(s));
}

static void put_u64(struct mx_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    mx_buf_put(b, tmp + i, sizeof(tmp) - i);
}

/* Decimal text of v into buf (at least 11 bytes); returns buf.  Label values
 * are formatted for every sample, so no printf. */
static const char *u32_text(char *buf, uint32_t v)
{
    char tmp[12];
    size_t i = sizeof(tmp), n;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    n = sizeof(tmp) - i;
    memcpy(buf, tmp + i, n);
    buf[n] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- label values */

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one: overlong forms, surrogates and code points past U+10FFFF are
 * invalid, as in RFC 3629.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    uint32_t cp;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1Fu;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0Fu;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07u;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Bytes from s[0] that need no escaping and are plain ASCII. */
static size_t plain_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < 0x80 && s[i] != '\\' && s[i] != '"' && s[i] != '\n')
        i++;
    return i;
}

void mx_put_label_value(struct mx_buf *b, const char *s, size_t len, size_t max_bytes)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, used = 0;
    while (i < len) {
        size_t n = plain_run(s + i, len - i), plen;
        const char *piece;
        if (n) { /* the common case: copy a whole run of plain ASCII at once */
            if (max_bytes && used + n > max_bytes)
                n = max_bytes - used;
            if (!n)
                break;
            mx_buf_put(b, s + i, n);
            used += n;
            i += n;
            continue;
        }
        n = utf8_seq(u + i, len - i);
        piece = s + i;
        plen = n;
        if (n == 0) { /* one invalid byte, one replacement character */
            piece = replacement;
            plen = 3;
            n = 1;
        }
        if (max_bytes && used + plen > max_bytes)
            break; /* the cut falls before a whole character */
        used += plen;
        i += n;
        if (plen == 1 && (*piece == '\\' || *piece == '"'))
            mx_buf_put(b, *piece == '\\' ? "\\\\" : "\\\"", 2);
        else if (plen == 1 && *piece == '\n')
            mx_buf_put(b, "\\n", 2);
        else
            mx_buf_put(b, piece, plen);
    }
}

/* ---------------------------------------------------------------- samples */

/* One label of a sample; a NULL value means "unknown": the label is left out. */
struct label {
    const char *name;
    const char *value;
    size_t max_bytes;
};

static void family(struct mx_buf *b, const char *name, const char *type, const char *help)
{
    mx_buf_puts(b, "# HELP ");
    mx_buf_puts(b, name);
    mx_buf_puts(b, " ");
    mx_buf_puts(b, help);
    mx_buf_puts(b, "\n# TYPE ");
    mx_buf_puts(b, name);
    mx_buf_puts(b, " ");
    mx_buf_puts(b, type);
    mx_buf_puts(b, "\n");
}

static void sample_start(struct mx_buf *b, const char *name, const struct label *l, size_t n)
{
    size_t i, shown = 0;
    mx_buf_puts(b, name);
    for (i = 0; i < n; i++) {
        if (!l[i].value)
            continue;
        mx_buf_puts(b, shown++ ? "," : "{");
        mx_buf_puts(b, l[i].name);
        mx_buf_puts(b, "=\"");
        mx_put_label_value(b, l[i].value, strlen(l[i].value), l[i].max_bytes);
        mx_buf_puts(b, "\"");
    }
    if (shown)
        mx_buf_puts(b, "}");
    mx_buf_puts(b, " ");
}

static void sample_u64(struct mx_buf *b, const char *name, const struct label *l, size_t n,
                       uint64_t v)
{
    sample_start(b, name, l, n);
    put_u64(b, v);
    mx_buf_puts(b, "\n");
}

static const char *vendor_text(uint32_t vendor)
{
    switch (vendor) {
    case HMN_VENDOR_NVIDIA: return "nvidia";
    case HMN_VENDOR_AMD: return "amd";
    case HMN_VENDOR_INTEL: return "intel";
    case HMN_VENDOR_OTHER: return "other";
    default: return NULL;
    }
}

static const char *if_valid(const hmn_gpu_device_info *d, uint64_t bit, const char *v)
{
    return (d->valid & bit) && v[0] ? v : NULL;
}

static const hmn_gpu_device_info *gpu_of(const struct mx_snapshot *s, uint32_t index)
{
    size_t i;
    for (i = 0; i < s->ngpus; i++)
        if (s->gpus[i].index == index)
            return &s->gpus[i];
    return NULL;
}

static const char *uuid_of(const struct mx_snapshot *s, uint32_t index)
{
    const hmn_gpu_device_info *d = gpu_of(s, index);
    return d ? if_valid(d, HMN_DEV_HAS_UUID, d->uuid) : NULL;
}

static void render_health(const struct mx_snapshot *s, struct mx_buf *b)
{
    struct label l[1];
    char num[40];
    size_t i;
    l[0].name = "version";
    l[0].value = s->version ? s->version : "unknown";
    l[0].max_bytes = 0;
    family(b, "hmn_build_info", "gauge", "Version of hmn serving these metrics; always 1.");
    sample_u64(b, "hmn_build_info", l, 1, 1);
    family(b, "hmn_up", "gauge",
           "1 when the last collection could enumerate the GPUs, 0 when it could not.");
    sample_u64(b, "hmn_up", NULL, 0, s->up ? 1 : 0);
    if (s->nsources) {
        family(b, "hmn_collect_success", "gauge",
               "1 when a GPU source is loaded and answered every query of the last "
               "collection, else 0.");
        for (i = 0; i < s->nsources; i++) {
            l[0].name = "source";
            l[0].value = hmn_source_name((int)s->sources[i].source);
            sample_u64(b, "hmn_collect_success", l, 1, s->sources[i].success ? 1 : 0);
        }
    }
    family(b, "hmn_collect_duration_seconds", "gauge", "Wall time of the last collection.");
    snprintf(num, sizeof(num), "%.6f", s->duration_seconds >= 0 ? s->duration_seconds : 0.0);
    sample_start(b, "hmn_collect_duration_seconds", NULL, 0);
    mx_buf_puts(b, num);
    mx_buf_puts(b, "\n");
    family(b, "hmn_collect_errors_total", "counter",
           "Queries of a collection that failed (a device, a process list, a MIG instance), "
           "since start.");
    sample_u64(b, "hmn_collect_errors_total", NULL, 0, s->errors_total);
}

static void render_info(const struct mx_snapshot *s, struct mx_buf *b)
{
    struct label l[7];
    char gpu[16];
    size_t i;
    if (!s->ngpus)
        return;
    family(b, "hmn_gpu_info", "gauge",
           "Identity of a GPU (join on gpu or uuid); always 1. Unknown labels are left out.");
    for (i = 0; i < s->ngpus; i++) {
        const hmn_gpu_device_info *d = &s->gpus[i];
        u32_text(gpu, d->index);
        l[0] = (struct label){"gpu", gpu, 0};
        l[1] = (struct label){"uuid", if_valid(d, HMN_DEV_HAS_UUID, d->uuid), 0};
        l[2] = (struct label){"name", if_valid(d, HMN_DEV_HAS_NAME, d->name), 0};
        l[3] = (struct label){"vendor", vendor_text(d->vendor), 0};
        l[4] = (struct label){"pci_bus_id", if_valid(d, HMN_DEV_HAS_PCI_BUS_ID, d->pci_bus_id), 0};
        l[5] = (struct label){"driver_version",
                              if_valid(d, HMN_DEV_HAS_DRIVER_VERSION, d->driver_version), 0};
        l[6] = (struct label){"source", d->source ? hmn_source_name((int)d->source) : NULL, 0};
        sample_u64(b, "hmn_gpu_info", l, 7, 1);
    }
}

/* Which memory figure a family shows. */
enum mem_kind { MEM_TOTAL, MEM_USED, MEM_FREE, MEM_RESERVED };

static int device_figure(const hmn_gpu_device_info *d, enum mem_kind k, uint64_t *v)
{
    static const uint64_t bits[] = {HMN_DEV_HAS_TOTAL, HMN_DEV_HAS_USED, HMN_DEV_HAS_FREE,
                                    HMN_DEV_HAS_RESERVED};
    const uint64_t vals[] = {d->total_bytes, d->used_bytes, d->free_bytes, d->reserved_bytes};
    if (!(d->valid & bits[k]))
        return 0;
    *v = vals[k];
    return 1;
}

static int mig_figure(const hmn_mig_info *m, enum mem_kind k, uint64_t *v)
{
    switch (k) {
    case MEM_TOTAL: *v = m->total_bytes; return (m->valid & HMN_DEV_HAS_TOTAL) != 0;
    case MEM_USED: *v = m->used_bytes; return (m->valid & HMN_DEV_HAS_USED) != 0;
    case MEM_FREE: *v = m->free_bytes; return (m->valid & HMN_DEV_HAS_FREE) != 0;
    default: return 0; /* MIG instances have no reserved carve-out of their own */
    }
}

static int has_any(const struct mx_snapshot *s, enum mem_kind k)
{
    uint64_t v;
    size_t i;
    for (i = 0; i < s->ngpus; i++)
        if (device_figure(&s->gpus[i], k, &v))
            return 1;
    for (i = 0; i < s->nmigs; i++)
        if (mig_figure(&s->migs[i].info, k, &v))
            return 1;
    return 0;
}

static void render_memory(const struct mx_snapshot *s, struct mx_buf *b, enum mem_kind k,
                          const char *name, const char *help)
{
    struct label l[4];
    char gpu[16], gi[16], ci[16];
    uint64_t v;
    size_t i;
    if (!has_any(s, k))
        return;
    family(b, name, "gauge", help);
    for (i = 0; i < s->ngpus; i++) {
        const hmn_gpu_device_info *d = &s->gpus[i];
        if (!device_figure(d, k, &v))
            continue;
        u32_text(gpu, d->index);
        l[0] = (struct label){"gpu", gpu, 0};
        l[1] = (struct label){"uuid", if_valid(d, HMN_DEV_HAS_UUID, d->uuid), 0};
        sample_u64(b, name, l, 2, v);
    }
    /* MIG instances: their own series, parent's gpu/uuid plus the instance ids. */
    for (i = 0; i < s->nmigs; i++) {
        const struct mx_mig *m = &s->migs[i];
        if (!mig_figure(&m->info, k, &v))
            continue;
        u32_text(gpu, m->gpu);
        u32_text(gi, m->info.gpu_instance_id);
        u32_text(ci, m->info.compute_instance_id);
        l[0] = (struct label){"gpu", gpu, 0};
        l[1] = (struct label){"uuid", uuid_of(s, m->gpu), 0};
        l[2] = (struct label){"gpu_instance_id", gi, 0};
        l[3] = (struct label){"compute_instance_id", ci, 0};
        sample_u64(b, name, l, 4, v);
    }
}

static void render_mig_info(const struct mx_snapshot *s, struct mx_buf *b)
{
    struct label l[6];
    char gpu[16], gi[16], ci[16];
    size_t i;
    if (!s->nmigs)
        return;
    family(b, "hmn_mig_info", "gauge",
           "Identity of a MIG instance of a GPU (uuid is the parent's); always 1.");
    for (i = 0; i < s->nmigs; i++) {
        const hmn_mig_info *m = &s->migs[i].info;
        u32_text(gpu, s->migs[i].gpu);
        u32_text(gi, m->gpu_instance_id);
        u32_text(ci, m->compute_instance_id);
        l[0] = (struct label){"gpu", gpu, 0};
        l[1] = (struct label){"uuid", uuid_of(s, s->migs[i].gpu), 0};
        l[2] = (struct label){"gpu_instance_id", gi, 0};
        l[3] = (struct label){"compute_instance_id", ci, 0};
        l[4] = (struct label){"mig_uuid", (m->valid & HMN_DEV_HAS_UUID) && m->uuid[0] ? m->uuid : NULL, 0};
        l[5] = (struct label){"name", (m->valid & HMN_DEV_HAS_NAME) && m->name[0] ? m->name : NULL, 0};
        sample_u64(b, "hmn_mig_info", l, 6, 1);
    }
}

static void render_unattributed(const struct mx_snapshot *s, struct mx_buf *b)
{
    struct label l[4];
    char gpu[16], gi[16], ci[16];
    size_t i;
    if (!s->naccounts)
        return;
    family(b, "hmn_gpu_memory_unattributed_bytes", "gauge",
           "Used memory of a GPU (or MIG instance) that no listed process accounts for "
           "(used minus the processes' figures), in bytes.");
    for (i = 0; i < s->naccounts; i++) {
        const struct mx_account *a = &s->accounts[i];
        int mig = a->gpu_instance_id != MX_NO_MIG;
        u32_text(gpu, a->gpu);
        u32_text(gi, a->gpu_instance_id);
        u32_text(ci, a->compute_instance_id);
        l[0] = (struct label){"gpu", gpu, 0};
        l[1] = (struct label){"uuid", uuid_of(s, a->gpu), 0};
        l[2] = (struct label){"gpu_instance_id", mig ? gi : NULL, 0};
        l[3] = (struct label){"compute_instance_id",
                              mig && a->compute_instance_id != MX_NO_MIG ? ci : NULL, 0};
        sample_u64(b, "hmn_gpu_memory_unattributed_bytes", l, 4, a->unattributed_bytes);
    }
}

static void render_processes(const struct mx_snapshot *s, struct mx_buf *b)
{
    struct label l[8];
    char gpu[16], pid[16], gi[16], ci[16];
    size_t i;
    if (!s->processes)
        return;
    if (s->nprocs) {
        family(b, "hmn_process_gpu_memory_bytes", "gauge",
               "GPU memory a process holds on a GPU (or MIG instance), in bytes.");
        for (i = 0; i < s->nprocs; i++) {
            const struct mx_proc *p = &s->procs[i];
            int mig = p->gpu_instance_id != MX_NO_MIG;
            u32_text(gpu, p->gpu);
            u32_text(pid, p->pid);
            u32_text(gi, p->gpu_instance_id);
            u32_text(ci, p->compute_instance_id);
            l[0] = (struct label){"gpu", gpu, 0};
            l[1] = (struct label){"uuid", uuid_of(s, p->gpu), 0};
            l[2] = (struct label){"pid", pid, 0};
            l[3] = (struct label){"name", p->has_name ? p->name : NULL, MX_NAME_MAX_BYTES};
            l[4] = (struct label){"gpu_instance_id", mig ? gi : NULL, 0};
            l[5] = (struct label){"compute_instance_id",
                                  mig && p->compute_instance_id != MX_NO_MIG ? ci : NULL, 0};
            l[6] = (struct label){"container_id", p->has_container ? p->container_id : NULL, 0};
            l[7] = (struct label){"pod_uid", p->has_pod ? p->pod_uid : NULL, 0};
            sample_u64(b, "hmn_process_gpu_memory_bytes", l, 8, p->bytes);
        }
    }
    family(b, "hmn_processes_omitted", "gauge",
           "GPU processes with a known figure left out by --max-processes in the last "
           "collection.");
    sample_u64(b, "hmn_processes_omitted", NULL, 0, s->procs_omitted);
}

int mx_render(const struct mx_snapshot *s, struct mx_buf *b)
{
    /* One allocation for the whole text in the usual case (~140 bytes a sample). */
    (void)reserve(b, 4096 + 160 * (s->ngpus * 7 + s->nmigs * 5 + s->nprocs));
    render_health(s, b);
    render_info(s, b);
    render_memory(s, b, MEM_TOTAL, "hmn_gpu_memory_total_bytes",
                  "Memory of a GPU (or MIG instance), in bytes.");
    render_memory(s, b, MEM_USED, "hmn_gpu_memory_used_bytes",
                  "Memory in use on a GPU (or MIG instance), in bytes; excludes the reserved "
                  "carve-out when that is known.");
    render_memory(s, b, MEM_FREE, "hmn_gpu_memory_free_bytes",
                  "Memory free on a GPU (or MIG instance), in bytes.");
    render_memory(s, b, MEM_RESERVED, "hmn_gpu_memory_reserved_bytes",
                  "Memory the driver and firmware reserve on a GPU, in bytes.");
    render_unattributed(s, b);
    render_mig_info(s, b);
    render_processes(s, b);
    return b->failed ? -1 : 0;
}
