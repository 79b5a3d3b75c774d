/*
 * cli/watch_output.c - what `hmn watch` prints: the start line and record,
 * one row per sample (text table, JSON Lines or CSV) and the closing
 * summary with the spill report and the per-PID table.
 */
#include "watch.h"

#include <string.h>

void watch_criterion(const struct watch *w, char *buf, size_t cap)
{
    const char *v;
    char q[160], m[32];
    size_t i, o = 0;
    buf[0] = '\0';
    for (i = 0; (v = cli_args_value(w->a, W_FILTER, i)) != NULL && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? " or " : " among names containing ",
                              debug_quote(q, sizeof(q), v));
    if (i && o < cap)
        o += (size_t)snprintf(buf + o, cap - o, " (case-insensitive)");
    if (w->has_min && o < cap)
        snprintf(buf + o, cap - o, " with footprint >= %s", vram_precise(m, sizeof(m), w->min));
}

/* The device's name comes from the driver, the criterion from the user: made safe. */
static void print_start_text(const struct watch *w)
{
    char crit[512];
    struct line l;
    watch_criterion(w, crit, sizeof(crit));
    line_init(&l);
    line_add(&l, "hmn watch: device %u", w->device);
    if (w->dev_name[0])
        line_add(&l, " [%s]", w->dev_name);
    line_add(&l, ", interval %.1fs, ", (double)w->interval_ms / 1000.0);
    if (w->mode == MODE_EXPLICIT)
        line_add(&l, "watching %zu PID(s)", w->nsel);
    else if (w->mode == MODE_TOP)
        line_add(&l, "watching %zu PID(s) (top %llu by committed%s)", w->nsel,
                 (unsigned long long)w->top, crit);
    else
        line_add(&l, "following top %llu by committed%s (re-selected every interval), %zu initially",
                 (unsigned long long)w->top, crit, w->nsel);
    line_end(&l, stderr);
}

static void print_start_json(const struct watch *w)
{
    char wc[40];
    const char *v;
    int i;
    size_t k;
    wall_clock(wc, sizeof(wc));
    printf("{\"kind\":\"start\",\"t_ms\":0,\"wall_clock\":\"%s\",\"hmn_version\":", wc);
    json_str(stdout, hmn_version());
    /* argv[0] as hmn was run ("hmn", "hmn.exe"), without its folders, as upstream. */
    fputs(",\"argv\":[", stdout);
    json_str(stdout, cli_program());
    for (i = 0; i < w->argc; i++) {
        putchar(',');
        json_str(stdout, w->argv[i]);
    }
    printf("],\"device\":%u,\"device_name\":", w->device);
    json_str(stdout, w->dev_name[0] ? w->dev_name : NULL);
    printf(",\"interval_ms\":%llu,\"duration_ms\":", (unsigned long long)w->interval_ms);
    json_u64(stdout, w->has_duration, w->duration_ms);
    printf(",\"selection\":{\"mode\":\"%s\",\"pids\":[",
           w->mode == MODE_EXPLICIT ? "explicit" : w->mode == MODE_TOP ? "top" : "follow_new");
    /* The selection's own PIDs: those given; an automatic one has none. */
    for (k = 0; w->mode == MODE_EXPLICIT && k < w->nsel; k++)
        printf("%s%u", k ? "," : "", w->sel[k]);
    fputs("],\"top\":", stdout);
    json_u64(stdout, w->mode != MODE_EXPLICIT, w->top);
    fputs(",\"filters\":[", stdout);
    for (k = 0; (v = cli_args_value(w->a, W_FILTER, k)) != NULL; k++) {
        if (k)
            putchar(',');
        json_str(stdout, v);
    }
    fputs("],\"min_bytes\":", stdout);
    json_u64(stdout, w->has_min, w->min);
    fputs("}}\n", stdout);
}

static const size_t text_min_w[8] = {8, 7, 12, 9, 9, 9, 9, 5};

static void text_widths(const struct watch *w, size_t *wd)
{
    memcpy(wd, text_min_w, sizeof(text_min_w));
    wd[2] = w->name_w;
}

