/*
 * cli/spill_report.c - the spill report block shared by `hmn spill` and the
 * closing summary of `hmn watch`, text and JSON, worded as upstream hmn
 * 0.2.14 prints it (docs/cli.md).  Where spill
 * cannot be measured every figure is null, never a misleading zero.
 */
#include "cli.h"

#include <string.h>

void spill_report_text(FILE *f, const char *prefix, const hmn_spill_tracker *t)
{
    hmn_spill_report r = HMN_SPILL_REPORT_INIT;
    hmn_spill_episode e = HMN_SPILL_EPISODE_INIT;
    char a[32], b[32];
    size_t i;
    uint64_t longest = 0;
    int indent = (int)strlen(prefix) + 2;
    hmn_spill_tracker_report(t, &r);
    fprintf(f, "%s: peak dedicated %s", prefix, vram(a, sizeof(a), r.peak_dedicated_bytes));
    if (r.dedicated_limit_bytes)
        fprintf(f, " / %s", vram(b, sizeof(b), r.dedicated_limit_bytes));
    fprintf(f, "\n%*speak shared    %s (baseline %s)\n", indent, "",
            vram(a, sizeof(a), r.peak_shared_bytes), vram(b, sizeof(b), r.baseline_shared_bytes));
    if (r.episode_count == 0) {
        fprintf(f, "%*sepisodes       0 \xE2\x80\x94 no spill observed\n", indent, "");
        return;
    }
    for (i = 0; i < r.episode_count; i++)
        if (hmn_spill_tracker_episode(t, i, &e) == HMN_OK && e.duration_ms > longest)
            longest = e.duration_ms;
    if (hmn_spill_tracker_episode(t, 0, &e) != HMN_OK)
        snprintf(e.start_label, sizeof(e.start_label), "?");
    fprintf(f, "%*sepisodes       %llu \xE2\x80\x94 total %.1fs, longest %.1fs, first %s into run\n",
            indent, "", (unsigned long long)r.episode_count,
            (double)r.total_spill_duration_ms / 1000.0, (double)longest / 1000.0,
            e.start_label[0] ? e.start_label : "?");
}

static void episodes_json(FILE *f, const hmn_spill_tracker *t, uint64_t n)
{
    hmn_spill_episode e = HMN_SPILL_EPISODE_INIT;
    size_t i;
    fputc('[', f);
    for (i = 0; i < n; i++) {
        if (hmn_spill_tracker_episode(t, i, &e) != HMN_OK)
            continue;
        fprintf(f, "%s{\"start_label\":", i ? "," : "");
        json_str(f, e.start_label);
        fputs(",\"end_label\":", f);
        json_str(f, e.has_end_label ? e.end_label : NULL);
        fprintf(f, ",\"peak_shared_bytes\":%llu,\"observations\":%llu,\"duration_ms\":%llu}",
                (unsigned long long)e.peak_shared_bytes, (unsigned long long)e.observations,
                (unsigned long long)e.duration_ms);
    }
    fputc(']', f);
}

void spill_report_json_fields(FILE *f, const hmn_spill_tracker *t, uint64_t observations)
{
    hmn_spill_report r = HMN_SPILL_REPORT_INIT;
    int m = t && hmn_spill_tracker_is_measurable(t) == 1;
    if (t)
        hmn_spill_tracker_report(t, &r);
    fprintf(f, "\"measurable\":%s,\"spilled\":", m ? "true" : "false");
    json_bool(f, m ? hmn_spill_tracker_has_spilled(t) == 1 : -1);
    fprintf(f, ",\"observations\":%llu,\"baseline_shared_bytes\":",
            (unsigned long long)(t ? r.observations : observations));
    json_u64(f, m, r.baseline_shared_bytes);
    fputs(",\"peak_shared_bytes\":", f);
    json_u64(f, m, r.peak_shared_bytes);
    fputs(",\"peak_dedicated_bytes\":", f);
    json_u64(f, m, r.peak_dedicated_bytes);
    fputs(",\"dedicated_limit_bytes\":", f);
    json_u64(f, m && r.dedicated_limit_bytes, r.dedicated_limit_bytes);
    fputs(",\"total_spill_duration_ms\":", f);
    json_u64(f, m, r.total_spill_duration_ms);
    fputs(",\"episodes\":", f);
    if (m)
        episodes_json(f, t, r.episode_count);
    else
        fputs("[]", f);
}
