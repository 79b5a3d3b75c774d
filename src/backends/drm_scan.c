/*
 * backends/drm_scan.c - the DRM backend's sweep over <procfs>: for every
 * process, every fd that is a DRM (or accel) device node, its fdinfo parsed
 * by parse/drm.c and mapped to a card by drm-pdev (or the driver, for a
 * platform device).  Vanished processes and fds are normal; fds we may not
 * read make the process "unreadable" (counted, never guessed at).
 */
#include "backends/drm.h"
#include "common/grow.h"

#include <stdlib.h>
#include <string.h>

#define DRM_MAJOR 226u   /* /dev/dri/card*, renderD* */
#define ACCEL_MAJOR 261u /* /dev/accel/accel* (compute accelerators) */
#define FDINFO_CAP 16384 /* fdinfo of a DRM client is 1-3 KiB; keep room for new keys */

/* Scratch of one pass over /proc. */
struct scan_ctx {
    hmn_ctx *ctx;
    const struct drm_state *st;
    struct drm_scan *out;
    char *buf; /* FDINFO_CAP bytes */
    uint32_t pid;
    size_t pid_first; /* first hold of the current pid */
    int pid_unreadable;
    int failed;       /* HMN_ENOMEM */
};

static int parse_pid(const char *name, uint32_t *pid)
{
    uint64_t v;
    if (hmn__parse_u64(name, strlen(name), &v) != HMN_OK || v == 0 || v > UINT32_MAX)
        return HMN_EPARSE;
    *pid = (uint32_t)v;
    return HMN_OK;
}

/* 1 when fd `name` of the current process, linking to target, is a DRM (or accel) device node. */
static int is_drm_fd(const struct scan_ctx *s, const char *name, const char *target)
{
    char link[600];
    unsigned maj, min;
    if (strncmp(target, "/dev/dri/", 9) == 0 || strncmp(target, "/dev/accel/", 11) == 0)
        return 1;
    /* Device nodes mounted elsewhere: only a /dev path can be one worth a stat. */
    if (strncmp(target, "/dev/", 5) != 0 || strncmp(target, "/dev/pts/", 9) == 0 ||
        strcmp(target, "/dev/null") == 0)
        return 0;
    return hmn__path(link, sizeof(link), s->ctx->procfs, "/%u/fd/%s", s->pid, name) == HMN_OK &&
           hmn__char_dev(link, &maj, &min) == HMN_OK && (maj == DRM_MAJOR || maj == ACCEL_MAJOR);
}

static int card_for(const struct drm_state *st, const struct hmn__drm_client *c)
{
    uint32_t i;
    for (i = 0; i < st->n; i++) {
        const struct drm_card *k = &st->card[i];
        if (c->pdev[0] ? strcmp(k->pci, c->pdev) == 0
                       : (!k->pci[0] && k->driver[0] && strcmp(k->driver, c->driver) == 0))
            return (int)i;
    }
    return -1;
}

/* The same client through a second fd of this process (dup, SCM_RIGHTS to self). */
static int seen_in_pid(const struct scan_ctx *s, uint32_t card, const struct hmn__drm_client *c)
{
    size_t i;
    if (!c->has_client_id)
        return 0;
    for (i = s->pid_first; i < s->out->n; i++)
        if (s->out->h[i].card == card && s->out->h[i].has_id &&
            s->out->h[i].client_id == c->client_id)
            return 1;
    return 0;
}

static void add_hold(struct scan_ctx *s, uint32_t card, const struct hmn__drm_client *c)
{
    struct drm_scan *o = s->out;
    struct drm_hold *h;
    const uint64_t *reg;
    if (o->n == o->cap) {
        struct drm_hold *v = hmn__grow(o->h, &o->cap, o->n + 1, sizeof(*v), 32);
        if (!v) {
            s->failed = HMN_ENOMEM;
            return;
        }
        o->h = v;
    }
    h = &o->h[o->n++];
    memset(h, 0, sizeof(*h));
    h->pid = s->pid;
    h->card = card;
    h->client_id = c->client_id;
    h->has_id = c->has_client_id;
    reg = hmn__drm_client_regions(c, &h->seen);
    memcpy(h->region, reg, sizeof(h->region));
}

