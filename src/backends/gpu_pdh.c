/*
 * backends/gpu_pdh.c - Windows performance counters:
 *  - the per-process listing from the "GPU Process Memory" counter set
 *    (Dedicated Usage, plus Shared Usage when the counter is there), for
 *    the adapter whose LUID DXGI enumeration stored on the device entry;
 *  - the adapter sampler over "GPU Adapter Memory" (Dedicated + Shared Usage
 *    summed over the adapter's segments): kept open for a spill tracker's
 *    life, and read once for the device-wide "used" of a DXGI adapter.
 *
 * Both counter sets exist on WDDM 2.0+ only.  A missing set is reported as
 * an error (listing: the dispatcher then falls back to nvidia-smi) or as
 * "not measurable" (spill), never as zero.  Instance names are parsed by
 * parse/pdh_names.c; the object and counter names are the English ones.
 */
#include "backend.h"
#include "common/grow.h"

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <pdh.h>
#include <pdhmsg.h>
#include <tlhelp32.h>

#include "os/win_util.h"
#include "parse/pdh_names.h"

#include <stdlib.h>
#include <string.h>

#define PROC_SET L"GPU Process Memory"
#define ADAPTER_SET L"GPU Adapter Memory"
#define ENUM_RETRIES 4 /* instances may come and go between the two calls */

/* ---------------------------------------------------------------- instances */

/* Why a PDH status failed, upstream-worded for the common cases. */
static int pdh_fail(hmn_ctx *ctx, const char *what, const char *set, PDH_STATUS st)
{
    if ((DWORD)st == PDH_CSTATUS_NO_OBJECT)
        return hmn__fail(ctx, HMN_EUNSUPPORTED,
                         "PDH: counter set \"%s\" is not registered (needs WDDM 2.0+; status "
                         "0x%08lX)",
                         set, (unsigned long)(DWORD)st);
    return hmn__fail(ctx, HMN_EBACKEND, "PDH: %s(%s) failed (status 0x%08lX)", what, set,
                     (unsigned long)(DWORD)st);
}

/*
 * The instance names of a counter set as a UTF-8 multi-string (names are
 * ASCII by construction; anything else becomes '?', which the strict
 * parser then rejects).  Two-call protocol: sizes, then data.
 */
static int enum_instances(hmn_ctx *ctx, const wchar_t *set, const char *set8, char **out,
                          size_t *out_len)
{
    int tries;
    *out = NULL;
    *out_len = 0;
    for (tries = 0; tries < ENUM_RETRIES; tries++) {
        DWORD clen = 0, ilen = 0, i;
        wchar_t *counters, *inst;
        char *narrow;
        PDH_STATUS st = PdhEnumObjectItemsW(NULL, NULL, set, NULL, &clen, NULL, &ilen,
                                            PERF_DETAIL_WIZARD, 0);
        if ((DWORD)st != PDH_MORE_DATA && st != ERROR_SUCCESS)
            return pdh_fail(ctx, "PdhEnumObjectItemsW", set8, st);
        counters = calloc((size_t)clen + 2, sizeof(wchar_t));
        inst = calloc((size_t)ilen + 2, sizeof(wchar_t));
        if (!counters || !inst) {
            free(counters);
            free(inst);
            return hmn__fail(ctx, HMN_ENOMEM, "out of memory");
        }
        st = PdhEnumObjectItemsW(NULL, NULL, set, counters, &clen, inst, &ilen,
                                 PERF_DETAIL_WIZARD, 0);
        free(counters);
        if ((DWORD)st == PDH_MORE_DATA) {
            free(inst);
            continue;
        }
        if (st != ERROR_SUCCESS) {
            free(inst);
            return pdh_fail(ctx, "PdhEnumObjectItemsW", set8, st);
        }
        narrow = malloc((size_t)ilen + 2);
        if (!narrow) {
            free(inst);
            return hmn__fail(ctx, HMN_ENOMEM, "out of memory");
        }
        for (i = 0; i < ilen; i++)
            narrow[i] = inst[i] < 0x80 ? (char)inst[i] : '?';
        narrow[ilen] = narrow[ilen + 1] = '\0';
        free(inst);
        *out = narrow;
        *out_len = ilen;
        return HMN_OK;
    }
    return hmn__fail(ctx, HMN_EBACKEND, "PDH: instances of %s kept changing", set8);
}

