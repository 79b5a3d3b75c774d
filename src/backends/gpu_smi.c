/*
 * backends/gpu_smi.c - the nvidia-smi fallback, for when NVML is unusable.
 *
 * Upstream asks nvidia-smi for device info and process rows only; we also
 * take the device count from it.  The program comes from ctx->smi_path
 * (HMN_NVIDIA_SMI) or PATH, is resolved once at open() without being run,
 * and every query spawns it through hmn__run() (no shell, bounded output,
 * killed after ctx->smi_timeout_ms).  Output parsing lives in
 * parse/smi_csv.c; this file builds command lines and maps failures.
 */
#include "backend.h"
#include "parse/smi_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 MiB holds thousands of process rows; more is not nvidia-smi talking. */
#define SMI_OUT_CAP (1024u * 1024u)

struct smi_state {
    char exe[1024];
    /* The last --query-gpu answer, reused within the same public call only:
     * a snapshot (own usage + device info) or snapshot_all costs one run,
     * and every new call still gets fresh figures. */
    struct hmn__smi_gpu rows[HMN__MAX_DEVICES];
    size_t nrows;
    uint64_t rows_seq; /* ctx->call_seq when it was taken */
    int rows_all;      /* it covered every GPU (no --id) */
    int reserved_ok; /* -1 not yet known, 0 this nvidia-smi rejects memory.reserved, 1 ok */
    char *out;       /* SMI_OUT_CAP bytes, reused by every run */
    size_t len;      /* bytes of the last run's output */
};

/* ---------------------------------------------------------------- open */

static int smi_open(hmn_ctx *ctx, void **state, char *reason, size_t cap)
{
    char exe_name[32];
    struct smi_state *st;
    *state = NULL;
    st = calloc(1, sizeof(*st));
    if (!st)
        return HMN_ENOMEM;
    st->reserved_ok = -1;
    *state = st;
    if (ctx->smi_path[0]) {
        /* HMN_NVIDIA_SMI names the program exactly: no PATH search. */
        if (strchr(ctx->smi_path, '/') || strchr(ctx->smi_path, '\\')) {
            if (!hmn__is_program(ctx->smi_path)) {
                hmn__snprintf(reason, cap, "%s (HMN_NVIDIA_SMI): not found or not executable",
                              ctx->smi_path);
                return HMN_ENOENT;
            }
            hmn__strlcpy(st->exe, ctx->smi_path, sizeof(st->exe));
        } else if (hmn__find_program(ctx->smi_path, st->exe, sizeof(st->exe)) != HMN_OK) {
            hmn__snprintf(reason, cap, "%s (HMN_NVIDIA_SMI) not found in PATH", ctx->smi_path);
            return HMN_ENOENT;
        }
    } else if (hmn__snprintf(exe_name, sizeof(exe_name), "nvidia-smi%s", hmn__exe_suffix) < 0 ||
               hmn__find_program(exe_name, st->exe, sizeof(st->exe)) != HMN_OK) {
        hmn__snprintf(reason, cap, "nvidia-smi not found in PATH");
        return HMN_ENOENT;
    }
    st->out = malloc(SMI_OUT_CAP);
    if (!st->out)
        return HMN_ENOMEM;
    hmn__snprintf(reason, cap, "using %s", st->exe);
    return HMN_OK;
}

static void smi_close(hmn_ctx *ctx, void *state)
{
    struct smi_state *st = state;
    (void)ctx;
    if (st)
        free(st->out);
    free(st);
}

/* ---------------------------------------------------------------- running */

/* Turn a non-zero exit into an error code and a message naming the cause. */
static int run_failure(hmn_ctx *ctx, struct smi_state *st, const struct hmn__run_result *res)
{
    char first[200];
    int kind = hmn__smi_classify_failure(st->out, st->len, res->exit_code, first, sizeof(first));
    const char *msg = first[0] ? first : "(no output)";
    switch (kind) {
    case HMN__SMI_FAIL_UNKNOWN_FIELD:
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "nvidia-smi: exit status %d: %s", res->exit_code,
                         msg);
    case HMN__SMI_FAIL_NO_DRIVER:
        return hmn__fail(ctx, HMN_ENODRIVER, "nvidia-smi: exit status %d: %s", res->exit_code,
                         msg);
    case HMN__SMI_FAIL_NO_NVML:
        return hmn__fail(ctx, HMN_ENODRIVER,
                         "nvidia-smi: exit status %d: NVML library not found: %s",
                         res->exit_code, msg);
    case HMN__SMI_FAIL_MISMATCH:
        return hmn__fail(ctx, HMN_ENODRIVER,
                         "nvidia-smi: exit status %d: %s (the loaded NVIDIA kernel module and "
                         "the user-space driver differ: reboot or reload the nvidia module)",
                         res->exit_code, msg);
    case HMN__SMI_FAIL_NO_DEVICES:
        return hmn__fail(ctx, HMN_ENOGPU, "nvidia-smi: exit status %d: %s", res->exit_code, msg);
    default:
        return hmn__fail(ctx, HMN_EBACKEND, "nvidia-smi: exit status %d: %s", res->exit_code,
                         msg);
    }
}

