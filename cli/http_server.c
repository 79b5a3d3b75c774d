/*
 * cli/http_server.c - the HTTP front end of `hmn serve`, over GNU
 * libmicrohttpd (no HTTP parsing of our own).  Built only when CMake found
 * the library (HMN_HAVE_MICROHTTPD); cmd_serve.c says what to install
 * otherwise.
 *
 * Endpoints: GET/HEAD /metrics (the cached exposition; 503 before the first
 * sample), /-/ready (503 until the first sample, then 200), /-/healthy
 * (200); any other path 404, any other method 405 with Allow.
 *
 * Limits (serve.h): a connection cap, a cap per client address, an idle
 * timeout and a per-connection memory budget (bounds the request headers)
 * from libmicrohttpd, plus a request deadline of our own: the idle timeout
 * restarts on every byte, so a client trickling one byte a second would
 * hold a slot for hours.  A watchdog thread shuts down the socket of any
 * connection that has not completed a request within the deadline of its
 * opening or of its previous answer.
 */
#if !defined(_WIN32) && defined(HMN_HAVE_MICROHTTPD)
#define _POSIX_C_SOURCE 200809L

#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#if MHD_VERSION < 0x00097302
#error "libmicrohttpd 0.9.73 or later is needed (response buffers with a free callback)"
#endif
#define MHD_RESULT enum MHD_Result

/* One open connection, for the request deadline. */
struct conn_track {
    int fd;
    int shut;
    uint64_t deadline_ms;
    struct conn_track *prev, *next;
};

struct http_server {
    struct MHD_Daemon *daemon;
    struct serve_cache *cache;
    struct MHD_Response *not_found, *not_allowed, *ready, *not_ready, *healthy, *no_sample;
    pthread_mutex_t mu; /* guards the connection list and `stop` */
    pthread_cond_t wake;
    pthread_t watchdog;
    int watchdog_started, stop;
    struct conn_track *conns;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---------------------------------------------------------------- request deadline */

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    struct conn_track *t = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        t = calloc(1, sizeof(*t));
        if (!t || !ci) {
            free(t);
            return; /* untracked: only the idle timeout applies to it */
        }
        t->fd = ci->connect_fd;
        t->deadline_ms = mono_ms() + HTTP_REQUEST_DEADLINE_MS;
        pthread_mutex_lock(&s->mu);
        t->next = s->conns;
        if (s->conns)
            s->conns->prev = t;
        s->conns = t;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->mu);
        *socket_context = t;
        return;
    }
    if (!t)
        return;
    /* libmicrohttpd closes the socket only after this notification: once
     * unlinked here, the watchdog can no longer touch a reused fd number. */
    pthread_mutex_lock(&s->mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        s->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&s->mu);
    free(t);
    *socket_context = NULL;
}

/* A request answered: the next one on this connection gets a fresh deadline. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    const union MHD_ConnectionInfo *ci;
    (void)req_cls;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        return;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (!ci || !ci->socket_context)
        return;
    pthread_mutex_lock(&s->mu);
    ((struct conn_track *)ci->socket_context)->deadline_ms = mono_ms() + HTTP_REQUEST_DEADLINE_MS;
    pthread_mutex_unlock(&s->mu);
}

static void *watchdog_main(void *arg)
{
    struct http_server *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        uint64_t now = mono_ms(), next = 0;
        struct conn_track *t;
        struct timespec until;
        for (t = s->conns; t; t = t->next) {
            if (t->shut)
                continue;
            if (now >= t->deadline_ms) {
                /* shutdown, not close: libmicrohttpd owns the descriptor and
                 * sees end-of-file, then closes and frees the connection. */
                shutdown(t->fd, SHUT_RDWR);
                t->shut = 1;
            } else if (!next || t->deadline_ms < next) {
                next = t->deadline_ms;
            }
        }
        if (!next) {
            pthread_cond_wait(&s->wake, &s->mu); /* nothing to watch */
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &until);
        next -= now;
        until.tv_sec += (time_t)(next / 1000);
        until.tv_nsec += (long)(next % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->wake, &s->mu, &until);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---------------------------------------------------------------- answers */

