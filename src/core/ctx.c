/*
 * core/ctx.c - the context: options, lazily opened backends, error text.
 *
 * A long-lived context keeps every backend it opened (NVML initialised once,
 * /proc/self/statm kept open) until hmn_ctx_close().  A NULL context passed
 * to a public call becomes a temporary context that lives for that call only,
 * which gives upstream's one-shot semantics without a second code path.
 */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Message of the last failed NULL-context call, per thread. */
static _Thread_local char tls_errmsg[512];

/*
 * A path override into its field.  One that does not fit is refused rather
 * than cut (a cut HMN_PROCFS names another tree: every listing came back
 * empty without a word).
 */
static int copy_env(char *dst, size_t cap, const char *name, const char *dflt, char *err,
                    size_t errcap)
{
    const char *v = hmn__getenv(name);
    size_t n = hmn__strlcpy(dst, v ? v : dflt, cap);
    if (n < cap)
        return HMN_OK;
    hmn__snprintf(err, errcap, "%s is too long (%lu bytes; at most %lu)", name, (unsigned long)n,
                  (unsigned long)(cap - 1));
    return HMN_EINVAL;
}

static int64_t env_i64(const char *name, int64_t dflt)
{
    const char *v = hmn__getenv(name);
    uint64_t n;
    if (!v || hmn__parse_u64(v, strlen(v), &n) != HMN_OK || n > INT64_MAX)
        return dflt;
    return (int64_t)n;
}

/* HMN_SMI_TIMEOUT_MS: milliseconds >= 1, as HMN_OPT_SMI_TIMEOUT_MS; anything
 * else (0, negative, not a number, overflow) is refused, never ignored. */
static int env_timeout(hmn_ctx *ctx, char *err, size_t errcap)
{
    const char *v = hmn__getenv("HMN_SMI_TIMEOUT_MS");
    uint64_t n;
    ctx->smi_timeout_ms = 5000;
    if (!v)
        return HMN_OK;
    if (hmn__parse_u64(v, strlen(v), &n) != HMN_OK || n == 0 || n > INT64_MAX) {
        hmn__snprintf(err, errcap,
                      "HMN_SMI_TIMEOUT_MS=\"%.40s%s\" is invalid: expected a whole number of "
                      "milliseconds from 1 to 9223372036854775807",
                      v, strlen(v) > 40 ? "..." : "");
        return HMN_EINVAL;
    }
    ctx->smi_timeout_ms = (int64_t)n;
    return HMN_OK;
}

/* Every HMN_* override, checked; the first bad one is reported. */
static int read_env(hmn_ctx *ctx, char *err, size_t errcap)
{
    int rc = env_timeout(ctx, err, errcap);
    ctx->debug = env_i64("HMN_DEBUG", 0) != 0;
    if (rc == HMN_OK)
        rc = copy_env(ctx->procfs, sizeof(ctx->procfs), "HMN_PROCFS", "/proc", err, errcap);
    if (rc == HMN_OK)
        rc = copy_env(ctx->sysfs, sizeof(ctx->sysfs), "HMN_SYSFS", "/sys", err, errcap);
    if (rc == HMN_OK)
        rc = copy_env(ctx->nvml_path, sizeof(ctx->nvml_path), "HMN_NVML_LIBRARY", "", err,
                      errcap);
    if (rc == HMN_OK)
        rc = copy_env(ctx->smi_path, sizeof(ctx->smi_path), "HMN_NVIDIA_SMI", "", err, errcap);
    return rc;
}

int hmn_ctx_open(hmn_ctx **out)
{
    hmn_ctx *ctx;
    char err[sizeof(tls_errmsg)];
    int i, rc;
    if (!out)
        return HMN_EINVAL;
    *out = NULL;
    ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return HMN_ENOMEM;
    if (hmn__mutex_init(&ctx->lock) != HMN_OK) {
        free(ctx);
        return HMN_ENOMEM;
    }
    for (i = 0; i < HMN__BK_COUNT; i++)
        ctx->use[i] = 1;
    ctx->statm_fd = HMN__FD_NONE;
    ctx->page_size = hmn__page_size();
    rc = read_env(ctx, err, sizeof(err));
    if (rc != HMN_OK) {
        /* No context to carry the message: the thread's, as for NULL-context calls. */
        hmn__strlcpy(tls_errmsg, err, sizeof(tls_errmsg));
        hmn_ctx_close(ctx);
        return rc;
    }
    *out = ctx;
    return HMN_OK;
}