/* Log raw output, one line per debug call. */
static void debug_lines(const hmn_ctx *ctx, const char *buf, size_t len)
{
    size_t i = 0;
    if (!ctx->debug)
        return;
    while (i < len) {
        size_t e = i;
        while (e < len && buf[e] != '\n')
            e++;
        hmn__debug(ctx, "[nvidia-smi debug] %.*s", (int)(e - i), buf + i);
        i = e + 1;
    }
}

/* Run nvidia-smi with args (NULL-terminated, at most 6); output in st->out. */
static int smi_run(hmn_ctx *ctx, struct smi_state *st, const char *const *args)
{
    const char *argv[8];
    struct hmn__run_result res;
    char err[256] = "";
    size_t n = 0;
    int rc;
    argv[n++] = st->exe;
    while (*args && n < HMN__ARRAY_LEN(argv) - 1)
        argv[n++] = *args++;
    argv[n] = NULL;
    if (ctx->debug) {
        char line[1024];
        size_t k, used = 0;
        line[0] = '\0';
        for (k = 0; k < n && used < sizeof(line); k++)
            used += (size_t)hmn__snprintf(line + used, sizeof(line) - used, "%s%s",
                                          k ? " " : "", argv[k]);
        hmn__debug(ctx, "[nvidia-smi debug] run %s", line);
    }
    rc = hmn__run(argv, (uint64_t)ctx->smi_timeout_ms, st->out, SMI_OUT_CAP, &res, err,
                  sizeof(err));
    st->len = rc == HMN_OK ? res.len : 0;
    if (rc == HMN_ETIMEDOUT)
        return hmn__fail(ctx, HMN_ETIMEDOUT, "nvidia-smi: no answer within %lld ms (killed)",
                         (long long)ctx->smi_timeout_ms);
    if (rc != HMN_OK)
        return hmn__fail(ctx, rc == HMN_ENOENT ? HMN_ENODRIVER : HMN_EBACKEND, "nvidia-smi: %s",
                         err[0] ? err : hmn_strerror(rc));
    debug_lines(ctx, st->out, st->len);
    if (res.signaled)
        return hmn__fail(ctx, HMN_EBACKEND, "nvidia-smi: killed by signal %d",
                         res.term_signal);
    if (!res.exited)
        return hmn__fail(ctx, HMN_EBACKEND, "nvidia-smi: ended without an exit status");
    if (res.exit_code != 0)
        return run_failure(ctx, st, &res);
    if (res.truncated)
        return hmn__fail(ctx, HMN_EPARSE,
                         "nvidia-smi: output larger than %u bytes (truncated), not parsed",
                         SMI_OUT_CAP - 1);
    return HMN_OK;
}

/* ---------------------------------------------------------------- GPU query */

static const char q_gpu_reserved[] =
    "--query-gpu=index,name,uuid,pci.bus_id,memory.total,memory.used,memory.free,"
    "driver_version,memory.reserved";
static const int cols_reserved[] = {
    HMN__SMI_COL_INDEX, HMN__SMI_COL_NAME,   HMN__SMI_COL_UUID,
    HMN__SMI_COL_PCI,   HMN__SMI_COL_TOTAL,  HMN__SMI_COL_USED,
    HMN__SMI_COL_FREE,  HMN__SMI_COL_DRIVER, HMN__SMI_COL_RESERVED};
/* The same without memory.reserved, for nvidia-smi versions that reject it. */
static const char q_gpu_plain[] = "--query-gpu=index,name,uuid,pci.bus_id,memory.total,"
                                  "memory.used,memory.free,driver_version";
static const char fmt_csv[] = "--format=csv,noheader,nounits";

