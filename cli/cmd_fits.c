/*
 * cli/cmd_fits.c - `hmn fits SIZE`: does SIZE fit in a device's free memory
 * right now?  One line on stderr; the answer is the exit status (0 fits,
 * 1 does not, 2 cannot tell), the exit codes of upstream hmn 0.2.11.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum { F_DEVICE, F_COUNT };

static const struct cli_opt fits_opts[F_COUNT] = {{"--device", 0, "INDEX", 0}};
static const struct cli_cmd fits_cmd = {"hmn fits [OPTIONS] <SIZE>", fits_opts, F_COUNT, "<SIZE>",
                                        1, 0, 0};

static const char fits_help[] =
    "Does SIZE fit in a device's free memory right now? (answer in the exit status)\n"
    "\n"
    "Usage: hmn fits [OPTIONS] <SIZE>\n"
    "\n"
    "Arguments:\n"
    "  <SIZE>  Bytes, or a number with KiB, MiB or GiB (e.g. 512MiB, \"8.0 GiB\")\n"
    "\n"
    "Options:\n"
    "      --device <INDEX>  Device to check [default: 0]\n"
    "  -h, --help            Print help\n"
    "\n"
    "Examples:\n"
    "  hmn fits 12GiB && python train.py\n"
    "  hmn fits 512MiB --device 1\n"
    "\n"
    "Exit status: 0 fits, 1 does not fit, 2 usage error or the device could not be read.\n"
    "\n"
    "Limitations: free memory is a moment's reading; another process can take it next.\n";

static void device_suffix(char *buf, size_t cap, uint32_t dev, const hmn_gpu_device_info *d)
{
    if (d->valid & HMN_DEV_HAS_NAME)
        snprintf(buf, cap, "device %u [%s]", dev, d->name);
    else
        snprintf(buf, cap, "device %u", dev);
}

/* 1 when text (a size as hmn prints it) reads back as exactly bytes. */
static int says_exactly(const char *text, uint64_t bytes)
{
    uint64_t back;
    return hmn_parse_size(text, &back, NULL, 0) == HMN_OK && back == bytes;
}

/*
 * The requested size as upstream prints it ("12.0 GiB") when that is exact;
 * else the precise form ("1.55 GiB", "1 B"), else the bytes: `fits 1` must
 * not say "0 MiB requested".
 */
static const char *requested(char *buf, size_t cap, uint64_t size)
{
    if (says_exactly(vram(buf, cap, size), size) || says_exactly(vram_precise(buf, cap, size), size))
        return buf;
    snprintf(buf, cap, "%llu B", (unsigned long long)size);
    return buf;
}

static int answer(uint32_t dev, uint64_t size, const hmn_gpu_device_info *d)
{
    char fr[32], sz[32], diff[32], where[160];
    device_suffix(where, sizeof(where), dev, d);
    vram(fr, sizeof(fr), d->free_bytes);
    requested(sz, sizeof(sz), size);
    if (size <= d->free_bytes) {
        errf("fits \xE2\x80\x94 %s free >= %s requested (%s headroom; %s)", fr, sz,
             vram_precise(diff, sizeof(diff), d->free_bytes - size), where);
        return EXIT_OK;
    }
    errf("does not fit \xE2\x80\x94 %s free < %s requested (short by %s; %s)", fr, sz,
         vram_precise(diff, sizeof(diff), size - d->free_bytes), where);
    return EXIT_FAIL;
}

static int run(hmn_ctx *ctx, const struct cli_args *a)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    const char *v = NULL, *size_text = cli_args_value(a, -1, 0);
    uint32_t dev = 0;
    uint64_t size;
    char err[160];
    if (cli_args_count(a, F_DEVICE, &v) && parse_u32(v, &dev) != 0)
        return usage_invalid(&fits_cmd, &fits_opts[F_DEVICE], v, "invalid digit found in string");
    if (hmn_parse_size(size_text, &size, err, sizeof(err)) != HMN_OK)
        return usage_invalid(&fits_cmd, NULL, size_text, err);
    if (hmn_device_info(ctx, dev, &d) != HMN_OK) {
        errf("fits failed to query device %u: %s", dev, hmn_errmsg(ctx));
        return EXIT_USAGE;
    }
    if (!(d.valid & HMN_DEV_HAS_FREE)) {
        /* Unknown is never zero: without a free figure there is no answer. */
        errf("fits failed to query device %u: free memory not reported by %s", dev,
             hmn_source_name((int)d.source));
        return EXIT_USAGE;
    }
    return answer(dev, size, &d);
}

int cmd_fits(hmn_ctx *ctx, int argc, char **argv)
{
    return cli_parse_and_run(&fits_cmd, fits_help, ctx, argc, argv, run);
}
