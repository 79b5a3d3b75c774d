/*
 * cli/metrics.h - the Prometheus exporter behind `hmn serve` and
 * `hmn export`: a machine-wide snapshot taken through the public API
 * (metrics_collect.c), a pure renderer of the text exposition format 0.0.4
 * (metrics_render.c), and the --listen address parser (listen.c).
 *
 * The renderer and the parser take plain data and do no I/O, so they are
 * unit-tested and fuzzed; only the collector touches a hmn_ctx.
 * docs/exporter.md describes every metric.
 */
#ifndef HMN_CLI_METRICS_H
#define HMN_CLI_METRICS_H

#include <hypomnesis.h>

#include <stddef.h>
#include <stdint.h>

/* Process names are cut at this many bytes (on a UTF-8 boundary) in labels. */
#define MX_NAME_MAX_BYTES 128
/* Default of --max-processes. */
#define MX_DEFAULT_MAX_PROCESSES 100u
/* Largest --max-processes accepted (a bound on series per scrape). */
#define MX_MAX_PROCESSES_LIMIT 100000u
/* Room for this many enum hmn_source values (the public enum has no count;
 * a source numbered past it is simply not reported). */
#define MX_SOURCES 32u
/* MIG ids of a process that is not on a MIG instance. */
#define MX_NO_MIG UINT32_MAX

/* ---- snapshot: what one collection saw (plain data) -------------------- */

struct mx_mig {
    uint32_t gpu; /* hmn index of the parent GPU */
    hmn_mig_info info;
};

struct mx_proc {
    uint32_t gpu;
    uint32_t pid;
    uint32_t host_pid;            /* as the driver reported it (owner lookups) */
    uint32_t gpu_instance_id;     /* MX_NO_MIG when not on a MIG instance */
    uint32_t compute_instance_id; /* MX_NO_MIG when not on a MIG instance */
    uint64_t bytes;
    int has_name;
    char name[256];
    /* Owner (hmn_process_owner_info): the container and Kubernetes pod it runs in. */
    int has_container, has_pod;
    char container_id[80];
    char pod_uid[48];
};

/* used - Σ rows of one GPU or MIG instance (hmn_memory_account_rows), when known. */
struct mx_account {
    uint32_t gpu;
    uint32_t gpu_instance_id;     /* MX_NO_MIG: the whole GPU */
    uint32_t compute_instance_id; /* MX_NO_MIG: the whole GPU */
    uint64_t unattributed_bytes;
};

struct mx_source {
    uint32_t source; /* enum hmn_source */
    int success;     /* 1: loaded and answered every query of the collection */
};

struct mx_snapshot {
    const char *version; /* hmn_version() */
    int up;              /* the GPUs could be enumerated */
    double duration_seconds;
    uint64_t errors_total;
    hmn_gpu_device_info *gpus; /* devices whose information was read, by index */
    size_t ngpus;
    struct mx_mig *migs;
    size_t nmigs;
    int processes;         /* --processes: the process family is rendered */
    struct mx_proc *procs; /* rows with a known figure, at most max_processes */
    size_t nprocs;
    uint64_t procs_omitted; /* rows with a known figure beyond max_processes */
    struct mx_account *accounts; /* with --processes: unattributed memory per GPU / instance */
    size_t naccounts;
    struct mx_source sources[MX_SOURCES];
    size_t nsources;
};

void mx_snapshot_free(struct mx_snapshot *s);

/*
 * Keep the `max` largest rows (bytes descending, then gpu, then pid), sort
 * what is kept by gpu then pid, and count what was dropped in
 * s->procs_omitted.  Pure; the collector calls it before rendering.
 */
void mx_select_processes(struct mx_snapshot *s, size_t max);

/* ---- rendering (metrics_render.c, pure) -------------------------------- */

/* A growable text buffer; `failed` is set once an allocation fails. */
struct mx_buf {
    char *data;
    size_t len, cap;
    int failed;
};