static int add_counter(PDH_HQUERY q, const char *set8, const char *inst, size_t inst_len,
                       const char *counter, PDH_HCOUNTER *out)
{
    char path[512];
    wchar_t *w;
    PDH_STATUS st;
    if (hmn__snprintf(path, sizeof(path), "\\%s(%.*s)\\%s", set8, (int)inst_len, inst,
                      counter) >= (int)sizeof(path))
        return HMN_ENOBUFS;
    w = hmn__win_widen(path);
    if (!w)
        return HMN_ENOMEM;
    st = PdhAddEnglishCounterW(q, w, 0, out);
    free(w);
    return st == ERROR_SUCCESS ? HMN_OK : HMN_EBACKEND;
}

/* A gauge in bytes; negative or failed reads are "unknown". */
static int read_bytes(PDH_HCOUNTER c, uint64_t *out)
{
    PDH_FMT_COUNTERVALUE v;
    memset(&v, 0, sizeof(v));
    if (PdhGetFormattedCounterValue(c, PDH_FMT_LARGE, NULL, &v) != ERROR_SUCCESS ||
        (v.CStatus != PDH_CSTATUS_VALID_DATA && v.CStatus != PDH_CSTATUS_NEW_DATA) ||
        v.largeValue < 0)
        return HMN_EBACKEND;
    *out = (uint64_t)v.largeValue;
    return HMN_OK;
}

/* ---------------------------------------------------------------- backend */

/* No adapter LUID on the device: say why DXGI could not tell it. */
static int no_adapter(hmn_ctx *ctx)
{
    int dxgi_ok = hmn__backend_ready(ctx, HMN__BK_DXGI);
    return hmn__fail(ctx, HMN_ENOENT, "no DXGI adapter matches device (%s)",
                     dxgi_ok ? "index not found" : ctx->bk[HMN__BK_DXGI].reason);
}

static int pdh_open(hmn_ctx *ctx, void **state, char *reason, size_t cap)
{
    DWORD clen = 0, ilen = 0;
    /* Probe the set once so the source report can say why PDH is unusable. */
    PDH_STATUS st = PdhEnumObjectItemsW(NULL, NULL, PROC_SET, NULL, &clen, NULL, &ilen,
                                        PERF_DETAIL_WIZARD, 0);
    (void)ctx;
    *state = NULL;
    if ((DWORD)st != PDH_MORE_DATA && st != ERROR_SUCCESS) {
        if ((DWORD)st == PDH_CSTATUS_NO_OBJECT)
            hmn__snprintf(reason, cap,
                          "PDH counter set \"GPU Process Memory\" is not registered (needs WDDM "
                          "2.0+)");
        else
            hmn__snprintf(reason, cap, "PdhEnumObjectItemsW(GPU Process Memory) failed "
                                       "(status 0x%08lX)",
                          (unsigned long)(DWORD)st);
        return HMN_EUNSUPPORTED;
    }
    hmn__snprintf(reason, cap, "PDH \"GPU Process Memory\" counters");
    return HMN_OK;
}

struct seg {
    uint32_t pid;
    PDH_HCOUNTER ded, shared;
    int has_shared;
};

/* Add the counters of every instance on the adapter; returns the count. */
static size_t add_process_segments(PDH_HQUERY q, const char *names, size_t len, int32_t high,
                                   uint32_t low, struct seg *segs, size_t max)
{
    const char *item;
    size_t pos = 0, item_len, n = 0;
    while (n < max && hmn__pdh_multistring_next(names, len, &pos, &item, &item_len)) {
        struct hmn__pdh_instance in;
        if (hmn__pdh_parse_process_instance(item, item_len, &in) != HMN_OK ||
            in.luid_high != high || in.luid_low != low)
            continue;
        memset(&segs[n], 0, sizeof(segs[n]));
        segs[n].pid = in.pid;
        if (add_counter(q, "GPU Process Memory", item, item_len, "Dedicated Usage",
                        &segs[n].ded) != HMN_OK)
            continue; /* Dedicated is mandatory */
        segs[n].has_shared = add_counter(q, "GPU Process Memory", item, item_len,
                                         "Shared Usage", &segs[n].shared) == HMN_OK;
        n++;
    }
    return n;
}

