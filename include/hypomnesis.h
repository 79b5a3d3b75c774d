/*
 * hypomnesis.h - the one public header of libhypomnesis.
 *
 * What is in memory right now: process RSS, device-wide GPU memory and
 * per-process GPU memory, on Linux and Windows.  Vendor libraries (NVML) are
 * loaded at run time; nothing here needs a vendor SDK to build or to run.
 *
 * Conventions (see docs/api.md for the long form):
 *
 *  - Every fallible function returns an int: HMN_OK (0) or a negative HMN_E*
 *    code.  hmn_strerror() names the code; hmn_errmsg(ctx) gives the detailed
 *    English one-liner of the last failure on that context (for a NULL
 *    context: of the last NULL-context call on this thread).
 *  - Every query takes a hmn_ctx * first.  A long-lived context keeps loaded
 *    backends (NVML stays initialised), open file descriptors and caches, so
 *    repeated sampling is cheap.  NULL means a one-shot call that loads and
 *    releases everything around itself.
 *  - Unknown is never zero: every optional figure has a bit in the struct's
 *    `valid` mask.  A clear bit means "could not be measured", whatever the
 *    field holds.
 *  - ABI: value structs start with `uint32_t size`.  Initialise them with the
 *    matching HMN_*_INIT macro (or set size = sizeof the struct); the library
 *    writes at most `size` bytes, so a caller built against an older header
 *    keeps working.  Fields are only ever appended.  Lists come back as
 *    opaque handles read one struct at a time.  See docs/api.md "ABI policy".
 *
 * Thread safety: functions taking a NULL context may be called from any
 * number of threads at once.  A hmn_ctx serialises its own calls with an
 * internal mutex, so one context may be shared by threads; calls on it then
 * run one at a time.  hmn_errmsg(ctx) describes the last failed call on that
 * context by any thread: read it from the thread that made the call before
 * another thread uses the context, or give each thread its own context.
 * hmn_ctx_close() must not run while another thread still uses the context.
 * Process and snapshot lists are never modified after they are returned:
 * any number of threads may read one at once (free it once, after them).
 * A hmn_spill_tracker is not locked: use each from one thread at a time.
 */
#ifndef HMN_HYPOMNESIS_H
#define HMN_HYPOMNESIS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- export */
#if defined(_WIN32)
#  if defined(HMN_BUILDING_SHARED)
#    define HMN_API __declspec(dllexport)
#  elif defined(HMN_USING_SHARED)
#    define HMN_API __declspec(dllimport)
#  else
#    define HMN_API
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define HMN_API __attribute__((visibility("default")))
#else
#  define HMN_API
#endif

/* --------------------------------------------------------------- version */
#define HMN_VERSION_MAJOR 0
#define HMN_VERSION_MINOR 3
#define HMN_VERSION_PATCH 0
#define HMN_VERSION_STRING "0.3.0"
#define HMN_VERSION_NUMBER \
    (HMN_VERSION_MAJOR * 10000 + HMN_VERSION_MINOR * 100 + HMN_VERSION_PATCH)

/** Version of the library actually loaded, e.g. "0.3.0". */
HMN_API const char *hmn_version(void);
/** HMN_VERSION_NUMBER of the library actually loaded. */
HMN_API unsigned hmn_version_number(void);

/* ---------------------------------------------------------------- errors */
/*
 * X(name, value, short text).  Values are fixed for ever and never reused;
 * -1000..-1999 is reserved for experimental codes.  docs/errors.md mirrors
 * this table (a test checks it).
 */
#define HMN_ERRNO_MAP(X)                                                        \
    X(HMN_OK, 0, "success")                                                     \
    X(HMN_EINVAL, -1, "invalid argument")                                       \
    X(HMN_ENOMEM, -2, "out of memory")                                          \
    X(HMN_ERAM, -3, "RAM query failed")                                         \
    X(HMN_ENOGPU, -4, "no GPU measurement source available")                    \
    X(HMN_ERANGE, -5, "device index out of range")                              \
    X(HMN_ENOENT, -6, "not found")                                              \
    X(HMN_EACCES, -7, "permission denied")                                      \
    X(HMN_EBACKEND, -8, "backend failed")                                       \
    X(HMN_ETIMEDOUT, -9, "timed out")                                           \
    X(HMN_EPARSE, -10, "malformed input")                                       \
    X(HMN_EVERSION, -11, "struct size too small for this library")              \
    X(HMN_ENOBUFS, -12, "buffer too small")                                     \
    X(HMN_EUNSUPPORTED, -13, "not supported on this platform or build")         \
    X(HMN_EDENIED, -14, "process list unreadable")                              \
    X(HMN_ENODRIVER, -15, "GPU driver not loaded or library missing")

/** The error codes of HMN_ERRNO_MAP as an enum (HMN_OK, HMN_EINVAL, ...). */
enum hmn_error {
#define HMN__ERR_ENUM(name, value, text) name = value,
    HMN_ERRNO_MAP(HMN__ERR_ENUM)
#undef HMN__ERR_ENUM
};

/** Short text of an error code ("invalid argument"); never NULL. */
HMN_API const char *hmn_strerror(int code);
/** Symbolic name of an error code ("HMN_EINVAL"); never NULL. */
HMN_API const char *hmn_err_name(int code);

/* --------------------------------------------------------------- sources */
/* Which backend produced a figure.  Values are fixed; new ones are appended. */
enum hmn_source {
    HMN_SOURCE_NONE = 0,
    HMN_SOURCE_DXGI = 1,       /* Windows IDXGIAdapter3 */
    HMN_SOURCE_NVML = 2,       /* NVIDIA Management Library */
    HMN_SOURCE_PDH = 3,        /* Windows performance counters */
    HMN_SOURCE_NVIDIA_SMI = 4, /* nvidia-smi subprocess */
    HMN_SOURCE_METAL = 5,      /* reserved: macOS (not implemented) */
    HMN_SOURCE_DRM_FDINFO = 6, /* Linux /proc/<pid>/fdinfo of DRM clients */
    HMN_SOURCE_SYSFS = 7,      /* Linux /sys/class/drm */
    HMN_SOURCE_PROCFS = 8,     /* Linux /proc/self/statm or status */
    HMN_SOURCE_PSAPI = 9       /* Windows K32GetProcessMemoryInfo */
};

/** Stable lower-case name of a source: "nvml", "nvidia-smi", "drm-fdinfo" ... */
HMN_API const char *hmn_source_name(int source);

