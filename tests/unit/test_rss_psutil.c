/*
 * Cross-check: our RSS against psutil (Debian's python3-psutil, run with
 * /usr/bin/python3) for this very process, within 1%.  The test command
 * installs python3-psutil; a missing psutil is a failure, not a skip.
 */
#include "harness.h"

#include <hypomnesis.h>

#include <unistd.h>

static int psutil_rss(uint64_t *out)
{
    char cmd[256], line[64];
    FILE *p;
    unsigned long long v = 0;
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c 'import psutil; print(psutil.Process(%d).memory_info().rss)'",
             (int)getpid());
    p = popen(cmd, "r");
    if (!p)
        return -1;
    if (!fgets(line, sizeof(line), p) || sscanf(line, "%llu", &v) != 1) {
        pclose(p);
        return -1;
    }
    if (pclose(p) != 0)
        return -1;
    *out = v;
    return 0;
}

static void matches_psutil_within_one_percent(void)
{
    const size_t size = 100u << 20;
    uint64_t ours_before = 0, ours_after = 0, theirs = 0, ours;
    char *p = malloc(size);
    double diff;
    CHECK(p != NULL);
    memset(p, 3, size); /* a large, stable RSS makes the 1% meaningful */
    CHECK(hmn_process_rss(NULL, &ours_before) == HMN_OK);
    CHECK(psutil_rss(&theirs) == 0);
    CHECK(hmn_process_rss(NULL, &ours_after) == HMN_OK);
    ours = (ours_before + ours_after) / 2;
    diff = (double)(ours > theirs ? ours - theirs : theirs - ours) / (double)theirs;
    printf("ours=%llu psutil=%llu diff=%.4f%%\n", (unsigned long long)ours,
           (unsigned long long)theirs, diff * 100.0);
    CHECK(diff < 0.01);
    free(p);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(matches_psutil_within_one_percent),
    };
    return RUN_TESTS(tests);
}
