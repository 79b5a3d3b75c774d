/*
 * format_ref.c - the C library's report strings, for the Python package's
 * byte-equality tests (tests/python/test_format.py).
 *
 *   format_ref devices
 *       format_free, format_total and format_used of every device, in order.
 *   format_ref report LABEL  B_RAM B_GPU B_PP B_TOTAL B_NAME  A_RAM A_GPU A_PP A_TOTAL A_NAME
 *       format_delta then format_before_after of two snapshots built from the
 *       arguments: bytes, "-" for an absent figure (no GPU / no device), PP
 *       1 or 0 for is_per_process.
 */
#include <hypomnesis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit(int n, const char *buf)
{
    if (n < 0) {
        fprintf(stderr, "format_ref: formatter failed: %s\n", hmn_strerror(n));
        return 1;
    }
    fwrite(buf, 1, (size_t)n, stdout);
    return 0;
}

static int devices(void)
{
    uint32_t i, n = 0;
    char buf[512];
    int bad = 0;
    if (hmn_device_count(NULL, &n) != HMN_OK)
        n = 0;
    for (i = 0; i < n; i++) {
        hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
        if (hmn_device_info(NULL, i, &d) != HMN_OK) {
            printf("device %u: %s\n", i, hmn_errmsg(NULL));
            continue;
        }
        bad |= emit(hmn_format_free(buf, sizeof(buf), &d), buf);
        bad |= emit(hmn_format_total(buf, sizeof(buf), &d), buf);
        bad |= emit(hmn_format_used(buf, sizeof(buf), &d), buf);
    }
    return bad;
}

static void snapshot(hmn_snapshot *s, char **a)
{
    memset(s, 0, sizeof(*s));
    s->size = sizeof(*s);
    s->ram_bytes = strtoull(a[0], NULL, 10);
    if (strcmp(a[1], "-") != 0) {
        s->valid |= HMN_SNAP_HAS_GPU;
        s->gpu.size = sizeof(s->gpu);
        s->gpu.valid = HMN_PGPU_HAS_USED;
        s->gpu.used_bytes = strtoull(a[1], NULL, 10);
        s->gpu.is_per_process = (uint32_t)atoi(a[2]);
    }
    if (strcmp(a[3], "-") != 0 || strcmp(a[4], "-") != 0) {
        s->valid |= HMN_SNAP_HAS_GPU_DEVICE;
        s->gpu_device.size = sizeof(s->gpu_device);
        if (strcmp(a[3], "-") != 0) {
            s->gpu_device.valid |= HMN_DEV_HAS_TOTAL;
            s->gpu_device.total_bytes = strtoull(a[3], NULL, 10);
        }
        if (strcmp(a[4], "-") != 0) {
            s->gpu_device.valid |= HMN_DEV_HAS_NAME;
            snprintf(s->gpu_device.name, sizeof(s->gpu_device.name), "%s", a[4]);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "devices") == 0)
        return devices();
    if (argc == 13 && strcmp(argv[1], "report") == 0) {
        hmn_snapshot b, a;
        char buf[1024];
        snapshot(&b, argv + 3);
        snapshot(&a, argv + 8);
        if (emit(hmn_format_delta(buf, sizeof(buf), &b, &a, argv[2]), buf))
            return 1;
        return emit(hmn_format_before_after(buf, sizeof(buf), &b, &a, argv[2]), buf);
    }
    fprintf(stderr, "usage: format_ref devices | report LABEL B_RAM B_GPU B_PP B_TOTAL B_NAME "
                    "A_RAM A_GPU A_PP A_TOTAL A_NAME\n");
    return 2;
}
