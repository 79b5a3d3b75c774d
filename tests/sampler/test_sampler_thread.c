/*
 * tests/sampler/test_sampler_thread.c - the background thread against
 * concurrent readers (label concurrency: the TSan stage runs it).
 *
 * While the sampler's thread samples every 10 ms, reader threads read every
 * figure in a loop, the main thread takes samples of its own and uses the
 * same context for other queries, a child process comes and goes, and the
 * thread is started and stopped several times.  Readers check what must
 * hold whatever the interleaving: sample numbers and the sample count never
 * go back, and a summary's peak is never below the latest sample's sum.
 */
#define _DEFAULT_SOURCE 1
#include "harness.h"
#include "hypomnesis.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READERS 4

static atomic_int stop_readers;
static atomic_int reader_errors;
static atomic_int callbacks;

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *reader(void *arg)
{
    hmn_sampler *s = arg;
    uint64_t last_seq = 0, last_samples = 0;
    while (!atomic_load(&stop_readers)) {
        hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
        hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
        hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
        hmn_tree_process p = HMN_TREE_PROCESS_INIT;
        hmn_gpu_process o = HMN_GPU_PROCESS_INIT;
        size_t i;
        int rc = hmn_sampler_latest(s, &info);
        if (rc == HMN_OK) {
            if (info.seq < last_seq)
                atomic_fetch_add(&reader_errors, 1);
            last_seq = info.seq;
        } else if (rc != HMN_ENOENT) {
            atomic_fetch_add(&reader_errors, 1);
        }
        if (hmn_sampler_summary_get(s, &sum) != HMN_OK || sum.samples < last_samples)
            atomic_fetch_add(&reader_errors, 1);
        last_samples = sum.samples;
        for (i = 0; hmn_sampler_process(s, i, &p) == HMN_OK; i++)
            ;
        for (i = 0; i < sum.device_count; i++) {
            size_t j;
            if (hmn_sampler_device(s, i, &d) != HMN_OK)
                atomic_fetch_add(&reader_errors, 1);
            for (j = 0; hmn_sampler_other(s, i, HMN_SAMPLER_AT_LAST, j, &o) == HMN_OK; j++)
                ;
            for (j = 0; hmn_sampler_other(s, i, HMN_SAMPLER_AT_PEAK, j, &o) == HMN_OK; j++)
                ;
        }
    }
    return NULL;
}

static void on_sample(const hmn_sample *sample, void *user)
{
    hmn_sample_info info = HMN_SAMPLE_INFO_INIT;
    hmn_sample_device d = HMN_SAMPLE_DEVICE_INIT;
    (void)user;
    if (hmn_sample_get_info(sample, &info) == HMN_OK)
        (void)hmn_sample_get_device(sample, 0, &d);
    atomic_fetch_add(&callbacks, 1);
}

static void thread_with_readers(void)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sampler_summary sum = HMN_SAMPLER_SUMMARY_INIT;
    pthread_t th[READERS];
    hmn_sampler *s = NULL;
    hmn_ctx *ctx = NULL;
    int i, round;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    cfg.flags = HMN_SAMPLER_CHILDREN | HMN_SAMPLER_EXCLUDE_ROOT | HMN_SAMPLER_GPU;
    cfg.interval_ms = HMN_SAMPLER_MIN_INTERVAL_MS;
    CHECK(hmn_sampler_open(ctx, &cfg, &s) == HMN_OK);
    CHECK(hmn_sampler_set_callback(s, on_sample, NULL) == HMN_OK);
    atomic_store(&stop_readers, 0);
    for (i = 0; i < READERS; i++)
        CHECK(pthread_create(&th[i], NULL, reader, s) == 0);
    for (round = 0; round < 4; round++) {
        pid_t kid;
        uint64_t rss;
        int st;
        CHECK(hmn_sampler_start(s) == HMN_OK);
        kid = fork();
        CHECK(kid >= 0);
        if (kid == 0) {
            nap_ms(30);
            _exit(0);
        }
        for (i = 0; i < 5; i++) {
            CHECK(hmn_sampler_sample(s) == HMN_OK); /* beside the thread */
            CHECK(hmn_process_rss(ctx, &rss) == HMN_OK); /* the same context */
            nap_ms(5);
        }
        waitpid(kid, &st, 0);
        CHECK(hmn_sampler_stop(s) == HMN_OK);
        if (round == 1)
            CHECK(hmn_sampler_set_callback(s, NULL, NULL) == HMN_OK);
        if (round == 2)
            CHECK(hmn_sampler_set_callback(s, on_sample, NULL) == HMN_OK);
    }
    /* Closing while the thread runs stops it first. */
    CHECK(hmn_sampler_start(s) == HMN_OK);
    nap_ms(20);
    atomic_store(&stop_readers, 1);
    for (i = 0; i < READERS; i++)
        pthread_join(th[i], NULL);
    CHECK(hmn_sampler_summary_get(s, &sum) == HMN_OK);
    CHECK(sum.samples >= 20);
    CHECK(sum.processes_seen >= 4);
    CHECK(atomic_load(&reader_errors) == 0);
    CHECK(atomic_load(&callbacks) > 0);
    hmn_sampler_close(s);
    hmn_ctx_close(ctx);
}

/* Two samplers on one context, each with its thread. */
static void two_samplers_one_context(void)
{
    hmn_sampler_config cfg = HMN_SAMPLER_CONFIG_INIT;
    hmn_sampler_summary a = HMN_SAMPLER_SUMMARY_INIT, b = HMN_SAMPLER_SUMMARY_INIT;
    hmn_sampler *s1 = NULL, *s2 = NULL;
    hmn_ctx *ctx = NULL;
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    cfg.interval_ms = HMN_SAMPLER_MIN_INTERVAL_MS;
    CHECK(hmn_sampler_open(ctx, &cfg, &s1) == HMN_OK);
    cfg.flags = 0;
    CHECK(hmn_sampler_open(ctx, &cfg, &s2) == HMN_OK);
    CHECK(hmn_sampler_start(s1) == HMN_OK);
    CHECK(hmn_sampler_start(s2) == HMN_OK);
    nap_ms(100);
    hmn_sampler_close(s1);
    CHECK(hmn_sampler_summary_get(s2, &b) == HMN_OK);
    CHECK(hmn_sampler_stop(s2) == HMN_OK);
    CHECK(hmn_sampler_summary_get(s2, &a) == HMN_OK);
    CHECK(a.samples >= b.samples && a.samples >= 2);
    hmn_sampler_close(s2);
    hmn_ctx_close(ctx);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(thread_with_readers),
        TEST_ENTRY(two_samplers_one_context),
    };
    return RUN_TESTS(tests);
}
