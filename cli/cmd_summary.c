/*
 * cli/cmd_summary.c - `hmn` with no subcommand: one line (or one JSON
 * object) per GPU, in upstream hmn 0.2.14's format (docs/cli.md).  Figures
 * a backend could not read print as n/a (null in JSON), never 0.
 */
#include "cli.h"

#include <stdio.h>

static void mib_or_na(char *buf, size_t cap, const hmn_gpu_device_info *d, uint64_t bit, uint64_t v)
{
    if (d->valid & bit)
        snprintf(buf, cap, "%llu MiB", (unsigned long long)(v / 1048576ull));
    else
        snprintf(buf, cap, "n/a");
}

/* The device's strings come from the driver or sysfs: the line is made safe. */
static void print_line(const hmn_gpu_device_info *d)
{
    char fr[32], to[32];
    struct line l;
    mib_or_na(fr, sizeof(fr), d, HMN_DEV_HAS_FREE, d->free_bytes);
    mib_or_na(to, sizeof(to), d, HMN_DEV_HAS_TOTAL, d->total_bytes);
    line_init(&l);
    line_add(&l, "GPU %u", d->index);
    if (d->valid & HMN_DEV_HAS_NAME)
        line_add(&l, " [%s]", d->name);
    line_add(&l, ": free %s / %s", fr, to);
    if (d->valid & HMN_DEV_HAS_RESERVED)
        line_add(&l, " (%llu MiB reserved)", (unsigned long long)(d->reserved_bytes / 1048576ull));
    if (d->valid & HMN_DEV_HAS_DRIVER_VERSION)
        line_add(&l, ", driver %s", d->driver_version);
    line_end(&l, stdout);
}

static void print_json(const hmn_gpu_device_info *d)
{
    /* Upstream's keys first, in upstream's order; ours are appended. */
    printf("{\"index\":%u,\"name\":", d->index);
    json_str(stdout, (d->valid & HMN_DEV_HAS_NAME) ? d->name : NULL);
    fputs(",\"total_bytes\":", stdout);
    json_u64(stdout, (d->valid & HMN_DEV_HAS_TOTAL) != 0, d->total_bytes);
    fputs(",\"free_bytes\":", stdout);
    json_u64(stdout, (d->valid & HMN_DEV_HAS_FREE) != 0, d->free_bytes);
    fputs(",\"used_bytes\":", stdout);
    json_u64(stdout, (d->valid & HMN_DEV_HAS_USED) != 0, d->used_bytes);
    fputs(",\"reserved_bytes\":", stdout);
    json_u64(stdout, (d->valid & HMN_DEV_HAS_RESERVED) != 0, d->reserved_bytes);
    fputs(",\"driver_version\":", stdout);
    json_str(stdout, (d->valid & HMN_DEV_HAS_DRIVER_VERSION) ? d->driver_version : NULL);
    fputs(",\"source\":", stdout);
    json_str(stdout, hmn_source_name((int)d->source));
    fputs(",\"uuid\":", stdout);
    json_str(stdout, (d->valid & HMN_DEV_HAS_UUID) ? d->uuid : NULL);
    fputs(",\"pci_bus_id\":", stdout);
    json_str(stdout, (d->valid & HMN_DEV_HAS_PCI_BUS_ID) ? d->pci_bus_id : NULL);
    fputs(",\"used_includes_reserved\":", stdout);
    fputs(d->memory_api == HMN_MEMORY_API_NVML_V1 ? "true" : "false", stdout);
    fputs(",\"mig_mode\":", stdout);
    if (d->valid & HMN_DEV_HAS_MIG_MODE)
        fputs(d->mig_mode ? "true" : "false", stdout);
    else
        fputs("null", stdout);
    fputs(",\"gtt_total_bytes\":", stdout);
    json_u64(stdout, (d->valid & HMN_DEV_HAS_GTT) != 0, d->gtt_total_bytes);
    fputs(",\"gtt_used_bytes\":", stdout);
    json_u64(stdout, (d->valid & HMN_DEV_HAS_GTT) != 0, d->gtt_used_bytes);
    fputs("}", stdout);
}

/* Note the device when its used memory is mostly held by no listed process. */
static void note_unattributed(hmn_ctx *ctx, const hmn_gpu_device_info *d, struct hint_list *h)
{
    hmn_memory_account a = HMN_MEMORY_ACCOUNT_INIT;
    hmn_process_list *list = NULL;
    uint64_t mib;
    if (!(d->valid & HMN_DEV_HAS_USED) || hmn_gpu_processes(ctx, d->index, &list) != HMN_OK)
        return;
    if (hmn_memory_account_rows(list, HMN_ANY_GPU_INSTANCE, 1, d->used_bytes, &a) == HMN_OK &&
        hint_value(list, &a, &mib))
        hint_add(h, d->index, mib);
    hmn_process_list_free(list);
}

/*
 * Upstream builds this from Snapshot::all, which also measures the calling
 * process's own GPU usage per device - a figure the summary never prints
 * (and, on the nvidia-smi fallback, one more subprocess per device).  We ask
 * for what is printed: RSS (so a RAM failure still exits 1, as upstream),
 * the device count, each device's info, and in text mode each device's
 * process list for the unattributed hint (one list per device).
 */
int cmd_summary(hmn_ctx *ctx, int json)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    struct hint_list hint;
    uint32_t i, n = 0, shown = 0;
    uint64_t rss;
    if (hmn_process_rss(ctx, &rss) != HMN_OK) {
        errf("%s", hmn_errmsg(ctx));
        return EXIT_FAIL;
    }
    if (hmn_device_count(ctx, &n) != HMN_OK)
        n = 0; /* no GPU source: the "no visible GPUs" answer below */
    hint.n = 0;
    if (json)
        putchar('[');
    for (i = 0; i < n; i++) {
        if (hmn_device_info(ctx, i, &d) != HMN_OK) {
            /* Said, as `hmn ps` says it: a device left out is never silent. */
            errf("failed to query device %u: %s (skipped)", i, hmn_errmsg(ctx));
            continue;
        }
        if (json) {
            if (shown)
                putchar(',');
            print_json(&d);
        } else {
            print_line(&d);
            note_unattributed(ctx, &d, &hint);
        }
        shown++;
    }
    if (json)
        puts("]");
    (void)out_flush(); /* main() reports a failure */
    hint_print(stderr, &hint);
    if (n == 0) {
        if (!json)
            puts("hmn: no visible GPUs.");
        explain_sources(ctx);
    } else if (shown == 0) {
        if (json)
            errf("%u GPU(s) enumerated but none readable.", n);
        else
            printf("hmn: %u GPU(s) enumerated but none readable.\n", n);
    }
    return EXIT_OK;
}