/** GPU vendor of a device (hmn_gpu_device_info.vendor). */
enum hmn_vendor {
    HMN_VENDOR_UNKNOWN = 0,
    HMN_VENDOR_NVIDIA = 1,
    HMN_VENDOR_AMD = 2,
    HMN_VENDOR_INTEL = 3,
    HMN_VENDOR_OTHER = 4
};

/* --------------------------------------------------------------- context */
/** Opaque context: loaded backends, open files and caches (see hmn_ctx_open). */
typedef struct hmn_ctx hmn_ctx;

/**
 * Open a long-lived context.  Backends are loaded lazily on first use and
 * kept until hmn_ctx_close().  Environment read at open (and by every
 * NULL-context call): HMN_NVML_LIBRARY, HMN_NVIDIA_SMI, HMN_PROCFS, HMN_SYSFS,
 * HMN_DEBUG, HMN_SMI_TIMEOUT_MS.  An invalid one (a path of 512 bytes or
 * more, a timeout that is not a whole number of ms >= 1) fails the open with
 * HMN_EINVAL, *out NULL, and hmn_errmsg(NULL) naming the variable; a
 * NULL-context call fails the same way.
 */
HMN_API int hmn_ctx_open(hmn_ctx **out);
/** Release everything the context holds (NVML shut down once). NULL is a no-op. */
HMN_API void hmn_ctx_close(hmn_ctx *ctx);

/** Context options, set with hmn_ctx_set_option() before or between queries. */
enum hmn_option {
    HMN_OPT_SMI_TIMEOUT_MS = 1, /* nvidia-smi kill timeout, ms (default 5000) */
    HMN_OPT_DEBUG = 2,          /* 1: raw backend values on stderr (as HMN_DEBUG=1) */
    HMN_OPT_USE_NVML = 3,       /* 0 disables the NVML backend on this context */
    HMN_OPT_USE_NVIDIA_SMI = 4, /* 0 disables the nvidia-smi fallback */
    HMN_OPT_USE_DRM = 5         /* 0 disables the DRM fdinfo / sysfs backend */
};
/** Set an option (enum hmn_option); HMN_EINVAL for an unknown option or value. */
HMN_API int hmn_ctx_set_option(hmn_ctx *ctx, int option, int64_t value);

/**
 * Detailed English text of the last failure on ctx ("device index 3 out of
 * range (have 1 devices)").  For ctx == NULL: the last NULL-context failure
 * on the calling thread.  Never NULL; "" when nothing failed yet.
 */
HMN_API const char *hmn_errmsg(const hmn_ctx *ctx);

/* --------------------------------------------------------------- RAM */
/** hmn_rss.valid bits. */
enum hmn_rss_valid {
    HMN_RSS_HAS_CURRENT = 1u << 0,
    HMN_RSS_HAS_PEAK = 1u << 1
};

/** Resident set size of the calling process. */
typedef struct hmn_rss {
    uint32_t size;
    uint32_t source;         /* enum hmn_source of current_bytes */
    uint64_t valid;          /* HMN_RSS_HAS_* */
    uint64_t current_bytes;  /* resident set size now */
    uint64_t peak_bytes;     /* high-water mark (VmHWM / PeakWorkingSetSize) */
} hmn_rss;
/** Initialiser of an hmn_rss (every struct has its HMN_*_INIT, size set). */
#define HMN_RSS_INIT {.size = sizeof(hmn_rss)}

/** Current resident set size of the calling process, in bytes. */
HMN_API int hmn_process_rss(hmn_ctx *ctx, uint64_t *bytes);
/** Current and peak RSS with their validity bits. */
HMN_API int hmn_process_rss_info(hmn_ctx *ctx, hmn_rss *out);

/**
 * Whether pid names a live process (not a thread of one).
 * Returns 1 (exists), 0 (does not), or a negative code when it cannot tell.
 */
HMN_API int hmn_process_exists(hmn_ctx *ctx, uint32_t pid);
/**
 * When process pid started, as a mark that is the same for one process
 * whenever it is asked and different for a later process that reuses the
 * PID (a name can change; a start time cannot).  Linux: clock ticks after
 * boot, field 22 of <procfs>/<pid>/stat; Windows: the creation time in
 * 100 ns units since 1601.  HMN_ENOENT when there is no such process,
 * HMN_EACCES when it may not be asked, HMN_EUNSUPPORTED elsewhere.
 */
HMN_API int hmn_process_start_time(hmn_ctx *ctx, uint32_t pid, uint64_t *start);

/* --------------------------------------------------------------- devices */
/** hmn_gpu_device_info.valid (and hmn_mig_info.valid) bits. */
enum hmn_device_valid {
    HMN_DEV_HAS_NAME = 1u << 0,
    HMN_DEV_HAS_TOTAL = 1u << 1,
    HMN_DEV_HAS_FREE = 1u << 2,
    HMN_DEV_HAS_USED = 1u << 3,
    HMN_DEV_HAS_RESERVED = 1u << 4,
    HMN_DEV_HAS_DRIVER_VERSION = 1u << 5,
    HMN_DEV_HAS_UUID = 1u << 6,
    HMN_DEV_HAS_PCI_BUS_ID = 1u << 7,
    HMN_DEV_HAS_NVML_VERSION = 1u << 8,
    HMN_DEV_HAS_CUDA_DRIVER_VERSION = 1u << 9,
    HMN_DEV_HAS_MIG_MODE = 1u << 10,
    HMN_DEV_HAS_GTT = 1u << 11,         /* gtt_total_bytes / gtt_used_bytes */
    HMN_DEV_HAS_VIS_VRAM = 1u << 12,    /* vis_vram_total/used_bytes */
    HMN_DEV_HAS_PCI_IDS = 1u << 13      /* pci_vendor_id / pci_device_id */
};

/* How memory figures were obtained (hmn_gpu_device_info.memory_api). */
enum hmn_memory_api {
    HMN_MEMORY_API_UNKNOWN = 0,
    HMN_MEMORY_API_NVML_V2 = 1, /* nvmlDeviceGetMemoryInfo_v2: used excludes reserved */
    HMN_MEMORY_API_NVML_V1 = 2, /* v1 fallback: used includes reserved memory */
    HMN_MEMORY_API_SMI = 3,     /* nvidia-smi memory.used / memory.total */
    HMN_MEMORY_API_SYSFS = 4,   /* amdgpu mem_info_vram_* */
    HMN_MEMORY_API_DXGI = 5
};

