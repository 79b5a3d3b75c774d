/*
 * tests/run/run_workload.c - the workloads `hmn run` is tested (and
 * benchmarked) on.  Each mode does one thing a real job does:
 *
 *   tree MIB MS         a child whose child (the grandchild) allocates and
 *                       touches MIB MiB, holds it MS ms, then all exit 0
 *   alloc MIB MS        this process allocates and holds MIB MiB for MS ms
 *   spikes MIB MS N GAP [DELAY]
 *                       after DELAY ms, N spikes of MIB MiB held MS ms each,
 *                       GAP ms apart
 *   daemon MIB MS FILE  a grandchild that leaves by setsid (its parent exits
 *                       at once), allocates MIB MiB, holds it MS ms; this
 *                       process waits until FILE appears (the daemon's pid)
 *                       plus the hold, then exits 0
 *   forest N MS         N children, each touching 1 MiB and sleeping MS ms
 *                       (the benchmark's 100-process tree)
 *   exec PROG ARGS...   exec PROG (the tree continues in another image)
 *   sigkill             killed by SIGKILL
 *   ignore-term MS FILE ignore SIGTERM, write FILE (ready), exit 0 after MS ms
 *   sleep MS FILE       write FILE (ready), sleep MS ms (default signals)
 *   exit N              exit with status N
 *   oom STEP_MIB        allocate and touch STEP_MIB at a time until killed
 *   cgroup-fixture ROOT BYTES KILLS
 *                       write memory.peak and memory.events into the run's
 *                       v2 fixture cgroup ROOT/hmn-run-<parent pid>/, as the
 *                       kernel would, then exit 0
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* MIB MiB really resident: every page written. */
static char *touch(long mib)
{
    size_t n = (size_t)mib << 20, i;
    char *p = malloc(n ? n : 1);
    if (!p) {
        perror("malloc");
        exit(3);
    }
    for (i = 0; i < n; i += 4096)
        p[i] = (char)(i >> 12 | 1);
    return p;
}

static void hold(long mib, long ms)
{
    char *p = touch(mib);
    sleep_ms(ms);
    free(p);
}

static int wait_all(void)
{
    int st, rc = 0;
    while (wait(&st) > 0)
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            rc = 1;
    return rc;
}

static int mode_tree(long mib, long ms)
{
    pid_t c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            hold(mib, ms);
            _exit(0);
        }
        _exit(wait_all());
    }
    return wait_all();
}

static void write_file(const char *path, long v)
{
    char tmp[4096];
    FILE *f;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f || fprintf(f, "%ld\n", v) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        perror(path);
        exit(3);
    }
}

static int mode_daemon(long mib, long ms, const char *file)
{
    pid_t c = fork();
    if (c == 0) {
        if (fork() == 0) {
            char *p;
            setsid();
            p = touch(mib);
            write_file(file, (long)getpid());
            sleep_ms(ms);
            free(p);
            _exit(0);
        }
        _exit(0); /* the daemon's parent leaves at once: it is reparented */
    }
    wait_all();
    while (access(file, F_OK) != 0)
        sleep_ms(5);
    sleep_ms(ms);
    return 0;
}

static int mode_forest(long n, long ms)
{
    long i;
    for (i = 0; i < n; i++)
        if (fork() == 0) {
            hold(1, ms);
            _exit(0);
        }
    return wait_all();
}

static int mode_spikes(long mib, long ms, long n, long gap, long delay)
{
    long i;
    sleep_ms(delay);
    for (i = 0; i < n; i++) {
        hold(mib, ms);
        sleep_ms(gap);
    }
    return 0;
}

static int mode_signal_wait(long ms, const char *file, int ignore)
{
    if (ignore)
        signal(SIGTERM, SIG_IGN);
    write_file(file, (long)getpid());
    sleep_ms(ms);
    return 0;
}

static int mode_oom(long step)
{
    for (;;)
        if (!touch(step)) /* kept: the point is to run out */
            return 3;
}

static int mode_fixture(const char *root, const char *bytes, const char *kills)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s/hmn-run-%ld/memory.peak", root, (long)getppid());
    f = fopen(path, "w");
    if (!f || fprintf(f, "%s\n", bytes) < 0 || fclose(f) != 0)
        return 4;
    snprintf(path, sizeof(path), "%s/hmn-run-%ld/memory.events", root, (long)getppid());
    f = fopen(path, "w");
    if (!f || fprintf(f, "low 0\nhigh 0\nmax 0\noom 0\noom_kill %s\noom_group_kill 0\n", kills) < 0 ||
        fclose(f) != 0)
        return 4;
    return 0;
}

static long num(char **argv, int argc, int i)
{
    return i < argc ? atol(argv[i]) : 0;
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    if (strcmp(m, "tree") == 0)
        return mode_tree(num(argv, argc, 2), num(argv, argc, 3));
    if (strcmp(m, "alloc") == 0)
        return hold(num(argv, argc, 2), num(argv, argc, 3)), 0;
    if (strcmp(m, "spikes") == 0)
        return mode_spikes(num(argv, argc, 2), num(argv, argc, 3), num(argv, argc, 4),
                           num(argv, argc, 5), num(argv, argc, 6));
    if (strcmp(m, "forest") == 0)
        return mode_forest(num(argv, argc, 2), num(argv, argc, 3));
    if (strcmp(m, "daemon") == 0 && argc > 4)
        return mode_daemon(num(argv, argc, 2), num(argv, argc, 3), argv[4]);
    if (strcmp(m, "exec") == 0 && argc > 2) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        return 127;
    }
    if (strcmp(m, "sigkill") == 0)
        return raise(SIGKILL), 1;
    if ((strcmp(m, "ignore-term") == 0 || strcmp(m, "sleep") == 0) && argc > 3)
        return mode_signal_wait(num(argv, argc, 2), argv[3], m[0] == 'i');
    if (strcmp(m, "exit") == 0)
        return (int)num(argv, argc, 2);
    if (strcmp(m, "oom") == 0)
        return mode_oom(num(argv, argc, 2) > 0 ? num(argv, argc, 2) : 16);
    if (strcmp(m, "cgroup-fixture") == 0 && argc > 4)
        return mode_fixture(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: run_workload MODE ARGS... (see the source)\n");
    return 2;
}