static void print_header(const struct watch *w)
{
    static const char *const hdr[8] = {"TIME", "PID", "NAME", "COMMITTED", "\xCE\x94" "COMMIT",
                                       "SHARED", "\xCE\x94" "SHARED", "SPILL"};
    size_t wd[8];
    if (w->out == OUT_CSV) {
        puts("t_ms,wall_clock,pid,name,used_bytes,used_delta_bytes,shared_used_bytes,"
             "shared_delta_bytes,spilling,paged");
        return;
    }
    if (w->out != OUT_TEXT)
        return;
    text_widths(w, wd);
    print_cells(stdout, hdr, wd, 8);
}

static void emit_text(const struct watch *w, const struct sample_out *o)
{
    char t[32], pid[16], name[256], u[32], du[32], s[32], ds[32];
    const char *cells[8];
    size_t wd[8];
    text_widths(w, wd);
    snprintf(t, sizeof(t), "+%.1fs", (double)o->t_ms / 1000.0);
    snprintf(pid, sizeof(pid), "%u", o->pid);
    printable_name(name, sizeof(name), o->name);
    cells[0] = t;
    cells[1] = pid;
    cells[2] = name;
    cells[3] = o->r.has_used ? vram(u, sizeof(u), o->r.used) : "n/a";
    cells[4] = o->has_du ? vram_delta(du, sizeof(du), o->du) : "n/a";
    cells[5] = o->r.has_shared ? vram(s, sizeof(s), o->r.shared) : "n/a";
    cells[6] = o->has_ds ? vram_delta(ds, sizeof(ds), o->ds) : "n/a";
    cells[7] = o->spilling < 0 ? spill_unknown_glyph() : o->spilling ? "SPILL" : "no";
    print_cells(stdout, cells, wd, 8);
}

static void json_i64(int valid, int64_t v)
{
    if (valid)
        printf("%lld", (long long)v);
    else
        fputs("null", stdout);
}

static void emit_json(const struct sample_out *o, const char *wc)
{
    printf("{\"kind\":\"sample\",\"t_ms\":%llu,\"wall_clock\":\"%s\",\"pid\":%u,\"name\":",
           (unsigned long long)o->t_ms, wc, o->pid);
    json_str(stdout, o->name);
    fputs(",\"used_bytes\":", stdout);
    json_u64(stdout, o->r.has_used, o->r.used);
    fputs(",\"used_delta_bytes\":", stdout);
    json_i64(o->has_du, o->du);
    fputs(",\"shared_used_bytes\":", stdout);
    json_u64(stdout, o->r.has_shared, o->r.shared);
    fputs(",\"shared_delta_bytes\":", stdout);
    json_i64(o->has_ds, o->ds);
    fputs(",\"spilling\":", stdout);
    json_bool(stdout, o->spilling);
    fputs(",\"paged\":", stdout);
    json_bool(stdout, o->paged);
    fputs("}\n", stdout);
}

static void emit_csv(const struct sample_out *o, const char *wc)
{
    printf("%llu,%s,%u,", (unsigned long long)o->t_ms, wc, o->pid);
    csv_field(stdout, o->name);
    csv_u64(stdout, o->r.has_used, o->r.used);
    csv_i64(stdout, o->has_du, o->du);
    csv_u64(stdout, o->r.has_shared, o->r.shared);
    csv_i64(stdout, o->has_ds, o->ds);
    printf(",%s,%s\n", o->spilling < 0 ? "" : o->spilling ? "true" : "false",
           o->paged < 0 ? "" : o->paged ? "true" : "false");
}