/** Device-wide figures of one GPU. */
typedef struct hmn_gpu_device_info {
    uint32_t size;
    uint32_t index;           /* hmn device index (NVIDIA first, in NVML order) */
    uint64_t valid;           /* HMN_DEV_HAS_* */
    uint32_t source;          /* enum hmn_source of the memory figures */
    uint32_t vendor;          /* enum hmn_vendor */
    uint32_t memory_api;      /* enum hmn_memory_api */
    uint32_t mig_mode;        /* 1 enabled, 0 disabled (HMN_DEV_HAS_MIG_MODE) */
    uint64_t total_bytes;
    uint64_t free_bytes;
    uint64_t used_bytes;      /* excludes reserved when reserved is valid */
    uint64_t reserved_bytes;  /* driver/firmware carve-out (NVML v2) */
    uint64_t gtt_total_bytes; /* amdgpu GTT (system memory mapped for the GPU) */
    uint64_t gtt_used_bytes;
    uint64_t vis_vram_total_bytes;
    uint64_t vis_vram_used_bytes;
    int32_t cuda_driver_version; /* e.g. 12020 for CUDA 12.2 */
    uint32_t pci_vendor_id;
    uint32_t pci_device_id;
    uint32_t mig_instance_count; /* MIG instances listed by hmn_mig_instance() */
    char name[96];
    char uuid[96];
    char pci_bus_id[32];      /* normalised "0000:0c:00.0" (lower case) */
    char driver_version[80];  /* NVIDIA-branded "535.104.05", or kernel driver name */
    char nvml_version[80];
    char driver_name[32];     /* kernel driver: "nvidia", "amdgpu", "i915", "xe" */
} hmn_gpu_device_info;
#define HMN_GPU_DEVICE_INFO_INIT {.size = sizeof(hmn_gpu_device_info)}

/** Number of visible GPUs (NVIDIA first, then others). */
HMN_API int hmn_device_count(hmn_ctx *ctx, uint32_t *count);
/** Device-wide information for one GPU. */
HMN_API int hmn_device_info(hmn_ctx *ctx, uint32_t index, hmn_gpu_device_info *out);
/** The device name or the literal "unknown GPU". */
HMN_API const char *hmn_device_name_or_unknown(const hmn_gpu_device_info *dev);

/** One MIG instance of a device with MIG enabled. */
typedef struct hmn_mig_info {
    uint32_t size;
    uint32_t index;           /* MIG device index under its parent */
    uint64_t valid;           /* HMN_DEV_HAS_TOTAL/FREE/USED/NAME/UUID */
    uint32_t gpu_instance_id;
    uint32_t compute_instance_id;
    uint64_t total_bytes;
    uint64_t free_bytes;
    uint64_t used_bytes;
    char name[96];
    char uuid[96];
} hmn_mig_info;
#define HMN_MIG_INFO_INIT {.size = sizeof(hmn_mig_info)}
/** MIG instance i (0 .. mig_instance_count-1) of device `index`. */
HMN_API int hmn_mig_instance(hmn_ctx *ctx, uint32_t index, uint32_t i, hmn_mig_info *out);

/* ------------------------------------------------- calling process on GPU */
/** hmn_process_gpu.valid bits. */
enum hmn_process_gpu_valid {
    HMN_PGPU_HAS_USED = 1u << 0
};

/** GPU memory of the calling process on one device. */
typedef struct hmn_process_gpu {
    uint32_t size;
    uint32_t source;          /* enum hmn_source */
    uint64_t valid;           /* HMN_PGPU_HAS_* */
    uint64_t used_bytes;      /* device-wide when is_per_process == 0 */
    uint32_t is_per_process;  /* 1: this process only; 0: device-wide fallback */
    uint32_t reserved_;
} hmn_process_gpu;
#define HMN_PROCESS_GPU_INIT {.size = sizeof(hmn_process_gpu)}

/** GPU memory of the calling process on one device (upstream semantics). */
HMN_API int hmn_process_gpu_info(hmn_ctx *ctx, uint32_t index, hmn_process_gpu *out);

/* ------------------------------------------------- process listing */
/** hmn_gpu_process.valid bits. */
enum hmn_gpu_process_valid {
    HMN_PROC_HAS_NAME = 1u << 0,
    HMN_PROC_HAS_USED = 1u << 1,     /* clear: the driver says "not available" */
    HMN_PROC_HAS_SHARED = 1u << 2,   /* Windows PDH Shared Usage */
    HMN_PROC_HAS_GTT = 1u << 3,      /* DRM: GTT region */
    HMN_PROC_HAS_CPU = 1u << 4,      /* DRM: cpu region */
    HMN_PROC_HAS_STOLEN = 1u << 5,   /* DRM: stolen region */
    HMN_PROC_PID_UNMAPPED = 1u << 6, /* host PID that could not be mapped into our PID namespace */
    HMN_PROC_HAS_HOST_PID = 1u << 7, /* host_pid differs from pid */
    HMN_PROC_HAS_CLIENTS = 1u << 8,  /* DRM: clients / shared_clients */
    HMN_PROC_HAS_UNIQUE_USED = 1u << 9 /* DRM: unique_used_bytes (clear when used is unknown) */
};

/** What kind of GPU client a row is (bit set; NVML may report several). */
enum hmn_proc_kind {
    HMN_PROC_KIND_COMPUTE = 1u << 0,
    HMN_PROC_KIND_GRAPHICS = 1u << 1,
    HMN_PROC_KIND_MPS = 1u << 2,
    HMN_PROC_KIND_DRM = 1u << 3
};

/** One process holding memory on one device. */
typedef struct hmn_gpu_process {
    uint32_t size;
    uint32_t pid;             /* PID in our namespace (host PID when unmapped) */
    uint64_t valid;           /* HMN_PROC_* */
    uint64_t used_bytes;      /* dedicated / device-local memory */
    uint64_t shared_used_bytes;
    uint64_t gtt_bytes;
    uint64_t cpu_bytes;
    uint64_t stolen_bytes;
    uint32_t source;          /* enum hmn_source */
    uint32_t kinds;           /* HMN_PROC_KIND_* */
    uint32_t device_index;
    uint32_t host_pid;        /* PID as the driver reported it */
    uint32_t gpu_instance_id;     /* MIG; 0xFFFFFFFF when not MIG */
    uint32_t compute_instance_id;
    char name[256];
    /*
     * DRM fdinfo: one open DRM file (client) can be held by several processes
     * (fork, fd passing).  used_bytes counts every client the process holds;
     * unique_used_bytes counts a shared client only in the lowest PID holding
     * it, so summing unique_used_bytes over a list counts each client once.
     * Valid with HMN_PROC_HAS_UNIQUE_USED only: unknown is never zero.
     */
    uint64_t unique_used_bytes;
    uint32_t clients;         /* distinct DRM clients this process holds */
    uint32_t shared_clients;  /* of which other processes hold too */
} hmn_gpu_process;
#define HMN_GPU_PROCESS_INIT {.size = sizeof(hmn_gpu_process)}

