/*
 * cli/cmd_explain.c - `hmn explain`: where a device's used memory is.
 *
 * One block per device, and one per MIG GPU instance: used (and reserved,
 * which is apart from used), one row per process with its owner, and the
 * unattributed remainder no listed process holds, with its likely causes.
 * The arithmetic is the library's (hmn_memory_account_rows); the MiB a
 * block prints are rounded so that they add up exactly to the printed used
 * figure (apportion_mib); --json carries the exact bytes.
 */
#include "cli.h"
#include "grow.h" /* src/common/ */

#include <stdlib.h>
#include <string.h>

#define MIB 1048576ull
#define MAX_CAUSES 8

enum { O_DEVICE, O_JSON, O_COUNT };

static const struct cli_opt explain_opts[O_COUNT] = {
    {"--device", 0, "INDEX", 0},
    {"--json", 0, NULL, 0},
};

static const struct cli_cmd explain_cmd = {"hmn explain [OPTIONS]", explain_opts, O_COUNT,
                                           NULL, 0, 0, 0};

static const char explain_help[] =
    "Where a GPU's used memory is: each process's part, and what no process accounts for\n"
    "\n"
    "Usage: hmn explain [OPTIONS]\n"
    "\n"
    "Options:\n"
    "      --device <INDEX>  Only this device (default: every device)\n"
    "      --json            One JSON array on stdout, in exact bytes\n"
    "  -h, --help            Print help\n"
    "\n"
    "Each device, and each MIG GPU instance, is one block: used memory (reserved\n"
    "memory is apart from it), one row per process (its compute, graphics and MPS\n"
    "contexts are one row), and the unattributed part that no listed process holds,\n"
    "with its likely causes.  A block's MiB add up exactly to its used figure: each\n"
    "part is rounded so that they do (--json has exact bytes).  USER is the process's\n"
    "user (its uid when the name is unknown); WHERE is its Kubernetes pod, container\n"
    "or systemd unit, from /proc/<pid>/cgroup.  Processes of another PID namespace\n"
    "are kept, marked [other namespace].\n"
    "\n"
    "Examples:\n"
    "  hmn explain\n"
    "  hmn explain --device 0 --json | jq '.[0].unattributed_bytes'\n"
    "\n"
    "Exit status: 0 explained (also with no GPU); 2 usage error, or --device failed.\n"
    "\n"
    "Limitations: owners (USER, WHERE) are read from /proc on Linux only.\n";

struct xrow {
    hmn_gpu_process p;
    hmn_process_owner o;
    uint64_t bytes; /* what the row contributes (hmn_process_attributed_bytes) */
    int known;
};

struct block {
    uint32_t index;
    int mig_index;    /* -1: the whole device */
    uint32_t gi;      /* HMN_ANY_GPU_INSTANCE for the whole device */
    int mig_on;       /* whole device with MIG instances below it */
    char name[96], uuid[96];
    int used_known, reserved_known;
    uint64_t used, reserved;
    int memory_api, source;
    int listed;       /* the process list was read */
    char list_error[256];
    struct xrow *rows;
    size_t nrows;
    uint32_t unreadable;
    uint32_t skipped_rows; /* unparsable lines of the source's listing */
    int shared_clients;
    hmn_memory_account acct;
};

static int cmp_xrow(const void *va, const void *vb)
{
    const struct xrow *a = va, *b = vb;
    if (a->known != b->known)
        return a->known ? -1 : 1; /* rows with n/a last */
    return row_compare(a->known ? a->bytes : 0, proc_name(&a->p), a->p.pid,
                       b->known ? b->bytes : 0, proc_name(&b->p), b->p.pid);
}

/* Rows of one GPU instance (all of them for HMN_ANY_GPU_INSTANCE), sorted. */
static int take_rows(struct block *b, const struct xrow *all, size_t n)
{
    size_t i;
    b->rows = calloc(n ? n : 1, sizeof(*b->rows));
    if (!b->rows)
        return -1;
    for (i = 0; i < n; i++) {
        if (b->gi != HMN_ANY_GPU_INSTANCE && all[i].p.gpu_instance_id != b->gi)
            continue;
        b->rows[b->nrows++] = all[i];
        if ((all[i].p.valid & HMN_PROC_HAS_CLIENTS) && all[i].p.shared_clients)
            b->shared_clients = 1;
    }
    if (b->nrows > 1)
        qsort(b->rows, b->nrows, sizeof(*b->rows), cmp_xrow);
    return 0;
}