static struct MHD_Response *text_response(const char *text)
{
    /* Copied once at start; the answer objects are then shared by every request. */
    char *copy = malloc(strlen(text) + 1);
    struct MHD_Response *r;
    if (!copy)
        return NULL;
    memcpy(copy, text, strlen(text) + 1);
    r = MHD_create_response_from_buffer(strlen(copy), copy, MHD_RESPMEM_MUST_FREE);
    if (!r)
        free(copy);
    if (r)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    return r;
}

struct body_ref {
    struct serve_cache *cache;
    struct mx_body *body;
};

static void release_ref(void *cls)
{
    struct body_ref *r = cls;
    serve_cache_release(r->cache, r->body);
    free(r);
}

static MHD_RESULT serve_metrics(struct http_server *s, struct MHD_Connection *conn)
{
    struct body_ref *ref;
    struct MHD_Response *r;
    MHD_RESULT ok;
    struct mx_body *b = serve_cache_acquire(s->cache);
    if (!b)
        return MHD_queue_response(conn, MHD_HTTP_SERVICE_UNAVAILABLE, s->no_sample);
    ref = malloc(sizeof(*ref));
    if (!ref) {
        serve_cache_release(s->cache, b);
        return MHD_NO;
    }
    ref->cache = s->cache;
    ref->body = b;
    /* No copy: the response points into the shared body and drops its
     * reference when libmicrohttpd is done sending it. */
    r = MHD_create_response_from_buffer_with_free_callback_cls(b->len, b->data, release_ref, ref);
    if (!r) {
        release_ref(ref);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, MX_CONTENT_TYPE);
    ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_data_size, void **req_cls)
{
    static int first_call_seen;
    struct http_server *s = cls;
    (void)version;
    (void)upload_data;
    if (!*req_cls) {
        /* Other methods are refused before any body is read. */
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, s->not_allowed);
        /* The first call only says the headers are in; answering from the
         * last one lets libmicrohttpd keep the connection alive afterwards. */
        *req_cls = &first_call_seen;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* a body on a GET is read and dropped */
        return MHD_YES;
    }
    if (strcmp(url, "/metrics") == 0)
        return serve_metrics(s, conn);
    if (strcmp(url, "/-/healthy") == 0)
        return MHD_queue_response(conn, MHD_HTTP_OK, s->healthy);
    if (strcmp(url, "/-/ready") == 0)
        return serve_cache_samples(s->cache) ? MHD_queue_response(conn, MHD_HTTP_OK, s->ready)
                                             : MHD_queue_response(
                                                   conn, MHD_HTTP_SERVICE_UNAVAILABLE, s->not_ready);
    return MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, s->not_found);
}

/* libmicrohttpd's messages (HMN_DEBUG=1 only); the format is libmicrohttpd's own. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("hmn: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* ---------------------------------------------------------------- socket */

static int bind_error(const struct listen_addr *a, int e, char *err, size_t cap)
{
    const char *open = a->family == 6 ? "[" : "", *close = a->family == 6 ? "]" : "";
    if (e == EADDRINUSE)
        snprintf(err, cap,
                 "cannot listen on %s%s%s:%u: address already in use (another hmn serve or "
                 "exporter?); choose another with --listen",
                 open, a->host, close, a->port);
    else if (e == EACCES)
        snprintf(err, cap, "cannot listen on %s%s%s:%u: permission denied (ports below 1024 "
                           "need privileges)",
                 open, a->host, close, a->port);
    else if (e == EADDRNOTAVAIL)
        snprintf(err, cap, "cannot listen on %s%s%s:%u: no such address on this machine", open,
                 a->host, close, a->port);
    else
        snprintf(err, cap, "cannot listen on %s%s%s:%u: %s", open, a->host, close, a->port,
                 strerror(e));
    return -1;
}