/** Opaque list of hmn_gpu_process rows, read one at a time. */
typedef struct hmn_process_list hmn_process_list;

/**
 * Every process holding memory on one device, sorted by PID.  An empty list
 * is a success ("nobody uses it").  Free with hmn_process_list_free().
 */
HMN_API int hmn_gpu_processes(hmn_ctx *ctx, uint32_t index, hmn_process_list **out);
/** Number of rows (0 for NULL). */
HMN_API size_t hmn_process_list_count(const hmn_process_list *list);
/** Row i into out (out->size set by the caller); HMN_ENOENT past the end. */
HMN_API int hmn_process_list_get(const hmn_process_list *list, size_t i, hmn_gpu_process *out);
/**
 * Processes whose GPU usage could not be read (other users' fdinfo).  For
 * DRM lists (source HMN_SOURCE_DRM_FDINFO) the count is machine-wide: an
 * unreadable process cannot be tied to a device, so every DRM device's list
 * carries the same count; add it once, not per device.
 */
HMN_API uint32_t hmn_process_list_unreadable(const hmn_process_list *list);
/**
 * The i-th process counted by hmn_process_list_unreadable() (i = 0 .. that
 * count - 1), in ascending PID order, each PID once; HMN_ENOENT past the
 * end.  For DRM lists these PIDs are machine-wide too, like the count.
 */
HMN_API int hmn_process_list_unreadable_pid(const hmn_process_list *list, size_t i,
                                            uint32_t *pid);
/**
 * Rows of the source's own output that could not be parsed and were left
 * out of the list (a malformed line of nvidia-smi's process listing): the
 * other rows are still listed.  0 when nothing was skipped.
 */
HMN_API uint32_t hmn_process_list_skipped_rows(const hmn_process_list *list);
/** Source that produced the list. */
HMN_API int hmn_process_list_source(const hmn_process_list *list);
/** Free a list (NULL is a no-op). */
HMN_API void hmn_process_list_free(hmn_process_list *list);

/* ------------------------------------------------- accounting for used memory */
/*
 * A device's used memory = the rows' memory + an unattributed remainder.
 * These two functions are the one place that arithmetic lives (hmn explain,
 * the hint of hmn / hmn ps and the exporter all call them).  Pure: no I/O.
 */
/** hmn_memory_account.valid bits. */
enum hmn_account_valid {
    HMN_ACCT_HAS_USED = 1u << 0,         /* used_bytes is the device's (MIG instance's) figure */
    HMN_ACCT_HAS_UNATTRIBUTED = 1u << 1, /* unattributed_bytes = used - attributed */
    HMN_ACCT_ROWS_EXCEED_USED = 1u << 2  /* attributed > used: excess_bytes, no remainder */
};

/** A device's (or MIG instance's) used memory split into rows and remainder. */
typedef struct hmn_memory_account {
    uint32_t size;
    uint32_t rows;               /* rows counted (of the GPU instance asked for) */
    uint64_t valid;              /* HMN_ACCT_* */
    uint64_t used_bytes;
    uint64_t attributed_bytes;   /* sum of the rows' figures that the driver reported */
    uint64_t unattributed_bytes; /* HMN_ACCT_HAS_UNATTRIBUTED */
    uint64_t excess_bytes;       /* HMN_ACCT_ROWS_EXCEED_USED: attributed - used */
    uint32_t unreported_rows;    /* rows with no memory figure: their bytes are in the remainder */
    uint32_t reserved_;
} hmn_memory_account;
#define HMN_MEMORY_ACCOUNT_INIT {.size = sizeof(hmn_memory_account)}

/** gpu_instance_id meaning "every row of the list". */
#define HMN_ANY_GPU_INSTANCE 0xFFFFFFFFu

/**
 * What one row contributes to its device's used memory: used_bytes, except
 * for DRM rows (HMN_PROC_HAS_CLIENTS) where a client shared by several
 * processes counts once, in the lowest PID (unique_used_bytes, which
 * HMN_PROC_HAS_UNIQUE_USED says is known).
 * HMN_ENOENT when the driver gave no figure for the row.
 */
HMN_API int hmn_process_attributed_bytes(const hmn_gpu_process *p, uint64_t *bytes);

/**
 * Account the rows of `list` whose gpu_instance_id is gpu_instance_id (or
 * all, with HMN_ANY_GPU_INSTANCE) against `used_bytes` (used_known = 0 when
 * the device gave no used figure: the remainder is then unknown).  When the
 * rows add up to more than used, no remainder is invented: the excess is
 * reported instead.  Empty and NULL lists count as no rows.
 */
HMN_API int hmn_memory_account_rows(const hmn_process_list *list, uint32_t gpu_instance_id,
                                    int used_known, uint64_t used_bytes,
                                    hmn_memory_account *out);

/* ------------------------------------------------- who owns a process */
/** hmn_process_owner.valid bits. */
enum hmn_owner_valid {
    HMN_OWNER_HAS_UID = 1u << 0,       /* uid (real UID from /proc/<pid>/status) */
    HMN_OWNER_HAS_USER = 1u << 1,      /* user: uid's name in this mount namespace's user database */
    HMN_OWNER_HAS_CONTAINER = 1u << 2, /* container_id (runtime may still be UNKNOWN) */
    HMN_OWNER_HAS_POD = 1u << 3,       /* pod_uid (Kubernetes) */
    HMN_OWNER_HAS_QOS = 1u << 4,       /* qos (Kubernetes QoS class of the pod) */
    HMN_OWNER_HAS_UNIT = 1u << 5,      /* unit (systemd service or scope) */
    HMN_OWNER_HAS_SLICE = 1u << 6,     /* slice (systemd slice holding the unit) */
    HMN_OWNER_HAS_CGROUP = 1u << 7     /* cgroup_version: /proc/<pid>/cgroup was parsed */
};

