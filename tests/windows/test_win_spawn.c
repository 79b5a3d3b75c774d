/*
 * tests/windows/test_win_spawn.c - hmn__run() on Windows (os/spawn_win.c)
 * against hmn_run_helper.exe, built next to this test.
 */
#include "harness.h"

#include "hypomnesis.h"
#include "os/os.h"

#include <windows.h>

static char helper[MAX_PATH + 32];
static char helper_dir[MAX_PATH];

static int find_helper(void)
{
    char self[MAX_PATH];
    char *slash;
    DWORD n = GetModuleFileNameA(NULL, self, sizeof(self));
    if (n == 0 || n >= sizeof(self))
        return 0;
    slash = strrchr(self, '\\');
    if (!slash)
        return 0;
    *slash = '\0';
    snprintf(helper_dir, sizeof(helper_dir), "%s", self);
    snprintf(helper, sizeof(helper), "%s\\hmn_run_helper.exe", self);
    return GetFileAttributesA(helper) != INVALID_FILE_ATTRIBUTES;
}

static int run(const char *const *argv, uint64_t timeout, char *buf, size_t cap,
               struct hmn__run_result *res)
{
    char err[256];
    int rc = hmn__run(argv, timeout, buf, cap, res, err, sizeof(err));
    if (rc != HMN_OK && rc != HMN_ETIMEDOUT)
        fprintf(stderr, "hmn__run: %d: %s\n", rc, err);
    return rc;
}

static void exit_code_passes_through(void)
{
    const char *argv[] = {helper, "exit", "42", NULL};
    struct hmn__run_result res;
    char buf[64];
    CHECK(run(argv, 10000, buf, sizeof(buf), &res) == HMN_OK);
    CHECK(res.exited);
    CHECK(res.exit_code == 42);
    CHECK(!res.signaled);
}

static void arguments_are_quoted(void)
{
    const char *argv[] = {helper, "args", "plain", "with space", "", "quote\"inside",
                          "trail\\", "back\\\\slash \\\"q", NULL};
    struct hmn__run_result res;
    char buf[512];
    CHECK(run(argv, 10000, buf, sizeof(buf), &res) == HMN_OK);
    CHECK(res.exit_code == 0);
    CHECK_STR(buf, "[plain]\r\n[with space]\r\n[]\r\n[quote\"inside]\r\n[trail\\]\r\n"
                   "[back\\\\slash \\\"q]\r\n");
    CHECK_EQ_U64(res.len, strlen(buf));
    CHECK(!res.truncated);
}

static void stderr_is_discarded(void)
{
    const char *argv[] = {helper, "stderr", NULL};
    struct hmn__run_result res;
    char buf[64];
    CHECK(run(argv, 10000, buf, sizeof(buf), &res) == HMN_OK);
    CHECK_STR(buf, "");
    CHECK_EQ_U64(res.len, 0);
}

static void timeout_kills_the_child(void)
{
    const char *argv[] = {helper, "sleep", "20000", NULL};
    struct hmn__run_result res;
    char buf[64], err[256];
    uint64_t t0 = hmn__now_ms(), dt;
    err[0] = '\0';
    CHECK(hmn__run(argv, 300, buf, sizeof(buf), &res, err, sizeof(err)) == HMN_ETIMEDOUT);
    dt = hmn__now_ms() - t0;
    CHECK(dt >= 250);
    CHECK(dt < 8000);
    CHECK(!res.exited);
    CHECK(strstr(err, "300 ms") != NULL);
}

static void timeout_kills_the_whole_tree(void)
{
    const char *argv[] = {helper, "tree", NULL};
    struct hmn__run_result res;
    char buf[64];
    unsigned long gc = 0;
    uint64_t t0 = hmn__now_ms(), dt;
    HANDLE h;
    CHECK(run(argv, 1500, buf, sizeof(buf), &res) == HMN_ETIMEDOUT);
    dt = hmn__now_ms() - t0;
    CHECK(sscanf(buf, "gc %lu", &gc) == 1 && gc != 0);
    /* The grandchild shared our pipe: killed with the job, so EOF came at
     * once instead of after the reader's one-second grace period. */
    CHECK(dt < 2400);
    h = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)gc);
    if (h) {
        DWORD w = WaitForSingleObject(h, 3000);
        CloseHandle(h);
        CHECK(w == WAIT_OBJECT_0);
    }
}

static void chatty_child_is_truncated_not_blocked(void)
{
    const char *argv[] = {helper, "flood", "1000000", NULL};
    struct hmn__run_result res;
    char buf[100];
    CHECK(run(argv, 20000, buf, sizeof(buf), &res) == HMN_OK);
    CHECK(res.exited && res.exit_code == 0);
    CHECK(res.truncated);
    CHECK_EQ_U64(res.len, 99);
    CHECK(strlen(buf) == 99 && buf[0] == 'x' && buf[98] == 'x');
}

static void missing_program(void)
{
    const char *argv[] = {"C:\\nonexistent\\nvidia-smi.exe", NULL};
    const char *bare[] = {"hmn-no-such-program-xyz", NULL};
    struct hmn__run_result res;
    char buf[64], err[256];
    err[0] = '\0';
    CHECK(hmn__run(argv, 1000, buf, sizeof(buf), &res, err, sizeof(err)) == HMN_ENOENT);
    CHECK(strstr(err, "nvidia-smi") != NULL);
    CHECK(hmn__run(bare, 1000, buf, sizeof(buf), &res, err, sizeof(err)) == HMN_ENOENT);
    CHECK(hmn__run(NULL, 1000, buf, sizeof(buf), &res, err, sizeof(err)) == HMN_EINVAL);
}

static void bare_name_searched_in_path_only(void)
{
    const char *argv[] = {"hmn_run_helper", "exit", "7", NULL};
    struct hmn__run_result res;
    char buf[64], old_path[8192], old_cwd[MAX_PATH], empty[MAX_PATH + 16];
    DWORD n = GetEnvironmentVariableA("PATH", old_path, sizeof(old_path));
    CHECK(n > 0 && n < sizeof(old_path));
    CHECK(GetCurrentDirectoryA(sizeof(old_cwd), old_cwd) > 0);
    /* Found through PATH, ".exe" appended. */
    CHECK(SetEnvironmentVariableA("PATH", helper_dir));
    CHECK(run(argv, 10000, buf, sizeof(buf), &res) == HMN_OK);
    CHECK(res.exit_code == 7);
    /* In the current folder but not in PATH: not found (no planting). */
    snprintf(empty, sizeof(empty), "%s\\nonexistent-subdir", helper_dir);
    CHECK(SetEnvironmentVariableA("PATH", empty));
    CHECK(SetCurrentDirectoryA(helper_dir));
    CHECK(run(argv, 10000, buf, sizeof(buf), &res) == HMN_ENOENT);
    SetCurrentDirectoryA(old_cwd);
    SetEnvironmentVariableA("PATH", old_path);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(exit_code_passes_through),
        TEST_ENTRY(arguments_are_quoted),
        TEST_ENTRY(stderr_is_discarded),
        TEST_ENTRY(timeout_kills_the_child),
        TEST_ENTRY(timeout_kills_the_whole_tree),
        TEST_ENTRY(chatty_child_is_truncated_not_blocked),
        TEST_ENTRY(missing_program),
        TEST_ENTRY(bare_name_searched_in_path_only),
    };
    if (!find_helper()) {
        fprintf(stderr, "hmn_run_helper.exe not found next to the test\n");
        return 1;
    }
    return RUN_TESTS(tests);
}
