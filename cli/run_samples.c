/*
 * cli/run_samples.c - the timeline of `hmn run`: every sample is kept for
 * the chart and, as it arrives, written as a JSONL record and a TSV row.
 *
 * The TSV is prmon's: tab-separated, a header line, `Time` in whole epoch
 * seconds and memory in kB, plus prmon's `wtime` (seconds since the start,
 * here with milliseconds) so that prmon_plot.py's default x axis works.
 * A figure not read is an empty field (pandas reads it as NaN), never 0.
 */
#include "run.h"
#include "plot_svg.h"
#include "grow.h" /* src/common/ */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_tsv_header(FILE *f, int pss, int gpu)
{
    fprintf(f, "Time\twtime\trss%s%s\n", pss ? "\tpss" : "", gpu ? "\tgpufbmem" : "");
}

/* The tree's GPU memory over every sampled device; 0 when no device could be read. */
static int gpu_sum(const hmn_sample_device *devs, size_t ndev, uint64_t *sum)
{
    size_t i;
    int any = 0;
    *sum = 0;
    for (i = 0; i < ndev; i++)
        if (devs[i].valid & HMN_SDEV_HAS_TREE_USED) {
            *sum += devs[i].tree_used_bytes;
            any = 1;
        }
    return any;
}

void run_tsv_row(FILE *f, const hmn_sample_info *info, const hmn_sample_device *devs, size_t ndev,
                 int pss, int gpu)
{
    uint64_t g;
    fprintf(f, "%llu\t%.3f\t", (unsigned long long)(info->epoch_ms / 1000u), (double)info->t_ms / 1000.0);
    if (info->valid & HMN_SAMPLE_HAS_RSS)
        fprintf(f, "%llu", (unsigned long long)(info->rss_bytes / 1024u));
    if (pss) {
        fputc('\t', f);
        if (info->valid & HMN_SAMPLE_HAS_PSS)
            fprintf(f, "%llu", (unsigned long long)(info->pss_bytes / 1024u));
    }
    if (gpu) {
        fputc('\t', f);
        if (gpu_sum(devs, ndev, &g))
            fprintf(f, "%llu", (unsigned long long)(g / 1024u));
    }
    fputc('\n', f);
}

