/*
 * tests/nvml/test_nvml_rows.c - the NVML process-row decoder
 * (src/parse/nvml_rows.c) on rows laid out as each driver generation
 * writes them: 16-byte unsuffixed rows, 24-byte _v2/_v3 rows, 32-byte
 * detail rows, and R535.43's 32-byte _v3 rows behind a 24-byte guess.
 */
#include "harness.h"

#include "abi/nvml_abi.h"
#include "parse/nvml_rows.h"

#include <string.h>

#define GIB 1073741824ull
#define NA 0xFFFFFFFFFFFFFFFFull

static unsigned char buf[8 * 32];

static void put_v1(size_t i, uint32_t pid, uint64_t used)
{
    hmn_nvmlProcessInfo_v1_t r;
    memset(&r, 0, sizeof(r));
    r.pid = pid;
    r.usedGpuMemory = used;
    memcpy(buf + i * sizeof(r), &r, sizeof(r));
}

static void put_v2(size_t i, uint32_t pid, uint64_t used, uint32_t gi, uint32_t ci)
{
    hmn_nvmlProcessInfo_v2_t r;
    memset(&r, 0, sizeof(r));
    r.pid = pid;
    r.usedGpuMemory = used;
    r.gpuInstanceId = gi;
    r.computeInstanceId = ci;
    memcpy(buf + i * sizeof(r), &r, sizeof(r));
}

static void put_detail(size_t i, uint32_t pid, uint64_t used)
{
    hmn_nvmlProcessDetail_v1_t r;
    memset(&r, 0, sizeof(r));
    r.pid = pid;
    r.usedGpuMemory = used;
    r.gpuInstanceId = r.computeInstanceId = UINT32_MAX;
    memcpy(buf + i * sizeof(r), &r, sizeof(r));
}

static void test_v1_rows_have_no_mig_ids(void)
{
    struct hmn__nvml_row rows[2];
    memset(buf, 0xAB, sizeof(buf));
    put_v1(0, 4242, 2 * GIB);
    put_v1(1, 4243, 512ull << 20);
    CHECK_EQ_U64(hmn__nvml_decode_rows(buf, 2 * 16, 2, HMN__NVML_STRIDE_V1, rows), 2);
    CHECK_EQ_U64(rows[0].pid, 4242);
    CHECK_EQ_U64(rows[0].used, 2 * GIB);
    CHECK_EQ_U64(rows[0].gi, UINT32_MAX);
    CHECK_EQ_U64(rows[1].pid, 4243);
    CHECK_EQ_U64(rows[1].ci, UINT32_MAX);
}

static void test_v2_rows_keep_mig_ids(void)
{
    struct hmn__nvml_row rows[2];
    put_v2(0, 100, GIB, 1, 0);
    put_v2(1, 101, 3 * GIB, 2, 5);
    CHECK_EQ_U64(hmn__nvml_decode_rows(buf, 2 * 24, 2, HMN__NVML_STRIDE_V2, rows), 2);
    CHECK_EQ_U64(rows[1].pid, 101);
    CHECK_EQ_U64(rows[1].used, 3 * GIB);
    CHECK_EQ_U64(rows[1].gi, 2);
    CHECK_EQ_U64(rows[1].ci, 5);
}

static void test_len_bounds_the_rows(void)
{
    struct hmn__nvml_row rows[4];
    put_v2(0, 100, GIB, 1, 0);
    put_v2(1, 101, GIB, 1, 0);
    /* Four rows asked for, one and a half in the buffer: one decoded. */
    CHECK_EQ_U64(hmn__nvml_decode_rows(buf, 36, 4, HMN__NVML_STRIDE_V2, rows), 1);
    CHECK_EQ_U64(hmn__nvml_decode_rows(buf, 15, 4, HMN__NVML_STRIDE_V1, rows), 0);
    CHECK_EQ_U64(hmn__nvml_decode_rows(buf, sizeof(buf), 4, 20, rows), 0); /* no such stride */
}