/* The PIDs the fold left out (no segment with a dedicated figure); the dispatcher dedupes. */
static int note_unreadable(struct hmn__proc_vec *pv, const struct hmn__pdh_sample *smp, size_t n,
                           const struct hmn__pdh_row *rows, size_t nrows)
{
    size_t i, j;
    for (i = 0; i < n; i++) {
        int listed = 0;
        if (smp[i].dedicated_ok)
            continue;
        for (j = 0; j < nrows && !listed; j++)
            listed = rows[j].pid == smp[i].pid;
        if (!listed && hmn__proc_vec_add_unreadable(pv, smp[i].pid) != HMN_OK)
            return HMN_ENOMEM;
    }
    return HMN_OK;
}

/* Read every segment, fold per PID (parse/pdh_names.c), append the rows. */
static int collect_rows(struct hmn__proc_vec *pv, const struct seg *segs, size_t n)
{
    struct hmn__pdh_sample *smp = calloc(n ? n : 1, sizeof(*smp));
    struct hmn__pdh_row *rows = calloc(n ? n : 1, sizeof(*rows));
    size_t i, nrows;
    uint32_t unreadable;
    int rc = HMN_OK;
    if (!smp || !rows) {
        free(smp);
        free(rows);
        return HMN_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        smp[i].pid = segs[i].pid;
        smp[i].dedicated_ok = read_bytes(segs[i].ded, &smp[i].dedicated) == HMN_OK;
        smp[i].shared_ok =
            segs[i].has_shared && read_bytes(segs[i].shared, &smp[i].shared) == HMN_OK;
    }
    nrows = hmn__pdh_fold(smp, n, rows, &unreadable); /* the count: the PIDs below, once each */
    rc = note_unreadable(pv, smp, n, rows, nrows);
    for (i = 0; i < nrows && rc == HMN_OK; i++) {
        hmn_gpu_process *row = hmn__proc_vec_push(pv);
        if (!row) {
            rc = HMN_ENOMEM;
            break;
        }
        row->pid = row->host_pid = rows[i].pid;
        row->source = HMN_SOURCE_PDH;
        row->gpu_instance_id = row->compute_instance_id = 0xFFFFFFFFu;
        row->used_bytes = rows[i].dedicated;
        row->valid = HMN_PROC_HAS_USED;
        if (rows[i].shared_ok) {
            row->shared_used_bytes = rows[i].shared;
            row->valid |= HMN_PROC_HAS_SHARED;
        }
    }
    free(smp);
    free(rows);
    return rc;
}

/* Toolhelp32 snapshot entries, taken once per listing when first needed. */
struct snap {
    int taken, ok;
    size_t n;
    struct {
        uint32_t pid;
        char name[260 * 3];
    } *e;
};

static void snap_take(struct snap *sn)
{
    PROCESSENTRY32W pe;
    HANDLE h;
    size_t cap = 0;
    sn->taken = 1;
    h = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (h == INVALID_HANDLE_VALUE)
        return;
    sn->ok = 1;
    memset(&pe, 0, sizeof(pe));
    pe.dwSize = sizeof(pe);
    if (Process32FirstW(h, &pe)) {
        do {
            if (sn->n == cap) {
                void *p = hmn__grow(sn->e, &cap, sn->n + 1, sizeof(*sn->e), 256);
                if (!p) {
                    sn->ok = 0; /* a partial list would turn live PIDs into [exited] */
                    break;
                }
                sn->e = p;
            }
            sn->e[sn->n].pid = pe.th32ProcessID;
            (void)hmn__utf16_to_utf8((const uint16_t *)pe.szExeFile, MAX_PATH,
                                     sn->e[sn->n].name, sizeof(sn->e[0].name));
            sn->n++;
        } while (Process32NextW(h, &pe));
    }
    CloseHandle(h);
}

static const char *snap_find(const struct snap *sn, uint32_t pid)
{
    size_t i;
    for (i = 0; i < sn->n; i++)
        if (sn->e[i].pid == pid)
            return sn->e[i].name;
    return NULL;
}

