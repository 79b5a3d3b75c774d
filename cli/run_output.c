/*
 * cli/run_output.c - the report of `hmn run`: the text summary and the JSON
 * object, both written from a filled struct run_report (no I/O of their
 * own beyond the FILE given, so the unit tests feed them made-up runs).
 * A figure not measured is null in JSON and "n/a" in text, never 0, and
 * every figure names the method that produced it.
 */
#include "run.h"

#include <string.h>

int run_gpu_peak(const struct run_gpu *g, uint64_t *bytes, const char **method)
{
    if (g->dev.valid & HMN_SDEV_HAS_ACCOUNTING) {
        *bytes = g->dev.accounting_peak_bytes;
        *method = "nvml-accounting";
        return 1;
    }
    if (g->dev.valid & HMN_SDEV_HAS_TREE_PEAK) {
        *bytes = g->dev.tree_peak_bytes;
        *method = "sampled";
        return 1;
    }
    *method = NULL;
    return 0;
}

static void json_seconds(FILE *f, int valid, double s)
{
    if (valid && s >= 0)
        fprintf(f, "%.3f", s);
    else
        fputs("null", f);
}

static void json_processes(FILE *f, const struct run_report *r)
{
    size_t i;
    fputs(",\"processes\":[", f);
    for (i = 0; i < r->nprocs; i++) {
        const struct run_process *p = &r->procs[i];
        fprintf(f, "%s{\"pid\":%lu,\"name\":", i ? "," : "", (unsigned long)p->pid);
        json_str(f, p->has_name ? p->name : NULL);
        fputs(",\"peak_bytes\":", f);
        json_u64(f, p->has_peak, p->peak_bytes);
        fputc('}', f);
    }
    fputc(']', f);
}

static void json_ram(FILE *f, const struct run_report *r)
{
    fputs(",\"ram\":{\"peak_bytes\":", f);
    json_u64(f, r->has_ram_peak, r->ram_peak_bytes);
    fputs(",\"peak_method\":", f);
    json_str(f, r->has_ram_peak ? r->ram_peak_method : NULL);
    fputs(",\"peak_at_seconds\":", f);
    json_seconds(f, r->has_ram_peak_at, r->ram_peak_at_seconds);
    fputs(",\"sampled_peak_bytes\":", f);
    json_u64(f, r->has_sampled_peak, r->sampled_peak_bytes);
    json_processes(f, r);
    fputc('}', f);
}

static void json_others(FILE *f, const struct run_other *o, size_t n)
{
    size_t i;
    fputs(",\"others_at_peak\":[", f);
    for (i = 0; i < n; i++) {
        fprintf(f, "%s{\"pid\":%lu,\"name\":", i ? "," : "", (unsigned long)o[i].pid);
        json_str(f, o[i].has_name ? o[i].name : NULL);
        fputs(",\"used_bytes\":", f);
        json_u64(f, o[i].has_used, o[i].used_bytes);
        fputc('}', f);
    }
    fputc(']', f);
}

static void json_gpu(FILE *f, const struct run_gpu *g)
{
    const hmn_sample_device *d = &g->dev;
    const char *method;
    uint64_t peak = 0;
    int has = run_gpu_peak(g, &peak, &method);
    fprintf(f, "{\"index\":%lu,\"name\":", (unsigned long)d->index);
    json_str(f, d->name[0] ? d->name : NULL);
    fputs(",\"uuid\":", f);
    json_str(f, d->uuid[0] ? d->uuid : NULL);
    fputs(",\"peak_bytes\":", f);
    json_u64(f, has, peak);
    fputs(",\"peak_method\":", f);
    json_str(f, method);
    fputs(",\"peak_at_seconds\":", f);
    /* The driver's accounting peak has no time; the sampled one has its sample's. */
    json_seconds(f, has && strcmp(method, "sampled") == 0, (double)d->tree_peak_at_ms / 1000.0);
    fputs(",\"sampled_peak_bytes\":", f);
    json_u64(f, (d->valid & HMN_SDEV_HAS_TREE_PEAK) != 0, d->tree_peak_bytes);
    fputs(",\"device_used_peak_bytes\":", f);
    json_u64(f, (d->valid & HMN_SDEV_HAS_USED_PEAK) != 0, d->device_used_peak_bytes);
    fputs(",\"device_free_min_bytes\":", f);
    json_u64(f, (d->valid & HMN_SDEV_HAS_FREE_MIN) != 0, d->device_free_min_bytes);
    json_others(f, g->at_peak, g->n_at_peak);
    fputc('}', f);
}