static void test_plausibility(void)
{
    struct hmn__nvml_row r = {4242, UINT32_MAX, UINT32_MAX, GIB};
    CHECK(hmn__nvml_row_plausible(&r, 80 * GIB));
    CHECK(hmn__nvml_row_plausible(&r, 0)); /* total unknown: memory not checked */
    r.used = 81 * GIB;
    CHECK(!hmn__nvml_row_plausible(&r, 80 * GIB));
    r.used = NA; /* "not available" is a valid answer */
    CHECK(hmn__nvml_row_plausible(&r, 80 * GIB));
    r.pid = 0;
    CHECK(!hmn__nvml_row_plausible(&r, 80 * GIB));
    r.pid = 0x40000000u;
    CHECK(!hmn__nvml_row_plausible(&r, 80 * GIB));
    r.pid = 7;
    r.gi = 65;
    CHECK(!hmn__nvml_row_plausible(&r, 80 * GIB));
    r.gi = 64;
    r.ci = 200;
    CHECK(!hmn__nvml_row_plausible(&r, 80 * GIB));
}

static void test_used_is_unknown_for_sentinel_and_garbage(void)
{
    struct hmn__nvml_row r = {4242, UINT32_MAX, UINT32_MAX, 2 * GIB};
    uint64_t used = 0;
    CHECK(hmn__nvml_row_used(&r, 80 * GIB, &used));
    CHECK_EQ_U64(used, 2 * GIB);
    r.used = NA;
    CHECK(!hmn__nvml_row_used(&r, 80 * GIB, &used));
    r.used = 81 * GIB;
    CHECK(!hmn__nvml_row_used(&r, 80 * GIB, &used));
    CHECK(hmn__nvml_row_used(&r, 0, &used)); /* unknown total: taken as written */
    CHECK_EQ_U64(used, 81 * GIB);
}

/* R535.43: the _v3 call wrote 32-byte rows while the symbols suggest 24. */
static void test_v3_r535_43_rows_behind_a_24_byte_guess(void)
{
    struct hmn__nvml_row rows[3];
    size_t n = 0;
    put_detail(0, 4242, 2 * GIB);
    put_detail(1, 4243, GIB);
    put_detail(2, 4244, GIB);
    CHECK_EQ_U64(hmn__nvml_decode_v3(buf, sizeof(buf), 3, HMN__NVML_STRIDE_V2, 80 * GIB, rows, &n),
                 HMN__NVML_STRIDE_DETAIL);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(rows[1].pid, 4243);
    CHECK_EQ_U64(rows[2].pid, 4244);
    CHECK_EQ_U64(rows[2].used, GIB);
}

static void test_v3_24_byte_rows_behind_a_32_byte_guess(void)
{
    struct hmn__nvml_row rows[3];
    size_t n = 0;
    put_v2(0, 4242, 2 * GIB, UINT32_MAX, UINT32_MAX);
    put_v2(1, 4243, GIB, UINT32_MAX, UINT32_MAX);
    put_v2(2, 4244, GIB, UINT32_MAX, UINT32_MAX);
    CHECK_EQ_U64(hmn__nvml_decode_v3(buf, sizeof(buf), 3, HMN__NVML_STRIDE_DETAIL, 80 * GIB, rows,
                                     &n),
                 HMN__NVML_STRIDE_V2);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(rows[2].pid, 4244);
}

static void test_v3_keeps_the_guess_when_nothing_makes_sense(void)
{
    struct hmn__nvml_row rows[2];
    size_t n = 0;
    memset(buf, 0xFF, sizeof(buf)); /* PID 0xFFFFFFFF whatever the stride */
    CHECK_EQ_U64(hmn__nvml_decode_v3(buf, sizeof(buf), 2, HMN__NVML_STRIDE_V2, 80 * GIB, rows, &n),
                 HMN__NVML_STRIDE_V2);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_U64(rows[0].pid, 0xFFFFFFFFu);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_v1_rows_have_no_mig_ids),
        TEST_ENTRY(test_v2_rows_keep_mig_ids),
        TEST_ENTRY(test_len_bounds_the_rows),
        TEST_ENTRY(test_plausibility),
        TEST_ENTRY(test_used_is_unknown_for_sentinel_and_garbage),
        TEST_ENTRY(test_v3_r535_43_rows_behind_a_24_byte_guess),
        TEST_ENTRY(test_v3_24_byte_rows_behind_a_32_byte_guess),
        TEST_ENTRY(test_v3_keeps_the_guess_when_nothing_makes_sense),
    };
    return RUN_TESTS(tests);
}