/* Every row of a list, with its owner. */
static struct xrow *read_rows(hmn_ctx *ctx, const hmn_process_list *list, size_t *n)
{
    size_t i, count = hmn_process_list_count(list);
    struct xrow *v = calloc(count ? count : 1, sizeof(*v));
    *n = 0;
    if (!v)
        return NULL;
    for (i = 0; i < count; i++) {
        struct xrow *r = &v[*n];
        r->p.size = sizeof(r->p);
        if (hmn_process_list_get(list, i, &r->p) != HMN_OK)
            continue;
        r->known = hmn_process_attributed_bytes(&r->p, &r->bytes) == HMN_OK;
        owner_lookup(ctx, &r->p, &r->o);
        (*n)++;
    }
    return v;
}

struct blocks {
    struct block *v;
    size_t n, cap;
};

static struct block *new_block(struct blocks *bs)
{
    if (bs->n == bs->cap) {
        struct block *v = hmn__grow(bs->v, &bs->cap, bs->n + 1, sizeof(*v), 8);
        if (!v)
            return NULL;
        bs->v = v;
    }
    memset(&bs->v[bs->n], 0, sizeof(bs->v[0]));
    return &bs->v[bs->n++];
}

/* One block per MIG GPU instance: compute instances of one GI share its memory. */
static void add_mig_blocks(hmn_ctx *ctx, struct blocks *bs, const hmn_gpu_device_info *info, const hmn_process_list *list,
                           const struct xrow *all, size_t n)
{
    uint32_t i, k;
    for (i = 0; i < info->mig_instance_count; i++) {
        hmn_mig_info m = HMN_MIG_INFO_INIT;
        struct block *b;
        int seen = 0;
        if (hmn_mig_instance(ctx, info->index, i, &m) != HMN_OK ||
            m.gpu_instance_id == UINT32_MAX)
            continue;
        for (k = 0; k < bs->n; k++)
            if (bs->v[k].index == info->index && bs->v[k].mig_index >= 0 &&
                bs->v[k].gi == m.gpu_instance_id)
                seen = 1;
        if (seen || (b = new_block(bs)) == NULL)
            continue;
        b->index = info->index;
        b->mig_index = (int)i;
        b->gi = m.gpu_instance_id;
        snprintf(b->name, sizeof(b->name), "%s", (m.valid & HMN_DEV_HAS_NAME) ? m.name : "");
        snprintf(b->uuid, sizeof(b->uuid), "%s", (m.valid & HMN_DEV_HAS_UUID) ? m.uuid : "");
        b->used_known = (m.valid & HMN_DEV_HAS_USED) != 0;
        b->used = m.used_bytes;
        b->memory_api = info->memory_api;
        b->source = hmn_process_list_source(list);
        b->listed = 1;
        take_rows(b, all, n);
        b->acct.size = sizeof(b->acct);
        hmn_memory_account_rows(list, b->gi, b->used_known, b->used, &b->acct);
    }
}

