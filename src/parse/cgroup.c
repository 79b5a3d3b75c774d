/*
 * parse/cgroup.c - container, pod and systemd unit of a process from its
 * /proc/<pid>/cgroup text.  The shapes recognised, each seen in real files
 * (tests/data/cgroup/SOURCES.md):
 *
 *   docker      .../docker-<id>.scope (systemd driver), /docker/<id> (cgroupfs)
 *   containerd  .../cri-containerd-<id>.scope, "<slice>:cri-containerd:<id>"
 *   CRI-O       .../crio-<id>.scope, .../crio-conmon-<id>.scope
 *   podman      .../libpod-<id>.scope[/container], libpod-conmon-<id>.scope
 *   Kubernetes  kubepods[-<qos>]-pod<uid>.slice (systemd driver, '_' for '-'),
 *               /kubepods[/<qos>]/pod<uid>/<id> (cgroupfs driver)
 *   systemd     the deepest *.service / *.scope component, and its *.slice
 *
 * <id> is 64 hex digits.  A bare 64-hex component is a container whose
 * runtime the path does not name (cgroupfs Kubernetes, ECS, ...), except
 * under "docker" or "libpod_parent".  When several lines disagree the
 * unified line wins, then systemd's own v1 hierarchy, then the first v1
 * line with something to say: in hybrid systems a cgroupfs-driven docker
 * puts its containers in the v1 hierarchies only (the unified line then
 * names containerd.service, which is not where the process runs).
 */
#include "cgroup.h"
#include "util.h"

#include <string.h>

#define ID_LEN 64

/* What one line's path says. */
struct cg_path {
    int has_container, has_pod, has_unit, has_slice;
    uint32_t runtime, qos;
    int container_depth;
    char container_id[ID_LEN + 1];
    char pod_uid[37];
    char unit[256];
    char slice[256];
    /* While walking: the deepest slice so far, and the slices above the unit and the container. */
    const char *last_slice, *unit_slice, *container_slice, *container_unit;
    size_t last_slice_len, unit_slice_len, container_slice_len, container_unit_len;
};

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int all_hex(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!is_hex(s[i]))
            return 0;
    return 1;
}

static int has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static int has_prefix(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && memcmp(s, pre, k) == 0;
}

static int contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Characters systemd allows in unit names ('\' for its \x2d escapes). */
static int unit_name_ok(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || n > 255)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ':' || c == '_' || c == '.' || c == '-' || c == '@' || c == '\\'))
            return 0;
    }
    return 1;
}

