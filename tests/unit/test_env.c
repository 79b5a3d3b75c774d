/*
 * tests/unit/test_env.c - invalid HMN_* variables are refused when a context
 * opens, with the variable named, never cut or ignored: a path override of
 * 512 bytes or more (a cut HMN_PROCFS named another tree, and `hmn ps` then
 * listed nothing with exit 0), and an HMN_SMI_TIMEOUT_MS that is not a whole
 * number of milliseconds >= 1 (0 used to switch nvidia-smi off).
 */
#include "core/ctx.h"
#include "core/dispatch.h"
#include "backends/procfs.h"
#include "util/util.h"
#include "os/os.h"
#include "harness.h"

#include <stdlib.h>

static void set(const char *name, const char *value)
{
#if defined(_WIN32)
    _putenv_s(name, value ? value : "");
#else
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
#endif
}

static char long_path[700];

static const char *path_of(size_t len)
{
    memset(long_path, 'x', len);
    long_path[0] = '/';
    long_path[len] = '\0';
    return long_path;
}

static const char *const path_vars[] = {"HMN_PROCFS", "HMN_SYSFS", "HMN_NVML_LIBRARY",
                                        "HMN_NVIDIA_SMI"};

static void overlong_paths_are_refused_at_open(void)
{
    size_t i;
    for (i = 0; i < sizeof(path_vars) / sizeof(path_vars[0]); i++) {
        hmn_ctx *ctx = (hmn_ctx *)&ctx; /* must be reset to NULL */
        uint64_t rss = 0;
        set(path_vars[i], path_of(600));
        CHECK(hmn_ctx_open(&ctx) == HMN_EINVAL);
        CHECK(ctx == NULL);
        CHECK(strstr(hmn_errmsg(NULL), path_vars[i]) != NULL);
        CHECK(strstr(hmn_errmsg(NULL), "too long (600 bytes; at most 511)") != NULL);
        /* A NULL-context call opens a context too: the same refusal. */
        CHECK(hmn_process_rss(NULL, &rss) == HMN_EINVAL);
        CHECK(strstr(hmn_errmsg(NULL), path_vars[i]) != NULL);
        set(path_vars[i], NULL);
    }
}

static void longest_path_still_fits(void)
{
    hmn_ctx *ctx = NULL;
    set("HMN_PROCFS", path_of(511));
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK(ctx != NULL);
    CHECK_EQ_U64(strlen(ctx->procfs), 511);
    hmn_ctx_close(ctx);
    set("HMN_PROCFS", NULL);
}

static void bad_timeouts_are_refused(void)
{
    static const char *const bad[] = {"0", "-5", "abc", "5s", " 250", "99999999999999999999",
                                      "9223372036854775808"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hmn_ctx *ctx = NULL;
        char want[200];
        set("HMN_SMI_TIMEOUT_MS", bad[i]);
        CHECK(hmn_ctx_open(&ctx) == HMN_EINVAL);
        CHECK(ctx == NULL);
        snprintf(want, sizeof(want),
                 "HMN_SMI_TIMEOUT_MS=\"%s\" is invalid: expected a whole number of milliseconds "
                 "from 1 to 9223372036854775807",
                 bad[i]);
        CHECK_STR(hmn_errmsg(NULL), want);
    }
    set("HMN_SMI_TIMEOUT_MS", NULL);
}

static void good_timeouts_are_taken(void)
{
    hmn_ctx *ctx = NULL;
    set("HMN_SMI_TIMEOUT_MS", "250");
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK_EQ_U64(ctx->smi_timeout_ms, 250);
    hmn_ctx_close(ctx);
    set("HMN_SMI_TIMEOUT_MS", "9223372036854775807");
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK_EQ_U64(ctx->smi_timeout_ms, INT64_MAX);
    /* The option has the same rule. */
    CHECK(hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, 0) == HMN_EINVAL);
    CHECK(hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, -1) == HMN_EINVAL);
    CHECK(hmn_ctx_set_option(ctx, HMN_OPT_SMI_TIMEOUT_MS, 1) == HMN_OK);
    hmn_ctx_close(ctx);
    set("HMN_SMI_TIMEOUT_MS", NULL);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    CHECK_EQ_U64(ctx->smi_timeout_ms, 5000);
    hmn_ctx_close(ctx);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(overlong_paths_are_refused_at_open),
        TEST_ENTRY(longest_path_still_fits),
        TEST_ENTRY(bad_timeouts_are_refused),
        TEST_ENTRY(good_timeouts_are_taken),
    };
    return RUN_TESTS(tests);
}
