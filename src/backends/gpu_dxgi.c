/*
 * backends/gpu_dxgi.c - Windows DXGI adapters, as upstream reads them.
 *
 * open() walks the adapters once: EnumAdapters1(i) until it fails (the only
 * end-of-walk signal), skipping any adapter whose GetDesc1 fails.  Kept:
 *  - NVIDIA: VendorId 0x10DE with DedicatedVideoMemory > 0.  Their order is
 *    the NVIDIA index (upstream maps it 1:1 to the NVML index).
 *  - others: neither NVIDIA nor 0x1414 (Microsoft Basic Render Driver), with
 *    dedicated or shared memory; listed after the NVIDIA ones.
 *
 * Figures: total = DedicatedVideoMemory (SharedSystemMemory for an adapter
 * without dedicated memory), name = Description.  DXGI has no device-wide
 * "used": it comes from PDH's adapter counters when they exist, else it
 * stays unknown.  Per process: IDXGIAdapter3
 * QueryVideoMemoryInfo(node 0, LOCAL).CurrentUsage of the calling process.
 * Enumeration stores each adapter's LUID and dedicated size on its device
 * entry, and on the NVIDIA devices NVML / nvidia-smi listed, for PDH.
 */
#include "backend.h"

#ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
#endif
#define COBJMACROS
#include <windows.h>
#include <initguid.h>
#include <dxgi1_4.h>

#include "os/win_util.h"

#include <stdlib.h>
#include <string.h>

#define VENDOR_NVIDIA 0x10DEu
#define VENDOR_MS_BASIC_RENDER 0x1414u
#define MAX_RAW_ADAPTERS 256u /* stop a walk that never ends */

struct adapter {
    IDXGIAdapter1 *a;
    DXGI_ADAPTER_DESC1 desc;
};

struct dxgi_state {
    IDXGIFactory1 *factory;
    uint32_t n, n_nvidia; /* ad[0 .. n_nvidia) are NVIDIA, the rest others */
    struct adapter ad[HMN__MAX_DEVICES];
};

static int is_nvidia(const DXGI_ADAPTER_DESC1 *d)
{
    return d->VendorId == VENDOR_NVIDIA && d->DedicatedVideoMemory > 0;
}

static int is_other(const DXGI_ADAPTER_DESC1 *d)
{
    return d->VendorId != VENDOR_NVIDIA && d->VendorId != VENDOR_MS_BASIC_RENDER &&
           (d->DedicatedVideoMemory > 0 || d->SharedSystemMemory > 0);
}

/* Keep adapters of one class (pass 0: NVIDIA, pass 1: others), walk order. */
static void walk(hmn_ctx *ctx, struct dxgi_state *s, int pass)
{
    UINT i;
    for (i = 0; i < MAX_RAW_ADAPTERS && s->n < HMN__MAX_DEVICES; i++) {
        IDXGIAdapter1 *a = NULL;
        DXGI_ADAPTER_DESC1 d;
        HRESULT hr = IDXGIFactory1_EnumAdapters1(s->factory, i, &a);
        if (FAILED(hr) || !a)
            break; /* DXGI_ERROR_NOT_FOUND ends the walk; so does any failure */
        memset(&d, 0, sizeof(d));
        hr = IDXGIAdapter1_GetDesc1(a, &d);
        if (FAILED(hr)) {
            hmn__debug(ctx, "dxgi: adapter %u skipped: GetDesc1 HRESULT 0x%08lX", i,
                       (unsigned long)hr);
            IDXGIAdapter1_Release(a);
            continue;
        }
        if (pass == 0 ? is_nvidia(&d) : is_other(&d)) {
            s->ad[s->n].a = a;
            s->ad[s->n].desc = d;
            s->n++;
            hmn__debug(ctx, "dxgi: adapter %u vendor 0x%04X dedicated %llu shared %llu", i,
                       d.VendorId, (unsigned long long)d.DedicatedVideoMemory,
                       (unsigned long long)d.SharedSystemMemory);
        } else {
            IDXGIAdapter1_Release(a);
        }
    }
}

static void dxgi_close(hmn_ctx *ctx, void *state)
{
    struct dxgi_state *s = state;
    uint32_t i;
    (void)ctx;
    if (!s)
        return;
    for (i = 0; i < s->n; i++)
        IDXGIAdapter1_Release(s->ad[i].a);
    if (s->factory)
        IDXGIFactory1_Release(s->factory);
    free(s);
}

