/*
 * parse/cgroup.h - who owns a process, from the text of /proc/<pid>/cgroup.
 *
 * Pure: a buffer and a length in, no I/O, never reads past len.  Both
 * shapes of the file are understood, and their mix:
 *   v1      "N:controller[,controller...]:/path" per hierarchy,
 *           ("N:name=systemd:/path" for systemd's own hierarchy)
 *   v2      "0::/path" (one line, the unified hierarchy)
 *   hybrid  v1 lines plus the "0::/path" line
 * From the path it extracts what container runtimes, the kubelet and
 * systemd write there; docs/explain.md lists the shapes recognised.
 */
#ifndef HMN_PARSE_CGROUP_H
#define HMN_PARSE_CGROUP_H

#include "hypomnesis.h"

#include <stddef.h>
#include <stdint.h>

/* What one cgroup file says.  `valid` uses the HMN_OWNER_HAS_* bits. */
struct hmn__cgroup_info {
    uint64_t valid;         /* HMN_OWNER_HAS_CONTAINER/POD/QOS/UNIT/SLICE/CGROUP */
    uint32_t runtime;       /* enum hmn_runtime (UNKNOWN for a bare 64-hex id) */
    uint32_t qos;           /* enum hmn_pod_qos */
    uint32_t version;       /* 1 (v1 only), 2 (unified only), 3 (hybrid) */
    char container_id[80];  /* 64 hex digits */
    char pod_uid[48];       /* UUID with dashes, or the 32 hex of a static pod */
    char unit[256];         /* systemd unit ("ollama.service", "docker-<id>.scope") */
    char slice[256];        /* the slice holding it ("system.slice", "user-1000.slice") */
};

/*
 * Parse a whole cgroup file into *out (zeroed first).  HMN_OK when every
 * line is well formed and there is at least one; HMN_EPARSE otherwise,
 * also for a second "0::" line (the unified hierarchy has exactly one, so a
 * second can only come from a cgroup name with a newline in it).  A
 * truncated last line is the caller's to cut off.
 */
int hmn__parse_cgroup(const char *buf, size_t len, struct hmn__cgroup_info *out);

#endif /* HMN_PARSE_CGROUP_H */
