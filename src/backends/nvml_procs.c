/*
 * backends/nvml_procs.c - the NVML backend's process lists: the process
 * API the library offers (detail list, _v3, _v2, unsuffixed), the
 * INSUFFICIENT_SIZE protocol, rows decoded by parse/nvml_rows.c and merged
 * by PID (compute, graphics and MPS lists overlap: the memory is the larger
 * figure, never the sum).  See gpu_nvml.c for the traps handled.
 */
#include "backends/nvml.h"
#include "parse/nvml_rows.h"

#include <stdlib.h>
#include <string.h>

#define NVML_MAX_ROWS 65536u /* more rows than any driver reports: refuse */
#define NVML_RETRIES 4
#define NVML_MAX_STRIDE sizeof(hmn_nvmlProcessDetail_v1_t)

/* One call of the process API `api` for `kind`, rows written to buf. */
static hmn_nvmlReturn_t call_procs(const struct nvml_state *st, enum proc_api api,
                                   hmn_nvmlDevice_t h, int kind, unsigned int *n, void *buf)
{
    static const unsigned int modes[K_COUNT] = {HMN_NVML_PROCESS_MODE_COMPUTE,
                                                HMN_NVML_PROCESS_MODE_GRAPHICS,
                                                HMN_NVML_PROCESS_MODE_MPS};
    hmn_nvml_procs_fn f = NULL;
    if (api == API_DETAIL) {
        hmn_nvmlProcessDetailList_v1_t list;
        hmn_nvmlReturn_t r;
        memset(&list, 0, sizeof(list));
        list.version = HMN_NVML_PROCESS_DETAIL_LIST_V1_VERSION;
        list.mode = modes[kind];
        list.numProcArrayEntries = *n;
        list.procArray = buf;
        r = st->fn.detail_list(h, &list);
        *n = list.numProcArrayEntries;
        return r;
    }
    if (api == API_V3)
        f = st->fn.procs_v3[kind];
    else if (api == API_V2)
        f = st->fn.procs_v2[kind];
    else if (api == API_V1)
        f = st->fn.procs_v1[kind];
    if (!f)
        return HMN_NVML_ERROR_FUNCTION_NOT_FOUND;
    return f(h, n, buf);
}

static size_t api_stride(const struct nvml_state *st, enum proc_api api)
{
    switch (api) {
    case API_DETAIL:
        return sizeof(hmn_nvmlProcessDetail_v1_t);
    case API_V3:
        return st->v3_stride;
    case API_V2:
        return sizeof(hmn_nvmlProcessInfo_v2_t);
    default:
        return sizeof(hmn_nvmlProcessInfo_v1_t);
    }
}

/*
 * The INSUFFICIENT_SIZE protocol: ask for the count with an empty buffer,
 * allocate with headroom (processes come and go), retry a bounded number of
 * times.  The buffer always has room for the largest stride.
 */
static int fetch_raw(hmn_ctx *ctx, const struct nvml_state *st, enum proc_api api,
                     hmn_nvmlDevice_t h, int kind, unsigned char **buf, unsigned int *n,
                     hmn_nvmlReturn_t *last)
{
    unsigned int want = 0;
    int attempt;
    hmn_nvmlReturn_t r = call_procs(st, api, h, kind, &want, NULL);
    *buf = NULL;
    *n = 0;
    *last = r;
    if (r == HMN_NVML_SUCCESS)
        return HMN_OK; /* nobody */
    for (attempt = 0; attempt < NVML_RETRIES && r == HMN_NVML_ERROR_INSUFFICIENT_SIZE; attempt++) {
        unsigned int cap = want > (NVML_MAX_ROWS - 5) / 2 ? NVML_MAX_ROWS : want * 2 + 5;
        unsigned char *b;
        if (want > NVML_MAX_ROWS)
            return hmn__fail(ctx, HMN_EBACKEND, "NVML reports %u processes: refusing", want);
        b = calloc(cap, NVML_MAX_STRIDE);
        if (!b)
            return hmn__fail(ctx, HMN_ENOMEM, "out of memory for %u NVML process rows", cap);
        want = cap;
        r = call_procs(st, api, h, kind, &want, b);
        *last = r;
        hmn__debug(ctx, "[NVML debug] %s kind %d attempt %d -> %d, %u rows",
                   hmn__nvml_api_name(api), kind, attempt, r, want);
        if (r == HMN_NVML_SUCCESS) {
            *buf = b;
            *n = HMN__MIN(want, cap);
            return HMN_OK;
        }
        free(b);
    }
    if (r == HMN_NVML_ERROR_INSUFFICIENT_SIZE)
        return hmn__fail(ctx, HMN_EBACKEND,
                         "NVML process list kept growing: gave up after %d attempts", NVML_RETRIES);
    return hmn__nvml_fail(ctx, st, hmn__nvml_api_name(api), r);
}

