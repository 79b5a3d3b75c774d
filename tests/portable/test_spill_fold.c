/*
 * tests/portable/test_spill_fold.c - the spill tracker's fold (core/spill.c)
 * against every upstream case (spec 2.10 / 6), through the public
 * hmn_spill_tracker_fold(), so it runs on every platform.
 */
#include "harness.h"

#include "hypomnesis.h"

#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)
#define LIMIT (8ull * GIB)
#define HIGH (LIMIT / 100 * 85) /* exactly the default threshold */
#define BASE (150ull * MIB)     /* benign idle shared usage */
#define SPILL (BASE + 256ull * MIB)

static hmn_spill_tracker *tracker(void)
{
    hmn_spill_tracker *t = NULL;
    /* Whatever the platform measures, fold() works on any tracker. */
    if (hmn_spill_tracker_open(NULL, 0, &t) != HMN_OK)
        return NULL;
    return t;
}

static hmn_spill_report report(const hmn_spill_tracker *t)
{
    hmn_spill_report r = HMN_SPILL_REPORT_INIT;
    if (hmn_spill_tracker_report(t, &r) != HMN_OK)
        r.observations = 0xDEAD;
    return r;
}

static hmn_spill_episode episode(const hmn_spill_tracker *t, size_t i)
{
    hmn_spill_episode e = HMN_SPILL_EPISODE_INIT;
    if (hmn_spill_tracker_episode(t, i, &e) != HMN_OK)
        e.observations = 0xDEAD;
    return e;
}

static void fold(hmn_spill_tracker *t, uint64_t ded, uint64_t shared, const char *label,
                 uint64_t ms)
{
    hmn_spill_tracker_fold(t, ded, shared, LIMIT, label, ms);
}

static void flicker_three_episodes_with_latch(void)
{
    hmn_spill_tracker *t = tracker();
    hmn_spill_episode e;
    CHECK(t);
    fold(t, HIGH / 2, BASE, "+0s", 0);
    fold(t, HIGH, SPILL, "+1s", 1000); /* 1 */
    fold(t, HIGH, BASE, "+2s", 2000);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    CHECK(hmn_spill_tracker_has_spilled(t)); /* latched */
    fold(t, HIGH, SPILL, "+3s", 3000);       /* 2 */
    fold(t, HIGH, SPILL, "+4s", 4000);
    fold(t, HIGH / 2, SPILL, "+5s", 5000);
    fold(t, HIGH, SPILL + GIB, "+6s", 6000); /* 3 */
    fold(t, HIGH, BASE, "+7s", 7000);
    CHECK_EQ_U64(report(t).episode_count, 3);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    CHECK(hmn_spill_tracker_has_spilled(t));
    e = episode(t, 0);
    CHECK_STR(e.start_label, "+1s");
    CHECK(e.has_end_label);
    CHECK_STR(e.end_label, "+2s");
    e = episode(t, 1);
    CHECK_STR(e.start_label, "+3s");
    CHECK_STR(e.end_label, "+5s");
    CHECK_EQ_U64(e.observations, 2);
    e = episode(t, 2);
    CHECK_STR(e.start_label, "+6s");
    CHECK_STR(e.end_label, "+7s");
    CHECK_EQ_U64(e.peak_shared_bytes, SPILL + GIB);
    hmn_spill_tracker_close(t);
}

static void benign_baseline_is_not_spill(void)
{
    hmn_spill_tracker *t = tracker();
    int i;
    CHECK(t);
    /* Dedicated at the ceiling, shared > 0 but flat: no spill. */
    for (i = 0; i < 50; i++)
        fold(t, LIMIT, BASE + (uint64_t)(i % 3) * MIB, "tick", (uint64_t)i * 100);
    CHECK_EQ_U64(report(t).episode_count, 0);
    CHECK(!hmn_spill_tracker_has_spilled(t));
    hmn_spill_tracker_close(t);
}