void run_json_fields(FILE *f, const struct run_report *r)
{
    size_t i;
    fputs("\"command\":[", f);
    for (i = 0; i < r->argc; i++) {
        if (i)
            fputc(',', f);
        json_str(f, r->argv[i]);
    }
    fputs("],\"exit_code\":", f);
    json_u64(f, r->exit_code >= 0, (uint64_t)(r->exit_code >= 0 ? r->exit_code : 0));
    fputs(",\"signal\":", f);
    json_u64(f, r->signal > 0, (uint64_t)(r->signal > 0 ? r->signal : 0));
    fprintf(f, ",\"wall_seconds\":%.3f,\"interval_ms\":%llu,\"samples\":%llu", r->wall_seconds,
            (unsigned long long)r->interval_ms, (unsigned long long)r->samples);
    json_ram(f, r);
    fputs(",\"gpus\":[", f);
    for (i = 0; i < r->ngpus; i++) {
        if (i)
            fputc(',', f);
        json_gpu(f, &r->gpus[i]);
    }
    fputs("],\"oom\":{\"verdict\":", f);
    json_str(f, run_verdict_name(r->verdict));
    fputs(",\"detail\":", f);
    json_str(f, r->oom_detail[0] ? r->oom_detail : NULL);
    fputs("}", f);
}

void run_json(FILE *f, const struct run_report *r)
{
    fputc('{', f);
    run_json_fields(f, r);
    fputs("}\n", f);
}

/* ---------------------------------------------------------------- text */

static const char *size_or_na(char *buf, size_t cap, int valid, uint64_t v)
{
    if (!valid)
        snprintf(buf, cap, "n/a");
    else
        vram_precise(buf, cap, v);
    return buf;
}

static void text_head(FILE *f, const struct run_report *r)
{
    struct line l;
    char sn[32];
    size_t i;
    line_init(&l);
    line_add(&l, "hmn run:");
    for (i = 0; i < r->argc && i < 8; i++)
        line_add(&l, " %s", r->argv[i]);
    if (r->argc > 8)
        line_add(&l, " ...");
    if (r->signal > 0)
        line_add(&l, " was killed by %s", run_signal_name(sn, sizeof(sn), r->signal));
    else if (r->exit_code >= 0)
        line_add(&l, " exited with %lld", (long long)r->exit_code);
    else
        line_add(&l, " ended (status unknown)");
    line_add(&l, " after %.2f s; %llu samples every %llu ms", r->wall_seconds,
             (unsigned long long)r->samples, (unsigned long long)r->interval_ms);
    line_end(&l, f);
}