/* Rows of one kind, decoded; the other `_v3` stride is tried if they look wrong. */
static int fetch_kind(hmn_ctx *ctx, struct nvml_state *st, hmn_nvmlDevice_t h, int kind,
                      uint64_t total, struct hmn__nvml_row **rows, size_t *n,
                      hmn_nvmlReturn_t *last)
{
    unsigned char *buf;
    unsigned int cnt;
    size_t len, stride;
    int rc = fetch_raw(ctx, st, st->api, h, kind, &buf, &cnt, last);
    *rows = NULL;
    *n = 0;
    if (rc < 0 || cnt == 0) {
        free(buf); /* a retry can succeed with zero rows: the processes exited meanwhile */
        return rc;
    }
    *rows = calloc(cnt, sizeof(**rows));
    if (!*rows) {
        free(buf);
        return hmn__fail(ctx, HMN_ENOMEM, "out of memory");
    }
    len = (size_t)cnt * NVML_MAX_STRIDE; /* fetch_raw's buffer holds at least this */
    if (st->api == API_V3) {
        stride = hmn__nvml_decode_v3(buf, len, cnt, st->v3_stride, total, *rows, n);
        if (stride != st->v3_stride) {
            hmn__debug(ctx, "[NVML debug] _v3 rows only make sense with a %u-byte stride",
                       (unsigned)stride);
            st->v3_stride = stride; /* remember for this library */
        }
    } else {
        *n = hmn__nvml_decode_rows(buf, len, cnt, api_stride(st, st->api), *rows);
    }
    free(buf);
    return HMN_OK;
}

/* Merge one row: compute + graphics of the same PID are the same memory. */
static int merge_row(struct hmn__proc_vec *pv, const struct hmn__nvml_row *r, uint32_t kind_bit,
                     uint64_t total)
{
    hmn_gpu_process *row = hmn__proc_vec_find(pv, r->pid);
    uint64_t used = 0;
    int known = hmn__nvml_row_used(r, total, &used);
    if (!row) {
        row = hmn__proc_vec_push(pv);
        if (!row)
            return HMN_ENOMEM;
        row->pid = r->pid;
        row->source = HMN_SOURCE_NVML;
        row->gpu_instance_id = r->gi;
        row->compute_instance_id = r->ci;
    }
    row->kinds |= kind_bit;
    if (known && (!(row->valid & HMN_PROC_HAS_USED) || used > row->used_bytes)) {
        row->used_bytes = used;
        row->valid |= HMN_PROC_HAS_USED;
    }
    return HMN_OK;
}

static uint64_t device_total(const struct nvml_state *st, hmn_nvmlDevice_t h)
{
    hmn_nvmlMemory_t m;
    if (st->fn.mem_v1 && st->fn.mem_v1(h, &m) == HMN_NVML_SUCCESS)
        return m.total;
    return 0; /* unknown: no plausibility check on memory */
}

/* Whether the chosen API level has a call for this kind (MPS came later). */
static int kind_available(const struct nvml_state *st, int kind)
{
    switch (st->api) {
    case API_DETAIL:
        return 1;
    case API_V3:
        return st->fn.procs_v3[kind] != NULL;
    case API_V2:
        return st->fn.procs_v2[kind] != NULL;
    case API_V1:
        return st->fn.procs_v1[kind] != NULL;
    default:
        return 0;
    }
}

/* Every process on the device, merged by PID, host PIDs as the driver gave them. */
static int list_raw(hmn_ctx *ctx, struct nvml_state *st, const struct hmn__dev *dev,
                    struct hmn__proc_vec *pv)
{
    static const uint32_t kind_bits[K_COUNT] = {HMN_PROC_KIND_COMPUTE, HMN_PROC_KIND_GRAPHICS,
                                                HMN_PROC_KIND_MPS};
    hmn_nvmlDevice_t h;
    uint64_t total;
    int kind, rc = hmn__nvml_handle(ctx, st, dev->local_index, &h);
    if (rc < 0)
        return rc;
    if (st->api == API_NONE)
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "%s has no process-list call", st->lib);
    total = device_total(st, h);
    for (kind = 0; kind < K_COUNT && rc == HMN_OK; kind++) {
        struct hmn__nvml_row *rows;
        size_t n, i;
        hmn_nvmlReturn_t last;
        if (!kind_available(st, kind))
            continue;
        rc = fetch_kind(ctx, st, h, kind, total, &rows, &n, &last);
        if (rc < 0 && kind != K_COMPUTE && (last == HMN_NVML_ERROR_NOT_SUPPORTED ||
                                            last == HMN_NVML_ERROR_FUNCTION_NOT_FOUND)) {
            rc = HMN_OK; /* graphics/MPS list not offered here: that list is simply absent */
            continue;
        }
        for (i = 0; i < n && rc == HMN_OK; i++) {
            hmn__debug(ctx, "[NVML debug] kind %d pid %u used %llu gi %u ci %u", kind,
                       rows[i].pid, (unsigned long long)rows[i].used, rows[i].gi, rows[i].ci);
            rc = merge_row(pv, &rows[i], kind_bits[kind], total);
        }
        free(rows);
    }
    if (rc == HMN_ENOMEM)
        hmn__fail(ctx, rc, "out of memory");
    return rc;
}

