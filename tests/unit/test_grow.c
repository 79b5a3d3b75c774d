/*
 * tests/unit/test_grow.c - the one array-growth helper (src/common/grow.h)
 * behind every growable array of the library and the CLI: doubling from
 * the first capacity, no work when there is room, and a refusal (array
 * untouched) instead of a wrapped size.
 */
#include "harness.h"

#include "common/grow.h"

#include <stdint.h>
#include <stdlib.h>

static void test_doubles_from_first(void)
{
    size_t cap = 0, i;
    int *v = NULL;
    for (i = 0; i < 40; i++) {
        int *nv = hmn__grow(v, &cap, i + 1, sizeof(*v), 16);
        CHECK(nv != NULL);
        v = nv;
        v[i] = (int)i;
        CHECK(cap == (i < 16 ? 16u : i < 32 ? 32u : 64u));
    }
    for (i = 0; i < 40; i++)
        CHECK(v[i] == (int)i); /* contents kept across moves */
    free(v);
}

static void test_room_left_is_no_work(void)
{
    size_t cap = 8;
    int *v = malloc(8 * sizeof(*v));
    CHECK(v != NULL);
    CHECK(hmn__grow(v, &cap, 8, sizeof(*v), 16) == v);
    CHECK_EQ_U64(cap, 8);
    free(v);
}

static void test_overflow_is_refused(void)
{
    size_t cap = 4;
    int *v = malloc(4 * sizeof(*v));
    CHECK(v != NULL);
    /* need * elem would wrap: NULL, and the old array and capacity stay. */
    CHECK(hmn__grow(v, &cap, SIZE_MAX / 2 + 2, sizeof(*v), 16) == NULL);
    CHECK_EQ_U64(cap, 4);
    CHECK(hmn__grow(v, &cap, SIZE_MAX / sizeof(*v) + 1, sizeof(*v), 16) == NULL);
    CHECK_EQ_U64(cap, 4);
    CHECK(hmn__grow(v, &cap, 5, 0, 16) == NULL); /* a zero-sized item is a bug */
    v[3] = 7;
    CHECK(v[3] == 7);
    free(v);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(test_doubles_from_first),
        TEST_ENTRY(test_room_left_is_no_work),
        TEST_ENTRY(test_overflow_is_refused),
    };
    return RUN_TESTS(tests);
}
