/*
 * backends/drm.h - what the two files of the DRM backend share: gpu_drm.c
 * (cards, device info, process rows, the ops object) and drm_scan.c (the
 * sweep over /proc that finds every DRM client).  Private to them.
 */
#ifndef HMN_BACKENDS_DRM_H
#define HMN_BACKENDS_DRM_H

#include "backend.h"
#include "parse/drm.h"

struct drm_card {
    char name[32];   /* "card0" */
    char pci[32];    /* lower-case PCI slot, "" for a platform device */
    char driver[32]; /* DRIVER= of the uevent */
    uint32_t vendor_id, device_id;
    int has_ids;
    uint32_t vendor; /* enum hmn_vendor */
};

/* One DRM client held by one process (a dup'ed fd of it is not repeated). */
struct drm_hold {
    uint32_t pid;
    uint32_t card;
    uint64_t client_id;
    int has_id;
    int shared; /* another process holds the same client */
    int owner;  /* lowest PID holding it: counts it in unique_used_bytes */
    unsigned seen;
    uint64_t region[HMN__DRM_REGIONS];
};

struct drm_scan {
    struct drm_hold *h;
    size_t n, cap;
    uint32_t unreadable;      /* processes whose fds could not be read ... */
    uint32_t *unreadable_pid; /* ... and their PIDs, in scan order */
    size_t unreadable_cap;
    /* diagnostics (HMN_DEBUG=1) */
    uint32_t drm_fds, bad_values, unknown_keys, unmatched, no_id;
};

struct drm_state {
    uint32_t n;
    struct drm_card card[HMN__MAX_DEVICES];
    struct drm_scan cache; /* last full scan, reused for a moment (gpu_drm.c) */
    uint64_t cache_ms;
    int cache_valid;
};

/*
 * Every DRM client of every process (only_pid == 0) or of one process,
 * mapped to st's cards; a dup'ed fd of a client is not counted twice.
 * out->unreadable counts processes whose fds could not be read, and
 * out->unreadable_pid lists them.
 */
int hmn__drm_scan(hmn_ctx *ctx, const struct drm_state *st, uint32_t only_pid,
                  struct drm_scan *out);
void hmn__drm_scan_free(struct drm_scan *d);

#endif /* HMN_BACKENDS_DRM_H */