static int dxgi_open(hmn_ctx *ctx, void **state, char *reason, size_t cap)
{
    struct dxgi_state *s = calloc(1, sizeof(*s));
    void *f = NULL;
    HRESULT hr;
    *state = s;
    if (!s) {
        hmn__snprintf(reason, cap, "out of memory");
        return HMN_ENOMEM;
    }
    hr = CreateDXGIFactory1(&IID_IDXGIFactory1, &f);
    if (FAILED(hr) || !f) {
        hmn__snprintf(reason, cap, "CreateDXGIFactory1 failed (HRESULT 0x%08lX)",
                      (unsigned long)hr);
        return HMN_ENODRIVER;
    }
    s->factory = f;
    walk(ctx, s, 0);
    s->n_nvidia = s->n;
    walk(ctx, s, 1);
    hmn__snprintf(reason, cap, "DXGI: %u NVIDIA adapter(s), %u other adapter(s)", s->n_nvidia,
                  s->n - s->n_nvidia);
    return HMN_OK;
}

static uint32_t vendor_of(UINT id)
{
    switch (id) {
    case 0x10DE:
        return HMN_VENDOR_NVIDIA;
    case 0x1002:
    case 0x1022:
        return HMN_VENDOR_AMD;
    case 0x8086:
        return HMN_VENDOR_INTEL;
    default:
        return HMN_VENDOR_OTHER;
    }
}

/* What PDH needs to find the adapter in its counter instance names. */
static void store_adapter(struct hmn__dev *d, const struct adapter *ad)
{
    d->has_luid = 1;
    d->luid_high = (int32_t)ad->desc.AdapterLuid.HighPart;
    d->luid_low = (uint32_t)ad->desc.AdapterLuid.LowPart;
    d->dedicated_bytes = (uint64_t)ad->desc.DedicatedVideoMemory;
}

static int tab_has_nvidia(const struct hmn__devtab *tab)
{
    uint32_t i;
    for (i = 0; i < tab->count; i++)
        if (tab->dev[i].vendor == HMN_VENDOR_NVIDIA)
            return 1;
    return 0;
}

/*
 * NVIDIA adapters only when NVML / nvidia-smi listed none; others always.
 * An NVIDIA device they listed gets the adapter at its NVIDIA index
 * (upstream's 1:1 mapping).
 */
static int dxgi_enumerate(hmn_ctx *ctx, void *state, struct hmn__devtab *tab)
{
    struct dxgi_state *s = state;
    uint32_t i = tab_has_nvidia(tab) ? s->n_nvidia : 0, k;
    (void)ctx;
    for (k = 0; k < tab->count; k++) {
        struct hmn__dev *d = &tab->dev[k];
        if (d->vendor == HMN_VENDOR_NVIDIA && d->local_index < s->n_nvidia)
            store_adapter(d, &s->ad[d->local_index]);
    }
    for (; i < s->n; i++) {
        struct hmn__dev d;
        int rc;
        memset(&d, 0, sizeof(d));
        d.backend = HMN__BK_DXGI;
        d.local_index = i;
        d.vendor = vendor_of(s->ad[i].desc.VendorId);
        store_adapter(&d, &s->ad[i]);
        rc = hmn__devtab_add(tab, &d);
        if (rc < 0)
            return rc;
    }
    return HMN_OK;
}

/*
 * The adapter behind dev: our own entries by position; an NVIDIA device of
 * NVML / nvidia-smi by its NVIDIA index (upstream's 1:1 mapping).
 */
static const struct adapter *adapter_for(const struct dxgi_state *s, const struct hmn__dev *dev)
{
    if (dev->backend == HMN__BK_DXGI)
        return dev->local_index < s->n ? &s->ad[dev->local_index] : NULL;
    if (dev->vendor == HMN_VENDOR_NVIDIA && dev->local_index < s->n_nvidia)
        return &s->ad[dev->local_index];
    return NULL;
}

/*
 * DXGI itself has no device-wide "used".  Where the PDH "GPU Adapter
 * Memory" counters exist (WDDM 2.0+), they give it: dedicated usage for an
 * adapter with VRAM, shared usage for one without.  Elsewhere used and free
 * stay unknown.
 */
