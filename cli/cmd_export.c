/*
 * cli/cmd_export.c - `hmn export --textfile DIR`: the metrics of `hmn serve`
 * written to DIR/hmn.prom for node_exporter's textfile collector, once or
 * every --interval.  The file is replaced atomically (a temporary file in
 * DIR, flushed to disk, renamed over hmn.prom), so a reader sees the old
 * file or the new one, never a part; no timestamps (the collector refuses
 * them).  Also the options shared with `hmn serve`.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli.h"
#include "metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if defined(_WIN32)
#include <io.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#define TEXTFILE_NAME "hmn.prom"

enum { E_TEXTFILE, E_INTERVAL, E_ONCE, E_PROCESSES, E_MAX_PROCESSES, E_COUNT };

static const struct cli_opt export_opts[E_COUNT] = {
    {"--textfile", 0, "DIR", 0},  {"--interval", 0, "DUR", 0},     {"--once", 0, NULL, 0},
    {"--processes", 0, NULL, 0}, {"--max-processes", 0, "N", 0},
};

static const struct cli_cmd export_cmd = {"hmn export --textfile <DIR> [OPTIONS]", export_opts,
                                          E_COUNT, NULL, 0, 0, 0};

static const char export_help[] =
    "Write GPU memory metrics to a file for node_exporter's textfile collector\n"
    "\n"
    "Usage: hmn export --textfile <DIR> [OPTIONS]\n"
    "\n"
    "Options:\n"
    "      --textfile <DIR>     Directory node_exporter's textfile collector reads;\n"
    "                           hmn writes DIR/" TEXTFILE_NAME "\n"
    "      --interval <DUR>     Rewrite it every DUR until SIGTERM or Ctrl+C [default: 15s]\n"
    "      --once               Write it once and exit\n"
    "      --processes          Also export each process's GPU memory (off by default)\n"
    "      --max-processes <N>  With --processes: at most N series, the largest [default: 100]\n"
    "  -h, --help               Print help\n"
    "\n"
    "The metrics are those of `hmn serve` (docs/exporter.md, man hmn).  The file is replaced\n"
    "atomically: written to a temporary file in DIR, flushed to disk, then renamed, so a\n"
    "reader never sees half a file.  No timestamps.\n"
    "\n"
    "Examples:\n"
    "  hmn export --textfile /var/lib/prometheus/node-exporter --once\n"
    "  hmn export --textfile /var/lib/prometheus/node-exporter --interval 30s --processes\n"
    "\n"
    "Exit status: 0 written (--once) or stopped by SIGTERM or Ctrl+C; 1 DIR is missing or\n"
    "cannot be written; 2 usage error.\n";

/* ---------------------------------------------------------------- shared options */

int mx_parse_options(const struct cli_cmd *cmd, const struct cli_args *a, int o_interval,
                     int o_processes, int o_max, uint64_t default_ms, uint64_t *interval_ms,
                     struct mx_options *opt)
{
    const char *v;
    char err[160];
    uint32_t n;
    memset(opt, 0, sizeof(*opt));
    opt->max_processes = MX_DEFAULT_MAX_PROCESSES;
    opt->processes = cli_args_count(a, o_processes, NULL) > 0;
    *interval_ms = default_ms;
    if (cli_args_count(a, o_interval, &v)) {
        if (hmn_parse_duration_ms(v, interval_ms, err, sizeof(err)) != HMN_OK)
            return usage_invalid(cmd, &cmd->opts[o_interval], v, err);
        if (*interval_ms < 100)
            return usage_invalid(cmd, &cmd->opts[o_interval], v, "must be at least 100ms");
    }
    if (cli_args_count(a, o_max, &v)) {
        if (parse_u32(v, &n) != 0 || n == 0 || n > MX_MAX_PROCESSES_LIMIT)
            return usage_invalid(cmd, &cmd->opts[o_max], v, "must be a number from 1 to 100000");
        if (!opt->processes) {
            fprintf(stderr,
                    "error: the argument '--max-processes <N>' requires '--processes'\n\n"
                    "Usage: %s\n\nFor more information, try '--help'.\n",
                    cmd->usage);
            return EXIT_USAGE;
        }
        opt->max_processes = n;
    }
    return CLI_CONTINUE;
}

/* ---------------------------------------------------------------- the atomic write */

static int dir_usable(const char *dir)
{
    struct stat st;
    if (strlen(dir) > 1000) {
        errf("export: the directory path is longer than 1000 bytes");
        return 0;
    }
    if (stat(dir, &st) != 0) {
        errf("export: %s: %s (create it first: it is the directory node_exporter reads, "
             "--collector.textfile.directory)",
             dir, strerror(errno));
        return 0;
    }
    if (!(st.st_mode & S_IFDIR)) {
        errf("export: %s is not a directory", dir);
        return 0;
    }
    return 1;
}

