/*
 * cli/ps.h - the rows `hmn ps` collects (cli/cmd_ps.c: options, listing,
 * filters, sort, the summary line) and prints (cli/ps_output.c: table,
 * JSON, CSV).
 */
#ifndef HMN_CLI_PS_H
#define HMN_CLI_PS_H

#include "cli.h"

struct ps_opts {
    struct cli_args a;
    int has_device, sort, has_min, exit_status, json, csv, full, has_filter;
    uint32_t device;
    uint64_t min;
    uint32_t *pids;     /* --pid values, ascending and unique (looked up by bsearch) */
    uint32_t *pid_echo; /* the same in the order given, each once (the summary echoes them) */
    size_t npids;
};

struct ps_row {
    hmn_gpu_process p;
    char device_name[96]; /* "" when unknown */
    int spilling;         /* 1, 0, -1 unknown */
    int paged;            /* 1, 0, -1 */
    double share;         /* valid when spilling >= 0 */
    hmn_process_owner owner; /* with --full or --json */
};

struct ps_dev {
    uint32_t index;
    int spilling;
    uint64_t shared_sum, free_bytes;
    int has_free;
    uint32_t paged;
    int hint;             /* unattributed above the threshold, over every row */
    uint64_t hint_mib;
};

struct ps_state {
    struct ps_row *rows;
    size_t nrows, cap;
    struct ps_dev *devs;
    size_t ndevs;
    uint32_t tried, failed, protected_rows, unnamed_unmatched, unknown_rows, known_rows;
    uint32_t unknown_unmatched; /* VRAM n/a, so --min could not be checked */
    uint32_t other_ns_rows;     /* unnamed rows of another PID namespace (container or host) */
    uint32_t skipped_rows;      /* lines of a source's output that could not be parsed */
    uint32_t *unreadable;       /* unreadable PIDs of every list, relevant to --pid */
    size_t nunreadable, unreadable_cap;
    uint64_t committed;
};

/* The rows as a table or CSV with a header (full: owner columns), or one JSON array (owner keys always). */
void ps_print_table(const struct ps_state *st, int full);
void ps_print_json(const struct ps_state *st);
void ps_print_csv(const struct ps_state *st, int full);

#endif /* HMN_CLI_PS_H */
