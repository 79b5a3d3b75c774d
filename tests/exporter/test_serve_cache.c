/*
 * tests/exporter/test_serve_cache.c - the `hmn serve` collector thread
 * against concurrent readers, the way scrapes use it: reader threads take
 * and drop references to the published sample while the collector replaces
 * it as fast as it can, on a fake NVML whose processes change under it
 * (HMN_FAKE_NVML_RELOAD).  With libmicrohttpd, HTTP clients over loopback
 * scrape the real front end at the same time.  Run under ThreadSanitizer
 * in the tsan stage (label concurrency).
 */
#include "harness.h"

#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RUN_MS 1500

static struct serve_cache cache;
static char scenario[1024];
static int port;
static int done; /* set by main after RUN_MS; read and written under flag_mu */
static pthread_mutex_t flag_mu = PTHREAD_MUTEX_INITIALIZER;

static int finished(void)
{
    int d;
    pthread_mutex_lock(&flag_mu);
    d = done;
    pthread_mutex_unlock(&flag_mu);
    return d;
}

static uint64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* A scenario with `n` processes, replaced with rename so the fake never reads half. */
static int write_scenario(unsigned n)
{
    char tmp[1100];
    FILE *f;
    unsigned i;
    snprintf(tmp, sizeof(tmp), "%s.tmp", scenario);
    f = fopen(tmp, "w");
    if (!f)
        return -1;
    fputs("driver 535.104.05\nnvml 12.535.104.05\ncuda 12020\n", f);
    fputs("device name=\"NVIDIA H100 80GB HBM3\" uuid=GPU-00000000-0000-0000-0000-000000000000 "
          "pci=00000000:00:09.0 pci_id=0x233010de total=81559MiB reserved=529MiB used=19818MiB\n",
          f);
    for (i = 0; i < n; i++)
        fprintf(f, "proc pid=%u used=%uMiB kinds=compute\n", 30000 + i, 10 + i);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, scenario);
}

/* A body is whole: from the first family to a final newline, with the sample in it. */
static int body_ok(const char *p, size_t n)
{
    static const char head[] = "# HELP hmn_build_info ";
    return n > sizeof(head) && memcmp(p, head, sizeof(head) - 1) == 0 && p[n - 1] == '\n' &&
           memchr(p, '\0', n) == NULL;
}

struct reader {
    unsigned long reads, bad;
};

static void *read_cache(void *arg)
{
    struct reader *r = arg;
    while (!finished()) {
        struct mx_body *b = serve_cache_acquire(&cache);
        if (b) {
            r->reads++;
            r->bad += !body_ok(b->data, b->len);
            serve_cache_release(&cache, b);
        }
    }
    return NULL;
}

static void *churn(void *arg)
{
    unsigned k = 0;
    (void)arg;
    while (!finished()) {
        write_scenario(1 + (k++ % 40)); /* processes come and go */
        sleep_us(2000);
    }
    return NULL;
}

#if defined(HMN_HAVE_MICROHTTPD)
/* One GET over loopback; 1 when the answer is a 200 with a whole body. */
static int scrape(const char *path)
{
    struct sockaddr_in a;
    char req[128], *buf = malloc(1 << 20);
    size_t n = 0;
    ssize_t r;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok = 0;
    if (fd < 0 || !buf) {
        free(buf);
        if (fd >= 0)
            close(fd);
        return 0;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
        while (n < (1u << 20) - 1 && (r = read(fd, buf + n, (1u << 20) - 1 - n)) > 0)
            n += (size_t)r;
        buf[n] = '\0';
        if (strncmp(buf, "HTTP/1.1 200", 12) == 0 || strncmp(buf, "HTTP/1.0 200", 12) == 0) {
            char *body = strstr(buf, "\r\n\r\n");
            ok = body && (strcmp(path, "/metrics") != 0 ||
                          body_ok(body + 4, n - (size_t)(body + 4 - buf)));
        }
    }
    if (!ok)
        fprintf(stderr, "# scrape %s failed: n=%zu [%.40s] errno=%d\n", path, n, buf, errno);
    close(fd);
    free(buf);
    return ok;
}

static void *http_client(void *arg)
{
    struct reader *r = arg;
    while (!finished()) {
        r->reads++;
        r->bad += !scrape(r->reads % 5 ? "/metrics" : "/-/ready");
    }
    return NULL;
}
#endif