struct gpu_rows {
    struct hmn__smi_gpu *v;
    size_t n, cap;
};

static int collect_gpu(void *arg, const struct hmn__smi_gpu *row)
{
    struct gpu_rows *r = arg;
    if (r->n < r->cap)
        r->v[r->n] = *row;
    r->n++;
    return 0;
}

/* Run the GPU query (for one id when id_arg is set), retrying without memory.reserved. */
static int query_gpus(hmn_ctx *ctx, struct smi_state *st, const char *id_arg,
                      struct gpu_rows *rows)
{
    char why[160];
    int rc, with_res = st->reserved_ok != 0;
    const char *args[4];
    for (;;) {
        args[0] = with_res ? q_gpu_reserved : q_gpu_plain;
        args[1] = fmt_csv;
        args[2] = id_arg;
        args[3] = NULL;
        rc = smi_run(ctx, st, args);
        if (rc == HMN_EUNSUPPORTED && with_res) {
            hmn__debug(ctx, "[nvidia-smi debug] memory.reserved rejected: retrying without it");
            st->reserved_ok = 0;
            with_res = 0;
            continue;
        }
        if (rc < 0)
            return rc;
        break;
    }
    if (with_res)
        st->reserved_ok = 1;
    rows->n = 0;
    rc = hmn__smi_parse_gpus(st->out, st->len, cols_reserved,
                             with_res ? HMN__ARRAY_LEN(cols_reserved)
                                      : HMN__ARRAY_LEN(cols_reserved) - 1,
                             collect_gpu, rows, why, sizeof(why));
    if (rc < 0)
        return hmn__fail(ctx, HMN_EPARSE, "nvidia-smi: unexpected --query-gpu output: %s", why);
    return HMN_OK;
}

static int smi_enumerate(hmn_ctx *ctx, void *state, struct hmn__devtab *tab)
{
    struct smi_state *st = state;
    struct hmn__smi_gpu *v = st->rows;
    struct gpu_rows rows = {st->rows, 0, HMN__MAX_DEVICES};
    size_t i;
    int rc = query_gpus(ctx, st, NULL, &rows);
    st->nrows = 0;
    if (rc < 0)
        return rc;
    if (rows.n > rows.cap)
        return hmn__fail(ctx, HMN_ENOBUFS, "nvidia-smi: %u GPUs, more than the %d supported",
                         (unsigned)rows.n, HMN__MAX_DEVICES);
    st->nrows = rows.n;
    st->rows_seq = ctx->call_seq;
    st->rows_all = 1;
    for (i = 0; i < rows.n; i++) {
        struct hmn__dev d;
        memset(&d, 0, sizeof(d));
        d.backend = HMN__BK_SMI;
        /* --id takes nvidia-smi's own index; row order is that index order. */
        d.local_index = (v[i].valid & HMN__SMI_HAS_INDEX) ? v[i].index : (uint32_t)i;
        d.vendor = HMN_VENDOR_NVIDIA;
        if (v[i].valid & HMN__SMI_HAS_PCI)
            hmn__strlcpy(d.pci_bus_id, v[i].pci_bus_id, sizeof(d.pci_bus_id));
        if (v[i].valid & HMN__SMI_HAS_TOTAL) { /* the dispatcher checks rows against it */
            d.has_total = 1;
            d.total_bytes = hmn__sat_mul(v[i].total_mib, HMN__MIB);
        }
        rc = hmn__devtab_add(tab, &d);
        if (rc < 0)
            return hmn__fail(ctx, rc, "nvidia-smi: more than %d GPUs", HMN__MAX_DEVICES);
    }
    return HMN_OK;
}

/* The row for id from a query made earlier in this same call, else NULL. */
static const struct hmn__smi_gpu *cached_row(const hmn_ctx *ctx, const struct smi_state *st,
                                             uint32_t id)
{
    size_t i;
    if (st->nrows == 0 || st->rows_seq != ctx->call_seq)
        return NULL;
    for (i = 0; i < st->nrows; i++) {
        const struct hmn__smi_gpu *g = &st->rows[i];
        uint32_t idx = (g->valid & HMN__SMI_HAS_INDEX) ? g->index : (uint32_t)i;
        if (st->rows_all ? idx == id : (g->valid & HMN__SMI_HAS_INDEX) && g->index == id)
            return g;
    }
    return NULL;
}

