/* core/error.c - error table, source names and version. */
#include "util/util.h"

const char *hmn_strerror(int code)
{
    switch (code) {
#define HMN__ERR_TEXT(name, value, text) \
    case value:                          \
        return text;
        HMN_ERRNO_MAP(HMN__ERR_TEXT)
#undef HMN__ERR_TEXT
    default:
        return "unknown error";
    }
}

const char *hmn_err_name(int code)
{
    switch (code) {
#define HMN__ERR_NAME(name, value, text) \
    case value:                          \
        return #name;
        HMN_ERRNO_MAP(HMN__ERR_NAME)
#undef HMN__ERR_NAME
    default:
        return "HMN_EUNKNOWN";
    }
}

const char *hmn_source_name(int source)
{
    /* Index: enum hmn_source (values fixed, new ones appended). */
    static const char *const names[] = {
        "none",       "dxgi",  "nvml",   "pdh",    "nvidia-smi",
        "metal",      "drm-fdinfo", "sysfs", "procfs", "psapi",
    };
    _Static_assert(HMN__ARRAY_LEN(names) == HMN_SOURCE_PSAPI + 1, "a name per hmn_source");
    if (source < 0 || (size_t)source >= HMN__ARRAY_LEN(names))
        return "unknown";
    return names[source];
}

const char *hmn_version(void)
{
    return HMN_VERSION_STRING;
}

unsigned hmn_version_number(void)
{
    return HMN_VERSION_NUMBER;
}