/* Full image path of pid in UTF-8, or 0 when it cannot be opened. */
static int image_path(uint32_t pid, char *buf, size_t cap)
{
    wchar_t w[1024];
    DWORD n = (DWORD)(sizeof(w) / sizeof(w[0]));
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    int ok;
    if (!h)
        return 0;
    ok = QueryFullProcessImageNameW(h, 0, w, &n) && n > 0;
    CloseHandle(h);
    return ok && hmn__win_narrow(w, buf, cap) == HMN_OK;
}

static void name_rows(struct hmn__proc_vec *pv)
{
    struct snap sn;
    size_t i, len;
    memset(&sn, 0, sizeof(sn));
    for (i = 0; i < pv->n; i++) {
        hmn_gpu_process *r = &pv->v[i];
        char image[1024 * 3];
        struct hmn__pdh_name_in in;
        const char *name;
        memset(&in, 0, sizeof(in));
        in.pid = r->pid;
        if (r->pid != 4 && image_path(r->pid, image, sizeof(image)))
            in.image = image;
        if (r->pid != 4 && !in.image) {
            if (!sn.taken)
                snap_take(&sn);
            in.snapshot_ok = sn.ok;
            in.exe_file = snap_find(&sn, r->pid);
        }
        name = hmn__pdh_process_name(&in, &len);
        hmn__copy_text(r->name, sizeof(r->name), name, len);
        r->valid |= HMN_PROC_HAS_NAME;
    }
    free(sn.e);
}

static int pdh_processes(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                         struct hmn__proc_vec *pv)
{
    PDH_HQUERY q = NULL;
    struct seg *segs = NULL;
    char *names = NULL;
    size_t len, n;
    int32_t high;
    uint32_t low;
    PDH_STATUS st;
    int rc = HMN_OK;
    (void)state;
    if (!dev->has_luid)
        return no_adapter(ctx);
    high = dev->luid_high;
    low = dev->luid_low;
    st = PdhOpenQueryW(NULL, 0, &q);
    if (st != ERROR_SUCCESS)
        return pdh_fail(ctx, "PdhOpenQueryW", "GPU Process Memory", st);
    rc = enum_instances(ctx, PROC_SET, "GPU Process Memory", &names, &len);
    if (rc == HMN_OK) {
        segs = calloc(len / 8 + 1, sizeof(*segs)); /* an instance name is > 8 chars */
        if (!segs)
            rc = hmn__fail(ctx, HMN_ENOMEM, "out of memory");
    }
    if (rc == HMN_OK) {
        n = add_process_segments(q, names, len, high, low, segs, len / 8 + 1);
        hmn__debug(ctx, "pdh: %lu process segment(s) on luid 0x%08lX_0x%08lX", (unsigned long)n,
                   (unsigned long)(uint32_t)high, (unsigned long)low);
        st = n ? PdhCollectQueryData(q) : ERROR_SUCCESS;
        if (st != ERROR_SUCCESS)
            rc = pdh_fail(ctx, "PdhCollectQueryData", "GPU Process Memory", st);
        if (rc == HMN_OK)
            rc = collect_rows(pv, segs, n);
        if (rc == HMN_ENOMEM)
            rc = hmn__fail(ctx, HMN_ENOMEM, "out of memory");
        if (rc == HMN_OK)
            name_rows(pv);
    }
    free(segs);
    free(names);
    PdhCloseQuery(q);
    return rc;
}


/* ---------------------------------------------------------------- spill */

struct hmn__spill_sampler {
    PDH_HQUERY q;
    size_t n;
    PDH_HCOUNTER *ded, *shared;
};

