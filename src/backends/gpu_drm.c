/*
 * backends/gpu_drm.c - AMD, Intel (and any other DRM) GPUs on Linux with no
 * vendor library: devices from <sysfs>/class/drm/cardN/device, device-wide
 * memory from amdgpu's mem_info_* files, per-process memory from the fdinfo
 * of every DRM file descriptor under <procfs>/<pid>/fd (the sweep:
 * drm_scan.c), folded here into one row per process.
 *
 * Roots come from ctx->sysfs / ctx->procfs (HMN_SYSFS / HMN_PROCFS), so the
 * same code reads a host's trees mounted into a container, or a fixture.
 * docs/backends/drm.md has the rules (regions, de-duplication, unreadable).
 */
#include "backends/drm.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_CACHE_MS 50 /* one listing of several devices reuses one /proc pass */

/* ---------------------------------------------------------------- cards */

static int is_card_name(const char *name)
{
    size_t i;
    /* card0, card12 - not renderD128 and not connectors such as card0-DP-1. */
    if (strncmp(name, "card", 4) != 0 || !name[4] || strlen(name) > 12)
        return 0;
    for (i = 4; name[i]; i++)
        if (name[i] < '0' || name[i] > '9')
            return 0;
    return 1;
}

static int add_card_name(void *arg, const char *name)
{
    struct drm_state *st = arg;
    if (!is_card_name(name) || st->n >= HMN__MAX_DEVICES)
        return 0;
    hmn__strlcpy(st->card[st->n++].name, name, sizeof(st->card[0].name));
    return 0;
}

static int cmp_card(const void *a, const void *b)
{
    long x = strtol(((const struct drm_card *)a)->name + 4, NULL, 10);
    long y = strtol(((const struct drm_card *)b)->name + 4, NULL, 10);
    return (x > y) - (x < y);
}

/* Read <sysfs>/class/drm/<card>/device/<attr>; HMN_OK or a negative code. */
static int read_attr(const hmn_ctx *ctx, const char *card, const char *attr, char *buf,
                     size_t cap, size_t *len)
{
    char path[700];
    int rc = hmn__path(path, sizeof(path), ctx->sysfs, "/class/drm/%s/device/%s", card, attr);
    if (rc != HMN_OK)
        return rc;
    return hmn__read_file(path, buf, cap, len, NULL);
}

static int attr_u64(const hmn_ctx *ctx, const char *card, const char *attr, uint64_t *v)
{
    char buf[64];
    size_t len;
    int rc = read_attr(ctx, card, attr, buf, sizeof(buf), &len);
    if (rc != HMN_OK)
        return rc;
    rc = hmn__parse_sysfs_u64(buf, len, v);
    if (rc != HMN_OK)
        hmn__debug(ctx, "[hmn debug] drm %s/%s: not a number: [%s]", card, attr, buf);
    return rc;
}

static int attr_hex(const hmn_ctx *ctx, const char *card, const char *attr, uint32_t *v)
{
    char buf[64];
    size_t len;
    int rc = read_attr(ctx, card, attr, buf, sizeof(buf), &len);
    return rc != HMN_OK ? rc : hmn__parse_sysfs_hex(buf, len, v);
}

static uint32_t vendor_of(const struct drm_card *c)
{
    if (c->has_ids) {
        switch (c->vendor_id) {
        case 0x1002: return HMN_VENDOR_AMD;
        case 0x8086: return HMN_VENDOR_INTEL;
        case 0x10de: return HMN_VENDOR_NVIDIA;
        default: return HMN_VENDOR_OTHER;
        }
    }
    /* Platform devices have no PCI ids: the driver still tells the vendor. */
    if (!strcmp(c->driver, "amdgpu") || !strcmp(c->driver, "radeon"))
        return HMN_VENDOR_AMD;
    if (!strcmp(c->driver, "i915") || !strcmp(c->driver, "xe"))
        return HMN_VENDOR_INTEL;
    if (!strcmp(c->driver, "nvidia"))
        return HMN_VENDOR_NVIDIA;
    return c->driver[0] ? HMN_VENDOR_OTHER : HMN_VENDOR_UNKNOWN;
}