/* Figures for one GPU: recent rows, or a fresh query with --id. */
static int query_one(hmn_ctx *ctx, struct smi_state *st, uint32_t id, struct hmn__smi_gpu *g)
{
    char id_arg[32];
    struct gpu_rows rows = {g, 0, 1};
    const struct hmn__smi_gpu *c = cached_row(ctx, st, id);
    int rc;
    if (c) {
        *g = *c;
        return HMN_OK;
    }
    st->nrows = 0;
    hmn__snprintf(id_arg, sizeof(id_arg), "--id=%u", id);
    rc = query_gpus(ctx, st, id_arg, &rows);
    if (rc < 0)
        return rc;
    if (rows.n != 1)
        return hmn__fail(ctx, HMN_EPARSE, "nvidia-smi: --id=%u gave %u rows, expected 1", id,
                         (unsigned)rows.n);
    st->rows[0] = *g;
    st->nrows = 1;
    st->rows_seq = ctx->call_seq;
    st->rows_all = 0;
    return HMN_OK;
}

/* One MiB figure into bytes when nvidia-smi gave it. */
static void take_mib(int known, uint64_t mib, uint64_t *bytes, uint64_t *valid, uint64_t bit)
{
    if (known) {
        *bytes = hmn__sat_mul(mib, HMN__MIB);
        *valid |= bit;
    }
}

static void fill_memory(const struct hmn__smi_gpu *g, hmn_gpu_device_info *out)
{
    take_mib(g->valid & HMN__SMI_HAS_TOTAL, g->total_mib, &out->total_bytes, &out->valid,
             HMN_DEV_HAS_TOTAL);
    /* nvidia-smi's memory.used already excludes memory.reserved (as NVML v2). */
    take_mib(g->valid & HMN__SMI_HAS_USED, g->used_mib, &out->used_bytes, &out->valid,
             HMN_DEV_HAS_USED);
    take_mib(g->valid & HMN__SMI_HAS_FREE, g->free_mib, &out->free_bytes, &out->valid,
             HMN_DEV_HAS_FREE);
    take_mib(g->valid & HMN__SMI_HAS_RESERVED, g->reserved_mib, &out->reserved_bytes,
             &out->valid, HMN_DEV_HAS_RESERVED);
}

/* One text column into a device field when nvidia-smi gave it. */
static void take_text(int known, const char *src, char *dst, size_t cap, uint64_t *valid,
                      uint64_t bit)
{
    if (known) {
        hmn__strlcpy(dst, src, cap);
        *valid |= bit;
    }
}

static void fill_text(const struct hmn__smi_gpu *g, hmn_gpu_device_info *out)
{
    take_text(g->valid & HMN__SMI_HAS_NAME, g->name, out->name, sizeof(out->name), &out->valid,
              HMN_DEV_HAS_NAME);
    take_text(g->valid & HMN__SMI_HAS_UUID, g->uuid, out->uuid, sizeof(out->uuid), &out->valid,
              HMN_DEV_HAS_UUID);
    take_text(g->valid & HMN__SMI_HAS_PCI, g->pci_bus_id, out->pci_bus_id,
              sizeof(out->pci_bus_id), &out->valid, HMN_DEV_HAS_PCI_BUS_ID);
    take_text(g->valid & HMN__SMI_HAS_DRIVER, g->driver, out->driver_version,
              sizeof(out->driver_version), &out->valid, HMN_DEV_HAS_DRIVER_VERSION);
}

static int smi_device_info(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                           hmn_gpu_device_info *out)
{
    struct hmn__smi_gpu g;
    int rc = query_one(ctx, state, dev->local_index, &g);
    if (rc < 0)
        return rc;
    out->source = HMN_SOURCE_NVIDIA_SMI;
    out->vendor = HMN_VENDOR_NVIDIA;
    out->memory_api = HMN_MEMORY_API_SMI;
    hmn__strlcpy(out->driver_name, "nvidia", sizeof(out->driver_name));
    fill_memory(&g, out);
    fill_text(&g, out);
    return HMN_OK;
}