int hmn__nvml_processes(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                        struct hmn__proc_vec *out)
{
    int rc = list_raw(ctx, state, dev, out);
    if (rc < 0)
        return rc;
    hmn__proc_resolve_rows(ctx, out, 1);
    return HMN_OK;
}

static hmn_gpu_process *find_self(hmn_ctx *ctx, struct hmn__proc_vec *pv)
{
    uint32_t me = hmn__getpid();
    hmn_gpu_process *row = hmn__proc_vec_find(pv, me);
    size_t i;
    if (row || pv->n == 0)
        return row;
    /* In a PID namespace the driver's host PID differs from ours: map, then look. */
    hmn__proc_resolve_rows(ctx, pv, 0);
    for (i = 0; i < pv->n; i++)
        if (pv->v[i].pid == me && !(pv->v[i].valid & HMN_PROC_PID_UNMAPPED))
            return &pv->v[i];
    return NULL;
}

/* Our own row; a negative code (not ENOGPU) lets the dispatcher fall back to nvidia-smi. */
int hmn__nvml_self_gpu(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                       hmn_process_gpu *out)
{
    struct hmn__proc_vec pv;
    hmn_gpu_process *row;
    int rc;
    hmn__proc_vec_init(&pv);
    rc = list_raw(ctx, state, dev, &pv);
    if (rc == HMN_OK) {
        row = find_self(ctx, &pv);
        if (!row)
            rc = hmn__fail(ctx, HMN_ENOENT, "NVML lists no GPU memory for this process");
        else if (!(row->valid & HMN_PROC_HAS_USED))
            rc = hmn__fail(ctx, HMN_ENOENT, "NVML reports this process's GPU memory as not available");
        else {
            out->source = HMN_SOURCE_NVML;
            out->used_bytes = row->used_bytes;
            out->valid |= HMN_PGPU_HAS_USED;
            out->is_per_process = 1;
        }
    }
    hmn__proc_vec_free(&pv);
    return rc;
}

/* ---------------------------------------------------------------- accounting */

/*
 * The driver's exact per-process peaks where accounting mode is already on
 * (it is never switched on here: that needs root and changes the machine).
 * The protocol: NOT_SUPPORTED where the device has no accounting,
 * NOT_FOUND for a PID without a record (it never made a context while the
 * mode was on, or its record was pushed out of the driver's buffer).
 */
int hmn__nvml_accounting(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                         const uint32_t *pids, size_t n, uint64_t *sum)
{
    struct nvml_state *st = state;
    hmn_nvmlEnableState_t mode = HMN_NVML_FEATURE_DISABLED;
    hmn_nvmlDevice_t h;
    hmn_nvmlReturn_t r;
    uint64_t total = 0;
    size_t i;
    int rc;
    if (!st->fn.accounting_mode || !st->fn.accounting_stats)
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "this NVML has no accounting calls");
    rc = hmn__nvml_handle(ctx, st, dev->local_index, &h);
    if (rc != HMN_OK)
        return rc;
    r = st->fn.accounting_mode(h, &mode);
    if (r == HMN_NVML_ERROR_NOT_SUPPORTED)
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "accounting not supported on this device");
    if (r != HMN_NVML_SUCCESS)
        return hmn__nvml_fail(ctx, st, "nvmlDeviceGetAccountingMode", r);
    if (mode != HMN_NVML_FEATURE_ENABLED)
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "accounting mode is off");
    for (i = 0; i < n; i++) {
        hmn_nvmlAccountingStats_t a;
        memset(&a, 0, sizeof(a));
        r = st->fn.accounting_stats(h, pids[i], &a);
        if (r == HMN_NVML_ERROR_NOT_FOUND)
            continue; /* no record: this process held nothing on the device */
        if (r != HMN_NVML_SUCCESS)
            return hmn__nvml_fail(ctx, st, "nvmlDeviceGetAccountingStats", r);
        if (a.maxMemoryUsage == HMN_NVML_VALUE_NOT_AVAILABLE_ULL)
            return hmn__fail(ctx, HMN_EUNSUPPORTED, "accounting gives no memory figure");
        hmn__debug(ctx, "[NVML debug] accounting pid %u maxMemoryUsage %llu running %u",
                   pids[i], a.maxMemoryUsage, a.isRunning);
        total = hmn__sat_add(total, a.maxMemoryUsage);
    }
    *sum = total;
    return HMN_OK;
}