/** The container runtime a cgroup path names (hmn_process_owner.runtime). */
enum hmn_runtime {
    HMN_RUNTIME_UNKNOWN = 0, /* a container id whose runtime the path does not name */
    HMN_RUNTIME_DOCKER = 1,
    HMN_RUNTIME_CONTAINERD = 2,
    HMN_RUNTIME_CRIO = 3,
    HMN_RUNTIME_PODMAN = 4
};

/** Kubernetes QoS class of a pod (hmn_process_owner.qos). */
enum hmn_pod_qos {
    HMN_QOS_UNKNOWN = 0,
    HMN_QOS_GUARANTEED = 1,
    HMN_QOS_BURSTABLE = 2,
    HMN_QOS_BESTEFFORT = 3
};

/** Who owns one process: user, container, pod, systemd unit. */
typedef struct hmn_process_owner {
    uint32_t size;
    uint32_t pid;             /* as asked */
    uint64_t valid;           /* HMN_OWNER_HAS_* */
    uint32_t uid;
    uint32_t runtime;         /* enum hmn_runtime, with HMN_OWNER_HAS_CONTAINER */
    uint32_t qos;             /* enum hmn_pod_qos, with HMN_OWNER_HAS_QOS */
    uint32_t cgroup_version;  /* 1: v1 only, 2: unified only, 3: hybrid */
    char user[64];
    char container_id[80];    /* 64 hex digits */
    char pod_uid[48];         /* UUID with dashes (static pods: 32 hex digits) */
    char unit[256];
    char slice[256];
} hmn_process_owner;
#define HMN_PROCESS_OWNER_INIT {.size = sizeof(hmn_process_owner)}

/**
 * Who owns process `pid`: its user, and from /proc/<pid>/cgroup the
 * container, Kubernetes pod and systemd unit it runs in.  pid is as the
 * context's /proc (HMN_PROCFS) names it; for a row of hmn_gpu_processes()
 * pass its host_pid, which works across PID namespaces when that /proc is
 * the host's.  Linux only (HMN_EUNSUPPORTED elsewhere); HMN_ENOENT when
 * the process is gone.  A part that cannot be read leaves its bit clear.
 */
HMN_API int hmn_process_owner_info(hmn_ctx *ctx, uint32_t pid, hmn_process_owner *out);
/** "docker", "containerd", "cri-o", "podman"; NULL for HMN_RUNTIME_UNKNOWN and others. */
HMN_API const char *hmn_runtime_name(int runtime);
/** "guaranteed", "burstable", "besteffort"; NULL otherwise. */
HMN_API const char *hmn_pod_qos_name(int qos);

/* --------------------------------------------------------------- snapshots */
/** hmn_snapshot.valid bits. */
enum hmn_snapshot_valid {
    HMN_SNAP_HAS_GPU = 1u << 0,        /* gpu is filled */
    HMN_SNAP_HAS_GPU_DEVICE = 1u << 1, /* gpu_device is filled */
    HMN_SNAP_HAS_PEAK_RAM = 1u << 2
};

/*
 * RAM is mandatory, GPU best-effort (upstream Snapshot).  The embedded structs
 * grow only with a soname change; while the version is 0.x every minor
 * release has its own soname.
 */
typedef struct hmn_snapshot {
    uint32_t size;
    uint32_t device_index;
    uint64_t valid;            /* HMN_SNAP_HAS_* */
    uint64_t ram_bytes;
    uint64_t peak_ram_bytes;
    hmn_process_gpu gpu;
    hmn_gpu_device_info gpu_device;
} hmn_snapshot;
#define HMN_SNAPSHOT_INIT {.size = sizeof(hmn_snapshot)}

/** RAM now plus this process's and the device's GPU memory for one device. */
HMN_API int hmn_snapshot_now(hmn_ctx *ctx, uint32_t index, hmn_snapshot *out);

/** Opaque list of hmn_snapshot, read one at a time. */
typedef struct hmn_snapshot_list hmn_snapshot_list;
/** One snapshot per visible GPU (one RSS reading shared by all); may be empty. */
HMN_API int hmn_snapshot_all(hmn_ctx *ctx, hmn_snapshot_list **out);
/** Number of snapshots (0 for NULL). */
HMN_API size_t hmn_snapshot_list_count(const hmn_snapshot_list *list);
/** Snapshot i into out (out->size set by the caller); HMN_ENOENT past the end. */
HMN_API int hmn_snapshot_list_get(const hmn_snapshot_list *list, size_t i, hmn_snapshot *out);
/** Free a list (NULL is a no-op). */
HMN_API void hmn_snapshot_list_free(hmn_snapshot_list *list);

/** RAM in MiB (bytes / 1048576). */
HMN_API double hmn_snapshot_ram_mb(const hmn_snapshot *s);
/** Per-process VRAM in MiB; HMN_ENOENT when the snapshot has no GPU figure. */
HMN_API int hmn_snapshot_vram_mb(const hmn_snapshot *s, double *mb);

/* --------------------------------------------------------------- sources report */
/** What happened to a source on a context (hmn_source_report.state). */
enum hmn_source_state {
    HMN_SOURCE_NOT_TRIED = 0,
    HMN_SOURCE_AVAILABLE = 1,
    HMN_SOURCE_UNAVAILABLE = 2,
    HMN_SOURCE_DISABLED = 3 /* compiled out or switched off */
};

/** One GPU source's state on a context. */
typedef struct hmn_source_report {
    uint32_t size;
    uint32_t source;          /* enum hmn_source */
    uint32_t state;           /* enum hmn_source_state */
    uint32_t device_count;    /* devices it answered for (when available) */
    char reason[256];         /* why it is unavailable, or what it loaded */
} hmn_source_report;
#define HMN_SOURCE_REPORT_INIT {.size = sizeof(hmn_source_report)}

/**
 * What the GPU sources of this context did: i = 0 .. while HMN_OK.  Tries
 * every source that has not been tried yet.  Returns HMN_ENOENT past the end.
 */
HMN_API int hmn_source_report_get(hmn_ctx *ctx, size_t i, hmn_source_report *out);

/* --------------------------------------------------------------- spill */
/*
 * Windows WDDM spill detection (dedicated VRAM paged out to shared system
 * RAM).  Elsewhere every spill figure is "not measurable", never "no".
 */
