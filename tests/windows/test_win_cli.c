/*
 * tests/windows/test_win_cli.c - hmn.exe under Windows: started through
 * hmn__run (CreateProcessW), with hmn_run_helper.exe as the wrapped command.
 */
#include "harness.h"

#include "hypomnesis.h"
#include "os/os.h"

#include <windows.h>

static char hmn[MAX_PATH], helper[MAX_PATH + 32];

static int setup(void)
{
    char self[MAX_PATH];
    char *slash;
    DWORD n = GetFullPathNameA(HMN_T_CLI, sizeof(hmn), hmn, NULL);
    if (n == 0 || n >= sizeof(hmn))
        return 0;
    n = GetModuleFileNameA(NULL, self, sizeof(self));
    if (n == 0 || n >= sizeof(self) || !(slash = strrchr(self, '\\')))
        return 0;
    *slash = '\0';
    snprintf(helper, sizeof(helper), "%s\\hmn_run_helper.exe", self);
    return 1;
}

static int run(const char *const *argv, char *buf, size_t cap, int *code)
{
    struct hmn__run_result res;
    char err[256];
    int rc = hmn__run(argv, 60000, buf, cap, &res, err, sizeof(err));
    if (rc != HMN_OK)
        fprintf(stderr, "hmn__run: %s\n", err);
    *code = res.exit_code;
    return rc == HMN_OK && res.exited;
}

static void version(void)
{
    const char *argv[] = {hmn, "--version", NULL};
    char out[256];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 0);
    CHECK(strstr(out, HMN_VERSION_STRING) != NULL);
}

static void spill_passes_the_exit_code_through(void)
{
    const char *argv[] = {hmn, "spill", "--interval", "20", "--", helper, "exit", "42", NULL};
    const char *zero[] = {hmn, "spill", "--", helper, "exit", "0", NULL};
    char out[1024];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 42);
    CHECK(run(zero, out, sizeof(out), &code));
    CHECK(code == 0);
}

static void spill_json_says_not_measurable(void)
{
    const char *argv[] = {hmn, "spill", "--json", "--", helper, "args", "a b", NULL};
    char out[2048];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 0);
    /* The child's own output first, then one JSON object. */
    printf("# %s", out);
    CHECK(strncmp(out, "[a b]", 5) == 0);
    /* No PDH adapter counters under Wine: not measurable, nothing observed. */
    CHECK(strstr(out, "{\"measurable\":false,") != NULL);
    CHECK(strstr(out, "\"observations\":0") != NULL);
}

/* hmn's own quoting for _spawnvp (common/win_quote.h), read back by the child's runtime. */
static void spill_passes_arguments_unchanged(void)
{
    const char *argv[] = {hmn,         "spill",     "--",        helper,     "args",
                          "with space", "",          "tab\there", "line\nbreak", "v\vtab",
                          "quote\"in", "trail\\", "back\\\\slash \\\"q", NULL};
    static const char want[] = "[with space]\r\n[]\r\n[tab\there]\r\n[line\r\nbreak]\r\n"
                               "[v\vtab]\r\n[quote\"in]\r\n[trail\\]\r\n"
                               "[back\\\\slash \\\"q]\r\n";
    char out[2048];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 0);
    CHECK(strncmp(out, want, strlen(want)) == 0);
}

static void spill_of_a_missing_program(void)
{
    const char *argv[] = {hmn, "spill", "--", "C:\\nonexistent\\prog.exe", NULL};
    char out[256];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 1);
}

/* `hmn run`: CreateProcess suspended, a job object, the exit code passed through. */
static void run_passes_the_exit_code_through(void)
{
    const char *argv[] = {hmn, "run", "--quiet", "--json", "-", "--", helper, "exit", "42", NULL};
    char out[8192];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    printf("# %s", out);
    CHECK(code == 42);
    CHECK(strstr(out, "\"exit_code\":42,\"signal\":null,") != NULL);
    /* The job's exact peak where Windows keeps it; else the sampled one, never 0. */
    CHECK(strstr(out, "\"peak_method\":\"job-object\"") != NULL ||
          strstr(out, "\"peak_method\":\"sampled\"") != NULL ||
          strstr(out, "\"peak_bytes\":null,\"peak_method\":null") != NULL);
    CHECK(strstr(out, "\"peak_bytes\":0,") == NULL);
    CHECK(strstr(out, "\"oom\":{\"verdict\":\"none\"") != NULL);
}

static void run_of_a_missing_program(void)
{
    const char *argv[] = {hmn, "run", "--", "C:\\nonexistent\\prog.exe", NULL};
    const char *bad[] = {hmn, "run", "--interval", "1ms", "--", helper, "exit", "0", NULL};
    char out[1024];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 127);
    CHECK(run(bad, out, sizeof(out), &code));
    CHECK(code == 125);
}

static void run_text_report(void)
{
    const char *argv[] = {hmn, "run", "--json", "-", "--", helper, "sleep", "300", NULL};
    char out[8192];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 0);
    CHECK(strncmp(out, "woke", 4) == 0); /* CMD's stdout untouched, first */
    CHECK(strstr(out, "\"samples\":") != NULL);
}

static void ps_on_a_missing_device(void)
{
    const char *argv[] = {hmn, "ps", "--device", "99", NULL};
    char out[1024];
    int code = -1;
    CHECK(run(argv, out, sizeof(out), &code));
    CHECK(code == 2);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(version),
        TEST_ENTRY(spill_passes_the_exit_code_through),
        TEST_ENTRY(spill_json_says_not_measurable),
        TEST_ENTRY(spill_passes_arguments_unchanged),
        TEST_ENTRY(spill_of_a_missing_program),
        TEST_ENTRY(ps_on_a_missing_device),
        TEST_ENTRY(run_passes_the_exit_code_through),
        TEST_ENTRY(run_of_a_missing_program),
        TEST_ENTRY(run_text_report),
    };
    if (!setup()) {
        fprintf(stderr, "cannot resolve hmn.exe / helper paths\n");
        return 1;
    }
    return RUN_TESTS(tests);
}
