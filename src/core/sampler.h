/*
 * core/sampler.h - what the three files of the sampler share:
 * sampler.c (the public entry points, the lock, the background thread),
 * sampler_tree.c (who is in the tree, their RAM) and sampler_gpu.c (the
 * tree's and the devices' GPU memory).  sampler.c calls the other two;
 * sampler_gpu.c asks sampler_tree.c who is a member; nothing calls back.
 */
#ifndef HMN_CORE_SAMPLER_H
#define HMN_CORE_SAMPLER_H

#include "backend.h"

/* One member of the tree: a (pid, start time) pair, so a reused PID is another member. */
struct hmn__member {
    uint32_t pid, ppid;
    int has_start;
    uint64_t start;
    int alive;          /* seen at the latest sample */
    int exited;         /* its memory read said gone while the table may still list it
                           (a zombie until reaped): matched, never read or taken in again */
    int is_root;
    int counted;        /* its figures count (not the root under HMN_SAMPLER_EXCLUDE_ROOT) */
    uint64_t valid;     /* HMN_TPROC_HAS_* */
    uint64_t rss_bytes, peak_bytes, sampled_peak_bytes, gpu_peak_bytes;
    uint64_t first_ms, last_ms;
    /* GPU rows of the sample being taken, over every device */
    int gpu_seen;
    uint64_t gpu_now;
    uint32_t host_pid;  /* as the driver names it (NVML accounting); pid until a row says */
    uint64_t acct_final; /* bit i: its final accounting record on device i was added */
    char comm[64];      /* what the name was last read for */
    char name[256];
};

/* Rows of processes that are not members (others on a device). */
struct hmn__rowvec {
    hmn_gpu_process *v;
    size_t n, cap;
};

struct hmn__sdev {
    uint64_t acct_gone;    /* accounting: the final maxMemoryUsage of members gone */
    hmn_sample_device agg; /* latest figures and the run's peaks (hmn_sampler_device) */
    hmn_sample_device cur; /* this sample's figures only (hmn_sample_get_device) */
    struct hmn__rowvec others_cur, others_last, others_peak;
};

struct hmn_sample {
    const struct hmn_sampler *s;
};

struct hmn_sampler {
    hmn_ctx *ctx;
    hmn_sampler_config cfg;
    uint32_t root;
    uint64_t t0_ms;
    /* Held for a whole sample and by every reader: figures never tear. */
    hmn__mutex lock;
    struct hmn__member *m; /* in the order first seen; the root first */
    size_t nm, capm;
    int root_hidden;       /* m[0] is the root and is not listed */
    struct hmn__ptab tab;  /* the process table, reused between samples */
    int32_t *tab_member;   /* per table entry: member index, -1 none */
    size_t tab_member_cap;
    uint32_t *alive_pid;   /* alive counted members, by PID: (pid, index) pairs */
    size_t *alive_idx;
    size_t nalive, alive_cap;
    int pss_missing;       /* this sample: a member's PSS could not be read */
    struct hmn__sdev *dev;
    size_t ndev;
    hmn_sample_info latest;
    int have_latest;
    hmn_sampler_summary sum;
    hmn_sample_fn cb;
    void *cb_user;
    struct hmn_sample view;
    /* the background thread */
    hmn__mutex tlock;
    hmn__cond cond;
    hmn__thread th;
    int running, stopping;
};

/* sampler_tree.c */
/* Create the root member (open): HMN_ENOENT when the root does not exist. */
int hmn__tree_open(hmn_sampler *s, hmn_ctx *ctx);
/* Find the members alive now, read their RAM, fold their figures into info and s->sum. */
int hmn__tree_sample(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms, hmn_sample_info *info);
/* The alive, counted member with this PID, or NULL. */
struct hmn__member *hmn__tree_find(hmn_sampler *s, uint32_t pid);
/* After the GPU pass: every member's own GPU peak. */
void hmn__tree_fold_gpu(hmn_sampler *s);
void hmn__tree_free(hmn_sampler *s);

/* sampler_gpu.c */
/* The devices to sample (open); 0 devices when no GPU source answers. */
int hmn__sgpu_open(hmn_sampler *s, hmn_ctx *ctx);
/* One GPU pass over every sampled device (failures leave valid bits clear). */
void hmn__sgpu_sample(hmn_sampler *s, hmn_ctx *ctx, uint64_t t_ms);
void hmn__sgpu_free(hmn_sampler *s);

#endif /* HMN_CORE_SAMPLER_H */
