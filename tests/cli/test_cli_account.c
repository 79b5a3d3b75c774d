/*
 * tests/cli/test_cli_account.c - how accounts and owners are printed: the
 * MiB rounding under which the parts add up exactly, the hint line and its
 * threshold, the likely causes per source, and the USER / WHERE cells.
 */
#include "harness.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>

#define MIB 1048576ull

static uint64_t sum(const uint64_t *v, size_t n)
{
    uint64_t s = 0;
    size_t i;
    for (i = 0; i < n; i++)
        s += v[i];
    return s;
}

/* Parts add up to floor(total / MiB) and each is within 1 MiB of its bytes. */
static void test_apportion_adds_up(void)
{
    /* The DRM tree's card0: 12 MiB, 4 MiB, 2068 KiB and the 505836 KiB remainder. */
    uint64_t b[4] = {12 * MIB, 4 * MIB, 2068 * 1024ull, 505836 * 1024ull}, m[4];
    uint64_t many[100], mm[100];
    size_t i;
    apportion_mib(b, 4, sum(b, 4) / MIB, m);
    CHECK_EQ_U64(sum(m, 4), 512);
    CHECK_EQ_U64(m[0], 12);
    CHECK_EQ_U64(m[1], 4);
    CHECK_EQ_U64(m[2], 2);   /* 2.02 stays 2 ... */
    CHECK_EQ_U64(m[3], 494); /* ... 493.98 gets the unit */
    /* 100 parts of 1.5 MiB: 150 MiB, half of them rounded up, the earlier ones first. */
    for (i = 0; i < 100; i++)
        many[i] = MIB + MIB / 2;
    apportion_mib(many, 100, 150, mm);
    CHECK_EQ_U64(sum(mm, 100), 150);
    CHECK_EQ_U64(mm[0], 2);
    CHECK_EQ_U64(mm[49], 2);
    CHECK_EQ_U64(mm[50], 1);
    for (i = 0; i < 100; i++)
        CHECK(mm[i] == 1 || mm[i] == 2);
}

/* Exact parts are never rounded; a total out of reach is not forced. */
static void test_apportion_exact_and_bounds(void)
{
    uint64_t b[3] = {3 * MIB, 0, MIB / 3}, m[3];
    apportion_mib(b, 3, 3, m);
    CHECK_EQ_U64(m[0], 3);
    CHECK_EQ_U64(m[1], 0);
    CHECK_EQ_U64(m[2], 0);
    apportion_mib(b, 3, 99, m); /* only the one inexact part can take a unit */
    CHECK_EQ_U64(sum(m, 3), 4);
    apportion_mib(b, 0, 0, m);
}

static void render_hint(const struct hint_list *h, char *out, size_t cap)
{
    FILE *f = tmpfile(); /* can fail on Windows (it writes to the drive root) */
    size_t n;
    if (!f)
        f = fopen("test_cli_account.tmp", "w+b");
    out[0] = '\0';
    if (!f)
        return;
    hint_print(f, h);
    rewind(f);
    n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

/* The threshold is strict, and the line stays one short line for any count. */
static void test_hint_threshold_and_text(void)
{
    hmn_memory_account a = HMN_MEMORY_ACCOUNT_INIT;
    struct hint_list h;
    char out[512];
    uint64_t mib = 7;
    uint32_t i;
    h.n = 0;
    a.valid = HMN_ACCT_HAS_USED | HMN_ACCT_HAS_UNATTRIBUTED;
    a.used_bytes = a.unattributed_bytes = HINT_THRESHOLD_BYTES;
    CHECK(!hint_value(NULL, &a, &mib));
    CHECK_EQ_U64(mib, 7);
    a.used_bytes = a.unattributed_bytes = HINT_THRESHOLD_BYTES + 1;
    a.valid = HMN_ACCT_HAS_USED | HMN_ACCT_ROWS_EXCEED_USED; /* no remainder: no hint */
    CHECK(!hint_value(NULL, &a, &mib));
    a.valid = HMN_ACCT_HAS_USED | HMN_ACCT_HAS_UNATTRIBUTED;
    a.used_bytes = a.unattributed_bytes = 571 * MIB + MIB / 2;
    CHECK(hint_value(NULL, &a, &mib));
    CHECK_EQ_U64(mib, 571); /* floor(used): nothing else to round against */
    hint_add(&h, 2, mib);
    render_hint(&h, out, sizeof(out));
    CHECK_STR(out, "hmn: GPU 2: 571 MiB of used memory is held by no listed process; see "
                   "`hmn explain --device 2`.\n");
    hint_add(&h, 5, 600);
    render_hint(&h, out, sizeof(out));
    CHECK_STR(out, "hmn: used memory held by no listed process: GPU 2 571 MiB, GPU 5 600 MiB; "
                   "see `hmn explain`.\n");
    for (i = 6; i < 9; i++)
        hint_add(&h, i, 300);
    render_hint(&h, out, sizeof(out));
    CHECK_STR(out, "hmn: 5 GPUs have used memory held by no listed process (up to 600 MiB, GPU "
                   "5); see `hmn explain`.\n");
    h.n = 0;
    render_hint(&h, out, sizeof(out));
    CHECK_STR(out, "");
}

static int has_cause(const char *const *c, size_t n, const char *word)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strstr(c[i], word))
            return 1;
    return 0;
}

