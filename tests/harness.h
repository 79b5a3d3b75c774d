/*
 * tests/harness.h - a tiny test harness: each test file is one executable
 * with TEST() functions run in order; a failed CHECK prints file:line and
 * the test exits 1.  The closing line is "N passed, N failed".
 */
#ifndef HMN_TEST_HARNESS_H
#define HMN_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hmn_t_failed;
static int hmn_t_checks;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        hmn_t_checks++;                                                                        \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);           \
            hmn_t_failed = 1;                                                                  \
            return;                                                                            \
        }                                                                                      \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                                     \
    do {                                                                                       \
        uint64_t hmn_a_ = (uint64_t)(a), hmn_b_ = (uint64_t)(b);                               \
        hmn_t_checks++;                                                                        \
        if (hmn_a_ != hmn_b_) {                                                                \
            fprintf(stderr, "%s:%d: %s == %s failed: %" PRIu64 " != %" PRIu64 "\n", __FILE__,  \
                    __LINE__, #a, #b, hmn_a_, hmn_b_);                                         \
            hmn_t_failed = 1;                                                                  \
            return;                                                                            \
        }                                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                                        \
    do {                                                                                       \
        const char *hmn_a_ = (a), *hmn_b_ = (b);                                               \
        hmn_t_checks++;                                                                        \
        if (!hmn_a_ || !hmn_b_ || strcmp(hmn_a_, hmn_b_) != 0) {                               \
            fprintf(stderr, "%s:%d: %s == %s failed:\n  got      [%s]\n  expected [%s]\n",     \
                    __FILE__, __LINE__, #a, #b, hmn_a_ ? hmn_a_ : "(null)",                    \
                    hmn_b_ ? hmn_b_ : "(null)");                                               \
            hmn_t_failed = 1;                                                                  \
            return;                                                                            \
        }                                                                                      \
    } while (0)

typedef void (*hmn_test_fn)(void);
struct hmn_test {
    const char *name;
    hmn_test_fn fn;
};
#define TEST_ENTRY(f) {#f, f}

/* Run every test (or only argv[1]); print the closing line; exit status. */
static inline int hmn_run_tests(const struct hmn_test *t, size_t n, int argc, char **argv)
{
    size_t i;
    int passed = 0, failed = 0;
    for (i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], t[i].name) != 0)
            continue;
        hmn_t_failed = 0;
        t[i].fn();
        if (hmn_t_failed) {
            failed++;
            fprintf(stderr, "FAIL %s\n", t[i].name);
        } else {
            passed++;
            printf("ok   %s\n", t[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return (failed || passed == 0) ? 1 : 0;
}

#define RUN_TESTS(list) hmn_run_tests(list, sizeof(list) / sizeof((list)[0]), argc, argv)

#endif
