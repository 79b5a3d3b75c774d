/*
 * cli/serve_cache.c - the collector thread of `hmn serve` and the published
 * sample it leaves for scrapes (see serve.h).  The collector owns the
 * context; the mutex guards only a pointer swap and reference counts, so a
 * scrape waits at most for another scrape's increment, never for a backend.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L

#include "serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void body_unref_locked(struct mx_body *b)
{
    if (b && --b->refs == 0) {
        free(b->data);
        free(b);
    }
}

static void publish(struct serve_cache *c, struct mx_buf *text)
{
    struct mx_body *b = malloc(sizeof(*b)), *old;
    if (!b) {
        mx_buf_free(text);
        return; /* keep serving the previous sample */
    }
    b->refs = 1; /* the cache's own reference */
    b->len = text->len;
    b->data = text->data; /* the buffer moves into the body */
    memset(text, 0, sizeof(*text));
    pthread_mutex_lock(&c->mu);
    old = c->body;
    c->body = b;
    c->samples++;
    body_unref_locked(old);
    pthread_mutex_unlock(&c->mu);
}

static void deadline_after(struct timespec *ts, uint64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Sleep what is left of the interval after a collection of `spent_ms`; 1 when stopping. */
static int wait_interval(struct serve_cache *c, uint64_t spent_ms)
{
    struct timespec until;
    int stop;
    deadline_after(&until, spent_ms >= c->interval_ms ? 0 : c->interval_ms - spent_ms);
    pthread_mutex_lock(&c->mu);
    while (!c->stop && pthread_cond_timedwait(&c->wake, &c->mu, &until) != ETIMEDOUT) {
    }
    stop = c->stop;
    pthread_mutex_unlock(&c->mu);
    return stop;
}

static int stopping(void *arg)
{
    struct serve_cache *c = arg;
    int stop;
    pthread_mutex_lock(&c->mu);
    stop = c->stop;
    pthread_mutex_unlock(&c->mu);
    return stop;
}

static void *collector_main(void *arg)
{
    struct serve_cache *c = arg;
    do {
        uint64_t t0 = mono_ms();
        struct mx_buf text = {0};
        if (mx_collect_render(&c->col, &text) == 0)
            publish(c, &text);
        else
            mx_buf_free(&text);
        if (wait_interval(c, mono_ms() - t0))
            break;
    } while (1);
    return NULL;
}

int serve_cache_start(struct serve_cache *c, hmn_ctx *ctx, const struct mx_options *opt,
                      uint64_t interval_ms, char *err, size_t errcap)
{
    pthread_condattr_t ca;
    int rc;
    memset(c, 0, sizeof(*c));
    mx_collector_init(&c->col, ctx, opt);
    c->col.cancelled = stopping;
    c->col.cancel_arg = c;
    c->interval_ms = interval_ms;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        snprintf(err, errcap, "cannot create a mutex");
        return -1;
    }
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a wall-clock jump must not stall sampling */
    rc = pthread_cond_init(&c->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        pthread_mutex_destroy(&c->mu);
        snprintf(err, errcap, "cannot create a condition variable");
        return -1;
    }
    rc = pthread_create(&c->thread, NULL, collector_main, c);
    if (rc != 0) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->mu);
        snprintf(err, errcap, "cannot start the collector thread: %s", strerror(rc));
        return -1;
    }
    c->started = 1;
    return 0;
}

void serve_cache_stop(struct serve_cache *c)
{
    if (!c->started)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    mx_collector_close(&c->col);
    pthread_mutex_lock(&c->mu);
    body_unref_locked(c->body);
    c->body = NULL;
    pthread_mutex_unlock(&c->mu);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->mu);
    c->started = 0;
}

struct mx_body *serve_cache_acquire(struct serve_cache *c)
{
    struct mx_body *b;
    pthread_mutex_lock(&c->mu);
    b = c->body;
    if (b)
        b->refs++;
    pthread_mutex_unlock(&c->mu);
    return b;
}

void serve_cache_release(struct serve_cache *c, struct mx_body *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&c->mu);
    body_unref_locked(b);
    pthread_mutex_unlock(&c->mu);
}

uint64_t serve_cache_samples(struct serve_cache *c)
{
    uint64_t n;
    pthread_mutex_lock(&c->mu);
    n = c->samples;
    pthread_mutex_unlock(&c->mu);
    return n;
}
#else
/* Windows: `hmn serve` is not built (no libmicrohttpd); nothing here. */
typedef int hmn_serve_cache_unused;
#endif
