/* The error table: codes, names, texts, and docs/errors.md kept in step with it. */
#include "harness.h"

#include <hypomnesis.h>

#ifndef HMN_SOURCE_DIR
#error "HMN_SOURCE_DIR must be defined"
#endif

static void codes_have_names_and_texts(void)
{
    CHECK_STR(hmn_err_name(HMN_OK), "HMN_OK");
    CHECK_STR(hmn_err_name(HMN_ENOGPU), "HMN_ENOGPU");
    CHECK_STR(hmn_strerror(HMN_ERANGE), "device index out of range");
    CHECK_STR(hmn_strerror(12345), "unknown error");
    CHECK_STR(hmn_err_name(-999), "HMN_EUNKNOWN");
}

static void values_are_stable(void)
{
    /* Never renumber: bindings and exporters branch on these values. */
    CHECK(HMN_EINVAL == -1 && HMN_ENOMEM == -2 && HMN_ERAM == -3 && HMN_ENOGPU == -4);
    CHECK(HMN_ERANGE == -5 && HMN_ENOENT == -6 && HMN_EACCES == -7 && HMN_EBACKEND == -8);
    CHECK(HMN_ETIMEDOUT == -9 && HMN_EPARSE == -10 && HMN_EVERSION == -11);
    CHECK(HMN_ENOBUFS == -12 && HMN_EUNSUPPORTED == -13 && HMN_EDENIED == -14);
    CHECK(HMN_ENODRIVER == -15);
}

static void docs_mirror_the_table(void)
{
    char line[512], want[512];
    FILE *f = fopen(HMN_SOURCE_DIR "/docs/errors.md", "r");
    size_t found = 0, total = 0;
    CHECK(f != NULL);
    while (fgets(line, sizeof(line), f)) {
#define HMN_T_ROW(name, value, text)                                   \
    snprintf(want, sizeof(want), "| `%s` | %d | %s |", #name, value, text); \
    if (strncmp(line, want, strlen(want)) == 0)                        \
        found++;
        HMN_ERRNO_MAP(HMN_T_ROW)
#undef HMN_T_ROW
    }
    fclose(f);
#define HMN_T_COUNT(name, value, text) total++;
    HMN_ERRNO_MAP(HMN_T_COUNT)
#undef HMN_T_COUNT
    CHECK_EQ_U64(found, total);
}

static void source_names(void)
{
    CHECK_STR(hmn_source_name(HMN_SOURCE_NVML), "nvml");
    CHECK_STR(hmn_source_name(HMN_SOURCE_NVIDIA_SMI), "nvidia-smi");
    CHECK_STR(hmn_source_name(HMN_SOURCE_DRM_FDINFO), "drm-fdinfo");
    CHECK_STR(hmn_source_name(HMN_SOURCE_SYSFS), "sysfs");
    CHECK_STR(hmn_source_name(99), "unknown");
}

static void version(void)
{
    CHECK_STR(hmn_version(), HMN_VERSION_STRING);
    CHECK(hmn_version_number() == HMN_VERSION_NUMBER);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(codes_have_names_and_texts),
        TEST_ENTRY(values_are_stable),
        TEST_ENTRY(docs_mirror_the_table),
        TEST_ENTRY(source_names),
        TEST_ENTRY(version),
    };
    return RUN_TESTS(tests);
}