static void adapter_usage(hmn_ctx *ctx, const struct hmn__dev *dev, const struct adapter *ad,
                          hmn_gpu_device_info *out)
{
    uint64_t ded = 0, shared = 0, used;
    if (hmn__adapter_usage(ctx, dev, &ded, &shared) != HMN_OK)
        return;
    used = ad->desc.DedicatedVideoMemory > 0 ? ded : shared;
    hmn__debug(ctx, "dxgi: PDH adapter usage dedicated=%llu shared=%llu",
               (unsigned long long)ded, (unsigned long long)shared);
    out->used_bytes = used;
    out->valid |= HMN_DEV_HAS_USED;
    if (used <= out->total_bytes) {
        out->free_bytes = out->total_bytes - used;
        out->valid |= HMN_DEV_HAS_FREE;
    }
}

static int dxgi_device_info(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                            hmn_gpu_device_info *out)
{
    const struct adapter *ad = adapter_for(state, dev);
    wchar_t name[129];
    if (!ad)
        return HMN_ENOGPU;
    (void)ctx;
    out->source = HMN_SOURCE_DXGI;
    out->memory_api = HMN_MEMORY_API_DXGI;
    out->vendor = vendor_of(ad->desc.VendorId);
    out->total_bytes = ad->desc.DedicatedVideoMemory > 0 ? (uint64_t)ad->desc.DedicatedVideoMemory
                                                         : (uint64_t)ad->desc.SharedSystemMemory;
    out->valid |= HMN_DEV_HAS_TOTAL;
    out->pci_vendor_id = ad->desc.VendorId;
    out->pci_device_id = ad->desc.DeviceId;
    out->valid |= HMN_DEV_HAS_PCI_IDS;
    /* Description is a fixed WCHAR[128], maybe without a terminator. */
    memcpy(name, ad->desc.Description, sizeof(ad->desc.Description));
    name[128] = L'\0';
    if (name[0] && hmn__win_narrow(name, out->name, sizeof(out->name)) == HMN_OK && out->name[0])
        out->valid |= HMN_DEV_HAS_NAME;
    adapter_usage(ctx, dev, ad, out);
    return HMN_OK;
}

static int dxgi_self_gpu(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                         hmn_process_gpu *out)
{
    const struct adapter *ad = adapter_for(state, dev);
    DXGI_QUERY_VIDEO_MEMORY_INFO info;
    IDXGIAdapter3 *a3 = NULL;
    HRESULT hr;
    if (!ad)
        return HMN_ENOGPU;
    hr = IDXGIAdapter1_QueryInterface(ad->a, &IID_IDXGIAdapter3, (void **)&a3);
    if (FAILED(hr) || !a3)
        return hmn__fail(ctx, HMN_EUNSUPPORTED,
                         "DXGI: adapter has no IDXGIAdapter3 (HRESULT 0x%08lX)",
                         (unsigned long)hr);
    memset(&info, 0, sizeof(info));
    hr = IDXGIAdapter3_QueryVideoMemoryInfo(a3, 0, DXGI_MEMORY_SEGMENT_GROUP_LOCAL, &info);
    IDXGIAdapter3_Release(a3);
    if (FAILED(hr))
        return hmn__fail(ctx, HMN_EBACKEND, "DXGI: QueryVideoMemoryInfo failed (HRESULT 0x%08lX)",
                         (unsigned long)hr);
    hmn__debug(ctx, "dxgi: LOCAL CurrentUsage=%llu Budget=%llu",
               (unsigned long long)info.CurrentUsage, (unsigned long long)info.Budget);
    out->source = HMN_SOURCE_DXGI;
    out->used_bytes = info.CurrentUsage;
    out->valid |= HMN_PGPU_HAS_USED;
    out->is_per_process = 1;
    return HMN_OK;
}

const struct hmn__backend hmn__backend_dxgi = {
    .open = dxgi_open,
    .close = dxgi_close,
    .enumerate = dxgi_enumerate,
    .device_info = dxgi_device_info,
    .self_gpu = dxgi_self_gpu,
    .processes = NULL, /* PDH lists processes for DXGI adapters */
    .mig = NULL,
};
