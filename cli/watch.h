/*
 * cli/watch.h - what `hmn watch` keeps between samples (cli/cmd_watch.c:
 * options, sampling; cli/watch_select.c: which PIDs are followed) and what
 * its outputs print from it (cli/watch_output.c: text, JSON Lines, CSV).
 */
#ifndef HMN_CLI_WATCH_H
#define HMN_CLI_WATCH_H

#include "cli.h"

enum { W_INTERVAL, W_DURATION, W_TOP, W_FOLLOW, W_DEVICE, W_FILTER, W_MIN, W_JSON, W_CSV, W_COUNT };
enum { OUT_TEXT, OUT_JSON, OUT_CSV };
enum { MODE_EXPLICIT, MODE_TOP, MODE_FOLLOW };

struct reading {
    int has_used, has_shared;
    uint64_t used, shared;
};

struct pid_state {
    uint32_t pid;
    struct reading base, prev, peak;
    char name[256]; /* last resolved name (the sticky name); "" none */
    int hinted;
    int has_start;  /* start: when the process behind this PID started (hmn_process_start_time) */
    uint64_t start;
};

struct watch {
    hmn_ctx *ctx;
    struct cli_args *a;
    int out, mode, follow;
    uint32_t device;
    uint64_t interval_ms, duration_ms, top, min;
    int has_duration, has_min, has_filter;
    int shared_exists; /* the platform has a shared-memory figure (WDDM) */
    char dev_name[96];
    hmn_spill_tracker *tracker;
    int spilling_at_attach;
    uint32_t *sel;  /* watched PIDs */
    size_t nsel;
    struct pid_state *st; /* first-seen order */
    size_t nst, st_cap, sel_cap;
    size_t name_w;
    uint64_t start_ms;
    char **argv;
    int argc;
    uint32_t *warned; /* PIDs announced as having no name for --filter */
    size_t nwarned, warned_cap;
    uint32_t skipped_last; /* unparsable source lines in the last listing ... */
    uint64_t skipped_rows; /* ... and over the whole run */
};

/* One sample of one PID, as every output format prints it. */
struct sample_out {
    uint64_t t_ms;
    uint32_t pid;
    const char *name;
    struct reading r;
    int has_du, has_ds;
    int64_t du, ds;
    int spilling, paged;
};

/* ---- selection (cli/watch_select.c) ---- */
struct pid_state *watch_state_of(struct watch *w, uint32_t pid);
int watch_in_set(const uint32_t *set, size_t n, uint32_t pid);
/* The row of pid in a (PID-sorted) listing; 1 when found. */
int watch_find_row(const hmn_process_list *list, uint32_t pid, hmn_gpu_process *p);
/* 1 when the listing counts pid among the processes it could not read. */
int watch_unreadable_has(const hmn_process_list *list, uint32_t pid);
/* The top --top rows passing --min then --filter (sticky names count), by dedicated memory. */
size_t watch_auto_select(struct watch *w, const hmn_process_list *list, uint32_t *out);
/* Announce, once each, unnamed PIDs passing --min that --filter cannot match. */
void watch_warn_unnamed(struct watch *w, const hmn_process_list *list);
/* --follow-new: select again into next, print the breadcrumb, make it the set. */
void watch_reselect(struct watch *w, const hmn_process_list *list, uint64_t t_ms, uint32_t *next);

/* ---- output (cli/watch_output.c) ---- */
/* " among names containing ... with footprint >= ..." for the messages. */
void watch_criterion(const struct watch *w, char *buf, size_t cap);
/* The start line on stderr, the JSON start record, the table / CSV header. */
void watch_print_start(const struct watch *w);
/* One sample row in the chosen format; wc is the sample's wall clock. */
void watch_print_sample(const struct watch *w, const struct sample_out *o, const char *wc);
/* The closing summary (stdout; stderr for CSV). */
void watch_print_summary(const struct watch *w);

#endif /* HMN_CLI_WATCH_H */
