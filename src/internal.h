/*
 * internal.h - declarations shared inside src/ (never installed).
 *
 * Naming: public symbols are hmn_*, internal ones shared across files are
 * hmn__* (hidden by the visibility preset), file-local ones are static.
 */
#ifndef HMN_INTERNAL_H
#define HMN_INTERNAL_H

#include "hypomnesis.h"
#include "os/os.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#  define HMN__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define HMN__PRINTF(f, a)
#endif

#define HMN__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define HMN__MIN(a, b) ((a) < (b) ? (a) : (b))
#define HMN__MAX(a, b) ((a) > (b) ? (a) : (b))
#define HMN__MIB 1048576ull
#define HMN__GIB 1073741824ull

/* Backends known to the dispatcher (index into ctx->bk[]). */
enum hmn__backend_id {
    HMN__BK_NVML = 0,
    HMN__BK_SMI = 1,
    HMN__BK_DRM = 2,
    HMN__BK_DXGI = 3,
    HMN__BK_PDH = 4,
    HMN__BK_COUNT = 5
};

struct hmn__backend;

/* Per-context state of one backend: opened lazily, once. */
struct hmn__bk_slot {
    int tried;        /* open() was called */
    int rc;           /* its result */
    void *state;      /* what open() returned */
    char reason[256]; /* why it is unavailable / what it loaded */
};

/* One entry of the context's device table (index = hmn device index). */
struct hmn__dev {
    uint32_t backend;     /* enum hmn__backend_id serving the memory figures */
    uint32_t local_index; /* the backend's own index (NVML index, DRM card order) */
    uint32_t vendor;      /* enum hmn_vendor */
    char pci_bus_id[32];  /* normalised, "" when unknown */
    char card[32];        /* sysfs card name ("card0"), DRM devices only */
};

#define HMN__MAX_DEVICES 64

struct hmn__devtab {
    int built;
    int rc;             /* result of the last build */
    uint32_t count;
    struct hmn__dev dev[HMN__MAX_DEVICES];
};

struct hmn_ctx {
    hmn__mutex lock;
    int temporary;          /* created for one NULL-context call */
    int debug;
    int64_t smi_timeout_ms;
    int use[HMN__BK_COUNT]; /* options: 0 disables a backend */
    char procfs[512];       /* HMN_PROCFS, default "/proc" */
    char sysfs[512];        /* HMN_SYSFS, default "/sys" */
    char nvml_path[512];    /* HMN_NVML_LIBRARY, "" = default search */
    char smi_path[512];     /* HMN_NVIDIA_SMI, "" = PATH search */
    hmn__fd statm_fd;       /* /proc/self/statm kept open for pread */
    long page_size;
    struct hmn__bk_slot bk[HMN__BK_COUNT];
    struct hmn__devtab devs;
    uint64_t call_seq;      /* bumped by every public call: "same call" caches key on it */
    char errmsg[512];
};

/* ---- context helpers (core/ctx.c) */
/* Resolve the ctx to use: ctx itself, or a new temporary one for NULL. */
int hmn__ctx_enter(hmn_ctx *ctx, hmn_ctx **use);
/* Finish a public call: copy the message of a temporary ctx, then free it. */
int hmn__ctx_leave(hmn_ctx *use, int rc);
/* Record a failure: formats the detailed message, returns code. */
int hmn__fail(hmn_ctx *ctx, int code, const char *fmt, ...) HMN__PRINTF(3, 4);
/* Same with a va_list. */
int hmn__vfail(hmn_ctx *ctx, int code, const char *fmt, va_list ap) HMN__PRINTF(3, 0);
/* Raw backend values on stderr when HMN_DEBUG=1 / HMN_OPT_DEBUG. */
void hmn__debug(const hmn_ctx *ctx, const char *fmt, ...) HMN__PRINTF(2, 3);
/* Open backend id on first use (once per context); 1 when it is usable. */
int hmn__backend_ready(hmn_ctx *ctx, int id);
/* Its state when usable (may be NULL for a stateless backend), else NULL. */
void *hmn__backend(hmn_ctx *ctx, int id);
/* Build "root/rest" into buf; returns 0 or HMN_ENOBUFS. */
int hmn__path(char *buf, size_t cap, const char *root, const char *fmt, ...) HMN__PRINTF(4, 5);