void hmn_ctx_close(hmn_ctx *ctx)
{
    int i;
    if (!ctx)
        return;
    /* Reverse order: fallbacks before the primary backends they fell back from. */
    for (i = HMN__BK_COUNT - 1; i >= 0; i--) {
        const struct hmn__backend *ops = hmn__backend_ops(i);
        if (ctx->bk[i].tried && ops && ops->close)
            ops->close(ctx, ctx->bk[i].state);
    }
    /* The RAM backend's /proc/self/statm, kept open for pread (ram_linux.c). */
    if (ctx->statm_fd != HMN__FD_NONE)
        hmn__fd_close(ctx->statm_fd);
    hmn__mutex_destroy(&ctx->lock);
    free(ctx);
}

int hmn_ctx_set_option(hmn_ctx *ctx, int option, int64_t value)
{
    int rc = HMN_OK, id;
    if (!ctx)
        return HMN_EINVAL;
    hmn__mutex_lock(&ctx->lock);
    switch (option) {
    case HMN_OPT_SMI_TIMEOUT_MS:
        if (value <= 0)
            rc = hmn__fail(ctx, HMN_EINVAL, "nvidia-smi timeout must be positive");
        else
            ctx->smi_timeout_ms = value;
        break;
    case HMN_OPT_DEBUG:
        ctx->debug = value != 0;
        break;
    default:
        /* HMN_OPT_USE_*: the registry row that the option switches. */
        id = hmn__backend_for_option(option);
        if (id < 0) {
            rc = hmn__fail(ctx, HMN_EINVAL, "unknown option %d", option);
            break;
        }
        ctx->use[id] = value != 0;
        ctx->devs.built = 0;
    }
    hmn__mutex_unlock(&ctx->lock);
    return rc;
}

const char *hmn_errmsg(const hmn_ctx *ctx)
{
    return ctx ? ctx->errmsg : tls_errmsg;
}

int hmn__vfail(hmn_ctx *ctx, int code, const char *fmt, va_list ap)
{
    if (ctx)
        vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
    return code;
}

int hmn__fail(hmn_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hmn__vfail(ctx, code, fmt, ap);
    va_end(ap);
    return code;
}

void hmn__debug(const hmn_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    if (!ctx || !ctx->debug)
        return;
    /* Opt-in diagnostics (HMN_DEBUG=1): the one place the library writes. */
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int hmn__backend_ready(hmn_ctx *ctx, int id)
{
    struct hmn__bk_slot *slot;
    const struct hmn__backend *ops;
    if (id < 0 || id >= HMN__BK_COUNT)
        return 0;
    slot = &ctx->bk[id];
    ops = hmn__backend_ops(id);
    if (!ops) {
        hmn__strlcpy(slot->reason, "not built into this library", sizeof(slot->reason));
        return 0;
    }
    if (!ctx->use[id]) {
        hmn__strlcpy(slot->reason, "disabled on this context", sizeof(slot->reason));
        return 0;
    }
    if (!slot->tried) {
        slot->tried = 1;
        slot->reason[0] = '\0';
        slot->rc = ops->open ? ops->open(ctx, &slot->state, slot->reason, sizeof(slot->reason))
                             : HMN_OK;
        hmn__debug(ctx, "[hmn debug] backend %s open -> %d (%s)", hmn__backend_desc(id)->name,
                   slot->rc, slot->reason);
    }
    return slot->rc == HMN_OK;
}

void *hmn__backend(hmn_ctx *ctx, int id)
{
    return hmn__backend_ready(ctx, id) ? ctx->bk[id].state : NULL;
}

int hmn__ctx_enter(hmn_ctx *ctx, hmn_ctx **use)
{
    int rc;
    if (ctx) {
        hmn__mutex_lock(&ctx->lock);
        ctx->call_seq++;
        *use = ctx;
        return HMN_OK;
    }
    rc = hmn_ctx_open(use);
    if (rc != HMN_OK) {
        /* An invalid HMN_* variable left its own message. */
        if (rc == HMN_ENOMEM)
            hmn__strlcpy(tls_errmsg, "cannot create a context: out of memory",
                         sizeof(tls_errmsg));
        return rc;
    }
    (*use)->temporary = 1;
    return HMN_OK;
}

int hmn__ctx_leave(hmn_ctx *use, int rc)
{
    if (!use->temporary) {
        hmn__mutex_unlock(&use->lock);
        return rc;
    }
    if (rc < 0)
        hmn__strlcpy(tls_errmsg, use->errmsg, sizeof(tls_errmsg));
    hmn_ctx_close(use);
    return rc;
}
