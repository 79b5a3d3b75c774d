/*
 * cli/run_parse.c - the text `hmn run` reads from cgroup files and /proc,
 * parsed without I/O (fuzz/fuzz_run_parse.c), and the OOM verdict drawn
 * from what was read.  Every function takes a buffer and its length and
 * never reads past it: a file may be cut anywhere or hold anything.
 */
#include "run.h"

#include <signal.h>
#include <string.h>

/* The line starting at buf[*pos]: its start and length; *pos moves past its '\n'. */
static int next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
    const char *nl;
    if (*pos >= len)
        return 0;
    *line = buf + *pos;
    nl = memchr(*line, '\n', len - *pos);
    *n = nl ? (size_t)(nl - *line) : len - *pos;
    *pos += *n + (nl ? 1 : 0);
    return 1;
}

int run_parse_kv(const char *buf, size_t len, const char *key, uint64_t *out)
{
    size_t pos = 0, n, klen = strlen(key);
    const char *line;
    if (!buf || klen == 0)
        return -1;
    while (next_line(buf, len, &pos, &line, &n)) {
        if (n <= klen + 1 || memcmp(line, key, klen) != 0 || line[klen] != ' ')
            continue;
        return parse_u64_n(line + klen + 1, n - klen - 1, out);
    }
    return -1;
}

int run_parse_u64_file(const char *buf, size_t len, uint64_t *out)
{
    if (!buf)
        return -1;
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    return parse_u64_n(buf, len, out);
}

/* 1 when the comma-separated list s (n bytes) holds word. */
static int list_has(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word), i = 0;
    while (i <= n) {
        const char *c = memchr(s + i, ',', n - i);
        size_t end = c ? (size_t)(c - s) : n;
        if (end - i == wl && memcmp(s + i, word, wl) == 0)
            return 1;
        if (!c)
            break;
        i = end + 1;
    }
    return 0;
}

static int copy_path(const char *s, size_t n, char *out, size_t cap)
{
    if (n == 0 || s[0] != '/' || n >= cap || memchr(s, '\0', n))
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

int run_parse_self_cgroup(const char *buf, size_t len, int version, char *out, size_t cap)
{
    size_t pos = 0, n;
    const char *line;
    if (!buf || !out || cap == 0)
        return -1;
    while (next_line(buf, len, &pos, &line, &n)) {
        const char *c1 = memchr(line, ':', n), *c2;
        if (!c1)
            continue;
        c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - line));
        if (!c2)
            continue;
        if (version == 2 ? (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1)
                         : list_has(c1 + 1, (size_t)(c2 - c1 - 1), "memory"))
            return copy_path(c2 + 1, n - (size_t)(c2 + 1 - line), out, cap);
    }
    return -1;
}

/* Field k (0-based, space separated) of a line; 0 when present. */
static int field(const char *line, size_t n, int k, const char **f, size_t *fl)
{
    size_t i = 0;
    int cur = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && line[i] != ' ')
            i++;
        if (cur == k) {
            *f = line + start;
            *fl = i - start;
            return 0;
        }
        cur++;
        i++; /* the space */
    }
    return -1;
}

/* mountinfo's escapes (\040 space, \011 tab, \012 newline, \134 backslash) decoded. */
static int unescape_path(const char *s, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        }
        if (c == '\0' || o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return o > 0 && out[0] == '/' ? 0 : -1;
}

/*
 * One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS".
 * The mount point is field 4; the fields after " - " name the filesystem.
 */
static int mount_matches(const char *line, size_t n, int version, const char **mp, size_t *mpl)
{
    const char *fs, *sopt, *sep = NULL, *src;
    size_t fsl, sol, srcl, i;
    for (i = 0; i + 2 < n; i++)
        if (line[i] == ' ' && line[i + 1] == '-' && line[i + 2] == ' ') {
            sep = line + i + 3;
            break;
        }
    if (!sep || field(line, n, 4, mp, mpl) != 0 || (size_t)(*mp - line) + *mpl > (size_t)(sep - line))
        return 0;
    n -= (size_t)(sep - line);
    if (field(sep, n, 0, &fs, &fsl) != 0 || field(sep, n, 1, &src, &srcl) != 0 ||
        field(sep, n, 2, &sopt, &sol) != 0)
        return 0;
    if (version == 2)
        return fsl == 7 && memcmp(fs, "cgroup2", 7) == 0;
    return fsl == 6 && memcmp(fs, "cgroup", 6) == 0 && list_has(sopt, sol, "memory");
}

