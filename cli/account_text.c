/*
 * cli/account_text.c - how an account of used memory is printed: the MiB
 * rounding under which the printed parts add up exactly, the likely causes
 * of an unattributed remainder per platform, and the one-line hint of
 * `hmn` and `hmn ps`.  Pure: no I/O besides the FILE handed in.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define MIB 1048576ull

/* A part's place in the rounding order: larger fraction first, then earlier. */
struct frac_rank {
    uint64_t frac;
    size_t index;
};

static int cmp_frac(const void *va, const void *vb)
{
    const struct frac_rank *a = va, *b = vb;
    if (a->frac != b->frac)
        return a->frac > b->frac ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/*
 * Largest-remainder rounding: every part becomes floor(bytes / MiB) or one
 * more, and the extra units go to the parts with the largest fractions (the
 * earlier part on a tie) until the parts add up to total_mib.  total_mib
 * must lie between the sum of the floors and that sum + n; the callers pass
 * floor(sum of the parts / MiB), which always does.
 */
void apportion_mib(const uint64_t *bytes, size_t n, uint64_t total_mib, uint64_t *mib)
{
    struct frac_rank *rank;
    uint64_t sum = 0, left;
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        mib[i] = bytes[i] / MIB;
        sum += mib[i];
    }
    left = total_mib > sum ? total_mib - sum : 0;
    if (left == 0)
        return;
    rank = malloc(n * sizeof(*rank));
    for (i = 0; i < n; i++) {
        if (bytes[i] % MIB == 0)
            continue; /* an exact part needs no rounding */
        if (rank) {
            rank[k].frac = bytes[i] % MIB;
            rank[k].index = i;
        }
        k++;
    }
    if (rank)
        qsort(rank, k, sizeof(*rank), cmp_frac);
    /* Out of memory: round up in order instead - the sums still hold. */
    for (i = 0, k = rank ? k : n; i < k && left > 0; i++) {
        size_t j = rank ? rank[i].index : i;
        if (bytes[j] % MIB == 0)
            continue;
        mib[j]++;
        left--;
    }
    free(rank);
}

int hint_value(const hmn_process_list *list, const hmn_memory_account *a, uint64_t *mib)
{
    size_t i, k = 0, n = hmn_process_list_count(list);
    uint64_t *parts, *out;
    if (!(a->valid & HMN_ACCT_HAS_UNATTRIBUTED) || a->unattributed_bytes <= HINT_THRESHOLD_BYTES)
        return 0;
    *mib = a->unattributed_bytes / MIB;
    parts = malloc((n + 1) * sizeof(*parts));
    out = malloc((n + 1) * sizeof(*out));
    if (parts && out) {
        /* The rounding `hmn explain` applies; the remainder's share does not
         * depend on the rows' order, since it is the last part in both. */
        for (i = 0; i < n; i++) {
            hmn_gpu_process p = HMN_GPU_PROCESS_INIT;
            if (hmn_process_list_get(list, i, &p) == HMN_OK &&
                hmn_process_attributed_bytes(&p, &parts[k]) == HMN_OK)
                k++;
        }
        parts[k] = a->unattributed_bytes;
        apportion_mib(parts, k + 1, a->used_bytes / MIB, out);
        *mib = out[k];
    }
    free(parts);
    free(out);
    return 1;
}

void hint_add(struct hint_list *h, uint32_t index, uint64_t mib)
{
    if (h->n < HINT_MAX_DEVICES) {
        h->index[h->n] = index;
        h->mib[h->n++] = mib;
    }
}

void hint_print(FILE *f, const struct hint_list *h)
{
    size_t i, top = 0;
    if (h->n == 0)
        return;
    if (h->n == 1) {
        fprintf(f, "hmn: GPU %u: %llu MiB of used memory is held by no listed process; see `hmn "
                   "explain --device %u`.\n",
                h->index[0], (unsigned long long)h->mib[0], h->index[0]);
        return;
    }
    if (h->n > 3) { /* one short line, however many devices */
        for (i = 1; i < h->n; i++)
            if (h->mib[i] > h->mib[top])
                top = i;
        fprintf(f, "hmn: %zu GPUs have used memory held by no listed process (up to %llu MiB, "
                   "GPU %u); see `hmn explain`.\n",
                h->n, (unsigned long long)h->mib[top], h->index[top]);
        return;
    }
    fputs("hmn: used memory held by no listed process:", f);
    for (i = 0; i < h->n; i++)
        fprintf(f, "%s GPU %u %llu MiB", i ? "," : "", h->index[i], (unsigned long long)h->mib[i]);
    fputs("; see `hmn explain`.\n", f);
}

/* Causes by what produced the figures; each documented in docs/explain.md. */
size_t unattributed_causes(const struct cause_input *in, const char **out, size_t max)
{
    size_t n = 0;
#define CAUSE(text)                                                                            \
    do {                                                                                       \
        if (n < max)                                                                           \
            out[n++] = (text);                                                                 \
    } while (0)
    if (in->unreported)
        CAUSE("the memory of the processes listed with n/a: the driver does not report "
              "per-process figures here (Windows WDDM, WSL2)");
    switch (in->source) {
    case HMN_SOURCE_NVML:
    case HMN_SOURCE_NVIDIA_SMI:
        if (in->source == HMN_SOURCE_NVIDIA_SMI)
            CAUSE("graphics clients (Xorg, Wayland compositors, browsers): nvidia-smi lists "
                  "compute processes only");
        if (in->memory_api == HMN_MEMORY_API_NVML_V1)
            CAUSE("the reserved carve-out: this driver's used figure includes it (NVML v1 "
                  "memory call)");
        CAUSE("driver overhead for CUDA and display work that no process owns (tens of MiB "
              "headless, up to a few hundred with a desktop)");
        CAUSE("unified (managed) memory, which the driver does not charge to a process");
        if (in->mig == 1)
            CAUSE("MIG: each instance's own overhead, and processes NVML lists only to a "
                  "privileged caller");
        break;
    case HMN_SOURCE_DRM_FDINFO:
    case HMN_SOURCE_SYSFS:
        if (in->unreadable)
            CAUSE("processes whose GPU use could not be read (other users' fdinfo: run as "
                  "root to read them)");
        CAUSE("memory of the kernel driver, firmware and display (scan-out buffers, the "
              "console) that belongs to no process");
        break;
    case HMN_SOURCE_PDH:
    case HMN_SOURCE_DXGI:
        CAUSE("Windows (WDDM) manages device memory itself: the desktop compositor "
              "(dwm.exe) and allocations the per-process counters do not show");
        break;
    default:
        CAUSE("memory that no listed process holds");
    }
#undef CAUSE
    return n;
}