void run_jsonl_sample(FILE *f, const hmn_sample_info *info, const hmn_sample_device *devs,
                      size_t ndev, double t)
{
    size_t i;
    fprintf(f, "{\"type\":\"sample\",\"seq\":%llu,\"t_seconds\":%.3f,\"epoch_ms\":%llu,\"processes\":%lu,"
               "\"rss_bytes\":",
            (unsigned long long)info->seq, t, (unsigned long long)info->epoch_ms,
            (unsigned long)info->processes);
    json_u64(f, (info->valid & HMN_SAMPLE_HAS_RSS) != 0, info->rss_bytes);
    fputs(",\"pss_bytes\":", f);
    json_u64(f, (info->valid & HMN_SAMPLE_HAS_PSS) != 0, info->pss_bytes);
    fputs(",\"gpus\":[", f);
    for (i = 0; i < ndev; i++) {
        const hmn_sample_device *d = &devs[i];
        fprintf(f, "%s{\"index\":%lu,\"tree_used_bytes\":", i ? "," : "", (unsigned long)d->index);
        json_u64(f, (d->valid & HMN_SDEV_HAS_TREE_USED) != 0, d->tree_used_bytes);
        fputs(",\"device_used_bytes\":", f);
        json_u64(f, (d->valid & HMN_SDEV_HAS_DEVICE_USED) != 0, d->device_used_bytes);
        fputs(",\"device_free_bytes\":", f);
        json_u64(f, (d->valid & HMN_SDEV_HAS_DEVICE_FREE) != 0, d->device_free_bytes);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

/* Room for one more sample: its point and its ndev GPU figures (cap * ndev of them). */
static int grow(struct run_timeline *tl, size_t ndev)
{
    size_t cap = tl->cap, per = ndev ? ndev : 1, gcap = tl->cap * per;
    struct run_point *p;
    double *g;
    if (tl->n < tl->cap)
        return 0;
    p = hmn__grow(tl->pts, &cap, tl->n + 1, sizeof(*p), 256);
    if (!p)
        return -1;
    tl->pts = p;
    if (cap > SIZE_MAX / per)
        return -1;
    g = hmn__grow(tl->gpu, &gcap, cap * per, sizeof(*g), cap * per);
    if (!g)
        return -1;
    tl->gpu = g;
    tl->cap = cap;
    return 0;
}

/* The devices of the first sample name the timeline's series. */
static int name_devices(struct run_timeline *tl, const hmn_sample_device *devs, size_t ndev)
{
    size_t i;
    tl->ndev = ndev;
    if (ndev == 0)
        return 0;
    tl->dev_index = calloc(ndev, sizeof(*tl->dev_index));
    tl->dev_name = calloc(ndev, sizeof(*tl->dev_name));
    if (!tl->dev_index || !tl->dev_name)
        return -1;
    for (i = 0; i < ndev; i++) {
        tl->dev_index[i] = devs[i].index;
        snprintf(tl->dev_name[i], sizeof(tl->dev_name[i]), "%s", devs[i].name);
    }
    return 0;
}

void run_timeline_add(struct run_timeline *tl, const hmn_sample_info *info,
                      const hmn_sample_device *devs, size_t ndev)
{
    double t = (double)info->t_ms / 1000.0;
    size_t i;
    if (tl->jsonl)
        run_jsonl_sample(tl->jsonl, info, devs, ndev, t);
    if (tl->tsv) {
        if (!tl->tsv_header_done)
            run_tsv_header(tl->tsv, tl->tsv_pss, ndev > 0);
        tl->tsv_header_done = 1;
        run_tsv_row(tl->tsv, info, devs, ndev, tl->tsv_pss, tl->ndev > 0 || ndev > 0);
    }
    if (tl->n == 0 && !tl->failed && name_devices(tl, devs, ndev) != 0)
        tl->failed = 1;
    if (tl->failed || grow(tl, tl->ndev) != 0) {
        tl->failed = 1;
        return;
    }
    tl->pts[tl->n].t = t;
    tl->pts[tl->n].has_rss = (info->valid & HMN_SAMPLE_HAS_RSS) != 0;
    tl->pts[tl->n].rss_bytes = info->rss_bytes;
    for (i = 0; i < tl->ndev; i++)
        tl->gpu[tl->n * tl->ndev + i] = i < ndev && (devs[i].valid & HMN_SDEV_HAS_TREE_USED)
                                            ? (double)devs[i].tree_used_bytes
                                            : NAN;
    tl->n++;
}

void run_timeline_free(struct run_timeline *tl)
{
    free(tl->pts);
    free(tl->gpu);
    free(tl->dev_index);
    free(tl->dev_name);
    tl->pts = NULL;
    tl->gpu = NULL;
    tl->dev_index = NULL;
    tl->dev_name = NULL;
    tl->n = tl->cap = tl->ndev = 0;
}

/* The RAM series: exact group peak as a dashed line (it has no time), else the sampled peak. */
static void ram_series(struct plot_series *s, double *t, double *v, const struct run_timeline *tl,
                       const struct run_report *r, char *label, size_t cap)
{
    size_t i;
    for (i = 0; i < tl->n; i++) {
        t[i] = tl->pts[i].t;
        v[i] = tl->pts[i].has_rss ? (double)tl->pts[i].rss_bytes : NAN;
    }
    s->label = "RAM of the tree (sum of RSS)";
    s->n = tl->n;
    s->t = t;
    s->v = v;
    s->peak_v = NAN;
    s->peak_t = NAN;
    s->peak_label = NULL;
    if (r->has_group_peak) {
        char b[32];
        snprintf(label, cap, "exact peak %s (%s)", vram_precise(b, sizeof(b), r->group_peak_bytes),
                 r->group_method);
        s->peak_v = (double)r->group_peak_bytes;
        s->peak_label = label;
    } else if (r->has_sampled_peak) {
        s->peak_v = (double)r->sampled_peak_bytes;
        s->peak_t = r->sampled_peak_at_seconds;
    }
}

static void gpu_series(struct plot_series *s, double *t, double *v, const struct run_timeline *tl,
                       size_t k, const struct run_report *r, char *label, size_t cap)
{
    size_t i;
    for (i = 0; i < tl->n; i++) {
        t[i] = tl->pts[i].t;
        v[i] = tl->gpu[i * tl->ndev + k];
    }
    snprintf(label, cap, "GPU %lu %s (tree)", (unsigned long)tl->dev_index[k], tl->dev_name[k]);
    s->label = label;
    s->n = tl->n;
    s->t = t;
    s->v = v;
    s->peak_v = NAN;
    s->peak_t = NAN;
    s->peak_label = NULL;
    for (i = 0; i < r->ngpus; i++) {
        const hmn_sample_device *d = &r->gpus[i].dev;
        if (d->index != tl->dev_index[k] || !(d->valid & HMN_SDEV_HAS_TREE_PEAK))
            continue;
        s->peak_v = (double)d->tree_peak_bytes;
        s->peak_t = (double)d->tree_peak_at_ms / 1000.0;
    }
}

int run_plot(FILE *f, const struct run_timeline *tl, const struct run_report *r)
{
    struct plot_series *series = calloc(1 + tl->ndev, sizeof(*series));
    struct plot_spec spec;
    char title[512], (*labels)[160] = calloc(1 + tl->ndev, sizeof(*labels));
    size_t k, n = tl->n ? tl->n : 1;
    double *t = n <= SIZE_MAX / sizeof(double) / 2 / (1 + tl->ndev)
                    ? malloc(n * (1 + tl->ndev) * sizeof(double) * 2)
                    : NULL;
    int rc;
    if (!t || !series || !labels) {
        free(t);
        free(series);
        free(labels);
        return -1;
    }
    ram_series(&series[0], t, t + n, tl, r, labels[0], sizeof(labels[0]));
    for (k = 0; k < tl->ndev; k++)
        gpu_series(&series[1 + k], t + 2 * n * (1 + k), t + 2 * n * (1 + k) + n, tl, k, r,
                   labels[1 + k], sizeof(labels[1 + k]));
    /* The title is escaped for XML by the renderer; argv is the user's bytes. */
    snprintf(title, sizeof(title), "hmn run:");
    for (k = 0; k < r->argc && strlen(title) + strlen(r->argv[k]) + 2 < sizeof(title); k++) {
        strcat(title, " ");
        strcat(title, r->argv[k]);
    }
    spec.title = title;
    spec.series = series;
    spec.nseries = 1 + tl->ndev;
    spec.t_end = r->wall_seconds;
    rc = plot_svg_write(f, &spec);
    free(t);
    free(series);
    free(labels);
    return rc;
}