static void text_ram(FILE *f, const struct run_report *r)
{
    char a[32], b[32];
    size_t i, best = (size_t)-1;
    if (r->has_group_peak)
        linef(f, "hmn run: RAM peak %s (%s, exact high-water mark of the whole tree, includes page cache)",
              vram_precise(a, sizeof(a), r->group_peak_bytes), r->group_method);
    else
        linef(f, "hmn run: RAM peak %s (sampled; no exact group peak: %s)",
              size_or_na(a, sizeof(a), r->has_sampled_peak, r->sampled_peak_bytes),
              r->group_note[0] ? r->group_note : "none kept");
    if (r->has_sampled_peak)
        linef(f, "hmn run:   sampled tree peak %s at %.2f s (sum of RSS every %llu ms; a shorter spike can be missed)",
              vram_precise(a, sizeof(a), r->sampled_peak_bytes), r->sampled_peak_at_seconds,
              (unsigned long long)r->interval_ms);
    else
        linef(f, "hmn run:   sampled tree peak n/a (no process of the tree could be read)");
    for (i = 0; i < r->nprocs; i++)
        if (r->procs[i].has_peak && (best == (size_t)-1 || r->procs[i].peak_bytes > r->procs[best].peak_bytes))
            best = i;
    if (best != (size_t)-1)
        linef(f, "hmn run:   largest process peak %s: %s (pid %lu, own exact peak); %zu process%s seen",
              vram_precise(a, sizeof(a), r->procs[best].peak_bytes),
              r->procs[best].has_name ? r->procs[best].name : "?", (unsigned long)r->procs[best].pid,
              r->nprocs, r->nprocs == 1 ? "" : "es");
    if (r->has_child_maxrss)
        linef(f, "hmn run:   ru_maxrss %s (the largest single process among CMD and the descendants it waited for)",
              vram_precise(b, sizeof(b), r->child_maxrss_bytes));
}

static void text_others(FILE *f, const char *what, const struct run_other *o, size_t n)
{
    struct line l;
    char a[32];
    size_t i;
    line_init(&l);
    line_add(&l, "hmn run:   others %s:", what);
    if (n == 0)
        line_add(&l, " none");
    for (i = 0; i < n && i < 8; i++)
        line_add(&l, "%s %s (pid %lu) %s", i ? "," : "", o[i].has_name ? o[i].name : "?",
                 (unsigned long)o[i].pid, size_or_na(a, sizeof(a), o[i].has_used, o[i].used_bytes));
    if (n > 8)
        line_add(&l, ", %zu more", n - 8);
    line_end(&l, f);
}

static void text_gpu(FILE *f, const struct run_gpu *g)
{
    const hmn_sample_device *d = &g->dev;
    const char *method;
    char a[32], b[32], c[32];
    uint64_t peak = 0;
    int has = run_gpu_peak(g, &peak, &method);
    struct line l;
    line_init(&l);
    line_add(&l, "hmn run: GPU %lu %s: tree peak %s", (unsigned long)d->index,
             d->name[0] ? d->name : "?", size_or_na(a, sizeof(a), has, peak));
    if (has && strcmp(method, "sampled") == 0)
        line_add(&l, " at %.2f s (sampled sum of the tree's rows)", (double)d->tree_peak_at_ms / 1000.0);
    else if (has)
        line_add(&l, " (nvml-accounting, the driver's exact per-process peak; sampled %s)",
                 size_or_na(b, sizeof(b), (d->valid & HMN_SDEV_HAS_TREE_PEAK) != 0, d->tree_peak_bytes));
    line_end(&l, f);
    linef(f, "hmn run:   device used peak %s, free min %s",
          size_or_na(b, sizeof(b), (d->valid & HMN_SDEV_HAS_USED_PEAK) != 0, d->device_used_peak_bytes),
          size_or_na(c, sizeof(c), (d->valid & HMN_SDEV_HAS_FREE_MIN) != 0, d->device_free_min_bytes));
    if (d->valid & HMN_SDEV_HAS_TREE_PEAK)
        text_others(f, "at the tree's peak", g->at_peak, g->n_at_peak);
    text_others(f, "at the last sample", g->at_last, g->n_at_last);
}

void run_text(FILE *f, const struct run_report *r)
{
    size_t i;
    text_head(f, r);
    text_ram(f, r);
    for (i = 0; i < r->ngpus; i++)
        text_gpu(f, &r->gpus[i]);
    if (r->ngpus == 0)
        linef(f, "hmn run: GPU n/a (%s)", r->gpu_note[0] ? r->gpu_note : "no device sampled");
    linef(f, "hmn run: OOM verdict: %s (%s)", run_verdict_name(r->verdict), r->oom_detail);
}