#if defined(_WIN32)
/* Write, flush to disk, then MoveFileEx over the target (rename() refuses to replace). */
static int write_atomic(const char *dir, const char *final, const char *data, size_t len,
                        char *err, size_t cap)
{
    static unsigned counter;
    char tmp[1200];
    FILE *f;
    int ok;
    snprintf(tmp, sizeof(tmp), "%s/." TEXTFILE_NAME ".%lu.%u.tmp", dir,
             (unsigned long)GetCurrentProcessId(), counter++);
    f = fopen(tmp, "wb");
    if (!f) {
        snprintf(err, cap, "cannot create a file in %s: %s", dir, strerror(errno));
        return -1;
    }
    ok = fwrite(data, 1, len, f) == len && fflush(f) == 0 && _commit(_fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (ok && MoveFileExA(tmp, final, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return 0;
    snprintf(err, cap, "cannot write %s (error %lu)", final, (unsigned long)GetLastError());
    DeleteFileA(tmp);
    return -1;
}
#else
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* mkstemp in DIR (same file system, so rename is atomic), write, fsync, rename. */
static int write_atomic(const char *dir, const char *final, const char *data, size_t len,
                        char *err, size_t cap)
{
    char tmp[1200];
    int fd, e;
    snprintf(tmp, sizeof(tmp), "%s/." TEXTFILE_NAME ".XXXXXX", dir);
    fd = mkstemp(tmp); /* the name does not end in .prom: node_exporter skips it */
    if (fd < 0) {
        snprintf(err, cap, "cannot create a file in %s: %s", dir, strerror(errno));
        return -1;
    }
    /* mkstemp makes it 0600; node_exporter usually runs as another user. */
    if (fchmod(fd, 0644) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        snprintf(err, cap, "cannot write %s: %s", tmp, strerror(e));
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, final) != 0) {
        e = errno;
        unlink(tmp);
        snprintf(err, cap, "cannot replace %s: %s", final, strerror(e));
        return -1;
    }
    return 0;
}
#endif

/* ---------------------------------------------------------------- the command */

struct export_run {
    const char *dir;
    char final[1100];
    struct mx_collector col;
};

static int cancel_on_interrupt(void *arg)
{
    (void)arg;
    return interrupted();
}

/* One collection written out; 0 or -1 (message printed). */
static int export_once(struct export_run *r)
{
    struct mx_buf text = {0};
    char err[1400];
    int rc = mx_collect_render(&r->col, &text);
    if (rc != 0) {
        mx_buf_free(&text);
        if (interrupted())
            return 0; /* stopped mid-collection: the previous file stays */
        errf("export: out of memory rendering the metrics");
        return -1;
    }
    rc = write_atomic(r->dir, r->final, text.data, text.len, err, sizeof(err));
    mx_buf_free(&text);
    if (rc != 0)
        errf("export: %s", err);
    return rc;
}

static int export_loop(struct export_run *r, uint64_t interval_ms)
{
    uint64_t k = 0, t0 = now_ms();
    if (export_once(r) != 0)
        return EXIT_FAIL; /* a first write that fails is a setup problem: say so now */
    errf("exporting to %s every %.3gs", r->final, (double)interval_ms / 1000.0);
    while (!interrupted()) {
        /* A fixed schedule: a slow collection does not make the writes drift. */
        uint64_t due = t0 + (++k) * interval_ms, now = now_ms();
        if (due > now)
            sleep_interruptible(due - now);
        if (interrupted())
            break;
        (void)export_once(r); /* later failures (disk full) are retried next time */
    }
    return EXIT_OK;
}

int cmd_export(hmn_ctx *ctx, int argc, char **argv)
{
    struct cli_args a;
    struct mx_options opt;
    struct export_run r;
    uint64_t interval_ms = 15000;
    const char *dir = NULL;
    char err[160];
    int rc = cli_parse_or_exit(&export_cmd, export_help, argc, argv, &a), once;
    if (rc != CLI_CONTINUE) {
        free(a.items);
        return rc;
    }
    once = cli_args_count(&a, E_ONCE, NULL) > 0;
    rc = mx_parse_options(&export_cmd, &a, E_INTERVAL, E_PROCESSES, E_MAX_PROCESSES, 15000,
                          &interval_ms, &opt);
    if (rc == CLI_CONTINUE && !cli_args_count(&a, E_TEXTFILE, &dir)) {
        fputs("error: the following required arguments were not provided:\n  --textfile <DIR>\n\n"
              "Usage: hmn export --textfile <DIR> [OPTIONS]\n\nFor more information, try "
              "'--help'.\n",
              stderr);
        rc = EXIT_USAGE;
    }
    if (rc == CLI_CONTINUE && once && cli_args_count(&a, E_INTERVAL, NULL)) {
        fputs("error: the argument '--once' cannot be used with '--interval <DUR>'\n\n"
              "Usage: hmn export --textfile <DIR> [OPTIONS]\n\nFor more information, try "
              "'--help'.\n",
              stderr);
        rc = EXIT_USAGE;
    }
    if (rc == CLI_CONTINUE && !*dir)
        rc = usage_invalid(&export_cmd, &export_opts[E_TEXTFILE], dir, "must not be empty");
    free(a.items);
    if (rc != CLI_CONTINUE)
        return rc;
    if (!dir_usable(dir))
        return EXIT_FAIL;
    /* Also for --once: a SIGTERM mid-write must not leave the temporary file. */
    if (interrupt_install(err, sizeof(err)) != 0) {
        errf("cannot install the signal handler: %s", err);
        return EXIT_FAIL;
    }
    memset(&r, 0, sizeof(r));
    r.dir = dir;
    snprintf(r.final, sizeof(r.final), "%s/" TEXTFILE_NAME, dir);
    mx_collector_init(&r.col, ctx, &opt);
    r.col.cancelled = cancel_on_interrupt;
    rc = once ? (export_once(&r) == 0 ? EXIT_OK : EXIT_FAIL) : export_loop(&r, interval_ms);
    mx_collector_close(&r.col);
    return rc;
}
