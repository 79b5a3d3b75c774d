/*
 * cli/run.h - the pieces of `hmn run -- CMD` (cli/cmd_run.c).
 *
 * Pure parts, in hmn_cli_core (unit-tested and fuzzed): the cgroup and
 * /proc text parsers and the OOM verdict (run_parse.c), the report writers
 * over a filled struct run_report (run_output.c) and the recorded timeline
 * with its per-sample writers and chart (run_samples.c).
 * Platform parts, in hmn: the child (run_spawn_posix.c / run_spawn_win.c)
 * and the cgroup made for the run (run_cgroup.c, Linux).
 */
#ifndef HMN_RUN_H
#define HMN_RUN_H

#include "cli.h"

/* Exit statuses of `hmn run` (the conventions of env(1) and timeout(1)). */
enum { RUN_EXIT_HMN = 125, RUN_EXIT_NOEXEC = 126, RUN_EXIT_NOTFOUND = 127 };

/* ---- pure parsers (cli/run_parse.c) -------------------------------------- */
/*
 * The value of `key` in a "key value" file (memory.events, memory.stat,
 * memory.oom_control, /proc/vmstat): 0 and *out set when a line holds the
 * key, a space and a decimal number alone; -1 otherwise.  buf need not be
 * NUL-terminated; nothing past len is read.
 */
int run_parse_kv(const char *buf, size_t len, const char *key, uint64_t *out);
/* A single decimal number with an optional newline (memory.peak, memory.max_usage_in_bytes). */
int run_parse_u64_file(const char *buf, size_t len, uint64_t *out);
/*
 * The cgroup path of the calling process from /proc/self/cgroup text:
 * version 2 -> the "0::/path" line, version 1 -> the line whose controller
 * list holds "memory".  0 and the path (starting with '/') in out; -1 when
 * absent, malformed or longer than cap.
 */
int run_parse_self_cgroup(const char *buf, size_t len, int version, char *out, size_t cap);
/*
 * The mount point of the cgroup hierarchy from /proc/self/mountinfo text:
 * version 2 -> the first "cgroup2" mount, version 1 -> the first "cgroup"
 * mount whose super options hold "memory".  Octal escapes (\040) are
 * decoded.  0 and the path in out; -1 when there is none.
 */
int run_parse_cgroup_mount(const char *buf, size_t len, int version, char *out, size_t cap);

/* ---- the OOM verdict (cli/run_parse.c) ------------------------------------ */
enum run_verdict { RUN_OOM_NONE, RUN_OOM_KERNEL, RUN_OOM_SIGNAL, RUN_OOM_UNKNOWN };
struct run_oom_input {
    int signal;            /* the signal that ended CMD, 0 when it exited */
    int cgroup_known;      /* the run's cgroup kept an OOM-kill count */
    uint64_t cgroup_kills; /* oom_kill of that cgroup */
    const char *cgroup_file; /* "memory.events" / "memory.oom_control" */
    int host_known;        /* /proc/vmstat oom_kill read before and after */
    uint64_t host_before, host_after;
};
/* The verdict and one line saying what it rests on (detail). */
int run_oom_verdict(const struct run_oom_input *in, char *detail, size_t cap);
/* "none", "kernel-oom-kill", "signal", "unknown". */
const char *run_verdict_name(int verdict);
/* "SIGKILL", "SIGTERM", ... or "signal N". */
const char *run_signal_name(char *buf, size_t cap, int sig);

/* ---- what the run measured (filled by cmd_run.c, written by run_output.c) */
struct run_process {
    uint32_t pid;
    int has_name, has_peak;
    uint64_t peak_bytes; /* own exact peak (VmHWM, largest seen) */
    char name[256];
};
struct run_other {
    uint32_t pid;
    int has_name, has_used;
    uint64_t used_bytes;
    char name[256];
};
struct run_gpu {
    hmn_sample_device dev;           /* peaks and latest figures */
    struct run_other *at_peak, *at_last;
    size_t n_at_peak, n_at_last;
};
struct run_report {
    char *const *argv;
    size_t argc;
    uint32_t child_pid;     /* CMD's PID */
    int64_t exit_code;      /* CMD's exit code when it exited (Windows: 32 bits), else -1 */
    int signal;             /* the signal that killed it, else 0 */
    double wall_seconds;
    uint64_t interval_ms;
    uint64_t samples;
    /* RAM */
    int has_ram_peak;
    uint64_t ram_peak_bytes;
    const char *ram_peak_method; /* "cgroup-v2", "cgroup-v1", "job-object", "sampled" */
    int has_ram_peak_at;
    double ram_peak_at_seconds;
    int has_sampled_peak;
    uint64_t sampled_peak_bytes;
    double sampled_peak_at_seconds;
    int has_group_peak;     /* the OS kept a high-water mark for the whole tree */
    uint64_t group_peak_bytes;
    const char *group_method; /* "cgroup-v2", "cgroup-v1", "job-object" */
    char group_note[3072];  /* why the exact group peak is missing, or "" */
    int has_child_maxrss;
    uint64_t child_maxrss_bytes;
    struct run_process *procs;
    size_t nprocs;
    /* GPU */
    struct run_gpu *gpus;
    size_t ngpus;
    char gpu_note[256];     /* why there are no GPU figures, or "" */
    /* OOM */
    int verdict;
    char oom_detail[512];
};

