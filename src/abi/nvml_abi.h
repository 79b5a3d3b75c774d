/*
 * abi/nvml_abi.h - the slice of the NVML ABI that hmn uses, written by
 * hand so that the library builds without nvml.h and loads libnvidia-ml at
 * run time.
 *
 * Every name carries an hmn_ / HMN_ prefix so that a test can include this
 * file next to the real nvml.h and check each size, offset and constant with
 * static asserts (tests/nvml/abi_check.c).  Layouts are for LP64 and LLP64
 * (x86-64 Linux and Windows): `unsigned long long` is 8 bytes and aligned to
 * 8, so the 4-byte fields before it are followed by padding.
 *
 * Where each layout comes from:
 *  - return codes, buffer sizes, nvmlMemory_t/_v2_t, nvmlProcessInfo_v1_t /
 *    _v2_t, nvmlPciInfo_t, nvmlEnableState_t, nvmlAccountingStats_t: nvml.h of NVML API 11 (CUDA 11.8, Debian's
 *    libnvidia-ml-dev 11.8.86), checked by the static asserts.
 *  - nvmlProcessDetail_v1_t and nvmlProcessDetailList_v1_t: these are newer
 *    than that header; the layout follows the NVML API 12/13 headers
 *    (R535.104 and later) and the 32-byte short-lived R535.43 `_v3` struct,
 *    which has the same fields.  The 11.8 check cannot cover them; the
 *    check covers them automatically when it is given a header that
 *    declares them (it defines the nvmlProcessDetailList_v1 version macro).
 */
#ifndef HMN_NVML_ABI_H
#define HMN_NVML_ABI_H

/* nvmlReturn_t is an enum in nvml.h: int-sized on every supported ABI. */
typedef int hmn_nvmlReturn_t;

#define HMN_NVML_SUCCESS 0
#define HMN_NVML_ERROR_UNINITIALIZED 1
#define HMN_NVML_ERROR_INVALID_ARGUMENT 2
#define HMN_NVML_ERROR_NOT_SUPPORTED 3
#define HMN_NVML_ERROR_NO_PERMISSION 4
#define HMN_NVML_ERROR_NOT_FOUND 6
#define HMN_NVML_ERROR_INSUFFICIENT_SIZE 7
#define HMN_NVML_ERROR_DRIVER_NOT_LOADED 9
#define HMN_NVML_ERROR_LIBRARY_NOT_FOUND 12
#define HMN_NVML_ERROR_FUNCTION_NOT_FOUND 13
#define HMN_NVML_ERROR_GPU_IS_LOST 15
#define HMN_NVML_ERROR_LIB_RM_VERSION_MISMATCH 18
#define HMN_NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define HMN_NVML_ERROR_UNKNOWN 999

/* Opaque device handle (the same pointer type for MIG device handles). */
typedef struct hmn_nvmlDevice_st *hmn_nvmlDevice_t;

/* Buffer sizes the documentation asks for. */
#define HMN_NVML_DEVICE_NAME_V2_BUFFER_SIZE 96
#define HMN_NVML_DEVICE_UUID_V2_BUFFER_SIZE 96
#define HMN_NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
#define HMN_NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE 80
#define HMN_NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE 32
#define HMN_NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE 16

/* usedGpuMemory when the driver cannot tell (WDDM, WSL2): (unsigned long long)-1. */
#define HMN_NVML_VALUE_NOT_AVAILABLE_ULL 0xFFFFFFFFFFFFFFFFULL

/* MIG mode value for "enabled" (nvmlDeviceGetMigMode). */
#define HMN_NVML_DEVICE_MIG_ENABLE 1u

/* NVML_STRUCT_VERSION: the struct size in the low bits, the version in the top byte. */
#define HMN_NVML_STRUCT_VERSION(type, ver) \
    ((unsigned int)sizeof(type) | ((unsigned int)(ver) << 24U))

/* nvmlDeviceGetMemoryInfo: `used` includes the reserved carve-out. */
typedef struct hmn_nvmlMemory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} hmn_nvmlMemory_t;

/* nvmlDeviceGetMemoryInfo_v2: set version to HMN_NVML_MEMORY_V2_VERSION (0x02000028). */
typedef struct hmn_nvmlMemory_v2 {
    unsigned int version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
} hmn_nvmlMemory_v2_t;
#define HMN_NVML_MEMORY_V2_VERSION HMN_NVML_STRUCT_VERSION(hmn_nvmlMemory_v2_t, 2)

/* Unsuffixed ...RunningProcesses (16 bytes). */
typedef struct hmn_nvmlProcessInfo_v1 {
    unsigned int pid;
    unsigned long long usedGpuMemory;
} hmn_nvmlProcessInfo_v1_t;

/* ..._v2 and (except on R535.43-R535.98) ..._v3 (24 bytes; GI/CI 0xFFFFFFFF without MIG). */
typedef struct hmn_nvmlProcessInfo_v2 {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} hmn_nvmlProcessInfo_v2_t;

/* Detail-list rows (32 bytes); also what R535.43's `_v3` wrote without a version bump. */
typedef struct hmn_nvmlProcessDetail_v1 {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
    unsigned long long usedGpuCcProtectedMemory;
} hmn_nvmlProcessDetail_v1_t;