static int open_listener(const struct listen_addr *a, char *bound, size_t bcap, char *err,
                         size_t ecap)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1, zero = 0, e;
    char host[64];
    memset(&ss, 0, sizeof(ss));
    if (a->family == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(a->port);
        if (inet_pton(AF_INET, a->host, &in->sin_addr) != 1)
            return bind_error(a, EINVAL, err, ecap);
        len = sizeof(*in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(a->port);
        if (inet_pton(AF_INET6, a->host, &in6->sin6_addr) != 1)
            return bind_error(a, EINVAL, err, ecap);
        len = sizeof(*in6);
    }
    /* CLOEXEC: the nvidia-smi the collector may start must not inherit the port. */
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return bind_error(a, errno, err, ecap);
    /* REUSEADDR: a restart may bind while old connections sit in TIME_WAIT;
     * it does not let two servers share the port. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (a->family == 6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, a->any ? &zero : &one, sizeof(int));
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 64) != 0) {
        e = errno;
        close(fd);
        return bind_error(a, e, err, ecap);
    }
    len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        snprintf(bound, bcap, "%s:%u", host, ntohs(in->sin_port));
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        snprintf(bound, bcap, "[%s]:%u", host, ntohs(in6->sin6_port));
    }
    return fd;
}

/* ---------------------------------------------------------------- lifecycle */

static void free_responses(struct http_server *s)
{
    struct MHD_Response **r[] = {&s->not_found, &s->not_allowed, &s->ready,
                                 &s->not_ready,  &s->healthy,     &s->no_sample};
    size_t i;
    for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
        if (*r[i])
            MHD_destroy_response(*r[i]);
        *r[i] = NULL;
    }
}

static int make_responses(struct http_server *s)
{
    s->not_found = text_response("404 page not found\n");
    s->not_allowed = text_response("405 method not allowed: use GET or HEAD\n");
    s->ready = text_response("hmn is ready.\n");
    s->not_ready = text_response("hmn is not ready: no sample collected yet.\n");
    s->healthy = text_response("hmn is healthy.\n");
    s->no_sample = text_response("no sample collected yet; try again in a moment\n");
    if (!s->not_found || !s->not_allowed || !s->ready || !s->not_ready || !s->healthy ||
        !s->no_sample)
        return -1;
    MHD_add_response_header(s->not_allowed, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    return 0;
}

static void stop_watchdog(struct http_server *s)
{
    if (!s->watchdog_started)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->watchdog, NULL);
    s->watchdog_started = 0;
}

int http_server_start(struct http_server **out, const struct listen_addr *addr,
                      struct serve_cache *cache, char *bound, size_t boundcap, char *err,
                      size_t errcap)
{
    struct http_server *s = calloc(1, sizeof(*s));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    int fd;
    *out = NULL;
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    s->cache = cache;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (make_responses(s) != 0) {
        snprintf(err, errcap, "out of memory");
        goto fail;
    }
    fd = open_listener(addr, bound, boundcap, err, errcap);
    if (fd < 0)
        goto fail;
    if (addr->family == 6)
        flags |= MHD_USE_IPv6;
    if (getenv("HMN_DEBUG") && strcmp(getenv("HMN_DEBUG"), "1") == 0)
        flags |= MHD_USE_ERROR_LOG;
    if (pthread_create(&s->watchdog, NULL, watchdog_main, s) != 0) {
        close(fd);
        snprintf(err, errcap, "cannot start the connection watchdog thread");
        goto fail;
    }
    s->watchdog_started = 1;
    /* The logger first, as libmicrohttpd asks, so start-up messages use it too. */
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_MAX_PER_IP,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_PER_CONNECTION,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        s, MHD_OPTION_END);
    if (!s->daemon) {
        /* no close(fd): a daemon that fails to start closes the socket it was given */
        snprintf(err, errcap, "libmicrohttpd could not start on %s", bound);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    stop_watchdog(s);
    free_responses(s);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return -1;
}

void http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon); /* closes every connection and the listening socket */
    stop_watchdog(s);
    free_responses(s);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
#else
/* Built without libmicrohttpd, or for Windows: cmd_serve.c explains. */
typedef int hmn_http_server_unused;
#endif
