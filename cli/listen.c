/*
 * cli/listen.c - the `hmn serve --listen` address parser.  Pure (no I/O, no
 * name resolution), fuzzed by fuzz/fuzz_listen_addr.c, which also checks
 * that it accepts exactly the numeric hosts inet_pton() accepts.
 *
 * Accepted: "IPv4:PORT", "[IPv6]:PORT", "localhost:PORT" (127.0.0.1) and
 * ":PORT" (every interface, IPv6 and IPv4).  PORT is 0-65535; 0 lets the
 * system pick a free port (hmn serve prints the one it got).  Host names
 * are refused: an exporter should not depend on a resolver to start.
 */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Dotted quad, exactly s[0..n): four decimal parts 0-255 without leading zeros. */
static int ipv4_ok(const char *s, size_t n)
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start = i;
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            start = ++i;
        }
        while (i < n && is_digit(s[i]) && i - start < 4)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || i - start > 3 || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
    }
    return i == n;
}

/*
 * RFC 4291 text form, exactly s[0..n): up to eight groups of 1-4 hex digits,
 * at most one "::" (standing for at least one zero group), optionally ending
 * in a dotted quad that counts as two groups.  No zone index.
 */
static int ipv6_ok(const char *s, size_t n)
{
    size_t i = 0, groups = 0;
    int compressed = 0;
    if (n >= 1 && s[0] == ':') {
        if (n < 2 || s[1] != ':')
            return 0;
        compressed = 1;
        i = 2;
        if (i == n)
            return 1;
    }
    for (;;) {
        size_t start = i, digits = 0;
        while (i < n && hex_value(s[i]) >= 0 && digits < 5) {
            i++;
            digits++;
        }
        if (i < n && s[i] == '.') { /* the rest is a dotted quad */
            if (groups + 2 > (compressed ? 7u : 8u))
                return 0;
            if (!ipv4_ok(s + start, n - start))
                return 0;
            groups += 2;
            break;
        }
        if (digits == 0 || digits > 4)
            return 0;
        groups++;
        if (i == n)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < n && s[i] == ':') {
            if (compressed)
                return 0;
            compressed = 1;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return 0; /* a single trailing colon */
        }
        if (groups >= 8)
            return 0;
    }
    return compressed ? groups <= 7 : groups == 8;
}

static int fail(char *err, size_t cap, const char *msg)
{
    if (cap)
        snprintf(err, cap, "%s", msg);
    return -1;
}

static int parse_port(const char *s, uint16_t *port)
{
    unsigned long v = 0;
    size_t i, n = strlen(s);
    if (n == 0 || n > 5)
        return -1;
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static int set_host(struct listen_addr *out, const char *s, size_t n)
{
    if (n >= sizeof(out->host))
        return -1;
    memcpy(out->host, s, n);
    out->host[n] = '\0';
    return 0;
}

int listen_parse(const char *text, struct listen_addr *out, char *err, size_t errcap)
{
    static const char shape[] = "expected ADDRESS:PORT, e.g. 127.0.0.1:9835 or [::1]:9835";
    const char *colon, *host = text;
    size_t hlen;
    memset(out, 0, sizeof(*out));
    if (errcap)
        err[0] = '\0';
    if (!text || !*text)
        return fail(err, errcap, shape);
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return fail(err, errcap, shape);
        host = text + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
        if (!ipv6_ok(host, hlen) || set_host(out, host, hlen) != 0)
            return fail(err, errcap, "not a numeric IPv6 address inside [ ]");
        out->family = 6;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return fail(err, errcap, shape);
        if (memchr(text, ':', (size_t)(colon - text)))
            return fail(err, errcap, "an IPv6 address needs brackets, e.g. [::1]:9835");
        hlen = (size_t)(colon - text);
        if (hlen == 0) {
            out->any = 1;
            out->family = 6;
            set_host(out, "::", 2);
        } else if (hlen == 9 && strncmp(text, "localhost", 9) == 0) {
            out->family = 4;
            set_host(out, "127.0.0.1", 9);
        } else if (ipv4_ok(text, hlen) && set_host(out, text, hlen) == 0) {
            out->family = 4;
        } else {
            return fail(err, errcap,
                        "ADDRESS must be a numeric IPv4 address, localhost, or [IPv6] "
                        "(host names are not resolved)");
        }
    }
    if (parse_port(colon + 1, &out->port) != 0) {
        memset(out, 0, sizeof(*out));
        return fail(err, errcap, "PORT must be a number from 0 to 65535");
    }
    return 0;
}