int run_parse_cgroup_mount(const char *buf, size_t len, int version, char *out, size_t cap)
{
    size_t pos = 0, n, mpl;
    const char *line, *mp;
    if (!buf || !out || cap == 0)
        return -1;
    while (next_line(buf, len, &pos, &line, &n))
        if (mount_matches(line, n, version, &mp, &mpl))
            return unescape_path(mp, mpl, out, cap);
    return -1;
}

/* ---------------------------------------------------------------- verdict */

const char *run_verdict_name(int verdict)
{
    switch (verdict) {
    case RUN_OOM_NONE: return "none";
    case RUN_OOM_KERNEL: return "kernel-oom-kill";
    case RUN_OOM_SIGNAL: return "signal";
    default: return "unknown";
    }
}

const char *run_signal_name(char *buf, size_t cap, int sig)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {{SIGINT, "SIGINT"},   {SIGILL, "SIGILL"},   {SIGABRT, "SIGABRT"},
                 {SIGFPE, "SIGFPE"},   {SIGSEGV, "SIGSEGV"}, {SIGTERM, "SIGTERM"},
#ifdef SIGKILL
                 {SIGKILL, "SIGKILL"}, {SIGHUP, "SIGHUP"},   {SIGQUIT, "SIGQUIT"},
                 {SIGBUS, "SIGBUS"},   {SIGPIPE, "SIGPIPE"}, {SIGUSR1, "SIGUSR1"},
                 {SIGUSR2, "SIGUSR2"}, {SIGALRM, "SIGALRM"}, {SIGXCPU, "SIGXCPU"},
#endif
    };
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].sig == sig) {
            snprintf(buf, cap, "%s", names[i].name);
            return buf;
        }
    snprintf(buf, cap, "signal %d", sig);
    return buf;
}

/*
 * The kernel's own count comes first: an OOM kill in the run's cgroup is
 * the tree's, whatever CMD's status says (a worker may have been the
 * victim).  Without a cgroup, a host-wide count that rose during a run
 * whose CMD died of SIGKILL is said to be host-wide: it may have been
 * another process's.  Nothing seen, nothing claimed.
 */
int run_oom_verdict(const struct run_oom_input *in, char *detail, size_t cap)
{
    char sn[32];
    int sigkill = 9;
#ifdef SIGKILL
    sigkill = SIGKILL;
#endif
    if (in->cgroup_known && in->cgroup_kills > 0) {
        snprintf(detail, cap, "the kernel OOM killer killed %llu process(es) of the run (cgroup %s oom_kill)",
                 (unsigned long long)in->cgroup_kills, in->cgroup_file ? in->cgroup_file : "");
        return RUN_OOM_KERNEL;
    }
    if (in->signal == 0) {
        snprintf(detail, cap, "%s", in->cgroup_known ? "no OOM kill in the run's cgroup"
                                                     : "the command exited by itself");
        return RUN_OOM_NONE;
    }
    if (in->signal != sigkill) {
        snprintf(detail, cap, "killed by %s (not the OOM killer's signal)",
                 run_signal_name(sn, sizeof(sn), in->signal));
        return RUN_OOM_SIGNAL;
    }
    if (in->cgroup_known) {
        snprintf(detail, cap, "killed by SIGKILL; no OOM kill in the run's cgroup (%s oom_kill 0)",
                 in->cgroup_file ? in->cgroup_file : "");
        return RUN_OOM_SIGNAL;
    }
    if (in->host_known && in->host_after > in->host_before) {
        snprintf(detail, cap,
                 "killed by SIGKILL while the host-wide OOM kill count rose by %llu "
                 "(/proc/vmstat oom_kill; no cgroup of the run, so the victim may be another process's)",
                 (unsigned long long)(in->host_after - in->host_before));
        return RUN_OOM_KERNEL;
    }
    if (in->host_known) {
        snprintf(detail, cap, "killed by SIGKILL; no OOM kill on the host during the run (/proc/vmstat oom_kill)");
        return RUN_OOM_SIGNAL;
    }
    snprintf(detail, cap, "killed by SIGKILL; no OOM-kill count could be read (no cgroup, no /proc/vmstat)");
    return RUN_OOM_UNKNOWN;
}