static void collector_against_readers(void)
{
    struct mx_options opt = {1, 1000};
    struct reader readers[6], clients[3];
    pthread_t rt[6], ct[3], churner;
    hmn_ctx *ctx = NULL;
    unsigned long reads = 0, bad = 0, scrapes = 0, scrape_bad = 0;
    uint64_t t0, samples;
    char err[256];
    size_t i, nclients = 0;
#if defined(HMN_HAVE_MICROHTTPD)
    struct http_server *http = NULL;
    struct listen_addr addr;
    char bound[96];
#endif
    memset(readers, 0, sizeof(readers));
    memset(clients, 0, sizeof(clients));
    snprintf(scenario, sizeof(scenario), "%s/serve-cache-%ld.scn",
             getenv("HMN_TEST_WORK") ? getenv("HMN_TEST_WORK") : ".", (long)getpid());
    CHECK(write_scenario(3) == 0);
    setenv("HMN_FAKE_NVML_SCENARIO", scenario, 1);
    setenv("HMN_FAKE_NVML_RELOAD", "1", 1);
    setenv("HMN_NVML_LIBRARY", getenv("HMN_TEST_FAKE_NVML"), 1);
    CHECK(hmn_ctx_open(&ctx) == HMN_OK);
    memset(&cache, 0, sizeof(cache));
#if defined(HMN_HAVE_MICROHTTPD)
    CHECK(listen_parse("127.0.0.1:0", &addr, err, sizeof(err)) == 0);
    CHECK(http_server_start(&http, &addr, &cache, bound, sizeof(bound), err, sizeof(err)) == 0);
    port = atoi(strrchr(bound, ':') + 1);
    CHECK(port > 0);
    CHECK(!scrape("/-/ready")); /* 503 before the first sample */
#endif
    CHECK(serve_cache_start(&cache, ctx, &opt, 1, err, sizeof(err)) == 0);
    t0 = ms_now();
    while (serve_cache_samples(&cache) == 0 && ms_now() - t0 < 10000)
        sleep_us(1000); /* scrapes before the first sample are 503 by design */
    CHECK(serve_cache_samples(&cache) > 0);
    for (i = 0; i < 6; i++)
        CHECK(pthread_create(&rt[i], NULL, read_cache, &readers[i]) == 0);
#if defined(HMN_HAVE_MICROHTTPD)
    for (; nclients < 3; nclients++)
        CHECK(pthread_create(&ct[nclients], NULL, http_client, &clients[nclients]) == 0);
#endif
    CHECK(pthread_create(&churner, NULL, churn, NULL) == 0);
    t0 = ms_now();
    while (ms_now() - t0 < RUN_MS)
        sleep_us(10000);
    pthread_mutex_lock(&flag_mu);
    done = 1;
    pthread_mutex_unlock(&flag_mu);
    for (i = 0; i < 6; i++) {
        pthread_join(rt[i], NULL);
        reads += readers[i].reads;
        bad += readers[i].bad;
    }
    for (i = 0; i < nclients; i++) {
        pthread_join(ct[i], NULL);
        scrapes += clients[i].reads;
        scrape_bad += clients[i].bad;
    }
    pthread_join(churner, NULL);
    samples = serve_cache_samples(&cache);
#if defined(HMN_HAVE_MICROHTTPD)
    http_server_stop(http);
#endif
    serve_cache_stop(&cache);
    hmn_ctx_close(ctx);
    unlink(scenario);
    printf("# %llu samples, %lu cache reads (%lu bad), %lu scrapes (%lu bad)\n",
           (unsigned long long)samples, reads, bad, scrapes, scrape_bad);
    CHECK(samples >= 10);
    CHECK(reads >= 100 && bad == 0);
#if defined(HMN_HAVE_MICROHTTPD)
    CHECK(scrapes >= 10 && scrape_bad == 0);
#endif
    (void)ct;
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {TEST_ENTRY(collector_against_readers)};
    if (!getenv("HMN_TEST_FAKE_NVML")) {
        puts("skipped: HMN_TEST_FAKE_NVML not set");
        return 77;
    }
    return RUN_TESTS(tests);
}
