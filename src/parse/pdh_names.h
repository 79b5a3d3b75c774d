/*
 * parse/pdh_names.h - pure helpers for the Windows PDH backend: instance
 * names of the "GPU Process Memory" and "GPU Adapter Memory" counter sets,
 * PDH multi-string lists, path basenames, UTF-16 decoding and the process
 * name rules.  No I/O and no Windows types, so they build and are tested on
 * every platform.  Every function takes (buf, len) and never reads past len.
 */
#ifndef HMN_PARSE_PDH_NAMES_H
#define HMN_PARSE_PDH_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* One parsed instance name.  has_pid is 0 for adapter ("luid_...") names. */
struct hmn__pdh_instance {
    int has_pid;
    uint32_t pid;
    int32_t luid_high;  /* written as unsigned hex, reinterpreted as LONG */
    uint32_t luid_low;
    uint32_t phys;      /* physical adapter (segment) index */
};

/* "pid_NNNN_luid_0xHHHHHHHH_0xHHHHHHHH_phys_N"; HMN_OK or HMN_EPARSE. */
int hmn__pdh_parse_process_instance(const char *buf, size_t len, struct hmn__pdh_instance *out);
/* "luid_0xHHHHHHHH_0xHHHHHHHH_phys_N"; HMN_OK or HMN_EPARSE. */
int hmn__pdh_parse_adapter_instance(const char *buf, size_t len, struct hmn__pdh_instance *out);

/*
 * Walk a PDH multi-string ("a\0b\0\0"): from *pos, return the next non-empty
 * item in *item / *item_len and advance *pos.  Returns 1 for an item, 0 at
 * the end (an empty item, the double NUL, or len reached).  An unterminated
 * last item ends at len.
 */
int hmn__pdh_multistring_next(const char *buf, size_t len, size_t *pos, const char **item,
                              size_t *item_len);

/* Offset of the file name in a path: after the last '\\' or '/'. */
size_t hmn__path_basename(const char *buf, size_t len);

/*
 * UTF-16 (host-order code units, e.g. PROCESSENTRY32W.szExeFile) to UTF-8.
 * Stops at the first NUL unit or wlen; lone surrogates become U+FFFD.
 * Writes at most cap-1 bytes plus a NUL, never splitting a character;
 * returns HMN_OK, or HMN_ENOBUFS when the text did not fit (out holds the
 * part that did).
 */
int hmn__utf16_to_utf8(const uint16_t *w, size_t wlen, char *out, size_t cap);

/* Where a PDH row's process name came from (upstream's order). */
struct hmn__pdh_name_in {
    uint32_t pid;
    const char *image;       /* full image path, NULL when OpenProcess/Query failed */
    int snapshot_ok;         /* the listing's one Toolhelp32 snapshot succeeded */
    const char *exe_file;    /* szExeFile for pid in that snapshot, NULL when absent */
};
/*
 * PID 4 -> "[kernel]"; else the image basename; else szExeFile; else
 * "[exited]" when the snapshot worked but lacks the pid; else "[protected]".
 * Returns a pointer to a static string or into the inputs, and its length.
 */
const char *hmn__pdh_process_name(const struct hmn__pdh_name_in *in, size_t *len);

/* One "GPU Process Memory" instance as read: a pid's share on one phys_N. */
struct hmn__pdh_sample {
    uint32_t pid;
    int dedicated_ok; /* Dedicated Usage read and not negative */
    int shared_ok;    /* Shared Usage present and read */
    uint64_t dedicated, shared;
};
/* One listed process: the sums over its segments. */
struct hmn__pdh_row {
    uint32_t pid;
    int shared_ok; /* every summed segment had a Shared Usage */
    uint64_t dedicated, shared;
};
/*
 * Fold samples into one row per PID (first-seen order), summing segments
 * with saturation.  A segment without a readable dedicated figure is
 * dropped (upstream); a PID left with no segment at all is counted in
 * *unreadable instead of listed.  rows must hold n entries; returns the
 * row count.
 */
size_t hmn__pdh_fold(const struct hmn__pdh_sample *s, size_t n, struct hmn__pdh_row *rows,
                     uint32_t *unreadable);

#endif /* HMN_PARSE_PDH_NAMES_H */
