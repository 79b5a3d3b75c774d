/*
 * core/report.c - upstream's `report` feature, byte for byte: MemoryReport
 * deltas and the free/total/used one-liners.  "MB" here means MiB (upstream
 * kept the label for candle-mi parity); numbers are rounded, not floored.
 */
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_gpu(const hmn_snapshot *s)
{
    return (s->valid & HMN_SNAP_HAS_GPU) && (s->gpu.valid & HMN_PGPU_HAS_USED);
}

static double mib(uint64_t b)
{
    return (double)b / 1048576.0;
}

double hmn_report_ram_delta_mb(const hmn_snapshot *before, const hmn_snapshot *after)
{
    if (!before || !after)
        return 0.0;
    return hmn_snapshot_ram_mb(after) - hmn_snapshot_ram_mb(before);
}

int hmn_report_vram_delta_mb(const hmn_snapshot *before, const hmn_snapshot *after, double *mb)
{
    if (!before || !after || !mb)
        return HMN_EINVAL;
    if (!has_gpu(before) || !has_gpu(after))
        return HMN_ENOENT;
    *mb = mib(after->gpu.used_bytes) - mib(before->gpu.used_bytes);
    return HMN_OK;
}

static const char *qualifier(const hmn_snapshot *after)
{
    if (!has_gpu(after))
        return "";
    return after->gpu.is_per_process ? " [per-process]" : " [device-wide]";
}

int hmn_format_delta(char *buf, size_t cap, const hmn_snapshot *before, const hmn_snapshot *after,
                     const char *label)
{
    double vram;
    if (!before || !after || !label || (!buf && cap))
        return HMN_EINVAL;
    if (hmn_report_vram_delta_mb(before, after, &vram) != HMN_OK)
        return hmn__snprintf(buf, cap, "  %s: RAM %+.0f MB\n", label,
                             hmn_report_ram_delta_mb(before, after));
    return hmn__snprintf(buf, cap, "  %s: RAM %+.0f MB  |  VRAM %+.0f MB%s\n", label,
                         hmn_report_ram_delta_mb(before, after), vram, qualifier(after));
}

int hmn_format_before_after(char *buf, size_t cap, const hmn_snapshot *before,
                            const hmn_snapshot *after, const char *label)
{
    char total[64] = "", name[128] = "";
    int n1, n2;
    double b, a;
    if (!before || !after || !label || (!buf && cap))
        return HMN_EINVAL;
    b = hmn_snapshot_ram_mb(before);
    a = hmn_snapshot_ram_mb(after);
    n1 = hmn__snprintf(buf, cap, "  %s: RAM %.0f MB \xE2\x86\x92 %.0f MB (%+.0f MB)\n", label, b,
                       a, a - b);
    if (n1 < 0 || !has_gpu(before) || !has_gpu(after))
        return n1;
    if (after->valid & HMN_SNAP_HAS_GPU_DEVICE) {
        const hmn_gpu_device_info *d = &after->gpu_device;
        if (d->valid & HMN_DEV_HAS_TOTAL)
            hmn__snprintf(total, sizeof(total), " / %.0f MB", mib(d->total_bytes));
        if ((d->valid & HMN_DEV_HAS_NAME) && d->name[0])
            hmn__snprintf(name, sizeof(name), " [%s]", d->name);
    }
    b = mib(before->gpu.used_bytes);
    a = mib(after->gpu.used_bytes);
    n2 = hmn__snprintf((size_t)n1 < cap ? buf + n1 : NULL, (size_t)n1 < cap ? cap - (size_t)n1 : 0,
                       "  %s: VRAM %.0f MB \xE2\x86\x92 %.0f MB (%+.0f MB%s)%s%s\n", label, b, a,
                       a - b, total, qualifier(after), name);
    return n2 < 0 ? n2 : n1 + n2;
}

/* Format into a heap buffer and write it to stdout (the print_* variants). */
static int print_formatted(int (*fmt)(char *, size_t, const hmn_snapshot *, const hmn_snapshot *,
                                      const char *),
                           const hmn_snapshot *before, const hmn_snapshot *after,
                           const char *label)
{
    int n = fmt(NULL, 0, before, after, label);
    char *buf;
    if (n < 0)
        return n;
    buf = malloc((size_t)n + 1);
    if (!buf)
        return HMN_ENOMEM;
    fmt(buf, (size_t)n + 1, before, after, label);
    fputs(buf, stdout);
    free(buf);
    return n;
}

int hmn_print_delta(const hmn_snapshot *before, const hmn_snapshot *after, const char *label)
{
    return print_formatted(hmn_format_delta, before, after, label);
}

int hmn_print_before_after(const hmn_snapshot *before, const hmn_snapshot *after,
                           const char *label)
{
    return print_formatted(hmn_format_before_after, before, after, label);
}

/* "  GPU {index}: {what} {value} MB[ / {total} MB]{ [name]}\n" */
static int device_line(char *buf, size_t cap, const hmn_gpu_device_info *d, const char *what,
                       uint64_t value, uint64_t bit, int with_total)
{
    char v[32], t[48] = "", name[128] = "";
    if (!d || (!buf && cap))
        return HMN_EINVAL;
    if (d->valid & bit)
        hmn__snprintf(v, sizeof(v), "%.0f MB", mib(value));
    else
        hmn__snprintf(v, sizeof(v), "n/a");
    if (with_total) {
        if (d->valid & HMN_DEV_HAS_TOTAL)
            hmn__snprintf(t, sizeof(t), " / %.0f MB", mib(d->total_bytes));
        else
            hmn__snprintf(t, sizeof(t), " / n/a");
    }
    if ((d->valid & HMN_DEV_HAS_NAME) && d->name[0])
        hmn__snprintf(name, sizeof(name), " [%s]", d->name);
    return hmn__snprintf(buf, cap, "  GPU %u: %s %s%s%s\n", d->index, what, v, t, name);
}

int hmn_format_free(char *buf, size_t cap, const hmn_gpu_device_info *dev)
{
    return device_line(buf, cap, dev, "free", dev ? dev->free_bytes : 0, HMN_DEV_HAS_FREE, 1);
}

int hmn_format_total(char *buf, size_t cap, const hmn_gpu_device_info *dev)
{
    return device_line(buf, cap, dev, "total", dev ? dev->total_bytes : 0, HMN_DEV_HAS_TOTAL, 0);
}

int hmn_format_used(char *buf, size_t cap, const hmn_gpu_device_info *dev)
{
    return device_line(buf, cap, dev, "used", dev ? dev->used_bytes : 0, HMN_DEV_HAS_USED, 0);
}

int hmn_print_free(const hmn_gpu_device_info *dev)
{
    char buf[256];
    int n = hmn_format_free(buf, sizeof(buf), dev);
    if (n >= 0)
        fputs(buf, stdout);
    return n;
}
