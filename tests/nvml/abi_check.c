/*
 * tests/nvml/abi_check.c - our hand-written NVML declarations
 * (src/abi/nvml_abi.h) against the real nvml.h: every size, offset and
 * constant is a static assert, so a mismatch fails the build of this test.
 * Built only when HMN_NVIDIA_NONFREE_DIR names a folder with include/nvml.h.
 */
#include "harness.h"

#include <stddef.h>

#include <nvml.h>

#include "abi/nvml_abi.h"

#define SAME_SIZE(a, b) _Static_assert(sizeof(a) == sizeof(b), "size of " #a)
#define SAME_OFF(a, b, f) _Static_assert(offsetof(a, f) == offsetof(b, f), "offset of " #a "." #f)
#define SAME_VAL(a, b) _Static_assert((long long)(a) == (long long)(b), "value of " #a)

/* Return codes. */
SAME_SIZE(hmn_nvmlReturn_t, nvmlReturn_t);
SAME_VAL(HMN_NVML_SUCCESS, NVML_SUCCESS);
SAME_VAL(HMN_NVML_ERROR_UNINITIALIZED, NVML_ERROR_UNINITIALIZED);
SAME_VAL(HMN_NVML_ERROR_INVALID_ARGUMENT, NVML_ERROR_INVALID_ARGUMENT);
SAME_VAL(HMN_NVML_ERROR_NOT_SUPPORTED, NVML_ERROR_NOT_SUPPORTED);
SAME_VAL(HMN_NVML_ERROR_NO_PERMISSION, NVML_ERROR_NO_PERMISSION);
SAME_VAL(HMN_NVML_ERROR_NOT_FOUND, NVML_ERROR_NOT_FOUND);
SAME_VAL(HMN_NVML_ERROR_INSUFFICIENT_SIZE, NVML_ERROR_INSUFFICIENT_SIZE);
SAME_VAL(HMN_NVML_ERROR_DRIVER_NOT_LOADED, NVML_ERROR_DRIVER_NOT_LOADED);
SAME_VAL(HMN_NVML_ERROR_LIBRARY_NOT_FOUND, NVML_ERROR_LIBRARY_NOT_FOUND);
SAME_VAL(HMN_NVML_ERROR_FUNCTION_NOT_FOUND, NVML_ERROR_FUNCTION_NOT_FOUND);
SAME_VAL(HMN_NVML_ERROR_GPU_IS_LOST, NVML_ERROR_GPU_IS_LOST);
SAME_VAL(HMN_NVML_ERROR_LIB_RM_VERSION_MISMATCH, NVML_ERROR_LIB_RM_VERSION_MISMATCH);
SAME_VAL(HMN_NVML_ERROR_ARGUMENT_VERSION_MISMATCH, NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
SAME_VAL(HMN_NVML_ERROR_UNKNOWN, NVML_ERROR_UNKNOWN);

/* Buffer sizes and special values. */
SAME_VAL(HMN_NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_NAME_V2_BUFFER_SIZE);
SAME_VAL(HMN_NVML_DEVICE_UUID_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE);
SAME_VAL(HMN_NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE, NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE);
SAME_VAL(HMN_NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE, NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE);
SAME_VAL(HMN_NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE, NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE);
SAME_VAL(HMN_NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE, NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE);
SAME_VAL(HMN_NVML_DEVICE_MIG_ENABLE, NVML_DEVICE_MIG_ENABLE);
_Static_assert(HMN_NVML_VALUE_NOT_AVAILABLE_ULL == (unsigned long long)NVML_VALUE_NOT_AVAILABLE,
               "NOT_AVAILABLE as unsigned long long");

/* Accounting. */
SAME_SIZE(hmn_nvmlEnableState_t, nvmlEnableState_t);
SAME_VAL(HMN_NVML_FEATURE_DISABLED, NVML_FEATURE_DISABLED);
SAME_VAL(HMN_NVML_FEATURE_ENABLED, NVML_FEATURE_ENABLED);
SAME_SIZE(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t);
SAME_OFF(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t, gpuUtilization);
SAME_OFF(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t, memoryUtilization);
SAME_OFF(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t, maxMemoryUsage);
SAME_OFF(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t, time);
SAME_OFF(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t, startTime);
SAME_OFF(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t, isRunning);
SAME_OFF(hmn_nvmlAccountingStats_t, nvmlAccountingStats_t, reserved);
_Static_assert(sizeof(hmn_nvmlAccountingStats_t) == 56, "nvmlAccountingStats_t is 56 bytes");

/* Memory. */
SAME_SIZE(hmn_nvmlMemory_t, nvmlMemory_t);
SAME_OFF(hmn_nvmlMemory_t, nvmlMemory_t, total);
SAME_OFF(hmn_nvmlMemory_t, nvmlMemory_t, free);
SAME_OFF(hmn_nvmlMemory_t, nvmlMemory_t, used);
SAME_SIZE(hmn_nvmlMemory_v2_t, nvmlMemory_v2_t);
SAME_OFF(hmn_nvmlMemory_v2_t, nvmlMemory_v2_t, version);
SAME_OFF(hmn_nvmlMemory_v2_t, nvmlMemory_v2_t, total);
SAME_OFF(hmn_nvmlMemory_v2_t, nvmlMemory_v2_t, reserved);
SAME_OFF(hmn_nvmlMemory_v2_t, nvmlMemory_v2_t, free);
SAME_OFF(hmn_nvmlMemory_v2_t, nvmlMemory_v2_t, used);
SAME_VAL(HMN_NVML_MEMORY_V2_VERSION, nvmlMemory_v2);
_Static_assert(HMN_NVML_MEMORY_V2_VERSION == 0x02000028u, "the documented 0x02000028");

/* Process rows. */
SAME_SIZE(hmn_nvmlProcessInfo_v1_t, nvmlProcessInfo_v1_t);
SAME_OFF(hmn_nvmlProcessInfo_v1_t, nvmlProcessInfo_v1_t, pid);
SAME_OFF(hmn_nvmlProcessInfo_v1_t, nvmlProcessInfo_v1_t, usedGpuMemory);
SAME_SIZE(hmn_nvmlProcessInfo_v2_t, nvmlProcessInfo_v2_t);
SAME_OFF(hmn_nvmlProcessInfo_v2_t, nvmlProcessInfo_v2_t, pid);
SAME_OFF(hmn_nvmlProcessInfo_v2_t, nvmlProcessInfo_v2_t, usedGpuMemory);
SAME_OFF(hmn_nvmlProcessInfo_v2_t, nvmlProcessInfo_v2_t, gpuInstanceId);
SAME_OFF(hmn_nvmlProcessInfo_v2_t, nvmlProcessInfo_v2_t, computeInstanceId);
SAME_SIZE(hmn_nvmlProcessInfo_v2_t, nvmlProcessInfo_t);
_Static_assert(sizeof(hmn_nvmlProcessDetail_v1_t) == 32, "R535.43 / detail row is 32 bytes");
_Static_assert(sizeof(hmn_nvmlProcessDetailList_v1_t) == 24, "detail list is 24 bytes (LP64)");
_Static_assert(HMN_NVML_PROCESS_DETAIL_LIST_V1_VERSION == 0x01000018u, "detail list version");
#if defined(nvmlProcessDetailList_v1)
/* Headers of NVML API 12+ declare the detail list (and its version macro): check it too. */
SAME_SIZE(hmn_nvmlProcessDetail_v1_t, nvmlProcessDetail_v1_t);
SAME_OFF(hmn_nvmlProcessDetail_v1_t, nvmlProcessDetail_v1_t, usedGpuCcProtectedMemory);
SAME_SIZE(hmn_nvmlProcessDetailList_v1_t, nvmlProcessDetailList_v1_t);
SAME_OFF(hmn_nvmlProcessDetailList_v1_t, nvmlProcessDetailList_v1_t, procArray);
SAME_VAL(HMN_NVML_PROCESS_DETAIL_LIST_V1_VERSION, nvmlProcessDetailList_v1);
SAME_VAL(HMN_NVML_PROCESS_MODE_COMPUTE, NVML_PROCESS_MODE_COMPUTE);
SAME_VAL(HMN_NVML_PROCESS_MODE_GRAPHICS, NVML_PROCESS_MODE_GRAPHICS);
SAME_VAL(HMN_NVML_PROCESS_MODE_MPS, NVML_PROCESS_MODE_MPS);
#endif

/* PCI. */
SAME_SIZE(hmn_nvmlPciInfo_t, nvmlPciInfo_t);
SAME_OFF(hmn_nvmlPciInfo_t, nvmlPciInfo_t, busIdLegacy);
SAME_OFF(hmn_nvmlPciInfo_t, nvmlPciInfo_t, domain);
SAME_OFF(hmn_nvmlPciInfo_t, nvmlPciInfo_t, bus);
SAME_OFF(hmn_nvmlPciInfo_t, nvmlPciInfo_t, device);
SAME_OFF(hmn_nvmlPciInfo_t, nvmlPciInfo_t, pciDeviceId);
SAME_OFF(hmn_nvmlPciInfo_t, nvmlPciInfo_t, pciSubSystemId);
SAME_OFF(hmn_nvmlPciInfo_t, nvmlPciInfo_t, busId);

/* The same facts at run time, so the executable has something to report. */
static void sizes_match(void)
{
    CHECK_EQ_U64(sizeof(hmn_nvmlMemory_v2_t), sizeof(nvmlMemory_v2_t));
    CHECK_EQ_U64(HMN_NVML_MEMORY_V2_VERSION, nvmlMemory_v2);
    CHECK_EQ_U64(sizeof(hmn_nvmlProcessInfo_v2_t), sizeof(nvmlProcessInfo_t));
    CHECK_EQ_U64(sizeof(hmn_nvmlPciInfo_t), sizeof(nvmlPciInfo_t));
}

static const struct hmn_test tests[] = {TEST_ENTRY(sizes_match)};

int main(int argc, char **argv)
{
    return RUN_TESTS(tests);
}