/* One fdinfo: parse, map to a card, keep it unless this process already has it. */
static void take_fdinfo(struct scan_ctx *s, const char *fd)
{
    struct hmn__drm_client c;
    char path[600];
    size_t len;
    int rc, card;
    if (hmn__path(path, sizeof(path), s->ctx->procfs, "/%u/fdinfo/%s", s->pid, fd) != HMN_OK)
        return;
    rc = hmn__read_file(path, s->buf, FDINFO_CAP, &len, NULL);
    if (rc != HMN_OK) {
        /* ENOENT: the fd was closed or the process exited meanwhile - normal. */
        if (rc != HMN_ENOENT)
            s->pid_unreadable = 1;
        return;
    }
    (void)hmn__parse_drm_fdinfo(s->buf, len, &c);
    s->out->bad_values += c.bad_values;
    s->out->unknown_keys += c.unknown_keys;
    if (!c.is_drm)
        return;
    card = card_for(s->st, &c);
    if (card < 0) {
        s->out->unmatched++;
        return;
    }
    if (!c.has_client_id)
        s->out->no_id++;
    if (!seen_in_pid(s, (uint32_t)card, &c))
        add_hold(s, (uint32_t)card, &c);
}

/* One fd of the process; its link target was read relative to the fd directory. */
static int on_fd(void *arg, const char *name, const char *target, int rc)
{
    struct scan_ctx *s = arg;
    if (rc != HMN_OK) {
        if (rc != HMN_ENOENT)
            s->pid_unreadable = 1;
        return 0;
    }
    /* Sockets, pipes and files are never DRM: their fdinfo is not even read. */
    if (!is_drm_fd(s, name, target))
        return 0;
    s->out->drm_fds++;
    take_fdinfo(s, name);
    return s->failed ? HMN_ENOMEM : 0;
}

/* The current PID could not be read: counted and named, never guessed at. */
static void note_unreadable(struct scan_ctx *s)
{
    struct drm_scan *o = s->out;
    if (o->unreadable == o->unreadable_cap) {
        uint32_t *v = hmn__grow(o->unreadable_pid, &o->unreadable_cap, (size_t)o->unreadable + 1,
                                sizeof(*v), 16);
        if (!v) {
            s->failed = HMN_ENOMEM;
            return;
        }
        o->unreadable_pid = v;
    }
    o->unreadable_pid[o->unreadable++] = s->pid;
}

/* Kernel threads (empty cmdline) own no fds: no need to report them unreadable. */
static int is_kernel_thread(const struct scan_ctx *s)
{
    char path[600], buf[8];
    size_t len;
    if (hmn__path(path, sizeof(path), s->ctx->procfs, "/%u/cmdline", s->pid) != HMN_OK ||
        hmn__read_file(path, buf, sizeof(buf), &len, NULL) != HMN_OK)
        return 1; /* gone, or not even that is readable: nothing to count */
    return len == 0;
}

static void scan_pid(struct scan_ctx *s, uint32_t pid)
{
    char path[600];
    int rc;
    s->pid = pid;
    s->pid_first = s->out->n;
    s->pid_unreadable = 0;
    if (hmn__path(path, sizeof(path), s->ctx->procfs, "/%u/fd", pid) != HMN_OK)
        return;
    rc = hmn__list_links(path, on_fd, s);
    if (rc == HMN_ENOMEM)
        s->failed = HMN_ENOMEM;
    else if (rc != HMN_OK && rc != HMN_ENOENT)
        s->pid_unreadable = !is_kernel_thread(s);
    if (s->pid_unreadable)
        note_unreadable(s);
}

static int on_pid(void *arg, const char *name)
{
    struct scan_ctx *s = arg;
    uint32_t pid;
    if (parse_pid(name, &pid) != HMN_OK)
        return 0;
    scan_pid(s, pid);
    return s->failed ? HMN_ENOMEM : 0;
}

void hmn__drm_scan_free(struct drm_scan *d)
{
    free(d->h);
    free(d->unreadable_pid);
    memset(d, 0, sizeof(*d));
}

int hmn__drm_scan(hmn_ctx *ctx, const struct drm_state *st, uint32_t only_pid,
                  struct drm_scan *out)
{
    struct scan_ctx s;
    char path[600];
    int rc;
    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    s.ctx = ctx;
    s.st = st;
    s.out = out;
    s.buf = malloc(FDINFO_CAP);
    if (!s.buf)
        return hmn__fail(ctx, HMN_ENOMEM, "out of memory scanning DRM clients");
    hmn__strlcpy(path, ctx->procfs, sizeof(path));
    rc = HMN_OK;
    if (only_pid)
        scan_pid(&s, only_pid);
    else
        rc = hmn__list_dir(path, on_pid, &s);
    free(s.buf);
    if (rc == HMN_OK && s.failed)
        rc = s.failed;
    if (rc != HMN_OK) {
        hmn__drm_scan_free(out);
        return hmn__fail(ctx, rc, "%s: cannot list processes (%s)", path, hmn_strerror(rc));
    }
    hmn__debug(ctx,
               "[hmn debug] drm scan: %zu clients, %u DRM fds, %u unreadable, %u bad values, "
               "%u unknown keys, %u unmatched pdev, %u without client id",
               out->n, out->drm_fds, out->unreadable, out->bad_values, out->unknown_keys,
               out->unmatched, out->no_id);
    return HMN_OK;
}
