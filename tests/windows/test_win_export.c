/*
 * tests/windows/test_win_export.c - `hmn export --textfile` in a Windows
 * build: the file is written and replaced (MoveFileEx over an existing one),
 * nothing else is left in the folder, a missing folder fails with exit 1;
 * `hmn serve` is not available there and exits 1 (no libmicrohttpd).
 */
#include "harness.h"

#include "hypomnesis.h"
#include "os/os.h"

#include <windows.h>

static char hmn[MAX_PATH], dir[MAX_PATH], file[MAX_PATH + 16];

static int run(const char *const *argv, int *code)
{
    struct hmn__run_result res;
    char out[4096], err[256];
    int rc = hmn__run(argv, 60000, out, sizeof(out), &res, err, sizeof(err));
    if (rc != HMN_OK)
        fprintf(stderr, "hmn__run: %s\n", err);
    *code = res.exit_code;
    return rc == HMN_OK && res.exited;
}

static int files_in_dir(void)
{
    char pattern[MAX_PATH + 8];
    WIN32_FIND_DATAA fd;
    HANDLE h;
    int n = 0;
    snprintf(pattern, sizeof(pattern), "%s\\*", dir);
    h = FindFirstFileA(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    do {
        if (strcmp(fd.cFileName, ".") && strcmp(fd.cFileName, ".."))
            n++;
    } while (FindNextFileA(h, &fd));
    FindClose(h);
    return n;
}

static int file_has(const char *needle)
{
    char buf[8192];
    size_t n;
    FILE *f = fopen(file, "rb");
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL && n > 0 && buf[n - 1] == '\n';
}

static void export_once_writes_and_replaces(void)
{
    const char *argv[] = {hmn, "export", "--textfile", dir, "--once", "--processes", NULL};
    int code = -1;
    CHECK(run(argv, &code));
    CHECK(code == 0);
    CHECK(file_has("\nhmn_up "));
    CHECK(file_has("hmn_build_info{version=\"" HMN_VERSION_STRING "\"} 1\n"));
    CHECK(run(argv, &code)); /* the second write replaces the first */
    CHECK(code == 0);
    CHECK(file_has("# TYPE hmn_collect_errors_total counter\n"));
    CHECK(files_in_dir() == 1); /* hmn.prom only: no temporary file left */
}

static void export_to_a_missing_folder(void)
{
    char missing[MAX_PATH + 16];
    const char *argv[] = {hmn, "export", "--textfile", missing, "--once", NULL};
    int code = -1;
    snprintf(missing, sizeof(missing), "%s\\missing", dir);
    CHECK(run(argv, &code));
    CHECK(code == 1);
}

static void serve_is_not_available(void)
{
    const char *argv[] = {hmn, "serve", NULL};
    int code = -1;
    CHECK(run(argv, &code));
    CHECK(code == 1);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(export_once_writes_and_replaces),
        TEST_ENTRY(export_to_a_missing_folder),
        TEST_ENTRY(serve_is_not_available),
    };
    char tmp[MAX_PATH];
    int rc;
    DWORD n = GetFullPathNameA(HMN_T_CLI, sizeof(hmn), hmn, NULL);
    if (n == 0 || n >= sizeof(hmn) || !GetTempPathA(sizeof(tmp), tmp)) {
        fprintf(stderr, "cannot resolve paths\n");
        return 1;
    }
    snprintf(dir, sizeof(dir), "%shmn-export-%lu", tmp, (unsigned long)GetCurrentProcessId());
    snprintf(file, sizeof(file), "%s\\hmn.prom", dir);
    if (!CreateDirectoryA(dir, NULL)) {
        fprintf(stderr, "cannot create %s\n", dir);
        return 1;
    }
    rc = RUN_TESTS(tests);
    DeleteFileA(file);
    RemoveDirectoryA(dir);
    return rc;
}