static void copy_n(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A pod UID: 32 hex digits, or a UUID whose separators are '-' or '_'. */
static int take_uid(const char *s, size_t n, char *out)
{
    static const size_t dash_at[] = {8, 13, 18, 23};
    size_t i, k = 0;
    if (n == 32 && all_hex(s, n)) {
        copy_n(out, 37, s, n);
        return 1;
    }
    if (n != 36)
        return 0;
    for (i = 0; i < n; i++) {
        if (k < 4 && i == dash_at[k]) {
            if (s[i] != '-' && s[i] != '_')
                return 0;
            k++;
        } else if (!is_hex(s[i])) {
            return 0;
        }
    }
    for (i = 0; i < n; i++)
        out[i] = s[i] == '_' ? '-' : s[i];
    out[n] = '\0';
    return 1;
}

static void set_container(struct cg_path *p, uint32_t runtime, const char *id, int depth)
{
    if (p->has_container && depth < p->container_depth)
        return; /* the deepest container wins (kind, minikube: containers in a container) */
    p->has_container = 1;
    p->runtime = runtime;
    p->container_depth = depth;
    copy_n(p->container_id, sizeof(p->container_id), id, ID_LEN);
    p->container_slice = p->last_slice;
    p->container_slice_len = p->last_slice_len;
    p->container_unit = NULL;
    p->container_unit_len = 0;
}

/* "<prefix><64 hex>.scope" for the runtimes' systemd scopes. */
static int scope_container(struct cg_path *p, const char *c, size_t n, int depth)
{
    static const struct {
        const char *prefix;
        uint32_t runtime;
    } scopes[] = {{"docker-", HMN_RUNTIME_DOCKER},   {"cri-containerd-", HMN_RUNTIME_CONTAINERD},
                  {"crio-conmon-", HMN_RUNTIME_CRIO}, {"crio-", HMN_RUNTIME_CRIO},
                  {"libpod-conmon-", HMN_RUNTIME_PODMAN}, {"libpod-", HMN_RUNTIME_PODMAN}};
    size_t i, k;
    if (!has_suffix(c, n, ".scope"))
        return 0;
    for (i = 0; i < HMN__ARRAY_LEN(scopes); i++) {
        k = strlen(scopes[i].prefix);
        if (has_prefix(c, n, scopes[i].prefix) && n == k + ID_LEN + 6 && all_hex(c + k, ID_LEN)) {
            set_container(p, scopes[i].runtime, c + k, depth);
            if (p->container_depth == depth) {
                p->container_unit = c;
                p->container_unit_len = n;
            }
            return 1;
        }
    }
    return 0;
}

/* containerd and runc's systemd path notation "<slice>:<prefix>:<id>". */
static int colon_container(struct cg_path *p, const char *c, size_t n, int depth)
{
    static const struct {
        const char *prefix;
        uint32_t runtime;
    } names[] = {{"cri-containerd", HMN_RUNTIME_CONTAINERD},
                 {"docker", HMN_RUNTIME_DOCKER},
                 {"crio", HMN_RUNTIME_CRIO},
                 {"libpod", HMN_RUNTIME_PODMAN}};
    const char *a = memchr(c, ':', n), *b;
    size_t i, plen;
    if (!a)
        return 0;
    b = memchr(a + 1, ':', n - (size_t)(a + 1 - c));
    if (!b || (size_t)(c + n - (b + 1)) != ID_LEN || !all_hex(b + 1, ID_LEN))
        return 0;
    plen = (size_t)(b - (a + 1));
    for (i = 0; i < HMN__ARRAY_LEN(names); i++) {
        if (plen == strlen(names[i].prefix) && memcmp(a + 1, names[i].prefix, plen) == 0) {
            set_container(p, names[i].runtime, b + 1, depth);
            if (p->container_depth == depth && has_suffix(c, (size_t)(a - c), ".slice") &&
                unit_name_ok(c, (size_t)(a - c))) {
                p->container_slice = c; /* the "<slice>" part is where systemd put it */
                p->container_slice_len = (size_t)(a - c);
            }
            return 1;
        }
    }
    return 0;
}

/* Kubernetes: pod UID and QoS class from one component below "kubepods". */
static void kube_component(struct cg_path *p, const char *c, size_t n)
{
    const char *s = c;
    size_t len = n;
    if (has_suffix(c, n, ".slice")) {
        /* kubepods-burstable-pod<uid>.slice, kubelet-kubepods-pod<uid>.slice */
        size_t i;
        len = n - 6;
        for (i = len; i >= 4; i--)
            if (memcmp(c + i - 4, "-pod", 4) == 0)
                break;
        if (i < 4)
            s = NULL;
        else {
            s = c + i;
            len -= i;
        }
    } else if (has_prefix(c, n, "pod")) {
        s = c + 3; /* cgroupfs: pod<uid> */
        len = n - 3;
    } else {
        s = NULL;
    }
    if (s && take_uid(s, len, p->pod_uid))
        p->has_pod = 1;
    if (contains(c, n, "burstable"))
        p->qos = HMN_QOS_BURSTABLE;
    else if (contains(c, n, "besteffort"))
        p->qos = HMN_QOS_BESTEFFORT;
}

/* One path component at depth `depth`; parent is the previous component. */
static void component(struct cg_path *p, const char *c, size_t n, const char *parent,
                      size_t pn, int depth, int below_kubepods)
{
    const char *colon = memchr(c, ':', n);
    size_t kn = colon ? (size_t)(colon - c) : n; /* "<slice>:<prefix>:<id>": the slice part */
    if (below_kubepods || contains(c, kn, "kubepods"))
        kube_component(p, c, kn);
    if (!scope_container(p, c, n, depth) && !colon_container(p, c, n, depth)) {
        if (n == ID_LEN && all_hex(c, n))
            set_container(p,
                          pn == 6 && memcmp(parent, "docker", 6) == 0 ? HMN_RUNTIME_DOCKER
                          : pn == 13 && memcmp(parent, "libpod_parent", 13) == 0
                              ? HMN_RUNTIME_PODMAN
                              : HMN_RUNTIME_UNKNOWN,
                          c, depth);
        else if (n == 7 + ID_LEN && has_prefix(c, n, "libpod-") && all_hex(c + 7, ID_LEN))
            set_container(p, HMN_RUNTIME_PODMAN, c + 7, depth); /* podman, cgroupfs manager */
    }
    if ((has_suffix(c, n, ".service") || has_suffix(c, n, ".scope")) && unit_name_ok(c, n)) {
        p->has_unit = 1; /* deeper units win: a session scope inside user-1000.slice */
        copy_n(p->unit, sizeof(p->unit), c, n);
        p->unit_slice = p->last_slice;
        p->unit_slice_len = p->last_slice_len;
    } else if (has_suffix(c, n, ".slice") && unit_name_ok(c, n)) {
        p->last_slice = c;
        p->last_slice_len = n;
    }
}

static void analyse_path(struct cg_path *p, const char *path, size_t n)
{
    size_t i = 0, pn = 0;
    const char *parent = "";
    int depth = 0, kube = 0;
    memset(p, 0, sizeof(*p));
    while (i < n) {
        size_t start;
        while (i < n && path[i] == '/')
            i++;
        start = i;
        while (i < n && path[i] != '/')
            i++;
        if (i == start)
            break;
        component(p, path + start, i - start, parent, pn, depth, kube);
        if (contains(path + start, i - start, "kubepods"))
            kube = 1;
        parent = path + start;
        pn = i - start;
        depth++;
    }
    /* A pod directly under kubepods (no burstable/besteffort level) is guaranteed. */
    if (p->has_pod && p->qos == HMN_QOS_UNKNOWN)
        p->qos = HMN_QOS_GUARANTEED;
    /* A container's unit is its own scope: a unit above it (containerd.service)
     * only hosts the container's cgroup, one below it (the init.scope of a
     * systemd inside the container) is the container's business. */
    if (p->has_container) {
        p->has_unit = p->container_unit != NULL;
        if (p->has_unit)
            copy_n(p->unit, sizeof(p->unit), p->container_unit, p->container_unit_len);
        p->unit_slice = p->container_slice;
        p->unit_slice_len = p->container_slice_len;
    }
    /* The slice is the one holding the unit; without a unit, the deepest one. */
    if (p->has_unit || p->has_container) {
        if (p->unit_slice)
            copy_n(p->slice, sizeof(p->slice), p->unit_slice, p->unit_slice_len);
        p->has_slice = p->unit_slice != NULL;
    } else if (p->last_slice) {
        copy_n(p->slice, sizeof(p->slice), p->last_slice, p->last_slice_len);
        p->has_slice = 1;
    }
}

static int p_says_something(const struct cg_path *p)
{
    return p->has_container || p->has_pod || p->has_unit || p->has_slice;
}

/* Split "N:controllers:/path"; 0 when malformed. */
static int split_line(const char *line, size_t n, int *unified, int *systemd, const char **path,
                      size_t *plen)
{
    const char *a = memchr(line, ':', n), *b;
    size_t i;
    if (!a || a == line)
        return 0;
    for (i = 0; line + i < a; i++)
        if (line[i] < '0' || line[i] > '9')
            return 0;
    b = memchr(a + 1, ':', n - (size_t)(a + 1 - line));
    if (!b || b + 1 >= line + n || b[1] != '/')
        return 0;
    *unified = (b == a + 1) && (a - line == 1) && line[0] == '0';
    *systemd = (size_t)(b - (a + 1)) == 12 && memcmp(a + 1, "name=systemd", 12) == 0;
    *path = b + 1;
    *plen = (size_t)(line + n - (b + 1));
    return 1;
}

/* Priority of a line's answer: unified 3, systemd's hierarchy 2, other v1 1. */
static void take(struct hmn__cgroup_info *out, const struct cg_path *p)
{
    if (p->has_container) {
        out->valid |= HMN_OWNER_HAS_CONTAINER;
        out->runtime = p->runtime;
        hmn__strlcpy(out->container_id, p->container_id, sizeof(out->container_id));
    }
    if (p->has_pod) {
        out->valid |= HMN_OWNER_HAS_POD | HMN_OWNER_HAS_QOS;
        out->qos = p->qos;
        hmn__strlcpy(out->pod_uid, p->pod_uid, sizeof(out->pod_uid));
    }
    if (p->has_unit) {
        out->valid |= HMN_OWNER_HAS_UNIT;
        hmn__strlcpy(out->unit, p->unit, sizeof(out->unit));
    }
    if (p->has_slice) {
        out->valid |= HMN_OWNER_HAS_SLICE;
        hmn__strlcpy(out->slice, p->slice, sizeof(out->slice));
    }
}

int hmn__parse_cgroup(const char *buf, size_t len, struct hmn__cgroup_info *out)
{
    struct cg_path best, cur;
    size_t pos = 0;
    int best_rank = 0, lines = 0, unified_lines = 0, v1_lines = 0;
    memset(out, 0, sizeof(*out));
    memset(&best, 0, sizeof(best));
    while (pos < len) {
        const char *line = buf + pos, *nl = memchr(line, '\n', len - pos), *path;
        size_t n = nl ? (size_t)(nl - line) : len - pos, plen;
        int unified, systemd, rank;
        pos += n + 1;
        if (n == 0 && pos >= len)
            break; /* the newline ending the file */
        if (!split_line(line, n, &unified, &systemd, &path, &plen))
            return HMN_EPARSE;
        lines++;
        if (unified && ++unified_lines > 1)
            return HMN_EPARSE;
        if (!unified)
            v1_lines++;
        analyse_path(&cur, path, plen);
        if (!p_says_something(&cur))
            continue;
        rank = unified ? 3 : systemd ? 2 : 1;
        /* A container anywhere beats a higher line that knows only a unit. */
        if (best_rank == 0 || (cur.has_container && !best.has_container) ||
            (rank > best_rank && cur.has_container == best.has_container)) {
            best = cur;
            best_rank = rank;
        }
    }
    if (lines == 0)
        return HMN_EPARSE;
    out->version = unified_lines && v1_lines ? 3u : unified_lines ? 2u : 1u;
    out->valid |= HMN_OWNER_HAS_CGROUP;
    if (best_rank)
        take(out, &best);
    return HMN_OK;
}