static void commit_gap_is_not_spill(void)
{
    hmn_spill_tracker *t = tracker();
    CHECK(t);
    /* Committing past VRAM with zero shared residency (dedicated below the
     * ceiling, shared flat at 0) is reservation headroom, not spill. */
    fold(t, HIGH - 1, 0, "a", 0);
    fold(t, HIGH - 1, 0, "b", 100);
    fold(t, HIGH, 0, "c", 200);
    CHECK_EQ_U64(report(t).episode_count, 0);
    CHECK(!hmn_spill_tracker_has_spilled(t));
    hmn_spill_tracker_close(t);
}

static void still_spilling_has_no_end_label(void)
{
    hmn_spill_tracker *t = tracker();
    hmn_spill_episode e;
    CHECK(t);
    fold(t, 0, BASE, "start", 0);
    fold(t, HIGH, SPILL, "s1", 100);
    fold(t, HIGH, SPILL, "s2", 300);
    CHECK(hmn_spill_tracker_is_spilling(t));
    e = episode(t, 0);
    CHECK(!e.has_end_label);
    CHECK_STR(e.end_label, "");
    CHECK_EQ_U64(e.duration_ms, 200);
    CHECK_EQ_U64(report(t).episode_count, 1);
    hmn_spill_tracker_close(t);
}

static void baseline_from_first_observation(void)
{
    hmn_spill_tracker *t = tracker();
    CHECK(t);
    /* A tracker started late sees a high baseline: growth is what counts. */
    fold(t, HIGH, 2 * GIB, "late", 0);
    fold(t, HIGH, 2 * GIB + 255 * MIB, "x", 100);
    CHECK_EQ_U64(report(t).baseline_shared_bytes, 2 * GIB);
    CHECK_EQ_U64(report(t).episode_count, 0);
    /* The first observation itself cannot spill with a non-zero growth. */
    CHECK(!hmn_spill_tracker_has_spilled(t));
    /* A later smaller value does not move the baseline. */
    fold(t, HIGH, MIB, "low", 200);
    CHECK_EQ_U64(report(t).baseline_shared_bytes, 2 * GIB);
    hmn_spill_tracker_close(t);
}

static void growth_boundary_is_inclusive(void)
{
    hmn_spill_tracker *t = tracker();
    CHECK(t);
    fold(t, 0, BASE, "base", 0);
    fold(t, HIGH, SPILL - 1, "below", 100);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    fold(t, HIGH, SPILL, "at", 200);
    CHECK(hmn_spill_tracker_is_spilling(t));
    /* Dedicated boundary too: threshold - 1 is not enough. */
    fold(t, HIGH - 1, SPILL, "ded-below", 300);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_close(t);
}