/* The device's block, then its MIG instances' blocks. */
static int add_device(hmn_ctx *ctx, struct blocks *bs, uint32_t idx)
{
    hmn_gpu_device_info info = HMN_GPU_DEVICE_INFO_INIT;
    hmn_process_list *list = NULL;
    struct xrow *all = NULL;
    struct block *b;
    size_t n = 0;
    int rc = hmn_device_info(ctx, idx, &info);
    if (rc != HMN_OK)
        return rc;
    if ((b = new_block(bs)) == NULL)
        return HMN_ENOMEM;
    b->index = idx;
    b->mig_index = -1;
    b->gi = HMN_ANY_GPU_INSTANCE;
    snprintf(b->name, sizeof(b->name), "%s", (info.valid & HMN_DEV_HAS_NAME) ? info.name : "");
    snprintf(b->uuid, sizeof(b->uuid), "%s", (info.valid & HMN_DEV_HAS_UUID) ? info.uuid : "");
    b->used_known = (info.valid & HMN_DEV_HAS_USED) != 0;
    b->used = info.used_bytes;
    b->reserved_known = (info.valid & HMN_DEV_HAS_RESERVED) != 0;
    b->reserved = info.reserved_bytes;
    b->memory_api = (int)info.memory_api;
    b->source = (int)info.source;
    b->mig_on = (info.valid & HMN_DEV_HAS_MIG_MODE) && info.mig_mode && info.mig_instance_count;
    b->acct.size = sizeof(b->acct);
    if (hmn_gpu_processes(ctx, idx, &list) != HMN_OK) {
        snprintf(b->list_error, sizeof(b->list_error), "%s", hmn_errmsg(ctx));
        return HMN_OK;
    }
    b->listed = 1;
    b->source = hmn_process_list_source(list);
    b->unreadable = hmn_process_list_unreadable(list);
    b->skipped_rows = hmn_process_list_skipped_rows(list);
    if (b->skipped_rows)
        errf("device %u: %u line%s of the %s process listing could not be read and %s skipped",
             idx, b->skipped_rows, b->skipped_rows == 1 ? "" : "s", hmn_source_name(b->source),
             b->skipped_rows == 1 ? "was" : "were");
    all = read_rows(ctx, list, &n);
    if (!all || take_rows(b, all, n) != 0) {
        free(all);
        hmn_process_list_free(list);
        return HMN_ENOMEM;
    }
    hmn_memory_account_rows(list, HMN_ANY_GPU_INSTANCE, b->used_known, b->used, &b->acct);
    if (b->mig_on) /* after this, b may have moved with bs->v */
        add_mig_blocks(ctx, bs, &info, list, all, n);
    free(all);
    hmn_process_list_free(list);
    return HMN_OK;
}

static size_t block_causes(const struct block *b, const char **out)
{
    struct cause_input in;
    memset(&in, 0, sizeof(in));
    in.source = b->source;
    in.memory_api = b->memory_api;
    in.mig = b->mig_index >= 0 ? 2 : b->mig_on ? 1 : 0;
    in.unreported = b->acct.unreported_rows;
    in.unreadable = b->unreadable;
    return unattributed_causes(&in, out, MAX_CAUSES);
}

/* ------------------------------------------------------------------ text */

/* The title quotes the driver's device name: one line, made safe. */
static void print_title(const struct block *b)
{
    char mib[32];
    struct line l;
    line_init(&l);
    line_add(&l, "GPU %u", b->index);
    if (b->mig_index >= 0)
        line_add(&l, " MIG %d", b->mig_index);
    if (b->name[0])
        line_add(&l, " [%s]", b->name);
    if (b->mig_index >= 0)
        line_add(&l, " (GPU instance %u)", b->gi);
    else
        line_add(&l, " (%s)", hmn_source_name(b->source));
    if (b->used_known)
        snprintf(mib, sizeof(mib), "%llu MiB", (unsigned long long)(b->used / MIB));
    line_add(&l, ": used %s", b->used_known ? mib : "n/a (the driver does not report it)");
    if (b->reserved_known)
        line_add(&l, "; reserved %llu MiB, apart from used", (unsigned long long)(b->reserved / MIB));
    line_end(&l, stdout);
    if (b->mig_on)
        puts("  MIG is on: the blocks below split this device by GPU instance; this block "
             "covers all of it.");
}