/** Spilling needs dedicated usage at or above this share of the limit... */
#define HMN_SPILL_DEFAULT_DEDICATED_THRESHOLD_PCT 85u
/** ...and shared usage this far above its baseline (one-shot: this much). */
#define HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES (256ull * 1024 * 1024)

/** 1 when spill can be measured on this machine, else 0. */
HMN_API int hmn_is_spill_measurable(hmn_ctx *ctx);
/** One-shot: 1 spilling, 0 not spilling, negative when it cannot tell. */
HMN_API int hmn_snapshot_is_spilling(hmn_ctx *ctx, uint32_t index);

/** Opaque spill tracker: samples one device over time (not locked). */
typedef struct hmn_spill_tracker hmn_spill_tracker;

/** One spill episode: from the first spilling sample to the first one not spilling. */
typedef struct hmn_spill_episode {
    uint32_t size;
    uint32_t has_end_label;
    uint64_t peak_shared_bytes;
    uint64_t observations;
    uint64_t duration_ms;
    char start_label[64];
    char end_label[64];
} hmn_spill_episode;
#define HMN_SPILL_EPISODE_INIT {.size = sizeof(hmn_spill_episode)}

/** What a tracker saw so far. */
typedef struct hmn_spill_report {
    uint32_t size;
    uint32_t measurable;
    uint64_t episode_count;
    uint64_t peak_dedicated_bytes;
    uint64_t dedicated_limit_bytes;  /* 0 = unknown */
    uint64_t peak_shared_bytes;
    uint64_t baseline_shared_bytes;
    uint64_t observations;
    uint64_t total_spill_duration_ms;
} hmn_spill_report;
#define HMN_SPILL_REPORT_INIT {.size = sizeof(hmn_spill_report)}

/** Open a tracker for a device; a non-measurable tracker is not an error. */
HMN_API int hmn_spill_tracker_open(hmn_ctx *ctx, uint32_t index, hmn_spill_tracker **out);
/** Close a tracker (NULL is a no-op). */
HMN_API void hmn_spill_tracker_close(hmn_spill_tracker *t);
/** Dedicated bytes at which spilling may start, instead of 85% of the limit. */
HMN_API void hmn_spill_tracker_set_dedicated_threshold(hmn_spill_tracker *t, uint64_t bytes);
/** Shared growth over the baseline that counts as spilling (default 256 MiB). */
HMN_API void hmn_spill_tracker_set_shared_growth(hmn_spill_tracker *t, uint64_t bytes);
/** Take one sample (label e.g. "+1.5s") and fold it; failures are skipped. */
HMN_API void hmn_spill_tracker_observe(hmn_spill_tracker *t, const char *label);
/** Fold a sample supplied by the caller (tests, replay); limit 0 = unknown. */
HMN_API void hmn_spill_tracker_fold(hmn_spill_tracker *t, uint64_t dedicated, uint64_t shared,
                                    uint64_t limit, const char *label, uint64_t t_ms);
/** 1 when the tracker can sample this device, else 0. */
HMN_API int hmn_spill_tracker_is_measurable(const hmn_spill_tracker *t);
/** 1 when the last sample was spilling, else 0. */
HMN_API int hmn_spill_tracker_is_spilling(const hmn_spill_tracker *t);
/** 1 when any sample so far was spilling, else 0. */
HMN_API int hmn_spill_tracker_has_spilled(const hmn_spill_tracker *t);
/** Report so far (an open episode counts as unfinished, end label absent). */
HMN_API int hmn_spill_tracker_report(const hmn_spill_tracker *t, hmn_spill_report *out);
/** Episode i (0 .. episode_count-1); HMN_ENOENT past the end. */
HMN_API int hmn_spill_tracker_episode(const hmn_spill_tracker *t, size_t i, hmn_spill_episode *out);

/* --------------------------------------------------------------- any process RSS */
/**
 * Current and peak RSS of process pid (not only the caller): Linux
 * <procfs>/<pid>/status VmRSS and VmHWM (source HMN_SOURCE_PROCFS), Windows
 * K32GetProcessMemoryInfo WorkingSetSize and PeakWorkingSetSize
 * (HMN_SOURCE_PSAPI).  pid 0 means the calling process.  HMN_ENOENT when
 * there is no such process, HMN_EACCES when it may not be read.  A kernel
 * thread (no memory) answers HMN_OK with both validity bits clear.
 */
HMN_API int hmn_pid_rss_info(hmn_ctx *ctx, uint32_t pid, hmn_rss *out);

/* --------------------------------------------------------------- sampler */
/*
 * A sampler follows a tree of processes over time on one context: at every
 * sample it finds the root's descendants (a process once seen stays a member
 * while it lives, even when it is reparented; a reused PID is told apart by
 * its start time), reads each one's RSS and peak RSS, and, per sampled GPU,
 * sums the tree's per-process rows (every backend of the context) and reads
 * the device's used and free figures.  It keeps the peaks, when they
 * happened, who else held each device at the tree's GPU peak and at the last
 * sample, and, where NVML accounting mode is already on, the driver's exact
 * per-PID peak (it never switches accounting on).
 *
 * Threads: hmn_sampler_sample() takes one sample on the calling thread.
 * hmn_sampler_start() is the only place in the library that creates a
 * thread: one background thread that samples every interval until
 * hmn_sampler_stop().  Every reader locks the sampler, so figures may be read
 * from any thread while it runs.  The context must outlive the sampler; the
 * context's own lock serialises the sampler's queries with the caller's.
 */
typedef struct hmn_sampler hmn_sampler;

/** hmn_sampler_config.flags. */
enum hmn_sampler_flag {
    HMN_SAMPLER_CHILDREN = 1u << 0,     /* follow descendants (else the root alone) */
    HMN_SAMPLER_EXCLUDE_ROOT = 1u << 1, /* the root's own figures are not counted
                                           (hmn run: the root is hmn itself, a subreaper) */
    HMN_SAMPLER_GPU = 1u << 2,          /* sample GPU devices */
    HMN_SAMPLER_PSS = 1u << 3           /* also read PSS (Linux smaps_rollup; costs more) */
};

/** Sample every device. */
#define HMN_SAMPLER_ALL_DEVICES 0xFFFFFFFFu
/** Shortest interval accepted, ms. */
#define HMN_SAMPLER_MIN_INTERVAL_MS 10u

