/* tests/windows/test_win_os.c - the os.h seams on Windows (os/os_win.c). */
#include "harness.h"

#include "hypomnesis.h"
#include "os/os.h"

#include <windows.h>

/* A scratch file in %TEMP% with the given bytes; returns its UTF-8 path. */
static const char *scratch(const char *name, const char *data, size_t len)
{
    static char path[MAX_PATH + 64];
    char dir[MAX_PATH];
    FILE *f;
    DWORD n = GetTempPathA(sizeof(dir), dir);
    if (n == 0 || n >= sizeof(dir))
        return NULL;
    snprintf(path, sizeof(path), "%shmn_test_%lu_%s", dir, (unsigned long)GetCurrentProcessId(),
             name);
    f = fopen(path, "wb");
    if (!f)
        return NULL;
    if (len && fwrite(data, 1, len, f) != len) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    return path;
}

static void mutex_and_clock(void)
{
    hmn__mutex m;
    uint64_t a, b, c;
    CHECK(hmn__mutex_init(&m) == HMN_OK);
    hmn__mutex_lock(&m);
    hmn__mutex_unlock(&m);
    hmn__mutex_lock(&m); /* an SRW lock is reusable after release */
    hmn__mutex_unlock(&m);
    hmn__mutex_destroy(&m);
    a = hmn__now_ns();
    hmn__sleep_ms(30);
    b = hmn__now_ns();
    c = hmn__now_ms();
    CHECK(b > a);
    CHECK(b - a >= 20000000ull); /* slept ~30 ms; timer granularity allows some slack */
    CHECK(b - a < 5000000000ull);
    CHECK(c >= b / 1000000ull);
}

static void read_file_bounded(void)
{
    char buf[8];
    size_t len = 99;
    int trunc = -1;
    const char *p = scratch("read.txt", "0123456789", 10);
    CHECK(p);
    CHECK(hmn__read_file(p, buf, sizeof(buf), &len, &trunc) == HMN_OK);
    CHECK_EQ_U64(len, 7);
    CHECK_STR(buf, "0123456");
    CHECK(trunc == 1);
    {
        char big[64];
        CHECK(hmn__read_file(p, big, sizeof(big), &len, &trunc) == HMN_OK);
        CHECK_EQ_U64(len, 10);
        CHECK_STR(big, "0123456789");
        CHECK(trunc == 0);
    }
    /* Exactly cap-1 bytes is not truncated. */
    {
        char exact[11];
        CHECK(hmn__read_file(p, exact, sizeof(exact), &len, &trunc) == HMN_OK);
        CHECK_EQ_U64(len, 10);
        CHECK(trunc == 0);
    }
    DeleteFileA(p);
    CHECK(hmn__read_file(p, buf, sizeof(buf), &len, &trunc) == HMN_ENOENT);
    CHECK_EQ_U64(len, 0);
    CHECK(hmn__read_file("C:\\nonexistent-dir\\x.txt", buf, sizeof(buf), &len, NULL) ==
          HMN_ENOENT);
    CHECK(hmn__read_file("C:\\", buf, 0, &len, NULL) == HMN_EINVAL);
}

static void fd_pread_rereads(void)
{
    char buf[32];
    size_t len;
    hmn__fd fd;
    const char *p = scratch("pread.txt", "abc", 3);
    CHECK(p);
    CHECK(hmn__fd_open(p, &fd) == HMN_OK);
    CHECK(hmn__fd_pread0(fd, buf, sizeof(buf), &len) == HMN_OK);
    CHECK_STR(buf, "abc");
    /* Second read starts from offset 0 again. */
    CHECK(hmn__fd_pread0(fd, buf, sizeof(buf), &len) == HMN_OK);
    CHECK_EQ_U64(len, 3);
    CHECK_STR(buf, "abc");
    hmn__fd_close(fd);
    DeleteFileA(p);
    CHECK(hmn__fd_open("C:\\nonexistent-dir\\x", &fd) == HMN_ENOENT);
    CHECK(fd == HMN__FD_NONE);
}

static char pipe_name[64];
static int pipe_rc;

static DWORD WINAPI read_pipe(LPVOID arg)
{
    char buf[32];
    size_t len;
    (void)arg;
    pipe_rc = hmn__read_file(pipe_name, buf, sizeof(buf), &len, NULL);
    return 0;
}