static void print_rows(const struct block *b, const uint64_t *mib, int width)
{
    static const char *const hdr[] = {"MiB", "PID", "NAME", "TYPE", "USER", "WHERE"};
    char head[16];
    const char *h[6];
    struct table t;
    size_t i, k = 0;
    snprintf(head, sizeof(head), "%*s", width, "MiB");
    memcpy(h, hdr, sizeof(h));
    h[0] = head;
    table_init(&t, 6, h, NULL);
    for (i = 0; i < b->nrows; i++) {
        const struct xrow *r = &b->rows[i];
        char num[32], pid[16], kinds[32], user[80], where[512];
        const char *cells[6];
        if (r->known)
            snprintf(num, sizeof(num), "%*llu", width, (unsigned long long)mib[k++]);
        else
            snprintf(num, sizeof(num), "%*s", width, "n/a");
        snprintf(pid, sizeof(pid), "%u", r->p.pid);
        cells[0] = num;
        cells[1] = pid;
        cells[2] = proc_name(&r->p) ? proc_name(&r->p) : "?"; /* the table makes it safe */
        cells[3] = kinds_text(kinds, sizeof(kinds), r->p.kinds);
        cells[4] = owner_user_text(user, sizeof(user), &r->o);
        cells[5] = owner_where_text(where, sizeof(where), &r->o,
                                    (r->p.valid & HMN_PROC_PID_UNMAPPED) != 0);
        table_add(&t, cells);
    }
    table_print_prefixed(stdout, &t, "  ", "  ");
    table_free(&t);
}

