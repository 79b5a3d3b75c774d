/*
 * tests/unit/test_proc_names.c - how process names are taken and cut.
 *
 * - hmn__utf8_cut / hmn__utf8_drop_partial / hmn__copy_text: the one way a
 *   name is cut to fit, never inside a UTF-8 character;
 * - hmn__proc_name on fixture /proc trees: a comm whose 15-byte kernel cut
 *   split a character gets its full name from exe or cmdline, or else comm
 *   without the broken character; a 300-byte argv[0] is cut on a boundary;
 * - the same on real processes: an exec'd copy of sleep named
 *   "ab日本語の名前", one renamed by prctl(PR_SET_NAME), one with a long argv[0];
 * - nvidia-smi process names cut on a boundary by the CSV parser.
 */
#define _GNU_SOURCE 1

#include "core/ctx.h"
#include "core/dispatch.h"
#include "backends/procfs.h"
#include "util/util.h"
#include "os/os.h"
#include "parse/smi_csv.h"
#include "test_support.h"
#include "harness.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* "ab日本語の名前": 2 + 6 * 3 = 20 bytes; the kernel keeps 15 ("ab日本語の" + E5). */
#define JP_NAME "ab\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE5\x90\x8D\xE5\x89\x8D"
#define JP_COMM "ab\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE5"
#define JP_COMM_OK "ab\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE"
#define NICHI "\xE6\x97\xA5" /* 日 */

static hmn_ctx *ctx_on(const char *procfs)
{
    hmn_ctx *ctx = NULL;
    if (hmn_ctx_open(&ctx) != HMN_OK)
        return NULL;
    hmn__strlcpy(ctx->procfs, procfs, sizeof(ctx->procfs));
    return ctx;
}

/* LONG_HEAD (17 bytes, its first 15 a whole comm) then n times 日. */
#define LONG_HEAD "a\xC3\xA9" NICHI NICHI NICHI NICHI "\xC3\xA9" /* aé日日日日é */
#define LONG_LEN(n) (17 + 3 * (n))
static void long_name(char *out, size_t n)
{
    size_t i;
    memcpy(out, LONG_HEAD, 17);
    for (i = 0; i < n; i++)
        memcpy(out + 17 + 3 * i, NICHI, 3);
    out[LONG_LEN(n)] = '\0';
}

static void cut_never_splits_a_character(void)
{
    static const char s[] = "a\xC3\xA9" NICHI "\xF0\x9F\x98\x80"; /* a é 日 😀: 1+2+3+4 */
    size_t n = sizeof(s) - 1, max;
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 100), n);
    CHECK_EQ_U64(hmn__utf8_cut(s, n, n), n);
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 0), 0);
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 1), 1);
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 2), 1);  /* inside é */
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 3), 3);
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 5), 3);  /* inside 日 */
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 6), 6);
    CHECK_EQ_U64(hmn__utf8_cut(s, n, 9), 6);  /* inside 😀 */
    for (max = 0; max <= n; max++) {
        size_t k = hmn__utf8_cut(s, n, max);
        CHECK(k <= max && max - k <= 3);
        CHECK(hmn__utf8_valid(s, k));
    }
    /* Invalid input: never past max, no endless back-off. */
    CHECK_EQ_U64(hmn__utf8_cut("\x80\x80\x80\x80\x80\x80", 6, 4), 4);
    CHECK_EQ_U64(hmn__utf8_cut("ab\xFF\xFE", 4, 3), 3);
}

static void drop_partial_only_drops_a_cut_character(void)
{
    CHECK_EQ_U64(hmn__utf8_drop_partial(JP_COMM, 15), 14);
    CHECK_EQ_U64(hmn__utf8_drop_partial(JP_COMM_OK, 14), 14);
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\xF0\x9F\x98", 5), 2); /* 3 of 4 bytes */
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\xC3", 3), 2);
    CHECK_EQ_U64(hmn__utf8_drop_partial("abc", 3), 3);
    CHECK_EQ_U64(hmn__utf8_drop_partial("", 0), 0);
    /* Not the start of any character: kept, for the validity check to reject. */
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\xFF", 3), 3);
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\xC0", 3), 3);    /* overlong lead */
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\xE0\x80", 4), 4); /* overlong 3-byte */
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\xED\xA0", 4), 4); /* surrogate */
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\x80\x80", 4), 4);
    CHECK_EQ_U64(hmn__utf8_drop_partial("ab\xE0\xA0", 4), 2);
}

static void copy_text_fits_and_terminates(void)
{
    char dst[6];
    CHECK_EQ_U64(hmn__copy_text(dst, sizeof(dst), "ab" NICHI NICHI, 8), 5);
    CHECK_STR(dst, "ab" NICHI);
    CHECK_EQ_U64(hmn__copy_text(dst, sizeof(dst), "abc", 3), 3);
    CHECK_STR(dst, "abc");
    CHECK_EQ_U64(hmn__copy_text(dst, 1, "abc", 3), 0);
    CHECK_STR(dst, "");
    CHECK_EQ_U64(hmn__copy_text(dst, 0, "abc", 3), 0);
}