static void load_card(const hmn_ctx *ctx, struct drm_card *c)
{
    char buf[2048];
    size_t len;
    if (read_attr(ctx, c->name, "uevent", buf, sizeof(buf), &len) == HMN_OK) {
        (void)hmn__parse_uevent(buf, len, "DRIVER", c->driver, sizeof(c->driver));
        (void)hmn__parse_uevent(buf, len, "PCI_SLOT_NAME", c->pci, sizeof(c->pci));
        hmn__drm_lower(c->pci);
    }
    c->has_ids = attr_hex(ctx, c->name, "vendor", &c->vendor_id) == HMN_OK &&
                 attr_hex(ctx, c->name, "device", &c->device_id) == HMN_OK;
    c->vendor = vendor_of(c);
    hmn__debug(ctx, "[hmn debug] drm %s: driver=%s pci=%s ids=%04x:%04x", c->name, c->driver,
               c->pci, c->vendor_id, c->device_id);
}

static int drm_open(hmn_ctx *ctx, void **state, char *reason, size_t cap)
{
    char path[600];
    struct drm_state *st;
    uint32_t i;
    int rc;
    *state = NULL;
    if (hmn__path(path, sizeof(path), ctx->sysfs, "/class/drm") != HMN_OK) {
        hmn__snprintf(reason, cap, "HMN_SYSFS path too long");
        return HMN_EINVAL;
    }
    st = calloc(1, sizeof(*st));
    if (!st) {
        hmn__snprintf(reason, cap, "out of memory");
        return HMN_ENOMEM;
    }
    rc = hmn__list_dir(path, add_card_name, st);
    if (rc == HMN_OK && st->n == 0)
        rc = HMN_ENOGPU;
    if (rc != HMN_OK) {
        hmn__snprintf(reason, cap, "%s: %s", path,
                      rc == HMN_ENOENT   ? "not found"
                      : rc == HMN_ENOGPU ? "no GPU cards"
                      : rc == HMN_EACCES ? "permission denied"
                                         : "cannot be listed");
        free(st);
        return rc;
    }
    qsort(st->card, st->n, sizeof(st->card[0]), cmp_card);
    for (i = 0; i < st->n; i++)
        load_card(ctx, &st->card[i]);
    hmn__snprintf(reason, cap, "%u DRM card(s) under %s", st->n, path);
    *state = st;
    return HMN_OK;
}

static void drm_close(hmn_ctx *ctx, void *state)
{
    struct drm_state *st = state;
    (void)ctx;
    if (st)
        hmn__drm_scan_free(&st->cache);
    free(st);
}

static int drm_enumerate(hmn_ctx *ctx, void *state, struct hmn__devtab *tab)
{
    struct drm_state *st = state;
    uint32_t i;
    (void)ctx;
    for (i = 0; i < st->n; i++) {
        struct hmn__dev d;
        memset(&d, 0, sizeof(d));
        d.backend = HMN__BK_DRM;
        d.local_index = i;
        d.vendor = st->card[i].vendor;
        hmn__strlcpy(d.pci_bus_id, st->card[i].pci, sizeof(d.pci_bus_id));
        hmn__strlcpy(d.card, st->card[i].name, sizeof(d.card));
        /* An NVIDIA card NVML already listed is dropped here (same PCI bus id). */
        if (hmn__devtab_add(tab, &d) != HMN_OK)
            break;
    }
    return HMN_OK;
}

static const struct drm_card *card_of(hmn_ctx *ctx, void *state, const struct hmn__dev *dev)
{
    struct drm_state *st = state;
    if (!st || dev->local_index >= st->n) {
        hmn__fail(ctx, HMN_EBACKEND, "DRM device %u is not known", dev->local_index);
        return NULL;
    }
    return &st->card[dev->local_index];
}

/* ---------------------------------------------------------------- device info */

static const char *vendor_label(uint32_t vendor)
{
    switch (vendor) {
    case HMN_VENDOR_AMD: return "AMD GPU";
    case HMN_VENDOR_INTEL: return "Intel GPU";
    case HMN_VENDOR_NVIDIA: return "NVIDIA GPU";
    default: return "GPU";
    }
}

