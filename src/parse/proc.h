/*
 * parse/proc.h - pure parsers of /proc text (parse/proc.c): they take a
 * buffer and a length, do no I/O and never read past len.  Fuzzed
 * (fuzz/fuzz_proc_status.c) and unit-tested.
 */
#ifndef HMN_PARSE_PROC_H
#define HMN_PARSE_PROC_H

#include <stddef.h>
#include <stdint.h>

/* Resident pages: the second field of /proc/<pid>/statm. */
int hmn__parse_statm(const char *buf, size_t len, uint64_t *resident_pages);
/*
 * A "Key:   <n> kB" line of /proc/<pid>/status, by upstream's VmRSS rule:
 * first line starting with "Key:", trimmed, trailing " kB" removed, decimal.
 * Returns HMN_OK, HMN_ENOENT (no such line) or HMN_EPARSE; on EPARSE `why`
 * (may be NULL) gets the value text and the reason, upstream-worded.
 */
int hmn__parse_status_kb(const char *buf, size_t len, const char *key, uint64_t *kb,
                         char *why, size_t whycap);
/* A plain decimal field ("Tgid:\t123"). */
int hmn__parse_status_u32(const char *buf, size_t len, const char *key, uint32_t *out);
/* NSpid: outermost (host) first.  *n gets the count (<= max). */
int hmn__parse_nspid(const char *buf, size_t len, uint32_t *pids, size_t max, size_t *n);
/* The real UID: first field of the "Uid:" line (HMN_OK, HMN_ENOENT, HMN_EPARSE). */
int hmn__parse_status_uid(const char *buf, size_t len, uint32_t *uid);
/*
 * starttime, field 22 of /proc/<pid>/stat (clock ticks after boot): the
 * fields after the last ')', since the name in field 2 may hold anything.
 * HMN_OK or HMN_EPARSE; *ticks is written only on success.
 */
int hmn__parse_stat_starttime(const char *buf, size_t len, uint64_t *ticks);
/* What a process-tree scan needs from one /proc/<pid>/stat line. */
struct hmn__stat_tree {
    char state;        /* field 3: 'R', 'S', 'Z' (zombie), 'X' (dead) ... */
    uint32_t ppid;     /* field 4 */
    uint64_t start;    /* field 22, clock ticks after boot */
};
/*
 * State, parent PID and start time of one stat line: like
 * hmn__parse_stat_starttime, the fields are taken after the last ')'.
 * HMN_OK or HMN_EPARSE (out is written only on success).
 */
int hmn__parse_stat_tree(const char *buf, size_t len, struct hmn__stat_tree *out);
/* Find a "Key:" line; returns a pointer to the value text and its length. */
const char *hmn__status_field(const char *buf, size_t len, const char *key, size_t *vlen);

#endif /* HMN_PARSE_PROC_H */
