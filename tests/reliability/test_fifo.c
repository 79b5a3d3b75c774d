/*
 * tests/reliability/test_fifo.c - a FIFO where a /proc or /sys file should
 * be (a damaged or hostile HMN_PROCFS / HMN_SYSFS tree) must not hang any
 * reader: each is opened non-blocking and read only when it is a regular
 * file.  One case per file the library reads from such a tree; each runs in
 * a child process that is killed, and the case failed, if it has not
 * answered within HANG_MS (without the fix every case blocks for ever).
 *
 * The tree is a copy of tests/data/drm/multi (card0 amdgpu with mem_info_*,
 * PID 100 holding a DRM client on it, given a cgroup file here) with one
 * file replaced by a FIFO.
 */
#define _GNU_SOURCE 1

#include "core/ctx.h"
#include "core/dispatch.h"
#include "backends/procfs.h"
#include "util/util.h"
#include "os/os.h"
#include "harness.h"
#include "rel_util.h"
#include "test_support.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HANG_MS 5000
#define FIFO_NO_ANSWER (-1000) /* the call did not return in time */

static char root[512]; /* <tmp>/multi: proc/ and sys/ */

static int make_tree(void)
{
    char cmd[1200];
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/hmn-fifo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return -1;
    snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s/'", HMN_REL_DRM, root);
    if (system(cmd) != 0)
        return -1;
    hmn__strlcpy(root + strlen(root), "/multi", sizeof(root) - strlen(root));
    return 0;
}

/* Replace root/rel by a FIFO (keeping the file aside) or put the file back. */
static int fifo_in(const char *rel, int on)
{
    char path[1024], keep[1100];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(keep, sizeof(keep), "%s.kept", path);
    if (on)
        return rename(path, keep) == 0 && mkfifo(path, 0644) == 0 ? 0 : -1;
    return unlink(path) == 0 && rename(keep, path) == 0 ? 0 : -1;
}

static hmn_ctx *open_tree(void)
{
    char proc[700], sys[700];
    hmn_ctx *ctx = NULL;
    snprintf(proc, sizeof(proc), "%s/proc", root);
    snprintf(sys, sizeof(sys), "%s/sys", root);
    t_setenv("HMN_PROCFS", proc);
    t_setenv("HMN_SYSFS", sys);
    return hmn_ctx_open(&ctx) == HMN_OK ? ctx : NULL;
}

/* Run fn in a child; its int result, or FIFO_NO_ANSWER when it hung. */
static int within_limit(int (*fn)(void))
{
    int fds[2], rc = FIFO_NO_ANSWER, status;
    uint64_t deadline;
    pid_t pid;
    if (pipe(fds) != 0)
        return FIFO_NO_ANSWER;
    pid = fork();
    if (pid == 0) {
        int r = fn();
        close(fds[0]);
        if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    deadline = rel_now_ms() + HANG_MS;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (rel_now_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            close(fds[0]);
            return FIFO_NO_ANSWER;
        }
        rel_sleep_ms(5);
    }
    if (read(fds[0], &rc, sizeof(rc)) != (ssize_t)sizeof(rc))
        rc = FIFO_NO_ANSWER;
    close(fds[0]);
    return rc;
}

/* ---------------------------------------------------------------- the calls */

/* PID 100's rows on card0: 1 = listed (named or not), 0 = not listed, <0 error. */
static int list_card0(void)
{
    hmn_ctx *ctx = open_tree();
    hmn_process_list *l = NULL;
    size_t i;
    int rc, found = 0;
    if (!ctx)
        return HMN_ENOMEM;
    rc = hmn_gpu_processes(ctx, 0, &l);
    for (i = 0; rc == HMN_OK && i < hmn_process_list_count(l); i++) {
        hmn_gpu_process r;
        memset(&r, 0, sizeof(r));
        r.size = sizeof(r);
        if (hmn_process_list_get(l, i, &r) == HMN_OK && r.pid == 100)
            found = (r.valid & HMN_PROC_HAS_NAME) ? 2 : 1;
    }
    hmn_process_list_free(l);
    hmn_ctx_close(ctx);
    return rc == HMN_OK ? found : rc;
}

/* card0's device info: its valid bits (low 31), or an error. */
static int info_card0(void)
{
    hmn_ctx *ctx = open_tree();
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    int rc;
    if (!ctx)
        return HMN_ENOMEM;
    rc = hmn_device_info(ctx, 0, &d);
    hmn_ctx_close(ctx);
    return rc == HMN_OK ? (int)(d.valid & 0x7fffffff) : rc;
}

static int exists_100(void)
{
    hmn_ctx *ctx = open_tree();
    int rc;
    if (!ctx)
        return HMN_ENOMEM;
    rc = hmn_process_exists(ctx, 100);
    hmn_ctx_close(ctx);
    return rc;
}

static int map_100(void)
{
    hmn_ctx *ctx = open_tree();
    uint32_t out = 0;
    int rc;
    if (!ctx)
        return HMN_ENOMEM;
    rc = hmn__proc_map_host_pid(ctx, 100, &out);
    hmn_ctx_close(ctx);
    return rc;
}

/* hmn_process_owner_info of PID 100: its valid bits (low 31), or an error. */
static int owner_100(void)
{
    hmn_ctx *ctx = open_tree();
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    int rc;
    if (!ctx)
        return HMN_ENOMEM;
    rc = hmn_process_owner_info(ctx, 100, &o);
    hmn_ctx_close(ctx);
    return rc == HMN_OK ? (int)(o.valid & 0x7fffffff) : rc;
}