/* A fixture process 42 with comm, and optionally exe and cmdline. */
static int fixture(char *root, size_t cap, const char *comm, const char *exe, const char *cmdline,
                   size_t cmdline_len)
{
    char path[700];
    FILE *f;
    if (t_tree_new(root, cap) != 0 || t_tree_write(root, "42/comm", comm) != 0)
        return -1;
    if (exe && t_tree_link(root, "42/exe", exe) != 0)
        return -1;
    if (!cmdline)
        return 0;
    snprintf(path, sizeof(path), "%s/42/cmdline", root);
    f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(cmdline, 1, cmdline_len, f);
    return fclose(f);
}

static void comm_cut_inside_a_character_takes_exe(void)
{
    char root[512], name[256];
    hmn_ctx *ctx;
    CHECK(fixture(root, sizeof(root), JP_COMM "\n", "/opt/bin/" JP_NAME, NULL, 0) == 0);
    ctx = ctx_on(root);
    CHECK(ctx);
    CHECK(hmn__proc_name(ctx, 42, name, sizeof(name)) == HMN_OK);
    CHECK_STR(name, JP_NAME);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

static void comm_cut_inside_a_character_takes_cmdline(void)
{
    static const char cmd[] = "./" JP_NAME "\0--flag\0";
    char root[512], name[256];
    hmn_ctx *ctx;
    CHECK(fixture(root, sizeof(root), JP_COMM "\n", "/usr/bin/python3", cmd, sizeof(cmd) - 1) ==
          0);
    ctx = ctx_on(root);
    CHECK(ctx);
    CHECK(hmn__proc_name(ctx, 42, name, sizeof(name)) == HMN_OK);
    CHECK_STR(name, JP_NAME);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

static void comm_cut_inside_a_character_alone_loses_only_that_character(void)
{
    char root[512], name[256];
    hmn_ctx *ctx;
    CHECK(fixture(root, sizeof(root), JP_COMM "\n", NULL, NULL, 0) == 0);
    ctx = ctx_on(root);
    CHECK(ctx);
    CHECK(hmn__proc_name(ctx, 42, name, sizeof(name)) == HMN_OK);
    CHECK_STR(name, JP_COMM_OK);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

static void broken_short_comm_is_still_rejected(void)
{
    char root[512], name[256];
    hmn_ctx *ctx;
    /* Shorter than 15 bytes: no kernel cut explains the broken character. */
    CHECK(fixture(root, sizeof(root), "ab\xE6\x97\n", NULL, NULL, 0) == 0);
    ctx = ctx_on(root);
    CHECK(ctx);
    CHECK(hmn__proc_name(ctx, 42, name, sizeof(name)) == HMN_ENOENT);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

static void long_argv0_is_cut_on_a_boundary(void)
{
    char root[512], name[256], full[LONG_LEN(100) + 1], cmd[600], comm[32];
    size_t n;
    hmn_ctx *ctx;
    long_name(full, 100); /* 317 bytes: 255 would end inside a character */
    n = (size_t)snprintf(cmd, sizeof(cmd), "/x/%s", full) + 1;
    memcpy(comm, full, 15);
    strcpy(comm + 15, "\n");
    CHECK(fixture(root, sizeof(root), comm, NULL, cmd, n) == 0);
    ctx = ctx_on(root);
    CHECK(ctx);
    CHECK(hmn__proc_name(ctx, 42, name, sizeof(name)) == HMN_OK);
    CHECK(hmn__utf8_valid(name, strlen(name)));
    CHECK_EQ_U64(strlen(name), LONG_LEN(79));
    CHECK(strncmp(name, full, strlen(name)) == 0);
    hmn_ctx_close(ctx);
    t_rmtree(root);
}

/* ---------------------------------------------------------------- real processes */

/* Wait until /proc/<pid>/comm differs from `before` (the exec or prctl happened). */
static int wait_comm(pid_t pid, const char *before)
{
    char path[64], buf[64];
    int i;
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    for (i = 0; i < 500; i++) {
        size_t len;
        if (hmn__read_file(path, buf, sizeof(buf), &len, NULL) == HMN_OK && len &&
            strncmp(buf, before, strlen(before)) != 0)
            return 0;
        hmn__sleep_ms(10);
    }
    return -1;
}

static void reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* A copy of sleep called `file` in a fresh folder, run with argv[0] = arg0. */
static pid_t spawn_copy(char *dir, size_t cap, const char *file, const char *arg0, char *exe,
                        size_t exe_cap)
{
    char cmd[1400];
    pid_t pid;
    if (t_tree_new(dir, cap) != 0)
        return -1;
    snprintf(exe, exe_cap, "%s/%s", dir, file);
    snprintf(cmd, sizeof(cmd), "cp /bin/sleep '%s'", exe);
    if (system(cmd) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        execl(exe, arg0, "30", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* hmn__proc_name of a live pid once its comm has changed; the child is then
 * killed and reaped whatever happened (it must not outlive a failed check). */
static int name_of_child(pid_t pid, char *name, size_t cap)
{
    hmn_ctx *ctx = ctx_on("/proc");
    int rc = HMN_EBACKEND;
    if (ctx && wait_comm(pid, "test_proc_names") == 0)
        rc = hmn__proc_name(ctx, (uint32_t)pid, name, cap);
    hmn_ctx_close(ctx);
    reap(pid);
    return rc;
}

static void real_process_with_a_cut_comm(void)
{
    char dir[512], exe[900], name[256];
    pid_t pid = spawn_copy(dir, sizeof(dir), JP_NAME, JP_NAME, exe, sizeof(exe));
    int rc;
    CHECK(pid > 0);
    rc = name_of_child(pid, name, sizeof(name));
    t_rmtree(dir);
    CHECK(rc == HMN_OK);
    CHECK_STR(name, JP_NAME);
}

static void real_process_renamed_by_prctl(void)
{
    char name[256];
    int rc;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_NAME, JP_NAME, 0, 0, 0);
        pause();
        _exit(0);
    }
    CHECK(pid > 0);
    /* Its exe and cmdline are this test's: only comm names it, less the cut character. */
    rc = name_of_child(pid, name, sizeof(name));
    CHECK(rc == HMN_OK);
    CHECK_STR(name, JP_COMM_OK);
}

/* Renames the running copy once it has exec'd: exe then no longer starts with comm. */
static int name_after_rename(pid_t pid, const char *exe, const char *moved, char *name, size_t cap)
{
    if (wait_comm(pid, "test_proc_names") != 0 || rename(exe, moved) != 0) {
        reap(pid);
        return HMN_EBACKEND;
    }
    return name_of_child(pid, name, cap);
}

static void real_process_with_a_long_argv0(void)
{
    char dir[512], exe[900], moved[900], name[256], arg0[LONG_LEN(100) + 1],
        file[LONG_LEN(70) + 1];
    pid_t pid;
    int rc;
    long_name(arg0, 100);
    long_name(file, 70); /* 227 bytes: a file name may be at most 255 */
    pid = spawn_copy(dir, sizeof(dir), file, arg0, exe, sizeof(exe));
    CHECK(pid > 0);
    snprintf(moved, sizeof(moved), "%s/renamed", dir);
    rc = name_after_rename(pid, exe, moved, name, sizeof(name));
    t_rmtree(dir);
    CHECK(rc == HMN_OK);
    CHECK(hmn__utf8_valid(name, strlen(name)));
    CHECK_EQ_U64(strlen(name), LONG_LEN(79));
    CHECK(strncmp(name, arg0, strlen(name)) == 0);
}

/* ---------------------------------------------------------------- nvidia-smi names */

static int take_app(void *arg, const struct hmn__smi_app *a)
{
    memcpy(arg, a, sizeof(*a));
    return 0;
}

static void smi_process_name_is_cut_on_a_boundary(void)
{
    static const int cols[] = {HMN__SMI_COL_PID, HMN__SMI_COL_PNAME, HMN__SMI_COL_USED};
    char full[LONG_LEN(100) + 1], csv[600];
    struct hmn__smi_app a;
    int n;
    long_name(full, 100);
    /* "/o/" + LONG_HEAD + 日...: 255 bytes would end inside the 79th 日. */
    n = snprintf(csv, sizeof(csv), "4242, /o/%s, 100\n", full);
    memset(&a, 0, sizeof(a));
    CHECK(hmn__smi_parse_apps(csv, (size_t)n, cols, 3, take_app, &a, NULL, 0) == HMN_OK);
    CHECK_EQ_U64(a.pid, 4242);
    CHECK(hmn__utf8_valid(a.name, strlen(a.name)));
    CHECK_EQ_U64(strlen(a.name), 3 + LONG_LEN(78));
    CHECK(strncmp(a.name, "/o/" LONG_HEAD, 20) == 0);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(cut_never_splits_a_character),
        TEST_ENTRY(drop_partial_only_drops_a_cut_character),
        TEST_ENTRY(copy_text_fits_and_terminates),
        TEST_ENTRY(comm_cut_inside_a_character_takes_exe),
        TEST_ENTRY(comm_cut_inside_a_character_takes_cmdline),
        TEST_ENTRY(comm_cut_inside_a_character_alone_loses_only_that_character),
        TEST_ENTRY(broken_short_comm_is_still_rejected),
        TEST_ENTRY(long_argv0_is_cut_on_a_boundary),
        TEST_ENTRY(real_process_with_a_cut_comm),
        TEST_ENTRY(real_process_renamed_by_prctl),
        TEST_ENTRY(real_process_with_a_long_argv0),
        TEST_ENTRY(smi_process_name_is_cut_on_a_boundary),
    };
    return RUN_TESTS(tests);
}