/* nvmlDeviceGetRunningProcessDetailList argument (24 bytes on LP64). */
typedef struct hmn_nvmlProcessDetailList_v1 {
    unsigned int version; /* HMN_NVML_PROCESS_DETAIL_LIST_V1_VERSION */
    unsigned int mode;    /* HMN_NVML_PROCESS_MODE_* */
    unsigned int numProcArrayEntries;
    hmn_nvmlProcessDetail_v1_t *procArray;
} hmn_nvmlProcessDetailList_v1_t;
#define HMN_NVML_PROCESS_DETAIL_LIST_V1_VERSION \
    HMN_NVML_STRUCT_VERSION(hmn_nvmlProcessDetailList_v1_t, 1)

#define HMN_NVML_PROCESS_MODE_COMPUTE 0u
#define HMN_NVML_PROCESS_MODE_GRAPHICS 1u
#define HMN_NVML_PROCESS_MODE_MPS 2u

/*
 * nvmlPciInfo_t (68 bytes).  The unsuffixed nvmlDeviceGetPciInfo fills an
 * older 52-byte layout with domain/bus/device at the same offsets, so one
 * buffer of this type serves every version; the bus id is rebuilt from the
 * numbers because the text differs between versions.
 */
typedef struct hmn_nvmlPciInfo {
    char busIdLegacy[HMN_NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE];
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned int pciDeviceId; /* device id << 16 | vendor id */
    unsigned int pciSubSystemId;
    char busId[HMN_NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE];
} hmn_nvmlPciInfo_t;

/*
 * Accounting mode (nvmlDeviceGetAccountingMode / ...Stats, NVML API 11):
 * per-process statistics the driver keeps while the mode is on, also for
 * processes that have exited (up to the driver's buffer).  Read only: hmn
 * never calls nvmlDeviceSetAccountingMode.  nvmlEnableState_t is an enum.
 */
typedef int hmn_nvmlEnableState_t;
#define HMN_NVML_FEATURE_DISABLED 0
#define HMN_NVML_FEATURE_ENABLED 1

/* nvmlAccountingStats_t (56 bytes). */
typedef struct hmn_nvmlAccountingStats {
    unsigned int gpuUtilization;    /* percent, or NOT_AVAILABLE */
    unsigned int memoryUtilization;
    unsigned long long maxMemoryUsage; /* bytes; NOT_AVAILABLE_ULL on WDDM */
    unsigned long long time;        /* ms the process ran (0 while running on some drivers) */
    unsigned long long startTime;   /* CPU timestamp in microseconds */
    unsigned int isRunning;
    unsigned int reserved[5];
} hmn_nvmlAccountingStats_t;

/* Function types, one per distinct signature (names in gpu_nvml.c's table). */
typedef hmn_nvmlReturn_t (*hmn_nvml_void_fn)(void);
typedef const char *(*hmn_nvml_errstr_fn)(hmn_nvmlReturn_t);
typedef hmn_nvmlReturn_t (*hmn_nvml_sysstr_fn)(char *, unsigned int);
typedef hmn_nvmlReturn_t (*hmn_nvml_int_fn)(int *);
typedef hmn_nvmlReturn_t (*hmn_nvml_count_fn)(unsigned int *);
typedef hmn_nvmlReturn_t (*hmn_nvml_handle_fn)(unsigned int, hmn_nvmlDevice_t *);
typedef hmn_nvmlReturn_t (*hmn_nvml_devstr_fn)(hmn_nvmlDevice_t, char *, unsigned int);
typedef hmn_nvmlReturn_t (*hmn_nvml_pci_fn)(hmn_nvmlDevice_t, hmn_nvmlPciInfo_t *);
typedef hmn_nvmlReturn_t (*hmn_nvml_mem_fn)(hmn_nvmlDevice_t, hmn_nvmlMemory_t *);
typedef hmn_nvmlReturn_t (*hmn_nvml_mem2_fn)(hmn_nvmlDevice_t, hmn_nvmlMemory_v2_t *);
typedef hmn_nvmlReturn_t (*hmn_nvml_devuint_fn)(hmn_nvmlDevice_t, unsigned int *);
typedef hmn_nvmlReturn_t (*hmn_nvml_migmode_fn)(hmn_nvmlDevice_t, unsigned int *, unsigned int *);
typedef hmn_nvmlReturn_t (*hmn_nvml_mighandle_fn)(hmn_nvmlDevice_t, unsigned int,
                                                  hmn_nvmlDevice_t *);
/* Process calls: the row type depends on the symbol's version (see above). */
typedef hmn_nvmlReturn_t (*hmn_nvml_procs_fn)(hmn_nvmlDevice_t, unsigned int *, void *);
typedef hmn_nvmlReturn_t (*hmn_nvml_detail_fn)(hmn_nvmlDevice_t,
                                               hmn_nvmlProcessDetailList_v1_t *);
typedef hmn_nvmlReturn_t (*hmn_nvml_acctmode_fn)(hmn_nvmlDevice_t, hmn_nvmlEnableState_t *);
typedef hmn_nvmlReturn_t (*hmn_nvml_acctstats_fn)(hmn_nvmlDevice_t, unsigned int,
                                                  hmn_nvmlAccountingStats_t *);
/* nvmlDeviceGetConfComputeMemSizeInfo: only its presence is used (R535.43 detection). */
typedef hmn_nvmlReturn_t (*hmn_nvml_any_fn)(void);

#endif /* HMN_NVML_ABI_H */