/* Counters of every "luid_..._phys_N" instance of the adapter; 0 = none. */
static int sampler_add(hmn_ctx *ctx, struct hmn__spill_sampler *s, int32_t high, uint32_t low)
{
    const char *item;
    char *names;
    size_t len, pos = 0, item_len, max;
    int rc = enum_instances(ctx, ADAPTER_SET, "GPU Adapter Memory", &names, &len);
    if (rc < 0)
        return rc;
    max = len / 8 + 1;
    s->ded = calloc(max, sizeof(*s->ded));
    s->shared = calloc(max, sizeof(*s->shared));
    if (!s->ded || !s->shared) {
        free(names);
        return hmn__fail(ctx, HMN_ENOMEM, "out of memory");
    }
    while (s->n < max && hmn__pdh_multistring_next(names, len, &pos, &item, &item_len)) {
        struct hmn__pdh_instance in;
        if (hmn__pdh_parse_adapter_instance(item, item_len, &in) != HMN_OK ||
            in.luid_high != high || in.luid_low != low)
            continue;
        /* Both counters are mandatory per segment: a refused one makes it unmeasurable. */
        if (add_counter(s->q, "GPU Adapter Memory", item, item_len, "Dedicated Usage",
                        &s->ded[s->n]) != HMN_OK ||
            add_counter(s->q, "GPU Adapter Memory", item, item_len, "Shared Usage",
                        &s->shared[s->n]) != HMN_OK) {
            free(names);
            return hmn__fail(ctx, HMN_EUNSUPPORTED, "PDH refused a GPU Adapter Memory counter");
        }
        s->n++;
    }
    free(names);
    if (s->n == 0)
        return hmn__fail(ctx, HMN_EUNSUPPORTED, "PDH: no GPU Adapter Memory instance for the "
                                                "adapter");
    return HMN_OK;
}

static void pdh_sampler_close(struct hmn__spill_sampler *s);

/* A sampler on the adapter with this LUID; HMN_EUNSUPPORTED = not measurable. */
static int sampler_open_luid(hmn_ctx *ctx, int32_t high, uint32_t low,
                             struct hmn__spill_sampler **out)
{
    struct hmn__spill_sampler *s = calloc(1, sizeof(*s));
    PDH_STATUS st;
    int rc;
    *out = NULL;
    if (!s)
        return hmn__fail(ctx, HMN_ENOMEM, "out of memory");
    st = PdhOpenQueryW(NULL, 0, &s->q);
    if (st != ERROR_SUCCESS) {
        free(s);
        return pdh_fail(ctx, "PdhOpenQueryW", "GPU Adapter Memory", st);
    }
    rc = sampler_add(ctx, s, high, low);
    if (rc < 0) {
        pdh_sampler_close(s);
        /* Absent set / instance / refused counters: not measurable, not an error. */
        return rc == HMN_ENOMEM ? rc : HMN_EUNSUPPORTED;
    }
    *out = s;
    return HMN_OK;
}

static int pdh_sampler_open(hmn_ctx *ctx, const struct hmn__dev *dev,
                            struct hmn__spill_sampler **out, uint64_t *limit)
{
    int rc;
    *out = NULL;
    *limit = 0;
    if (!dev->has_luid)
        return no_adapter(ctx);
    rc = sampler_open_luid(ctx, dev->luid_high, dev->luid_low, out);
    if (rc == HMN_OK)
        *limit = dev->dedicated_bytes; /* no "Dedicated Limit" counter: DXGI capacity */
    return rc;
}

static int pdh_sampler_sample(struct hmn__spill_sampler *s, uint64_t *dedicated,
                              uint64_t *shared)
{
    uint64_t d = 0, sh = 0, v;
    size_t i;
    *dedicated = *shared = 0;
    if (!s || PdhCollectQueryData(s->q) != ERROR_SUCCESS)
        return HMN_EBACKEND;
    /* Any failed counter fails the whole sample (it is then skipped). */
    for (i = 0; i < s->n; i++) {
        if (read_bytes(s->ded[i], &v) != HMN_OK)
            return HMN_EBACKEND;
        d = hmn__sat_add(d, v);
        if (read_bytes(s->shared[i], &v) != HMN_OK)
            return HMN_EBACKEND;
        sh = hmn__sat_add(sh, v);
    }
    *dedicated = d;
    *shared = sh;
    return HMN_OK;
}

static void pdh_sampler_close(struct hmn__spill_sampler *s)
{
    if (!s)
        return;
    if (s->q)
        PdhCloseQuery(s->q);
    free(s->ded);
    free(s->shared);
    free(s);
}

const struct hmn__backend hmn__backend_pdh = {
    .open = pdh_open,
    .close = NULL,
    .enumerate = NULL, /* devices come from NVML / nvidia-smi / DXGI */
    .device_info = NULL,
    .self_gpu = NULL,
    .processes = pdh_processes,
    .mig = NULL,
    .sampler_open = pdh_sampler_open,
    .sampler_sample = pdh_sampler_sample,
    .sampler_close = pdh_sampler_close,
};