typedef struct hmn_sampler_config {
    uint32_t size;
    uint32_t root_pid;        /* 0: the calling process */
    uint32_t flags;           /* HMN_SAMPLER_* */
    uint32_t device;          /* one hmn device index, or HMN_SAMPLER_ALL_DEVICES */
    uint64_t interval_ms;     /* background thread's period, >= HMN_SAMPLER_MIN_INTERVAL_MS */
} hmn_sampler_config;
#define HMN_SAMPLER_CONFIG_INIT                                                       \
    {.size = sizeof(hmn_sampler_config), .flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_GPU, \
     .device = HMN_SAMPLER_ALL_DEVICES, .interval_ms = 100}

/** Create a sampler (no sample taken, no thread started). */
HMN_API int hmn_sampler_open(hmn_ctx *ctx, const hmn_sampler_config *cfg, hmn_sampler **out);
/** Stop it if running and free it.  NULL is a no-op. */
HMN_API void hmn_sampler_close(hmn_sampler *s);
/** Take one sample now, on the calling thread (also while the thread runs). */
HMN_API int hmn_sampler_sample(hmn_sampler *s);
/** Start the background thread; HMN_EINVAL when it already runs. */
HMN_API int hmn_sampler_start(hmn_sampler *s);
/** Stop and join the background thread (no-op when not running). */
HMN_API int hmn_sampler_stop(hmn_sampler *s);

/** hmn_sample_info.valid and hmn_sampler_summary.valid bits. */
enum hmn_sample_valid {
    HMN_SAMPLE_HAS_RSS = 1u << 0,        /* rss_bytes: at least one member read */
    HMN_SAMPLE_HAS_PSS = 1u << 1,        /* pss_bytes */
    HMN_SAMPLE_HAS_RSS_PEAK = 1u << 2,   /* summary: rss_peak_bytes / rss_peak_at_ms */
    HMN_SAMPLE_HAS_HWM_MAX = 1u << 3     /* summary: hwm_max_bytes */
};

/** One sample (the latest, or the one passed to a callback). */
typedef struct hmn_sample_info {
    uint32_t size;
    uint32_t processes;       /* members alive at this sample */
    uint64_t valid;           /* HMN_SAMPLE_HAS_* */
    uint64_t seq;             /* 0, 1, 2 ... */
    uint64_t t_ms;            /* ms since the sampler was opened (monotonic clock) */
    uint64_t epoch_ms;        /* wall clock, ms since 1970 */
    uint64_t rss_bytes;       /* sum of the members' RSS */
    uint64_t pss_bytes;       /* sum of the members' PSS */
    uint32_t unreadable;      /* members whose memory could not be read */
    uint32_t device_count;    /* sampled devices (hmn_sample_device i = 0 .. device_count-1) */
} hmn_sample_info;
#define HMN_SAMPLE_INFO_INIT {.size = sizeof(hmn_sample_info)}

/** Whole-run figures so far. */
typedef struct hmn_sampler_summary {
    uint32_t size;
    uint32_t processes_seen;  /* distinct members ever seen */
    uint64_t valid;           /* HMN_SAMPLE_HAS_* */
    uint64_t samples;
    uint64_t rss_peak_bytes;  /* largest sampled sum of RSS over the tree */
    uint64_t rss_peak_at_ms;
    uint64_t hwm_max_bytes;   /* largest single member's own exact peak (VmHWM) */
    uint32_t rss_source;      /* enum hmn_source of the RSS figures */
    uint32_t device_count;    /* sampled devices */
    uint64_t first_ms;        /* t_ms of the first and the last sample */
    uint64_t last_ms;
} hmn_sampler_summary;
#define HMN_SAMPLER_SUMMARY_INIT {.size = sizeof(hmn_sampler_summary)}

/** hmn_sample_device.valid bits. */
enum hmn_sample_device_valid {
    HMN_SDEV_HAS_TREE_USED = 1u << 0,   /* tree_used_bytes: the tree's rows could be read */
    HMN_SDEV_HAS_TREE_PEAK = 1u << 1,   /* tree_peak_bytes / tree_peak_at_ms */
    HMN_SDEV_HAS_DEVICE_USED = 1u << 2, /* device_used_bytes */
    HMN_SDEV_HAS_DEVICE_FREE = 1u << 3, /* device_free_bytes */
    HMN_SDEV_HAS_USED_PEAK = 1u << 4,   /* device_used_peak_bytes */
    HMN_SDEV_HAS_FREE_MIN = 1u << 5,    /* device_free_min_bytes */
    HMN_SDEV_HAS_ACCOUNTING = 1u << 6,  /* accounting_peak_bytes: NVML accounting, exact */
    HMN_SDEV_HAS_TOTAL = 1u << 7
};

/**
 * One device in the sampler: in a sample, the figures of that sample
 * (tree_used_bytes, device_used_bytes, device_free_bytes); from
 * hmn_sampler_device(), those of the latest sample plus the run's peaks.
 */
typedef struct hmn_sample_device {
    uint32_t size;
    uint32_t index;               /* hmn device index */
    uint64_t valid;               /* HMN_SDEV_HAS_* */
    uint32_t source;              /* enum hmn_source of the tree's rows */
    uint32_t tree_processes;      /* members holding memory on it */
    uint64_t tree_used_bytes;     /* sum of the members' rows (DRM: each client once) */
    uint64_t device_used_bytes;
    uint64_t device_free_bytes;
    uint64_t total_bytes;
    uint64_t tree_peak_bytes;     /* largest sampled tree_used_bytes */
    uint64_t tree_peak_at_ms;
    uint64_t device_used_peak_bytes;
    uint64_t device_free_min_bytes;
    uint64_t accounting_peak_bytes; /* sum over members of NVML maxMemoryUsage */
    char name[96];
    char uuid[96];
} hmn_sample_device;
#define HMN_SAMPLE_DEVICE_INIT {.size = sizeof(hmn_sample_device)}

/** The latest sample; HMN_ENOENT before the first. */
HMN_API int hmn_sampler_latest(hmn_sampler *s, hmn_sample_info *out);
/** The run so far. */
HMN_API int hmn_sampler_summary_get(hmn_sampler *s, hmn_sampler_summary *out);
/** Device i (0 .. device_count-1): latest figures and peaks. */
HMN_API int hmn_sampler_device(hmn_sampler *s, size_t i, hmn_sample_device *out);