/* Upstream semantics: nvidia-smi cannot attribute memory to us; give the device-wide used. */
static int smi_self_gpu(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                        hmn_process_gpu *out)
{
    struct hmn__smi_gpu g;
    int rc = query_one(ctx, state, dev->local_index, &g);
    if (rc < 0)
        return rc;
    if (!(g.valid & HMN__SMI_HAS_USED))
        return hmn__fail(ctx, HMN_EBACKEND, "nvidia-smi: GPU %u reports no memory.used",
                         dev->local_index);
    out->source = HMN_SOURCE_NVIDIA_SMI;
    out->used_bytes = hmn__sat_mul(g.used_mib, HMN__MIB);
    out->valid |= HMN_PGPU_HAS_USED;
    out->is_per_process = 0;
    return HMN_OK;
}

/* ---------------------------------------------------------------- processes */

static const char q_apps[] = "--query-compute-apps=pid,process_name,used_memory";
static const int cols_apps[] = {HMN__SMI_COL_PID, HMN__SMI_COL_PNAME, HMN__SMI_COL_PUSED};

struct app_sink {
    struct hmn__proc_vec *pv;
    int nomem;
};

static void merge_used(hmn_gpu_process *row, const struct hmn__smi_app *a)
{
    /* Unknown anywhere keeps the total unknown rather than under-counting. */
    if (!(a->valid & HMN__SMI_HAS_USED)) {
        row->valid &= ~(uint64_t)HMN_PROC_HAS_USED;
        row->used_bytes = 0;
    } else if (row->valid & HMN_PROC_HAS_USED) {
        row->used_bytes = hmn__sat_add(row->used_bytes, hmn__sat_mul(a->used_mib, HMN__MIB));
    }
}

static int add_app(void *arg, const struct hmn__smi_app *a)
{
    struct app_sink *s = arg;
    hmn_gpu_process *row = hmn__proc_vec_find(s->pv, a->pid);
    /* One PID listed twice (several contexts, MIG) is one process: sum it. */
    if (row) {
        merge_used(row, a);
        return 0;
    }
    row = hmn__proc_vec_push(s->pv);
    if (!row) {
        s->nomem = 1;
        return 1;
    }
    row->pid = a->pid;
    row->source = HMN_SOURCE_NVIDIA_SMI;
    row->kinds = HMN_PROC_KIND_COMPUTE;
    row->gpu_instance_id = 0xFFFFFFFFu;
    row->compute_instance_id = 0xFFFFFFFFu;
    if (a->valid & HMN__SMI_HAS_NAME) {
        hmn__strlcpy(row->name, a->name, sizeof(row->name));
        row->valid |= HMN_PROC_HAS_NAME;
    }
    /* "[N/A]" under WDDM / WSL2: keep the row, leave the figure unknown. */
    if (a->valid & HMN__SMI_HAS_USED) {
        row->used_bytes = hmn__sat_mul(a->used_mib, HMN__MIB);
        row->valid |= HMN_PROC_HAS_USED;
    }
    return 0;
}

static int smi_processes(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                         struct hmn__proc_vec *pv)
{
    struct smi_state *st = state;
    struct app_sink sink = {pv, 0};
    char id_arg[32], why[160];
    const char *args[4];
    unsigned skipped = 0;
    int rc;
    hmn__snprintf(id_arg, sizeof(id_arg), "--id=%u", dev->local_index);
    args[0] = q_apps;
    args[1] = fmt_csv;
    args[2] = id_arg;
    args[3] = NULL;
    rc = smi_run(ctx, st, args);
    if (rc < 0)
        return rc;
    rc = hmn__smi_parse_apps_skipping(st->out, st->len, cols_apps, HMN__ARRAY_LEN(cols_apps),
                                      add_app, &sink, &skipped, why, sizeof(why));
    if (sink.nomem)
        return hmn__fail(ctx, HMN_ENOMEM, "nvidia-smi: out of memory for process rows");
    if (rc < 0)
        return hmn__fail(ctx, HMN_EPARSE, "nvidia-smi: unexpected --query-compute-apps output: %s",
                         why);
    if (skipped)
        hmn__debug(ctx, "[nvidia-smi debug] %u process line(s) skipped, first: %s", skipped, why);
    pv->skipped_rows = skipped;
    pv->source = HMN_SOURCE_NVIDIA_SMI;
    /* Names come from nvidia-smi; /proc only fills the ones it left empty. */
    hmn__proc_resolve_rows(ctx, pv, 1);
    return HMN_OK;
}

const struct hmn__backend hmn__backend_smi = {
    .open = smi_open,
    .close = smi_close,
    .enumerate = smi_enumerate,
    .device_info = smi_device_info,
    .self_gpu = smi_self_gpu,
    .processes = smi_processes,
};
