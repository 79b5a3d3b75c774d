/*
 * cli/serve.h - the pieces of `hmn serve`: the sample cache filled by a
 * collector thread (serve_cache.c) and the HTTP front end over
 * libmicrohttpd (http_server.c, built only when the library was found).
 * POSIX only: on Windows `hmn serve` says it is not available.
 */
#ifndef HMN_CLI_SERVE_H
#define HMN_CLI_SERVE_H

#include "metrics.h"

#if !defined(_WIN32)
#include <pthread.h>

/* One rendered exposition, shared by the cache and the scrapes sending it. */
struct mx_body {
    size_t refs; /* under the cache mutex */
    size_t len;
    char *data;
};

/*
 * The collector thread samples every interval_ms and publishes the rendered
 * text by swapping a pointer under a short mutex.  Scrapes take a reference
 * to the published text and never touch the context, so a hung backend
 * delays the next sample, never a scrape.
 */
struct serve_cache {
    struct mx_collector col; /* used by the collector thread only */
    uint64_t interval_ms;
    pthread_mutex_t mu;
    pthread_cond_t wake; /* signalled by serve_cache_stop */
    pthread_t thread;
    int started, stop;
    struct mx_body *body; /* NULL until the first sample */
    uint64_t samples;     /* bodies published */
};

/* Start the collector on ctx (first sample at once).  0, or -1 with err. */
int serve_cache_start(struct serve_cache *c, hmn_ctx *ctx, const struct mx_options *opt,
                      uint64_t interval_ms, char *err, size_t errcap);
/* Stop and join the collector (waits for a collection in progress), free the body. */
void serve_cache_stop(struct serve_cache *c);
/* The latest body with a reference taken, or NULL before the first sample. */
struct mx_body *serve_cache_acquire(struct serve_cache *c);
void serve_cache_release(struct serve_cache *c, struct mx_body *b);
/* Bodies published so far. */
uint64_t serve_cache_samples(struct serve_cache *c);

/* ---- HTTP (http_server.c, with libmicrohttpd) -------------------------- */

/* Fixed limits of the HTTP front end (docs/exporter.md lists them). */
#define HTTP_MAX_CONNECTIONS 64u
#define HTTP_MAX_PER_IP 16u
#define HTTP_IDLE_TIMEOUT_S 10u
#define HTTP_REQUEST_DEADLINE_MS 10000u /* to receive a request and send the answer */
#define HTTP_MEMORY_PER_CONNECTION 16384u

struct http_server;

/*
 * Bind addr and serve /metrics, /-/ready and /-/healthy from cache.
 * `bound` gets the address actually listened on ("127.0.0.1:9835").
 * 0, or -1 with the reason in err (address in use, permission ...).
 */
int http_server_start(struct http_server **out, const struct listen_addr *addr,
                      struct serve_cache *cache, char *bound, size_t boundcap, char *err,
                      size_t errcap);
/* Close every connection and the listening socket. */
void http_server_stop(struct http_server *s);
#endif /* !_WIN32 */

#endif /* HMN_CLI_SERVE_H */