static void info_name(hmn_ctx *ctx, const struct drm_card *c, hmn_gpu_device_info *out)
{
    char buf[128];
    size_t len, tlen;
    const char *t;
    /* amdgpu exposes the board's marketing name; others only have PCI ids. */
    if (read_attr(ctx, c->name, "product_name", buf, sizeof(buf), &len) == HMN_OK) {
        t = hmn__trim(buf, len, &tlen);
        if (tlen > 0 && tlen < sizeof(out->name) && hmn__utf8_valid(t, tlen)) {
            memcpy(out->name, t, tlen);
            out->name[tlen] = '\0';
            out->valid |= HMN_DEV_HAS_NAME;
            return;
        }
    }
    if (c->has_ids)
        hmn__snprintf(out->name, sizeof(out->name), "%s %04x:%04x", vendor_label(c->vendor),
                      c->vendor_id, c->device_id);
    else if (c->driver[0]) /* platform device (simpledrm, vkms, SoC GPUs) */
        hmn__snprintf(out->name, sizeof(out->name), "%s (%s)", c->driver, c->name);
    else
        return;
    out->valid |= HMN_DEV_HAS_NAME;
}

/* A total/used pair of mem_info_* files; 1 when both were read. */
static int mem_pair(hmn_ctx *ctx, const struct drm_card *c, const char *what, uint64_t *total,
                    uint64_t *used)
{
    char a[48], b[48];
    hmn__snprintf(a, sizeof(a), "mem_info_%s_total", what);
    hmn__snprintf(b, sizeof(b), "mem_info_%s_used", what);
    return attr_u64(ctx, c->name, a, total) == HMN_OK && attr_u64(ctx, c->name, b, used) == HMN_OK;
}

static void info_memory(hmn_ctx *ctx, const struct drm_card *c, hmn_gpu_device_info *out)
{
    uint64_t total, used;
    if (mem_pair(ctx, c, "vram", &total, &used)) {
        out->total_bytes = total;
        out->used_bytes = used;
        out->valid |= HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED;
        /* used > total would be a driver bug: leave free unknown rather than wrap. */
        if (used <= total) {
            out->free_bytes = total - used;
            out->valid |= HMN_DEV_HAS_FREE;
        }
        out->memory_api = HMN_MEMORY_API_SYSFS;
    }
    if (mem_pair(ctx, c, "gtt", &total, &used)) {
        out->gtt_total_bytes = total;
        out->gtt_used_bytes = used;
        out->valid |= HMN_DEV_HAS_GTT;
    }
    if (mem_pair(ctx, c, "vis_vram", &total, &used)) {
        out->vis_vram_total_bytes = total;
        out->vis_vram_used_bytes = used;
        out->valid |= HMN_DEV_HAS_VIS_VRAM;
    }
}

static int drm_device_info(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                           hmn_gpu_device_info *out)
{
    const struct drm_card *c = card_of(ctx, state, dev);
    if (!c)
        return HMN_EBACKEND;
    out->source = HMN_SOURCE_SYSFS;
    out->vendor = c->vendor;
    info_name(ctx, c, out);
    /* i915 / xe give memory only through ioctls (CAP_PERFMON): stays unknown. */
    info_memory(ctx, c, out);
    if (c->has_ids) {
        out->pci_vendor_id = c->vendor_id;
        out->pci_device_id = c->device_id;
        out->valid |= HMN_DEV_HAS_PCI_IDS;
    }
    if (c->pci[0]) {
        hmn__strlcpy(out->pci_bus_id, c->pci, sizeof(out->pci_bus_id));
        out->valid |= HMN_DEV_HAS_PCI_BUS_ID;
    }
    if (c->driver[0]) {
        hmn__strlcpy(out->driver_name, c->driver, sizeof(out->driver_name));
        /* The header's rule: driver_version holds the kernel driver name here. */
        hmn__strlcpy(out->driver_version, c->driver, sizeof(out->driver_version));
        out->valid |= HMN_DEV_HAS_DRIVER_VERSION;
    }
    return HMN_OK;
}