static int digits(uint64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static void print_remainder(const struct block *b, uint64_t rows_mib, uint64_t rest_mib, int w)
{
    const hmn_memory_account *a = &b->acct;
    if (a->valid & HMN_ACCT_HAS_UNATTRIBUTED) {
        printf("  %*llu  unattributed", w, (unsigned long long)rest_mib);
        if (a->unreported_rows)
            printf(", including the memory of the %u process%s shown as n/a",
                   a->unreported_rows, a->unreported_rows == 1 ? "" : "es");
        if (b->unreadable)
            printf("; %u process%s could not be read", b->unreadable,
                   b->unreadable == 1 ? "" : "es");
        printf("\n  %*llu  = used\n", w, (unsigned long long)(b->used / MIB));
    } else if (a->valid & HMN_ACCT_ROWS_EXCEED_USED) {
        printf("  %*llu  = the rows, %llu MiB more than used (%llu MiB)\n", w,
               (unsigned long long)rows_mib, (unsigned long long)rest_mib,
               (unsigned long long)(b->used / MIB));
        puts("  The rows exceed used: the driver read them at different instants, or counts "
             "some memory in two rows. Nothing is left unattributed.");
    } else {
        printf("  %*llu  = the rows; without a used figure the unattributed part is not known\n",
               w, (unsigned long long)rows_mib);
    }
}

static void print_causes(const struct block *b)
{
    const char *causes[MAX_CAUSES];
    size_t i, n;
    if (!((b->acct.valid & HMN_ACCT_HAS_UNATTRIBUTED) &&
          (b->acct.unattributed_bytes > 0 || b->acct.unreported_rows)))
        return;
    n = block_causes(b, causes);
    puts("  Likely causes of the unattributed part:");
    for (i = 0; i < n; i++)
        printf("    - %s\n", causes[i]);
}

static void print_block_text(const struct block *b)
{
    uint64_t *parts, *mib, rows_bytes = 0, total, rest_mib = 0, rows_mib = 0;
    size_t i, k = 0;
    int w = 3;
    print_title(b);
    if (!b->listed) {
        linef(stdout, "  processes: could not be listed (%s); nothing can be attributed",
              b->list_error);
        return;
    }
    parts = calloc(b->nrows + 1, sizeof(*parts));
    mib = calloc(b->nrows + 1, sizeof(*mib));
    if (!parts || !mib) {
        free(parts);
        free(mib);
        return;
    }
    for (i = 0; i < b->nrows; i++)
        if (b->rows[i].known) {
            parts[k++] = b->rows[i].bytes;
            rows_bytes += b->rows[i].bytes;
        }
    if (b->acct.valid & HMN_ACCT_HAS_UNATTRIBUTED) {
        parts[k] = b->acct.unattributed_bytes; /* the parts then sum to used exactly */
        total = b->used / MIB;
        apportion_mib(parts, k + 1, total, mib);
        rest_mib = mib[k];
        w = digits(total);
    } else {
        total = rows_bytes / MIB;
        apportion_mib(parts, k, total, mib);
        w = digits(total);
        if (b->acct.valid & HMN_ACCT_ROWS_EXCEED_USED) /* rows = used + excess, as printed */
            rest_mib = total - b->used / MIB;
    }
    rows_mib = total - (b->acct.valid & HMN_ACCT_HAS_UNATTRIBUTED ? rest_mib : 0);
    if (w < 3)
        w = 3;
    print_rows(b, mib, w);
    print_remainder(b, rows_mib, rest_mib, w);
    if (b->shared_clients)
        puts("  A DRM client held by several processes counts once, in the lowest PID's row.");
    print_causes(b);
    free(parts);
    free(mib);
}

/* ------------------------------------------------------------------ JSON */

static void json_kinds(uint32_t kinds)
{
    static const char *const names[] = {"compute", "graphics", "mps", "drm"};
    size_t i, n = 0;
    putchar('[');
    for (i = 0; i < 4; i++)
        if (kinds & (1u << i))
            printf("%s\"%s\"", n++ ? "," : "", names[i]);
    putchar(']');
}

static void print_row_json(const struct xrow *r)
{
    const hmn_process_owner *o = &r->o;
    printf("{\"pid\":%u,\"name\":", r->p.pid);
    json_str(stdout, proc_name(&r->p));
    fputs(",\"used_bytes\":", stdout);
    json_u64(stdout, r->known, r->bytes);
    fputs(",\"kinds\":", stdout);
    json_kinds(r->p.kinds);
    fputs(",\"user\":", stdout);
    json_str(stdout, (o->valid & HMN_OWNER_HAS_USER) ? o->user : NULL);
    printf(",\"namespace\":\"%s\"", (r->p.valid & HMN_PROC_PID_UNMAPPED) ? "other" : "this");
    fputs(",\"container_id\":", stdout);
    json_str(stdout, (o->valid & HMN_OWNER_HAS_CONTAINER) ? o->container_id : NULL);
    fputs(",\"pod_uid\":", stdout);
    json_str(stdout, (o->valid & HMN_OWNER_HAS_POD) ? o->pod_uid : NULL);
    fputs(",\"unit\":", stdout);
    json_str(stdout, (o->valid & HMN_OWNER_HAS_UNIT) ? o->unit : NULL);
    /* Ours, after the keys: */
    fputs(",\"uid\":", stdout);
    json_u64(stdout, (o->valid & HMN_OWNER_HAS_UID) != 0, o->uid);
    fputs(",\"container_runtime\":", stdout);
    json_str(stdout, (o->valid & HMN_OWNER_HAS_CONTAINER) ? hmn_runtime_name((int)o->runtime)
                                                          : NULL);
    fputs(",\"pod_qos\":", stdout);
    json_str(stdout, (o->valid & HMN_OWNER_HAS_QOS) ? hmn_pod_qos_name((int)o->qos) : NULL);
    fputs(",\"slice\":", stdout);
    json_str(stdout, (o->valid & HMN_OWNER_HAS_SLICE) ? o->slice : NULL);
    putchar('}');
}

static void print_block_json(const struct block *b)
{
    const hmn_memory_account *a = &b->acct;
    const char *causes[MAX_CAUSES];
    size_t i, n = 0;
    printf("{\"index\":%u,\"used_bytes\":", b->index);
    json_u64(stdout, b->used_known, b->used);
    fputs(",\"reserved_bytes\":", stdout);
    json_u64(stdout, b->reserved_known, b->reserved);
    fputs(",\"rows\":", stdout);
    if (!b->listed)
        fputs("null", stdout);
    else {
        putchar('[');
        for (i = 0; i < b->nrows; i++) {
            if (i)
                putchar(',');
            print_row_json(&b->rows[i]);
        }
        putchar(']');
    }
    fputs(",\"attributed_bytes\":", stdout);
    json_u64(stdout, b->listed, a->attributed_bytes);
    fputs(",\"unreported_rows\":", stdout);
    json_u64(stdout, b->listed, a->unreported_rows);
    fputs(",\"unattributed_bytes\":", stdout);
    json_u64(stdout, b->listed && (a->valid & HMN_ACCT_HAS_UNATTRIBUTED), a->unattributed_bytes);
    /* Ours, after the keys: */
    fputs(",\"name\":", stdout);
    json_str(stdout, b->name[0] ? b->name : NULL);
    fputs(",\"uuid\":", stdout);
    json_str(stdout, b->uuid[0] ? b->uuid : NULL);
    fputs(",\"mig_index\":", stdout);
    json_u64(stdout, b->mig_index >= 0, (uint64_t)b->mig_index);
    fputs(",\"gpu_instance_id\":", stdout);
    json_u64(stdout, b->mig_index >= 0, b->gi);
    fputs(",\"source\":", stdout);
    json_str(stdout, hmn_source_name(b->source));
    fputs(",\"excess_bytes\":", stdout);
    json_u64(stdout, b->listed && (a->valid & HMN_ACCT_ROWS_EXCEED_USED), a->excess_bytes);
    fputs(",\"unreadable_processes\":", stdout);
    json_u64(stdout, b->listed, b->unreadable);
    fputs(",\"skipped_rows\":", stdout);
    json_u64(stdout, b->listed, b->skipped_rows);
    fputs(",\"causes\":[", stdout);
    if (b->listed && (a->valid & HMN_ACCT_HAS_UNATTRIBUTED) &&
        (a->unattributed_bytes > 0 || a->unreported_rows))
        n = block_causes(b, causes);
    for (i = 0; i < n; i++) {
        if (i)
            putchar(',');
        json_str(stdout, causes[i]);
    }
    fputs("]}", stdout);
}

/* ------------------------------------------------------------------ command */

static int collect(hmn_ctx *ctx, const struct cli_args *a, struct blocks *bs, uint32_t *n)
{
    const char *v = NULL;
    uint32_t idx, i;
    *n = 0;
    if (cli_args_count(a, O_DEVICE, &v)) {
        if (parse_u32(v, &idx) != 0)
            return usage_invalid(&explain_cmd, &explain_opts[O_DEVICE], v,
                                 "invalid digit found in string");
        if (add_device(ctx, bs, idx) != HMN_OK) {
            errf("explain failed to query device %u: %s", idx, hmn_errmsg(ctx));
            return EXIT_USAGE;
        }
        *n = 1;
        return CLI_CONTINUE;
    }
    if (hmn_device_count(ctx, n) != HMN_OK)
        *n = 0; /* no GPU source: the "no visible GPUs" answer */
    for (i = 0; i < *n; i++)
        if (add_device(ctx, bs, i) != HMN_OK)
            errf("explain failed to query device %u: %s (skipped)", i, hmn_errmsg(ctx));
    return CLI_CONTINUE;
}

int cmd_explain(hmn_ctx *ctx, int argc, char **argv)
{
    struct cli_args a;
    struct blocks bs;
    size_t i;
    uint32_t count = 0;
    int rc, json;
    memset(&a, 0, sizeof(a));
    memset(&bs, 0, sizeof(bs));
    rc = cli_parse_or_exit(&explain_cmd, explain_help, argc, argv, &a);
    json = rc == CLI_CONTINUE && cli_args_count(&a, O_JSON, NULL) > 0;
    if (rc == CLI_CONTINUE)
        rc = collect(ctx, &a, &bs, &count);
    if (rc == CLI_CONTINUE) {
        if (json)
            putchar('[');
        for (i = 0; i < bs.n; i++) {
            if (json) {
                if (i)
                    putchar(',');
                print_block_json(&bs.v[i]);
            } else {
                if (i)
                    putchar('\n');
                print_block_text(&bs.v[i]);
            }
        }
        if (json)
            puts("]");
        if (count == 0) {
            if (!json)
                puts("hmn: no visible GPUs.");
            explain_sources(ctx);
        } else if (bs.n == 0) {
            errf("%u GPU(s) enumerated but none readable.", count);
        }
        rc = EXIT_OK;
    }
    for (i = 0; i < bs.n; i++)
        free(bs.v[i].rows);
    free(bs.v);
    free(a.items);
    return rc;
}
