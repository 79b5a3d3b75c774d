/*
 * fuzz/fuzz_smi_csv.c - nvidia-smi CSV parsers (src/parse/smi_csv.c).
 * The input is copied into a buffer of exactly its size with no terminating
 * NUL, so ASan catches any read past len, and is parsed with every column
 * layout the backend and the captures use.  Contracts checked: only
 * HMN_OK / HMN_EPARSE come back, every string a row carries is
 * NUL-terminated inside its array, a placeholder never yields a value.
 */
#include "util/util.h"
#include "parse/smi_csv.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static int on_gpu(void *arg, const struct hmn__smi_gpu *g)
{
    (void)arg;
    check(terminated(g->name, sizeof(g->name)) && terminated(g->uuid, sizeof(g->uuid)) &&
          terminated(g->pci_bus_id, sizeof(g->pci_bus_id)) &&
          terminated(g->driver, sizeof(g->driver)));
    if (g->valid & HMN__SMI_HAS_PCI)
        check(strlen(g->pci_bus_id) >= 12);
    return 0;
}

static int on_app(void *arg, const struct hmn__smi_app *a)
{
    (void)arg;
    check(a->valid & HMN__SMI_HAS_PID);
    check(terminated(a->name, sizeof(a->name)) && terminated(a->uuid, sizeof(a->uuid)));
    return 0;
}

static const int gpu_full[] = {HMN__SMI_COL_INDEX, HMN__SMI_COL_NAME,  HMN__SMI_COL_UUID,
                               HMN__SMI_COL_PCI,   HMN__SMI_COL_TOTAL, HMN__SMI_COL_USED,
                               HMN__SMI_COL_FREE,  HMN__SMI_COL_DRIVER, HMN__SMI_COL_RESERVED};
static const int gpu_titanx[] = {HMN__SMI_COL_INDEX, HMN__SMI_COL_UUID,  HMN__SMI_COL_NAME,
                                 HMN__SMI_COL_OTHER, HMN__SMI_COL_OTHER, HMN__SMI_COL_USED,
                                 HMN__SMI_COL_TOTAL};
static const int gpu_wsl2[] = {HMN__SMI_COL_NAME, HMN__SMI_COL_TOTAL, HMN__SMI_COL_USED};
static const int apps_ours[] = {HMN__SMI_COL_PID, HMN__SMI_COL_PNAME, HMN__SMI_COL_PUSED};
static const int apps_h100[] = {HMN__SMI_COL_OTHER, HMN__SMI_COL_NAME, HMN__SMI_COL_PCI,
                                HMN__SMI_COL_OTHER, HMN__SMI_COL_UUID, HMN__SMI_COL_PID,
                                HMN__SMI_COL_PNAME, HMN__SMI_COL_PUSED};
static const int apps_wsl2[] = {HMN__SMI_COL_PID, HMN__SMI_COL_PUSED};

static void rc_ok(int rc)
{
    check(rc == HMN_OK || rc == HMN_EPARSE);
}

static void fuzz_tables(const char *buf, size_t len)
{
    char why[160];
    rc_ok(hmn__smi_parse_gpus(buf, len, gpu_full, 9, on_gpu, NULL, why, sizeof(why)));
    rc_ok(hmn__smi_parse_gpus(buf, len, gpu_full, 8, on_gpu, NULL, why, sizeof(why)));
    rc_ok(hmn__smi_parse_gpus(buf, len, gpu_titanx, 7, on_gpu, NULL, NULL, 0));
    rc_ok(hmn__smi_parse_gpus(buf, len, gpu_wsl2, 3, on_gpu, NULL, why, 1));
    rc_ok(hmn__smi_parse_apps(buf, len, apps_ours, 3, on_app, NULL, why, sizeof(why)));
    rc_ok(hmn__smi_parse_apps(buf, len, apps_h100, 8, on_app, NULL, NULL, 0));
    rc_ok(hmn__smi_parse_apps(buf, len, apps_wsl2, 2, on_app, NULL, why, sizeof(why)));
    check(terminated(why, sizeof(why)));
    {
        unsigned skipped = 12345, strict = hmn__smi_parse_apps(buf, len, apps_ours, 3, on_app,
                                                              NULL, NULL, 0) == HMN_OK;
        int rc = hmn__smi_parse_apps_skipping(buf, len, apps_ours, 3, on_app, NULL, &skipped, why,
                                              sizeof(why));
        rc_ok(rc);
        check(terminated(why, sizeof(why)));
        /* What the strict parser accepts has nothing to skip. */
        check(!strict || (rc == HMN_OK && skipped == 0));
        check(rc != HMN_OK || !skipped || why[0] != '\0');
    }
}

static void fuzz_values(const char *buf, size_t len)
{
    char pci[32], first[64];
    uint64_t mib = 0;
    int rc = hmn__smi_parse_mib(buf, len, &mib);
    check(rc == HMN_OK || rc == HMN_ENOENT || rc == HMN_EPARSE);
    rc = hmn__smi_norm_pci(buf, len, pci, sizeof(pci));
    check(rc == HMN_OK || rc == HMN_EPARSE);
    if (rc == HMN_OK)
        check(strlen(pci) >= 12 && strlen(pci) < sizeof(pci));
    rc = hmn__smi_classify_failure(buf, len, 9, first, sizeof(first));
    check(rc >= HMN__SMI_FAIL_OTHER && rc <= HMN__SMI_FAIL_UNKNOWN_FIELD);
    check(terminated(first, sizeof(first)));
    (void)hmn__smi_col_of(buf, len);
    (void)hmn__smi_is_placeholder(buf, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_copy(data, size);
    if (!buf)
        return 0;
    fuzz_tables(buf, size);
    fuzz_values(buf, size);
    free(buf);
    return 0;
}