void mx_buf_free(struct mx_buf *b);
/* Append n bytes / a string. */
void mx_buf_put(struct mx_buf *b, const char *s, size_t n);
void mx_buf_puts(struct mx_buf *b, const char *s);

/*
 * Append a label value: invalid UTF-8 becomes U+FFFD, the result is cut at
 * max_bytes (never inside a character), then `\`, `"` and newline are
 * escaped as the exposition format requires.  max_bytes 0: no cut.
 */
void mx_put_label_value(struct mx_buf *b, const char *s, size_t len, size_t max_bytes);

/*
 * The whole exposition of a snapshot: HELP and TYPE for every family that
 * has a sample, samples in a stable order, no timestamps, '\n' endings.
 * Returns 0, or -1 when memory ran out (b->failed).
 */
int mx_render(const struct mx_snapshot *s, struct mx_buf *b);

/* Content type of the rendered text. */
#define MX_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- collection (metrics_collect.c) ------------------------------------ */

struct mx_options {
    int processes;          /* --processes */
    uint32_t max_processes; /* --max-processes */
};

/* The owner of a process, kept while the PID stays listed with the same name. */
struct mx_owner_entry {
    uint32_t pid;
    uint64_t generation; /* collection that last listed it */
    uint64_t fetched_ms;
    char name[256];
    int has_container, has_pod;
    char container_id[80];
    char pod_uid[48];
};

/* State kept across collections (counters, which source owns a device). */
struct mx_collector {
    hmn_ctx *ctx;           /* the context queries go to */
    hmn_ctx *owned;         /* a context the collector opened itself (re-open), or NULL */
    struct mx_options opt;
    uint64_t errors_total;
    uint64_t failed_since_ms; /* when collections started failing (0: they do not) */
    uint64_t reopened_ms;
    uint64_t reopen_ms;       /* re-open a context this long after enumeration failed */
    uint32_t home_source[64]; /* source that answered each device last (0: unknown) */
    /* Optional: asked between queries; non-zero abandons the collection (shutdown). */
    int (*cancelled)(void *arg);
    void *cancel_arg;
    /* Owners of the exported processes (sorted by pid), refreshed every OWNER_TTL_MS. */
    struct mx_owner_entry *owners;
    size_t nowners, owners_cap;
    uint64_t generation;
};

/* ctx stays the caller's; the collector may open (and then owns) others. */
void mx_collector_init(struct mx_collector *c, hmn_ctx *ctx, const struct mx_options *opt);
void mx_collector_close(struct mx_collector *c);
/* One collection into a fresh snapshot (free it with mx_snapshot_free);
 * -1 when memory ran out or the collection was cancelled (nothing to free). */
int mx_collect(struct mx_collector *c, struct mx_snapshot *out);
/* Collect and render in one step: the body a scrape or a textfile gets. */
int mx_collect_render(struct mx_collector *c, struct mx_buf *out);

/* ---- options shared by `hmn serve` and `hmn export` (cmd_export.c) ---- */

struct cli_cmd;
struct cli_args;

/*
 * --interval (default default_ms, at least 100ms), --processes and
 * --max-processes from parsed arguments; opt indices name those options in
 * cmd.  Returns CLI_CONTINUE to go on, else the exit code after a usage message.
 */
int mx_parse_options(const struct cli_cmd *cmd, const struct cli_args *a, int o_interval,
                     int o_processes, int o_max, uint64_t default_ms, uint64_t *interval_ms,
                     struct mx_options *opt);

/* ---- --listen (listen.c, pure) ----------------------------------------- */

struct listen_addr {
    int family;      /* 4 or 6 */
    int any;         /* ":PORT": every interface (IPv6 dual-stack) */
    char host[64];   /* numeric address text without brackets */
    uint16_t port;   /* 0: the system picks a free port */
};

/*
 * "127.0.0.1:9835", "[::1]:9835", "localhost:9835" (= 127.0.0.1) or ":9835"
 * (every interface).  Returns 0, or -1 with the reason in err.
 */
int listen_parse(const char *text, struct listen_addr *out, char *err, size_t errcap);

#endif /* HMN_CLI_METRICS_H */
