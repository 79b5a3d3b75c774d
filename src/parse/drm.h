/*
 * parse/drm.h - pure parsers for the DRM backend: one /proc/<pid>/fdinfo/<fd>
 * of a DRM client (Documentation/gpu/drm-usage-stats.rst), and the small
 * sysfs files under /sys/class/drm/cardN/device.  No I/O; every function
 * reads at most len bytes of buf, which need not be NUL-terminated.
 */
#ifndef HMN_PARSE_DRM_H
#define HMN_PARSE_DRM_H

#include <stddef.h>
#include <stdint.h>

/* Where a memory region's bytes are reported (see docs/backends/drm.md). */
enum hmn__drm_region {
    HMN__DRM_LOCAL = 0,  /* vram*, local*: device memory of a discrete GPU */
    HMN__DRM_SYSTEM = 1, /* system*, memory: what an integrated GPU allocates from */
    HMN__DRM_GTT = 2,    /* gtt*: system memory mapped for the GPU */
    HMN__DRM_CPU = 3,    /* cpu*: amdgpu buffers only the CPU can reach */
    HMN__DRM_STOLEN = 4, /* stolen*: firmware carve-out */
    HMN__DRM_OTHER = 5,  /* gds, gws, oa, doorbell ...: not memory we report */
    HMN__DRM_REGIONS = 6
};

/* What one fdinfo file says about its DRM client. */
struct hmn__drm_client {
    char driver[32];       /* drm-driver, "" when absent */
    char pdev[32];         /* drm-pdev, lower case, "" when absent */
    uint64_t client_id;    /* drm-client-id (valid when has_client_id) */
    int has_client_id;
    int is_drm;            /* a drm-driver line was seen */
    /* Bytes per region class; the bit (1u << class) in *_seen says a key was read. */
    uint64_t resident[HMN__DRM_REGIONS]; /* drm-resident-<region> */
    uint64_t legacy[HMN__DRM_REGIONS];   /* drm-memory-<region> (deprecated alias) */
    unsigned resident_seen;
    unsigned legacy_seen;
    uint32_t bad_values;   /* memory lines skipped: unknown unit, bad number, overflow */
    uint32_t unknown_keys; /* drm-* keys this parser does not know */
};

/* Classify a region name ("vram0", "stolen-system0", "memory"). */
int hmn__drm_region_class(const char *name, size_t len);

/*
 * "<digits>[ws][unit]" with unit in {"", B, KiB, kB, MiB, GiB}: bytes.
 * HMN_EPARSE for anything else (unknown unit, sign, > 20 digits, overflow).
 */
int hmn__drm_parse_size(const char *s, size_t len, uint64_t *bytes);

/*
 * Parse one fdinfo file into *out (zeroed first).  Always HMN_OK for any
 * input: lines that make no sense are skipped and counted.  out->is_drm
 * tells whether it described a DRM client at all.
 */
int hmn__parse_drm_fdinfo(const char *buf, size_t len, struct hmn__drm_client *out);

/*
 * The figures of a client after the key preference rule: drm-resident-* when
 * the file printed any, else the legacy drm-memory-*.  *seen gets the bits.
 */
const uint64_t *hmn__drm_client_regions(const struct hmn__drm_client *c, unsigned *seen);

/* One decimal value of a sysfs attribute ("17163091968\n"). */
int hmn__parse_sysfs_u64(const char *buf, size_t len, uint64_t *out);
/* One hex value ("0x1002\n"; the 0x is optional). */
int hmn__parse_sysfs_hex(const char *buf, size_t len, uint32_t *out);
/*
 * The value of KEY=value in a uevent file, trimmed; HMN_ENOENT when absent,
 * HMN_ENOBUFS when it does not fit in cap (out is then "").
 */
int hmn__parse_uevent(const char *buf, size_t len, const char *key, char *out, size_t cap);
/* Lower-case a PCI address in place ("0000:0C:00.0" -> "0000:0c:00.0"). */
void hmn__drm_lower(char *s);

#endif /* HMN_PARSE_DRM_H */