/* ---------------------------------------------------------------- rows */

static int cmp_hold_ptr(const void *a, const void *b)
{
    const struct drm_hold *x = *(const struct drm_hold *const *)a;
    const struct drm_hold *y = *(const struct drm_hold *const *)b;
    if (x->client_id != y->client_id)
        return x->client_id < y->client_id ? -1 : 1;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Mark clients of `card` that several processes hold, and their owner (lowest PID). */
static int mark_shared(struct drm_scan *d, uint32_t card)
{
    struct drm_hold **p;
    size_t i, j, m = 0;
    p = malloc((d->n ? d->n : 1) * sizeof(*p));
    if (!p)
        return HMN_ENOMEM;
    for (i = 0; i < d->n; i++) {
        d->h[i].shared = 0;
        d->h[i].owner = 1;
        if (d->h[i].card == card && d->h[i].has_id)
            p[m++] = &d->h[i];
    }
    qsort(p, m, sizeof(*p), cmp_hold_ptr);
    for (i = 0; i < m; i = j) {
        for (j = i + 1; j < m && p[j]->client_id == p[i]->client_id; j++) {
            p[j]->owner = 0;
            p[j]->shared = p[i]->shared = 1;
        }
    }
    free(p);
    return HMN_OK;
}

/* used_bytes of one client: device-local regions, or system ones on an iGPU. */
static int hold_used(const struct drm_hold *h, uint64_t *used)
{
    if (h->seen & (1u << HMN__DRM_LOCAL)) {
        *used = h->region[HMN__DRM_LOCAL];
        return 1;
    }
    if (h->seen & (1u << HMN__DRM_SYSTEM)) {
        *used = h->region[HMN__DRM_SYSTEM];
        return 1;
    }
    return 0; /* no memory keys at all (older kernels): unknown, not zero */
}

static void add_region(hmn_gpu_process *r, const struct drm_hold *h, int cls, uint64_t *dst,
                       uint64_t bit)
{
    if (h->seen & (1u << cls)) {
        *dst = hmn__sat_add(*dst, h->region[cls]);
        r->valid |= bit;
    }
}

static void row_add(hmn_gpu_process *r, const struct drm_hold *h, int *used_unknown)
{
    uint64_t used;
    r->clients++;
    if (h->shared)
        r->shared_clients++;
    if (hold_used(h, &used)) {
        r->used_bytes = hmn__sat_add(r->used_bytes, used);
        if (h->owner)
            r->unique_used_bytes = hmn__sat_add(r->unique_used_bytes, used);
    } else {
        *used_unknown = 1;
    }
    add_region(r, h, HMN__DRM_GTT, &r->gtt_bytes, HMN_PROC_HAS_GTT);
    add_region(r, h, HMN__DRM_CPU, &r->cpu_bytes, HMN_PROC_HAS_CPU);
    add_region(r, h, HMN__DRM_STOLEN, &r->stolen_bytes, HMN_PROC_HAS_STOLEN);
}

static hmn_gpu_process *new_row(hmn_ctx *ctx, struct hmn__proc_vec *pv, uint32_t pid)
{
    hmn_gpu_process *r = hmn__proc_vec_push(pv);
    if (!r)
        return NULL;
    r->pid = pid;
    r->host_pid = pid;
    r->source = HMN_SOURCE_DRM_FDINFO;
    r->kinds = HMN_PROC_KIND_DRM;
    r->valid = HMN_PROC_HAS_CLIENTS;
    if (hmn__proc_name(ctx, pid, r->name, sizeof(r->name)) == HMN_OK)
        r->valid |= HMN_PROC_HAS_NAME;
    return r;
}

/* One client without memory keys makes both totals unknown; unique_used_bytes then reads 0. */
static void finish_row(hmn_gpu_process *r, int used_unknown)
{
    if (!r)
        return;
    if (used_unknown)
        r->unique_used_bytes = 0;
    else
        r->valid |= HMN_PROC_HAS_USED | HMN_PROC_HAS_UNIQUE_USED;
}

/* One row per process holding a client of `card` (holds are grouped by PID). */
static int build_rows(hmn_ctx *ctx, struct drm_scan *d, uint32_t card, struct hmn__proc_vec *pv)
{
    hmn_gpu_process *r = NULL;
    uint32_t pid = 0;
    int used_unknown = 0;
    size_t i;
    if (mark_shared(d, card) != HMN_OK)
        return hmn__fail(ctx, HMN_ENOMEM, "out of memory building DRM rows");
    for (i = 0; i < d->n; i++) {
        const struct drm_hold *h = &d->h[i];
        if (h->card != card)
            continue;
        if (!r || h->pid != pid) {
            finish_row(r, used_unknown);
            used_unknown = 0;
            pid = h->pid;
            r = new_row(ctx, pv, pid);
            if (!r)
                return hmn__fail(ctx, HMN_ENOMEM, "out of memory building DRM rows");
        }
        row_add(r, h, &used_unknown);
    }
    finish_row(r, used_unknown);
    /* Which card an unreadable process uses is unknown: every card's list names it. */
    for (i = 0; i < d->unreadable; i++)
        if (hmn__proc_vec_add_unreadable(pv, d->unreadable_pid[i]) != HMN_OK)
            return hmn__fail(ctx, HMN_ENOMEM, "out of memory building DRM rows");
    pv->source = HMN_SOURCE_DRM_FDINFO;
    return HMN_OK;
}

/* A fresh full scan, or the one made a moment ago for another device. */
static int full_scan(hmn_ctx *ctx, struct drm_state *st, struct drm_scan **out)
{
    uint64_t now = hmn__now_ms();
    int rc;
    if (st->cache_valid && now - st->cache_ms < SCAN_CACHE_MS) {
        *out = &st->cache;
        return HMN_OK;
    }
    hmn__drm_scan_free(&st->cache);
    st->cache_valid = 0;
    rc = hmn__drm_scan(ctx, st, 0, &st->cache);
    if (rc != HMN_OK)
        return rc;
    st->cache_valid = 1;
    st->cache_ms = hmn__now_ms();
    *out = &st->cache;
    return HMN_OK;
}

static int drm_processes(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                         struct hmn__proc_vec *out)
{
    struct drm_state *st = state;
    struct drm_scan *d;
    int rc;
    if (!card_of(ctx, state, dev))
        return HMN_EBACKEND;
    rc = full_scan(ctx, st, &d);
    return rc != HMN_OK ? rc : build_rows(ctx, d, dev->local_index, out);
}

static int drm_self_gpu(hmn_ctx *ctx, void *state, const struct hmn__dev *dev,
                        hmn_process_gpu *out)
{
    struct drm_scan d;
    size_t i;
    int rc, known = 1;
    if (!card_of(ctx, state, dev))
        return HMN_EBACKEND;
    rc = hmn__drm_scan(ctx, state, hmn__getpid(), &d);
    if (rc != HMN_OK)
        return rc;
    if (d.unreadable) {
        hmn__drm_scan_free(&d);
        return hmn__fail(ctx, HMN_EACCES, "%s/%u/fd: cannot read our own DRM descriptors",
                         ctx->procfs, hmn__getpid());
    }
    /* No client on this device is a measured zero: we hold nothing there. */
    for (i = 0; i < d.n; i++) {
        uint64_t used;
        if (d.h[i].card != dev->local_index)
            continue;
        if (hold_used(&d.h[i], &used))
            out->used_bytes = hmn__sat_add(out->used_bytes, used);
        else
            known = 0;
    }
    hmn__drm_scan_free(&d);
    out->source = HMN_SOURCE_DRM_FDINFO;
    out->is_per_process = 1;
    if (known)
        out->valid |= HMN_PGPU_HAS_USED;
    return HMN_OK;
}

const struct hmn__backend hmn__backend_drm = {
    .open = drm_open,
    .close = drm_close,
    .enumerate = drm_enumerate,
    .device_info = drm_device_info,
    .self_gpu = drm_self_gpu,
    .processes = drm_processes,
};