/* ---- small string helpers (core/util.c) */
/* snprintf that returns the needed length and never a negative on truncation. */
int hmn__snprintf(char *buf, size_t cap, const char *fmt, ...) HMN__PRINTF(3, 4);
/* Copy at most cap-1 bytes and NUL-terminate; returns strlen(src). */
size_t hmn__strlcpy(char *dst, const char *src, size_t cap);
/* Trim ASCII whitespace in place: returns the start; writes the new length. */
const char *hmn__trim(const char *s, size_t len, size_t *out_len);
/* Parse exactly `len` bytes as an unsigned decimal (no sign, <= 20 digits). */
int hmn__parse_u64(const char *s, size_t len, uint64_t *out);
/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 when invalid. */
size_t hmn__utf8_seq(const unsigned char *s, size_t n);
/* 1 when s[0..n) is well-formed UTF-8. */
int hmn__utf8_valid(const char *s, size_t n);
/* Value of a hex digit, or -1. */
int hmn__hex_digit(char c);
/* Saturating helpers. */
uint64_t hmn__sat_add(uint64_t a, uint64_t b);
uint64_t hmn__sat_mul(uint64_t a, uint64_t b);
/* Write min(out_size, sizeof) bytes of a full internal struct to the caller. */
int hmn__copy_out(void *dst, const void *src, size_t full_size, size_t min_size);

/* ---- process rows (core/list.c) */
struct hmn__proc_vec {
    hmn_gpu_process *v;
    size_t n, cap;
    uint32_t unreadable; /* PIDs whose usage could not be read */
    int source;
};
void hmn__proc_vec_init(struct hmn__proc_vec *pv);
void hmn__proc_vec_free(struct hmn__proc_vec *pv);
/* Append a zeroed row (size set); NULL on ENOMEM. */
hmn_gpu_process *hmn__proc_vec_push(struct hmn__proc_vec *pv);
/* Find the row for pid, or NULL. */
hmn_gpu_process *hmn__proc_vec_find(struct hmn__proc_vec *pv, uint32_t pid);
void hmn__proc_vec_sort_pid(struct hmn__proc_vec *pv);

/* ---- /proc helpers used by several backends (backends/procfs.c) */
/* Process name by upstream 0.2.12's rule (comm, extended past 15 bytes). */
int hmn__proc_name(const hmn_ctx *ctx, uint32_t pid, char *buf, size_t cap);
/* Map a host PID to our namespace via NSpid; 0 = mapped (out), <0 = not mapped. */
int hmn__proc_map_host_pid(hmn_ctx *ctx, uint32_t host_pid, uint32_t *out);
/* Fill name / pid mapping of rows reported with host PIDs (NVML, nvidia-smi). */
void hmn__proc_resolve_rows(hmn_ctx *ctx, struct hmn__proc_vec *pv, int fill_names);

/* ---- dispatcher entry points for a context already entered (core/dispatch.c) */
int hmn__device_count_locked(hmn_ctx *ctx, uint32_t *count);
int hmn__device_info_locked(hmn_ctx *ctx, uint32_t index, hmn_gpu_device_info *out);
int hmn__process_gpu_info_locked(hmn_ctx *ctx, uint32_t index, hmn_process_gpu *out);
int hmn__gpu_processes_locked(hmn_ctx *ctx, uint32_t index, struct hmn__proc_vec *pv);
int hmn__rss_locked(hmn_ctx *ctx, hmn_rss *out, int want_peak);

#endif /* HMN_INTERNAL_H */
