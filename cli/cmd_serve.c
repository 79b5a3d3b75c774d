/*
 * cli/cmd_serve.c - `hmn serve`: GPU memory metrics over HTTP for
 * Prometheus.  A collector thread samples every --interval into a cache
 * (serve_cache.c); libmicrohttpd answers scrapes from it (http_server.c).
 * SIGTERM or SIGINT stops both and exits 0.  Built without libmicrohttpd
 * (or for Windows) the command says what to install and rebuild.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "cli.h"
#include "metrics.h"
#include "serve.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum { S_LISTEN, S_INTERVAL, S_PROCESSES, S_MAX_PROCESSES, S_COUNT };

static const struct cli_opt serve_opts[S_COUNT] = {
    {"--listen", 0, "ADDR:PORT", 0},
    {"--interval", 0, "DUR", 0},
    {"--processes", 0, NULL, 0},
    {"--max-processes", 0, "N", 0},
};

static const struct cli_cmd serve_cmd = {"hmn serve [OPTIONS]", serve_opts, S_COUNT, NULL, 0, 0, 0};

static const char serve_help[] =
    "Serve GPU memory metrics over HTTP for Prometheus (/metrics)\n"
    "\n"
    "Usage: hmn serve [OPTIONS]\n"
    "\n"
    "Options:\n"
    "      --listen <ADDR:PORT>  Where to listen [default: 127.0.0.1:9835]; [::1]:PORT for IPv6,\n"
    "                            :PORT for every interface, port 0 for any free port\n"
    "      --interval <DUR>      Time between samples: 500ms, 1s, 1m [default: 1s]\n"
    "      --processes           Also export each process's GPU memory\n"
    "                            (hmn_process_gpu_memory_bytes; off by default)\n"
    "      --max-processes <N>   With --processes: at most N series, the largest [default: 100]\n"
    "  -h, --help                Print help\n"
    "\n"
    "Endpoints: /metrics (text format 0.0.4), /-/ready (503 until the first sample, then\n"
    "200), /-/healthy.  A scrape is answered from the last sample: a slow GPU source delays\n"
    "the next sample, never a scrape.  Every metric: docs/exporter.md, man hmn.\n"
    "A figure a source could not read has no sample (never 0).\n"
    "\n"
    "Examples:\n"
    "  hmn serve\n"
    "  hmn serve --listen :9835 --processes\n"
    "  curl -s 127.0.0.1:9835/metrics | grep hmn_gpu_memory_used_bytes\n"
    "\n"
    "Exit status: 0 after SIGTERM or Ctrl+C; 1 it cannot listen, or this build has no\n"
    "HTTP support; 2 usage error.\n"
    "\n"
    "Limitations: needs libmicrohttpd at build time (not in Windows builds: use\n"
    "`hmn export --textfile` there).  Plain HTTP without authentication: keep the\n"
    "default loopback address or put a proxy in front.\n";

#if defined(_WIN32) || !defined(HMN_HAVE_MICROHTTPD)
static int serve_unavailable(void)
{
#if defined(_WIN32)
    errf("serve is not available in Windows builds (they have no libmicrohttpd); "
         "`hmn export --textfile DIR` writes the same metrics to a file");
#else
    /* errf makes one line of what it prints: the advice lines follow as they are. */
    errf("serve is not available: this hmn was built without libmicrohttpd.");
    fputs("  Install it and rebuild: apt-get install libmicrohttpd-dev (Debian, Ubuntu) or\n"
          "  dnf install libmicrohttpd-devel (Fedora), then\n"
          "  cmake -S . -B build && cmake --build build\n"
          "  Without HTTP, `hmn export --textfile DIR` writes the same metrics for "
          "node_exporter.\n",
          stderr);
#endif
    return EXIT_FAIL;
}
#else
static int serve_run(hmn_ctx *ctx, const struct listen_addr *addr, uint64_t interval_ms,
                     const struct mx_options *opt)
{
    struct serve_cache cache;
    struct http_server *http = NULL;
    char err[256], bound[96];
    /* A scraper hanging up mid-answer must not kill the exporter. */
    signal(SIGPIPE, SIG_IGN);
    if (interrupt_install(err, sizeof(err)) != 0) {
        errf("cannot install the signal handler: %s", err);
        return EXIT_FAIL;
    }
    /* Bind first: a port in use fails at once, before any sampling. */
    memset(&cache, 0, sizeof(cache));
    if (http_server_start(&http, addr, &cache, bound, sizeof(bound), err, sizeof(err)) != 0) {
        errf("serve: %s", err);
        return EXIT_FAIL;
    }
    if (serve_cache_start(&cache, ctx, opt, interval_ms, err, sizeof(err)) != 0) {
        http_server_stop(http);
        errf("serve: %s", err);
        return EXIT_FAIL;
    }
    errf("serving http://%s/metrics (sample every %.3gs, processes %s)", bound,
         (double)interval_ms / 1000.0, opt->processes ? "on" : "off");
    while (!interrupted())
        sleep_interruptible(1000);
    /* Stop answering first, then the collector (it may finish a collection). */
    http_server_stop(http);
    serve_cache_stop(&cache);
    errf("stopped");
    return EXIT_OK;
}
#endif

int cmd_serve(hmn_ctx *ctx, int argc, char **argv)
{
    struct cli_args a;
    struct listen_addr addr;
    struct mx_options opt;
    uint64_t interval_ms = 1000;
    const char *v = "127.0.0.1:9835";
    char err[160];
    int rc = cli_parse_or_exit(&serve_cmd, serve_help, argc, argv, &a);
    if (rc != CLI_CONTINUE) {
        free(a.items);
        return rc;
    }
    rc = mx_parse_options(&serve_cmd, &a, S_INTERVAL, S_PROCESSES, S_MAX_PROCESSES, 1000,
                          &interval_ms, &opt);
    if (rc == CLI_CONTINUE) {
        cli_args_count(&a, S_LISTEN, &v);
        if (listen_parse(v, &addr, err, sizeof(err)) != 0)
            rc = usage_invalid(&serve_cmd, &serve_opts[S_LISTEN], v, err);
    }
    free(a.items);
    if (rc != CLI_CONTINUE)
        return rc;
#if defined(_WIN32) || !defined(HMN_HAVE_MICROHTTPD)
    (void)ctx;
    return serve_unavailable();
#else
    return serve_run(ctx, &addr, interval_ms, &opt);
#endif
}