static void print_per_pid(const struct watch *w, FILE *f)
{
    static const char *const hdr[] = {"PID", "NAME", "BASELINE COMMIT", "PEAK COMMIT",
                                      "BASELINE SHARED", "PEAK SHARED", "PAGED"};
    struct table t;
    size_t i;
    int measurable = w->tracker && hmn_spill_tracker_is_measurable(w->tracker) == 1;
    if (w->nst == 0)
        return;
    table_init(&t, 7, hdr, NULL);
    for (i = 0; i < w->nst; i++) {
        const struct pid_state *s = &w->st[i];
        char pid[16], bu[32], pu[32], bs[32], ps[32];
        const char *cells[7];
        snprintf(pid, sizeof(pid), "%u", s->pid);
        cells[0] = pid;
        cells[1] = s->name[0] ? s->name : "?";
        cells[2] = s->base.has_used ? vram(bu, sizeof(bu), s->base.used) : "n/a";
        cells[3] = s->peak.has_used ? vram(pu, sizeof(pu), s->peak.used) : "n/a";
        cells[4] = s->base.has_shared ? vram(bs, sizeof(bs), s->base.shared) : "n/a";
        cells[5] = s->peak.has_shared ? vram(ps, sizeof(ps), s->peak.shared) : "n/a";
        cells[6] = !measurable ? spill_unknown_glyph()
                   : (s->peak.has_shared && s->peak.shared >= HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES)
                       ? "yes"
                       : "no";
        table_add(&t, cells);
    }
    table_print_prefixed(f, &t, "hmn watch: per-PID  ", "                    ");
    table_free(&t);
}

static void summary_text(const struct watch *w, FILE *f)
{
    if (!w->tracker)
        fputs("hmn watch: spill tracking unavailable for this run; per-PID VRAM below\n", f);
    else if (hmn_spill_tracker_is_measurable(w->tracker) != 1)
        fputs("hmn watch: spill not measurable on this platform; per-PID VRAM below\n", f);
    else
        spill_report_text(f, "hmn watch", w->tracker);
    if (w->spilling_at_attach == 1)
        fputs("hmn watch: the device was already spilling at attach; the baseline above includes "
              "that spill, so episodes count only growth beyond it\n",
              f);
    print_per_pid(w, f);
}

static void summary_json(const struct watch *w)
{
    size_t i;
    int measurable = w->tracker && hmn_spill_tracker_is_measurable(w->tracker) == 1;
    fputs("{\"kind\":\"summary\",", stdout);
    spill_report_json_fields(stdout, w->tracker, 0);
    fputs(",\"spilling_at_attach\":", stdout);
    json_bool(stdout, w->spilling_at_attach);
    fputs(",\"per_pid\":[", stdout);
    for (i = 0; i < w->nst; i++) {
        const struct pid_state *s = &w->st[i];
        printf("%s{\"pid\":%u,\"name\":", i ? "," : "", s->pid);
        json_str(stdout, s->name[0] ? s->name : NULL);
        fputs(",\"baseline_used_bytes\":", stdout);
        json_u64(stdout, s->base.has_used, s->base.used);
        fputs(",\"peak_used_bytes\":", stdout);
        json_u64(stdout, s->peak.has_used, s->peak.used);
        fputs(",\"baseline_shared_bytes\":", stdout);
        json_u64(stdout, s->base.has_shared, s->base.shared);
        fputs(",\"peak_shared_bytes\":", stdout);
        json_u64(stdout, s->peak.has_shared, s->peak.shared);
        fputs(",\"paged\":", stdout);
        json_bool(stdout, !measurable ? -1
                          : s->peak.has_shared && s->peak.shared >= HMN_SPILL_DEFAULT_SHARED_GROWTH_BYTES);
        fputc('}', stdout);
    }
    printf("],\"interrupted\":%s,\"skipped_rows\":%llu}\n", interrupted() ? "true" : "false",
           (unsigned long long)w->skipped_rows);
}

void watch_print_start(const struct watch *w)
{
    print_start_text(w);
    if (w->out == OUT_JSON)
        print_start_json(w);
    print_header(w);
}

void watch_print_sample(const struct watch *w, const struct sample_out *o, const char *wc)
{
    if (w->out == OUT_TEXT)
        emit_text(w, o);
    else if (w->out == OUT_JSON)
        emit_json(o, wc);
    else
        emit_csv(o, wc);
}

void watch_print_summary(const struct watch *w)
{
    if (w->out == OUT_JSON)
        summary_json(w);
    else
        summary_text(w, w->out == OUT_CSV ? stderr : stdout);
}
