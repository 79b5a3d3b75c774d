/*
 * cli/ps_output.c - what `hmn ps` prints for its rows: the table (display
 * widths), one JSON array, or RFC 4180 CSV; an unknown figure is n/a, null
 * or an empty field, never 0.
 */
#include "ps.h"

#include <stdio.h>

static const char *spill_cell(const struct ps_row *r)
{
    if (r->spilling < 0)
        return spill_unknown_glyph();
    if (r->spilling == 0)
        return "no";
    return r->paged == 1 ? "PAGED" : "device";
}

void ps_print_table(const struct ps_state *st, int full)
{
    static const char *const hdr[] = {"PID",   "NAME", "VRAM", "SHARED", "DEVICE",
                                      "SPILL", "TYPE", "USER", "WHERE"};
    struct table t;
    size_t i;
    table_init(&t, full ? 9 : 7, hdr, NULL);
    for (i = 0; i < st->nrows; i++) {
        const struct ps_row *r = &st->rows[i];
        char pid[16], name[256], used[32], sh[32], dev[112], kinds[32], user[80], where[512];
        const char *cells[9];
        snprintf(pid, sizeof(pid), "%u", r->p.pid);
        if (r->device_name[0])
            snprintf(dev, sizeof(dev), "%s", r->device_name);
        else
            snprintf(dev, sizeof(dev), "GPU %u", r->p.device_index);
        cells[0] = pid;
        cells[1] = printable_name(name, sizeof(name), proc_name(&r->p));
        cells[2] = (r->p.valid & HMN_PROC_HAS_USED) ? vram(used, sizeof(used), r->p.used_bytes) : "n/a";
        cells[3] = (r->p.valid & HMN_PROC_HAS_SHARED) ? vram(sh, sizeof(sh), r->p.shared_used_bytes)
                                                      : "n/a";
        cells[4] = dev;
        cells[5] = spill_cell(r);
        cells[6] = kinds_text(kinds, sizeof(kinds), r->p.kinds);
        cells[7] = owner_user_text(user, sizeof(user), &r->owner);
        cells[8] = owner_where_text(where, sizeof(where), &r->owner,
                                    (r->p.valid & HMN_PROC_PID_UNMAPPED) != 0);
        table_add(&t, cells);
    }
    table_print(stdout, &t, 1);
    table_free(&t);
}

static void json_kinds(FILE *f, uint32_t kinds)
{
    static const char *const names[] = {"compute", "graphics", "mps", "drm"};
    size_t i, n = 0;
    fputc('[', f);
    for (i = 0; i < 4; i++)
        if (kinds & (1u << i))
            fprintf(f, "%s\"%s\"", n++ ? "," : "", names[i]);
    fputc(']', f);
}

/* Upstream's keys, then ours; the owner keys come last, with or without --full. */
static void print_json_row(const struct ps_row *r)
{
    const hmn_gpu_process *p = &r->p;
    printf("{\"pid\":%u,\"name\":", p->pid);
    json_str(stdout, proc_name(p));
    fputs(",\"used_bytes\":", stdout);
    json_u64(stdout, (p->valid & HMN_PROC_HAS_USED) != 0, p->used_bytes);
    fputs(",\"shared_used_bytes\":", stdout);
    json_u64(stdout, (p->valid & HMN_PROC_HAS_SHARED) != 0, p->shared_used_bytes);
    printf(",\"device_index\":%u,\"device_name\":", p->device_index);
    json_str(stdout, r->device_name[0] ? r->device_name : NULL);
    fputs(",\"spilling\":", stdout);
    json_bool(stdout, r->spilling);
    fputs(",\"paged\":", stdout);
    json_bool(stdout, r->paged);
    fputs(",\"shared_share\":", stdout);
    if (r->spilling < 0)
        fputs("null", stdout);
    else
        printf("%.4f", r->share);
    fputs(",\"kinds\":", stdout);
    json_kinds(stdout, p->kinds);
    fputs(",\"source\":", stdout);
    json_str(stdout, hmn_source_name((int)p->source));
    fputs(",\"host_pid\":", stdout);
    json_u64(stdout, (p->valid & HMN_PROC_HAS_HOST_PID) != 0, p->host_pid);
    fputs(",\"gtt_bytes\":", stdout);
    json_u64(stdout, (p->valid & HMN_PROC_HAS_GTT) != 0, p->gtt_bytes);
    owner_json_fields(stdout, &r->owner);
    fputc('}', stdout);
}

void ps_print_json(const struct ps_state *st)
{
    size_t i;
    putchar('[');
    for (i = 0; i < st->nrows; i++) {
        if (i)
            putchar(',');
        print_json_row(&st->rows[i]);
    }
    puts("]");
}

void ps_print_csv(const struct ps_state *st, int full)
{
    size_t i;
    printf("pid,name,used_bytes,shared_used_bytes,device_index,device_name,spilling,paged,"
           "shared_share,kinds,source%s%s\n", full ? "," : "", full ? owner_csv_header : "");
    for (i = 0; i < st->nrows; i++) {
        const struct ps_row *r = &st->rows[i];
        char kinds[32];
        printf("%u,", r->p.pid);
        csv_field(stdout, proc_name(&r->p));
        csv_u64(stdout, (r->p.valid & HMN_PROC_HAS_USED) != 0, r->p.used_bytes);
        csv_u64(stdout, (r->p.valid & HMN_PROC_HAS_SHARED) != 0, r->p.shared_used_bytes);
        printf(",%u,", r->p.device_index);
        csv_field(stdout, r->device_name[0] ? r->device_name : NULL);
        printf(",%s,%s,", r->spilling < 0 ? "" : r->spilling ? "true" : "false",
               r->paged < 0 ? "" : r->paged ? "true" : "false");
        if (r->spilling >= 0)
            printf("%.4f", r->share);
        printf(",%s,%s", r->p.kinds ? kinds_text(kinds, sizeof(kinds), r->p.kinds) : "",
               hmn_source_name((int)r->p.source));
        if (full)
            owner_csv_fields(stdout, &r->owner);
        putchar('\n');
    }
}