/** One member of the tree, as the sampler last saw it. */
typedef struct hmn_tree_process {
    uint32_t size;
    uint32_t pid;
    uint64_t valid;           /* HMN_TPROC_HAS_* */
    uint32_t ppid;
    uint32_t alive;           /* 1 at the latest sample */
    uint64_t rss_bytes;       /* at its last sample */
    uint64_t peak_bytes;      /* own exact peak (VmHWM), largest seen */
    uint64_t sampled_peak_bytes; /* largest sampled RSS */
    uint64_t gpu_peak_bytes;  /* largest sampled sum over devices of its GPU rows */
    uint64_t first_ms;        /* first and last sample that saw it */
    uint64_t last_ms;
    char name[256];
} hmn_tree_process;
#define HMN_TREE_PROCESS_INIT {.size = sizeof(hmn_tree_process)}
enum hmn_tree_process_valid {
    HMN_TPROC_HAS_NAME = 1u << 0,
    HMN_TPROC_HAS_RSS = 1u << 1,
    HMN_TPROC_HAS_PEAK = 1u << 2,
    HMN_TPROC_HAS_GPU = 1u << 3
};
/** Member i (0 .. processes_seen-1), in the order first seen. */
HMN_API int hmn_sampler_process(hmn_sampler *s, size_t i, hmn_tree_process *out);

/** Which moment hmn_sampler_other() reads. */
enum hmn_sampler_moment {
    HMN_SAMPLER_AT_PEAK = 0, /* the sample of the tree's GPU peak on that device */
    HMN_SAMPLER_AT_LAST = 1  /* the latest sample */
};
/**
 * Process j on sampled device i that is not a member, at that moment, with
 * its row (hmn_gpu_process).  HMN_ENOENT past the end.
 */
HMN_API int hmn_sampler_other(hmn_sampler *s, size_t i, int moment, size_t j, hmn_gpu_process *out);

/**
 * Called after every sample, on the thread that took it, with the sampler
 * locked: read the sample with the two accessors below only (never call
 * other hmn_sampler_* functions of s from the callback).  NULL removes it.
 */
typedef struct hmn_sample hmn_sample;
typedef void (*hmn_sample_fn)(const hmn_sample *sample, void *user);
HMN_API int hmn_sampler_set_callback(hmn_sampler *s, hmn_sample_fn fn, void *user);
/** The sample's figures. */
HMN_API int hmn_sample_get_info(const hmn_sample *sample, hmn_sample_info *out);
/** Device i of the sample (tree and device figures of that sample only). */
HMN_API int hmn_sample_get_device(const hmn_sample *sample, size_t i, hmn_sample_device *out);

/* --------------------------------------------------------------- report helpers */
/*
 * Byte-exact with upstream's report feature.  Each format function writes a
 * NUL-terminated string like snprintf and returns the length it needed
 * (excluding the NUL), or a negative code.  "MB" in these strings means MiB.
 * Buffer contract of every hmn_format_* function and hmn_json_escape: a
 * short buffer gets a NUL-terminated prefix; buf NULL with cap 0 is a length
 * query; buf NULL with cap > 0 is HMN_EINVAL.
 */
/** "  label: RAM +12 MB  |  VRAM +512 MB [per-process]\n" (VRAM part only with GPU data). */
HMN_API int hmn_format_delta(char *buf, size_t cap, const hmn_snapshot *before,
                             const hmn_snapshot *after, const char *label);
/** Two lines: RAM before -> after (delta), then VRAM the same way when both have it. */
HMN_API int hmn_format_before_after(char *buf, size_t cap, const hmn_snapshot *before,
                                    const hmn_snapshot *after, const char *label);
/** hmn_format_delta() on stdout. */
HMN_API int hmn_print_delta(const hmn_snapshot *before, const hmn_snapshot *after,
                            const char *label);
/** hmn_format_before_after() on stdout. */
HMN_API int hmn_print_before_after(const hmn_snapshot *before, const hmn_snapshot *after,
                                   const char *label);
/** Signed RAM delta in MiB (0.0 when either snapshot is NULL). */
HMN_API double hmn_report_ram_delta_mb(const hmn_snapshot *before, const hmn_snapshot *after);
/** Signed per-process VRAM delta in MiB; HMN_ENOENT without GPU data in both. */
HMN_API int hmn_report_vram_delta_mb(const hmn_snapshot *before, const hmn_snapshot *after,
                                     double *mb);
/** "  GPU 0: free 1024 MB / 8192 MB [name]\n"; n/a for an unknown figure. */
HMN_API int hmn_format_free(char *buf, size_t cap, const hmn_gpu_device_info *dev);
/** "  GPU 0: total 8192 MB [name]\n". */
HMN_API int hmn_format_total(char *buf, size_t cap, const hmn_gpu_device_info *dev);
/** "  GPU 0: used 7168 MB [name]\n". */
HMN_API int hmn_format_used(char *buf, size_t cap, const hmn_gpu_device_info *dev);
/** hmn_format_free() on stdout. */
HMN_API int hmn_print_free(const hmn_gpu_device_info *dev);

/* --------------------------------------------------------------- shared text helpers */
/* The formatters below follow the buffer contract of the report helpers above. */
/** "1.5 GiB" at or above 1 GiB, else whole MiB floored ("512 MiB"). */
HMN_API int hmn_format_vram(char *buf, size_t cap, uint64_t bytes);
/** Largest of GiB/MiB/KiB, two decimals trimmed ("512 KiB", "1.25 GiB", "1023 B"). */
HMN_API int hmn_format_vram_precise(char *buf, size_t cap, uint64_t bytes);
/**
 * SIZE: digits and '.', optional spaces, unit "", "KiB", "MiB" or "GiB".
 * On error returns HMN_EPARSE and writes the reason to err (may be NULL);
 * a size past 2^64 - 1 bytes is an error ("too large"), never capped.
 */
HMN_API int hmn_parse_size(const char *text, uint64_t *bytes, char *err, size_t errcap);
/** Duration: digits then "", "s", "ms", "m" or "h"; zero and more than
 *  2^64 - 1 ms ("too large") rejected. */
HMN_API int hmn_parse_duration_ms(const char *text, uint64_t *ms, char *err, size_t errcap);
/** JSON string body escaping (no surrounding quotes), snprintf-style. */
HMN_API int hmn_json_escape(char *buf, size_t cap, const char *text);

#ifdef __cplusplus
}
#endif
#endif /* HMN_HYPOMNESIS_H */