/* Each source gets its own causes; rows with n/a come first. */
static void test_causes_per_source(void)
{
    struct cause_input in;
    const char *c[8];
    size_t n;
    memset(&in, 0, sizeof(in));
    in.source = HMN_SOURCE_NVIDIA_SMI;
    n = unattributed_causes(&in, c, 8);
    CHECK(has_cause(c, n, "compute processes only"));
    in.source = HMN_SOURCE_NVML;
    n = unattributed_causes(&in, c, 8);
    CHECK(!has_cause(c, n, "compute processes only"));
    CHECK(has_cause(c, n, "managed"));
    CHECK(!has_cause(c, n, "reserved"));
    in.memory_api = HMN_MEMORY_API_NVML_V1;
    in.unreported = 2;
    in.mig = 1;
    n = unattributed_causes(&in, c, 8);
    CHECK(strstr(c[0], "n/a") != NULL);
    CHECK(has_cause(c, n, "reserved"));
    CHECK(has_cause(c, n, "MIG"));
    memset(&in, 0, sizeof(in));
    in.source = HMN_SOURCE_DRM_FDINFO;
    in.unreadable = 1;
    n = unattributed_causes(&in, c, 8);
    CHECK(has_cause(c, n, "could not be read"));
    CHECK(has_cause(c, n, "kernel driver"));
    CHECK_EQ_U64(unattributed_causes(&in, c, 1), 1); /* bounded by the caller's array */
}

/* USER and WHERE cells: the name, else the uid; pod before container; "-" for nothing. */
static void test_owner_cells(void)
{
    hmn_process_owner o = HMN_PROCESS_OWNER_INIT;
    char buf[512];
    CHECK_STR(owner_user_text(buf, sizeof(buf), &o), "?");
    CHECK_STR(owner_where_text(buf, sizeof(buf), &o, 0), "-");
    CHECK_STR(owner_where_text(buf, sizeof(buf), &o, 1), "[other namespace]");
    o.valid = HMN_OWNER_HAS_UID;
    o.uid = 4242;
    CHECK_STR(owner_user_text(buf, sizeof(buf), &o), "4242");
    o.valid |= HMN_OWNER_HAS_USER | HMN_OWNER_HAS_UNIT | HMN_OWNER_HAS_SLICE;
    snprintf(o.user, sizeof(o.user), "alice");
    snprintf(o.unit, sizeof(o.unit), "ollama.service");
    snprintf(o.slice, sizeof(o.slice), "system.slice");
    CHECK_STR(owner_user_text(buf, sizeof(buf), &o), "alice");
    CHECK_STR(owner_where_text(buf, sizeof(buf), &o, 0), "unit:ollama.service");
    o.valid |= HMN_OWNER_HAS_CONTAINER | HMN_OWNER_HAS_POD | HMN_OWNER_HAS_QOS;
    o.runtime = HMN_RUNTIME_CRIO;
    o.qos = HMN_QOS_BURSTABLE;
    snprintf(o.container_id, sizeof(o.container_id), "%s",
             "5eed917563583925ffdbd40a64efb2aaffe58638e57add8becaf460fe74f5b1c");
    snprintf(o.pod_uid, sizeof(o.pod_uid), "a5c1f8d5-1919-434d-add7-4afaafdaef89");
    CHECK_STR(owner_where_text(buf, sizeof(buf), &o, 1),
              "[other namespace] pod:a5c1f8d5-1919-434d-add7-4afaafdaef89(burstable) "
              "cri-o:5eed91756358");
    o.runtime = HMN_RUNTIME_UNKNOWN;
    o.valid &= ~(uint64_t)(HMN_OWNER_HAS_POD | HMN_OWNER_HAS_QOS);
    CHECK_STR(owner_where_text(buf, sizeof(buf), &o, 0), "container:5eed91756358");
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_apportion_adds_up),     TEST_ENTRY(test_apportion_exact_and_bounds),
        TEST_ENTRY(test_hint_threshold_and_text), TEST_ENTRY(test_causes_per_source),
        TEST_ENTRY(test_owner_cells),
    };
    return hmn_run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