/* A named pipe where a file should be: refused at once, never a blocking read. */
static void read_file_refuses_a_pipe(void)
{
    HANDLE server, reader;
    DWORD w;
    snprintf(pipe_name, sizeof(pipe_name), "\\\\.\\pipe\\hmn_test_%lu",
             (unsigned long)GetCurrentProcessId());
    server = CreateNamedPipeA(pipe_name, PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE | PIPE_WAIT, 1,
                              4096, 4096, 0, NULL);
    CHECK(server != INVALID_HANDLE_VALUE);
    pipe_rc = 1;
    reader = CreateThread(NULL, 0, read_pipe, NULL, 0, NULL);
    CHECK(reader != NULL);
    w = WaitForSingleObject(reader, 5000);
    if (w != WAIT_OBJECT_0) {
        CloseHandle(server); /* breaks the blocked read */
        WaitForSingleObject(reader, 5000);
    } else {
        CloseHandle(server);
    }
    CloseHandle(reader);
    CHECK(w == WAIT_OBJECT_0);
    CHECK(pipe_rc == HMN_EBACKEND);
}

static void getenv_utf8(void)
{
    const char *v;
    CHECK(SetEnvironmentVariableW(L"HMN_TEST_VAR", L"caf\x00E9 \x20AC"));
    v = hmn__getenv("HMN_TEST_VAR");
    CHECK(v);
    CHECK_STR(v, "caf\xC3\xA9 \xE2\x82\xAC");
    CHECK(SetEnvironmentVariableW(L"HMN_TEST_VAR", L""));
    CHECK(hmn__getenv("HMN_TEST_VAR") == NULL); /* empty counts as unset */
    CHECK(SetEnvironmentVariableW(L"HMN_TEST_VAR", NULL));
    CHECK(hmn__getenv("HMN_TEST_VAR") == NULL);
}

static void dl_open_needs_a_full_path(void)
{
    char err[256], sys[MAX_PATH], path[MAX_PATH + 32];
    hmn__dl *dl;
    void *sym;
    /* A bare name would use the DLL search order (planting): refused. */
    err[0] = '\0';
    CHECK(hmn__dl_open("kernel32.dll", err, sizeof(err)) == NULL);
    CHECK(strstr(err, "full path") != NULL);
    CHECK(hmn__dl_open("C:\\nonexistent\\nvml.dll", err, sizeof(err)) == NULL);
    CHECK(strstr(err, "C:\\nonexistent\\nvml.dll") != NULL);
    CHECK(GetSystemDirectoryA(sys, sizeof(sys)) > 0);
    snprintf(path, sizeof(path), "%s\\kernel32.dll", sys);
    dl = hmn__dl_open(path, err, sizeof(err));
    CHECK(dl != NULL);
    sym = hmn__dl_sym(dl, "GetCurrentProcessId");
    CHECK(sym != NULL);
    CHECK(hmn__dl_sym(dl, "NoSuchExport_hmn") == NULL);
    hmn__dl_close(dl);
}

static int count_entry(void *arg, const char *name)
{
    (void)name;
    (*(int *)arg)++;
    return 0;
}

static void list_dir_and_misc(void)
{
    char sys[MAX_PATH];
    int n = 0;
    CHECK(GetSystemDirectoryA(sys, sizeof(sys)) > 0);
    CHECK(hmn__list_dir(sys, count_entry, &n) == HMN_OK);
    CHECK(n > 10);
    CHECK(hmn__list_dir("C:\\nonexistent-dir", count_entry, &n) == HMN_ENOENT);
    CHECK(hmn__getpid() == (uint32_t)GetCurrentProcessId());
    CHECK(hmn__page_size() >= 4096);
    {
        char buf[16];
        unsigned ma, mi;
        CHECK(hmn__readlink("C:\\", buf, sizeof(buf)) < 0);
        CHECK(hmn__char_dev("C:\\", &ma, &mi) < 0);
    }
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(mutex_and_clock),
        TEST_ENTRY(read_file_bounded),
        TEST_ENTRY(fd_pread_rereads),
        TEST_ENTRY(read_file_refuses_a_pipe),
        TEST_ENTRY(getenv_utf8),
        TEST_ENTRY(dl_open_needs_a_full_path),
        TEST_ENTRY(list_dir_and_misc),
    };
    return RUN_TESTS(tests);
}