/* ---- report writers (cli/run_output.c) ------------------------------------ */
/* The fields of the --json object without braces (shared with the JSONL summary record). */
void run_json_fields(FILE *f, const struct run_report *r);
/* The --json object and a newline. */
void run_json(FILE *f, const struct run_report *r);
/* The text summary (stderr), every line through safe_text. */
void run_text(FILE *f, const struct run_report *r);
/* The GPU peak of gpu g: the accounting peak when the driver kept one, else the sampled one. */
int run_gpu_peak(const struct run_gpu *g, uint64_t *bytes, const char **method);

/* ---- the recorded timeline (cli/run_samples.c) --------------------------- */
struct run_point {
    double t;              /* seconds since the first sample */
    int has_rss;
    uint64_t rss_bytes;
};
struct run_timeline {
    size_t n, cap, ndev;
    struct run_point *pts;
    double *gpu;           /* n * ndev tree_used_bytes, NAN when unknown */
    uint32_t *dev_index;   /* ndev hmn device indexes and names, from the first sample */
    char (*dev_name)[96];
    uint64_t t0_ms;
    int have_t0;
    FILE *jsonl, *tsv;     /* live writers, or NULL */
    int tsv_pss;           /* the pss column is written */
    int tsv_header_done;
    int failed;            /* out of memory: the chart lacks samples */
};
/* Append a sample (its figures) and write its JSONL / TSV lines. */
void run_timeline_add(struct run_timeline *tl, const hmn_sample_info *info,
                      const hmn_sample_device *devs, size_t ndev);
/* The TSV header line (Time rss [pss] [gpufbmem]). */
void run_tsv_header(FILE *f, int pss, int gpu);
/* One JSONL sample record. */
void run_jsonl_sample(FILE *f, const hmn_sample_info *info, const hmn_sample_device *devs,
                      size_t ndev, double t);
/* One TSV row; a figure not read is an empty field. */
void run_tsv_row(FILE *f, const hmn_sample_info *info, const hmn_sample_device *devs, size_t ndev,
                 int pss, int gpu);
/* The --plot chart: RAM of the tree and the tree's GPU memory per device, peaks marked. */
int run_plot(FILE *f, const struct run_timeline *tl, const struct run_report *r);
void run_timeline_free(struct run_timeline *tl);

/* ---- the cgroup made for the run (cli/run_cgroup.c, Linux) ---------------- */
struct run_cgroup {
    int version;          /* 1 or 2 once made; 0: none (why says why) */
    int fixture;          /* under HMN_CGROUP_ROOT: a plain directory tree (tests) */
    int procs_fd;         /* the run cgroup's cgroup.procs, open for the child to join; -1 */
    char dir[1024];       /* the run's cgroup */
    char home[1024];      /* hmn's own cgroup: leftover processes go back there */
    char why[3072];
};
/* Make the run's cgroup under hmn's own (v2 when its memory controller is there, else v1). */
int run_cgroup_make(struct run_cgroup *cg);
/* Its high-water mark: memory.peak (v2) / memory.max_usage_in_bytes (v1); -1 with why. */
int run_cgroup_peak(struct run_cgroup *cg, uint64_t *bytes);
/* Its OOM-kill count and the file it came from. */
int run_cgroup_oom_kills(const struct run_cgroup *cg, uint64_t *kills, const char **file);
/* Move what is left back to hmn's cgroup and remove the run's. */
void run_cgroup_remove(struct run_cgroup *cg);
/* The host-wide count of OOM kills (/proc/vmstat oom_kill). */
int run_vmstat_oom_kills(uint64_t *kills);

/* ---- the child (cli/run_spawn_posix.c, cli/run_spawn_win.c) -------------- */
typedef struct run_child run_child;
/*
 * Start argv with stdin, stdout and stderr untouched: POSIX in its own
 * process group, inside the run's cgroup when one can be made, hmn a child
 * subreaper; Windows suspended, in a job object, then resumed.  0 once CMD
 * runs, else an exit status (RUN_EXIT_*) after saying why on stderr.
 */
int run_child_start(run_child **out, char *const *argv, struct run_report *r);
/* Block until CMD has ended (not reaped where the OS allows it); signals are forwarded meanwhile. */
int run_child_wait(run_child *c);
/*
 * Reap CMD: exit code or signal, its ru_maxrss, the group's exact peak and
 * OOM-kill count (into r and oom); the group is removed.
 */
void run_child_finish(run_child *c, struct run_report *r, struct run_oom_input *oom);
void run_child_free(run_child *c);
/* Keep f's descriptor (handle) out of CMD: hmn's report files are not CMD's. */
void run_keep_private(FILE *f);
/* The signal hmn forwarded last (0 when none). */
int run_forwarded_signal(void);

#endif /* HMN_RUN_H */