static int name_100(void)
{
    hmn_ctx *ctx = open_tree();
    char name[256];
    int rc;
    if (!ctx)
        return HMN_ENOMEM;
    rc = hmn__proc_name(ctx, 100, name, sizeof(name));
    hmn_ctx_close(ctx);
    return rc;
}

static char fifo_path[1024];

static int read_fifo(void)
{
    char buf[64];
    size_t len;
    return hmn__read_file(fifo_path, buf, sizeof(buf), &len, NULL);
}

static int open_fifo(void)
{
    hmn__fd fd = HMN__FD_NONE;
    int rc = hmn__fd_open(fifo_path, &fd);
    if (rc == HMN_OK)
        hmn__fd_close(fd);
    return rc;
}

/* ---------------------------------------------------------------- cases */

static int setup_done;

static void setup(void)
{
    char path[1024];
    if (setup_done)
        return;
    setup_done = make_tree() == 0 ? 1 : -1;
    /* The checked-in tree has no cgroup file: PID 100 runs in a systemd unit. */
    snprintf(path, sizeof(path), "%s/proc/100/cgroup", root);
    if (setup_done == 1 && t_write(path, "0::/user.slice/user-1000.slice/session-2.scope\n"))
        setup_done = -1;
}

/* Baseline on the intact tree, so each case below shows what the FIFO changed. */
static void intact_tree_answers(void)
{
    setup();
    CHECK(setup_done == 1);
    CHECK(list_card0() == 2);
    CHECK((info_card0() & HMN_DEV_HAS_TOTAL) != 0);
    CHECK(exists_100() == 1);
    CHECK(name_100() == HMN_OK);
    CHECK((owner_100() & HMN_OWNER_HAS_UNIT) != 0);
}

/* fn's answer with a FIFO at rel; the file is put back whatever happened. */
static int with_fifo(const char *rel, int (*fn)(void))
{
    int v;
    if (fifo_in(rel, 1) != 0)
        return FIFO_NO_ANSWER - 1;
    v = within_limit(fn);
    if (fifo_in(rel, 0) != 0) {
        fprintf(stderr, "cannot restore %s/%s\n", root, rel);
        setup_done = -1;
    }
    return v;
}

static void fifo_fdinfo(void)
{
    setup();
    /* Its client cannot be read: counted unreadable, not listed, no hang. */
    CHECK(with_fifo("proc/100/fdinfo/3", list_card0) == 0);
}

static void fifo_comm(void)
{
    setup();
    CHECK(with_fifo("proc/100/comm", list_card0) == 1); /* listed, without a name */
    CHECK(with_fifo("proc/100/comm", name_100) == HMN_ENOENT);
}

static void fifo_cmdline(void)
{
    char path[1024];
    int v;
    setup();
    /* A 15-byte comm makes the name lookup read exe and cmdline too. */
    snprintf(path, sizeof(path), "%s/proc/100/comm", root);
    CHECK(t_write(path, "a_fifteen_bytes\n") == 0);
    v = with_fifo("proc/100/cmdline", name_100);
    CHECK(t_write(path, "glxgears\n") == 0);
    CHECK(v == HMN_OK); /* comm itself */
}

static void fifo_status(void)
{
    setup();
    CHECK(with_fifo("proc/100/status", exists_100) == HMN_EBACKEND); /* neither yes nor no */
    /* No NSpid to read: the identity mapping, as on kernels without NSpid. */
    CHECK(with_fifo("proc/100/status", map_100) == HMN_OK);
}

static void fifo_cgroup(void)
{
    int v;
    setup();
    v = with_fifo("proc/100/cgroup", owner_100);
    CHECK(v >= 0);                         /* status still read */
    CHECK((v & HMN_OWNER_HAS_UNIT) == 0); /* the unit unknown, no hang */
}

static void fifo_sysfs_mem_info(void)
{
    int v;
    setup();
    v = with_fifo("sys/class/drm/card0/device/mem_info_vram_total", info_card0);
    CHECK(v >= 0);
    CHECK((v & HMN_DEV_HAS_TOTAL) == 0); /* unknown, not zero */
}

static void fifo_sysfs_uevent_and_ids(void)
{
    static const char *const files[] = {"uevent", "vendor", "device", "product_name"};
    char rel[200];
    size_t i;
    setup();
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(rel, sizeof(rel), "sys/class/drm/card0/device/%s", files[i]);
        CHECK(with_fifo(rel, info_card0) >= 0);
    }
}

static void fifo_self_statm_path(void)
{
    /* The helpers themselves: hmn__read_file and the kept-open statm fd. */
    setup();
    snprintf(fifo_path, sizeof(fifo_path), "%s/fifo", root);
    CHECK(mkfifo(fifo_path, 0644) == 0);
    CHECK(within_limit(read_fifo) == HMN_EBACKEND);
    CHECK(within_limit(open_fifo) == HMN_EBACKEND);
    unlink(fifo_path);
}

static void cleanup(void)
{
    char top[512];
    if (setup_done != 1)
        return;
    hmn__strlcpy(top, root, sizeof(top));
    top[strlen(top) - strlen("/multi")] = '\0';
    t_rmtree(top);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(intact_tree_answers),
        TEST_ENTRY(fifo_fdinfo),
        TEST_ENTRY(fifo_comm),
        TEST_ENTRY(fifo_cmdline),
        TEST_ENTRY(fifo_status),
        TEST_ENTRY(fifo_cgroup),
        TEST_ENTRY(fifo_sysfs_mem_info),
        TEST_ENTRY(fifo_sysfs_uevent_and_ids),
        TEST_ENTRY(fifo_self_statm_path),
    };
    int rc = RUN_TESTS(tests);
    cleanup();
    return rc;
}