static void threshold_divides_first(void)
{
    hmn_spill_tracker *t = tracker();
    CHECK(t);
    /* limit 199: 199/100*85 = 85 (multiplying first would give 169). */
    hmn_spill_tracker_fold(t, 0, 0, 199, "b", 0);
    hmn_spill_tracker_fold(t, 84, SPILL, 199, "no", 1);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_fold(t, 85, SPILL, 199, "yes", 2);
    CHECK(hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_close(t);
}

static void unknown_or_tiny_limit_never_spills(void)
{
    hmn_spill_tracker *t = tracker();
    uint64_t limits[] = {0, 1, 99};
    size_t i;
    CHECK(t);
    for (i = 0; i < 3; i++) {
        hmn_spill_tracker_fold(t, 0, 0, limits[i], "b", 0);
        hmn_spill_tracker_fold(t, UINT64_MAX, UINT64_MAX, limits[i], "max", 1);
        CHECK(!hmn_spill_tracker_is_spilling(t));
    }
    CHECK(!hmn_spill_tracker_has_spilled(t));
    CHECK_EQ_U64(report(t).episode_count, 0);
    CHECK_EQ_U64(report(t).dedicated_limit_bytes, 99); /* limit_seen = last */
    hmn_spill_tracker_close(t);
}

static void overrides(void)
{
    hmn_spill_tracker *t = tracker();
    CHECK(t);
    /* An absolute threshold applies even when the limit is unknown. */
    hmn_spill_tracker_set_dedicated_threshold(t, 1000);
    hmn_spill_tracker_set_shared_growth(t, 10);
    hmn_spill_tracker_fold(t, 0, 100, 0, "b", 0);
    hmn_spill_tracker_fold(t, 999, 110, 0, "no", 1);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_fold(t, 1000, 109, 0, "no2", 2);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_fold(t, 1000, 110, 0, "yes", 3);
    CHECK(hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_close(t);
    /* Threshold override replaces the 85 %, even when lower or higher. */
    t = tracker();
    CHECK(t);
    hmn_spill_tracker_set_dedicated_threshold(t, LIMIT + 1);
    fold(t, 0, BASE, "b", 0);
    fold(t, LIMIT, SPILL, "full", 1);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_close(t);
    /* Growth 0: any dedicated-at-ceiling observation spills, the first included. */
    t = tracker();
    CHECK(t);
    hmn_spill_tracker_set_shared_growth(t, 0);
    fold(t, HIGH, 0, "first", 0);
    CHECK(hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_close(t);
    /* Growth saturates instead of wrapping. */
    t = tracker();
    CHECK(t);
    hmn_spill_tracker_set_shared_growth(t, UINT64_MAX);
    fold(t, HIGH, 5, "b", 0);
    fold(t, HIGH, UINT64_MAX - 1, "big", 1);
    CHECK(!hmn_spill_tracker_is_spilling(t));
    fold(t, HIGH, UINT64_MAX, "max", 2);
    CHECK(hmn_spill_tracker_is_spilling(t));
    hmn_spill_tracker_close(t);
}

static void zero_duration_single_episode(void)
{
    hmn_spill_tracker *t = tracker();
    hmn_spill_episode e;
    CHECK(t);
    fold(t, 0, BASE, "b", 0);
    fold(t, HIGH, SPILL, "blip", 500);
    fold(t, 0, BASE, "end", 900);
    e = episode(t, 0);
    CHECK_EQ_U64(e.observations, 1);
    CHECK_EQ_U64(e.duration_ms, 0);
    CHECK_EQ_U64(report(t).total_spill_duration_ms, 0);
    CHECK_EQ_U64(report(t).episode_count, 1);
    hmn_spill_tracker_close(t);
}

static void peaks_and_counters(void)
{
    hmn_spill_tracker *t = tracker();
    hmn_spill_report r;
    CHECK(t);
    r = report(t);
    CHECK_EQ_U64(r.observations, 0);
    CHECK_EQ_U64(r.baseline_shared_bytes, 0); /* nothing observed */
    fold(t, 1 * GIB, BASE, "a", 0);
    fold(t, 6 * GIB, 3 * GIB, "b", 10); /* below the ceiling: no spill */
    fold(t, 2 * GIB, 1 * GIB, "c", 20);
    r = report(t);
    CHECK_EQ_U64(r.observations, 3);
    CHECK_EQ_U64(r.peak_dedicated_bytes, 6 * GIB);
    CHECK_EQ_U64(r.episode_count, 0);
    CHECK_EQ_U64(r.peak_shared_bytes, 3 * GIB);
    CHECK_EQ_U64(r.baseline_shared_bytes, BASE);
    CHECK_EQ_U64(r.dedicated_limit_bytes, LIMIT);
    /* The episode's own peak is the max within it. */
    fold(t, HIGH, 2 * GIB, "s1", 30);
    fold(t, HIGH, 5 * GIB, "s2", 40);
    fold(t, HIGH, 4 * GIB, "s3", 50);
    CHECK_EQ_U64(episode(t, 0).peak_shared_bytes, 5 * GIB);
    CHECK_EQ_U64(episode(t, 0).observations, 3);
    CHECK_EQ_U64(report(t).peak_shared_bytes, 5 * GIB);
    CHECK_EQ_U64(report(t).observations, 6);
    /* Past the last episode: not found, not garbage. */
    {
        hmn_spill_episode e = HMN_SPILL_EPISODE_INIT;
        CHECK(hmn_spill_tracker_episode(t, 1, &e) == HMN_ENOENT);
    }
    hmn_spill_tracker_close(t);
}

/* Longest episode, ties to the earliest (upstream longest_episode()). */
static size_t longest(const hmn_spill_tracker *t)
{
    size_t i, best = 0;
    uint64_t n = report(t).episode_count;
    for (i = 1; i < n; i++)
        if (episode(t, i).duration_ms > episode(t, best).duration_ms)
            best = i;
    return best;
}

static void total_duration_and_longest(void)
{
    hmn_spill_tracker *t = tracker();
    CHECK(t);
    fold(t, 0, BASE, "b", 0);
    fold(t, HIGH, SPILL, "e1", 1000); /* 1000..1300: 300 */
    fold(t, HIGH, SPILL, "", 1300);
    fold(t, 0, BASE, "x1", 1400);
    fold(t, HIGH, SPILL, "e2", 2000); /* 2000..2500: 500 */
    fold(t, HIGH, SPILL, "", 2500);
    fold(t, 0, BASE, "x2", 2600);
    fold(t, HIGH, SPILL, "e3", 3000); /* 3000..3500: 500, ties e2 */
    fold(t, HIGH, SPILL, "", 3500);
    CHECK_EQ_U64(report(t).total_spill_duration_ms, 1300);
    CHECK_EQ_U64(episode(t, 1).duration_ms, 500);
    CHECK_EQ_U64(episode(t, 2).duration_ms, 500);
    CHECK(longest(t) == 1);
    CHECK_STR(episode(t, longest(t)).start_label, "e2");
    hmn_spill_tracker_close(t);
}

static void long_label_is_truncated_safely(void)
{
    hmn_spill_tracker *t = tracker();
    char label[200];
    CHECK(t);
    memset(label, 'L', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    fold(t, 0, BASE, "b", 0);
    fold(t, HIGH, SPILL, label, 1);
    fold(t, HIGH, SPILL, NULL, 2); /* NULL label is "" */
    fold(t, 0, BASE, NULL, 3);
    CHECK(strlen(episode(t, 0).start_label) == 63);
    CHECK(episode(t, 0).has_end_label);
    CHECK_STR(episode(t, 0).end_label, "");
    hmn_spill_tracker_close(t);
}

static void platform_tracker_without_samples(void)
{
    hmn_spill_tracker *t = tracker();
    hmn_spill_report r;
    CHECK(t);
#if !defined(_WIN32)
    /* Off Windows spill is "not measurable", never "not spilling". */
    CHECK(!hmn_spill_tracker_is_measurable(t));
    CHECK(hmn_is_spill_measurable(NULL) == 0);
    CHECK(hmn_snapshot_is_spilling(NULL, 0) < 0);
#endif
    if (!hmn_spill_tracker_is_measurable(t)) {
        hmn_spill_tracker_observe(t, "+0s");
        hmn_spill_tracker_observe(t, "+1s");
        r = report(t);
        CHECK_EQ_U64(r.observations, 0);
        CHECK(!r.measurable);
        CHECK(!hmn_spill_tracker_has_spilled(t));
    }
    hmn_spill_tracker_close(t);
    /* NULL-safe. */
    hmn_spill_tracker_fold(NULL, 1, 1, 1, "x", 0);
    hmn_spill_tracker_observe(NULL, "x");
    CHECK(!hmn_spill_tracker_is_spilling(NULL));
    CHECK(hmn_spill_tracker_report(NULL, &r) == HMN_EINVAL);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(flicker_three_episodes_with_latch),
        TEST_ENTRY(benign_baseline_is_not_spill),
        TEST_ENTRY(commit_gap_is_not_spill),
        TEST_ENTRY(still_spilling_has_no_end_label),
        TEST_ENTRY(baseline_from_first_observation),
        TEST_ENTRY(growth_boundary_is_inclusive),
        TEST_ENTRY(threshold_divides_first),
        TEST_ENTRY(unknown_or_tiny_limit_never_spills),
        TEST_ENTRY(overrides),
        TEST_ENTRY(zero_duration_single_episode),
        TEST_ENTRY(peaks_and_counters),
        TEST_ENTRY(total_duration_and_longest),
        TEST_ENTRY(long_label_is_truncated_safely),
        TEST_ENTRY(platform_tracker_without_samples),
    };
    return RUN_TESTS(tests);
}
