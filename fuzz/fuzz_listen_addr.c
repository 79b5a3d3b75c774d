/*
 * fuzz/fuzz_listen_addr.c - the `hmn serve --listen` parser (cli/listen.c).
 * Input: the option value (up to the first NUL).
 *
 * Beyond "no crash": the result is 0 or -1; a refusal always carries a
 * NUL-terminated reason, even in a 4-byte buffer; an accepted address has a
 * family of 4 or 6, a NUL-terminated host and a port that is the input's
 * digits.  On POSIX the numeric host is accepted exactly when inet_pton()
 * accepts it (both directions), so the address hmn serve binds is always
 * the one the user wrote.
 */
#include "metrics.h"

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if !defined(_WIN32)
#include <arpa/inet.h>
#endif

/* What inet_pton says about text[0..n) as family (4 or 6); -1 when not comparable. */
static int pton_ok(int family, const char *text, size_t n)
{
#if defined(_WIN32)
    (void)family, (void)text, (void)n;
    return -1;
#else
    char host[128];
    unsigned char addr[16];
    if (n >= sizeof(host))
        return -1;
    memcpy(host, text, n);
    host[n] = '\0';
    return inet_pton(family == 4 ? AF_INET : AF_INET6, host, addr) == 1;
#endif
}

static int port_ok(const char *p)
{
    size_t n = strlen(p), i;
    unsigned long v = 0;
    if (n == 0 || n > 5)
        return 0;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    return v <= 65535;
}

/* The other direction: where the input has a host inet_pton accepts and a good port, we accept. */
static void check_agreement(const char *s, int rc, const struct listen_addr *a)
{
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || !port_ok(close + 2))
            return;
        if (pton_ok(6, s + 1, (size_t)(close - s - 1)) == 1)
            check(rc == 0 && a->family == 6);
        else if (pton_ok(6, s + 1, (size_t)(close - s - 1)) == 0)
            check(rc == -1);
        return;
    }
    colon = strrchr(s, ':');
    if (!colon || !port_ok(colon + 1) || colon == s || memchr(s, ':', (size_t)(colon - s)))
        return;
    if ((size_t)(colon - s) == 9 && strncmp(s, "localhost", 9) == 0)
        return;
    if (pton_ok(4, s, (size_t)(colon - s)) == 1)
        check(rc == 0 && a->family == 4);
    else if (pton_ok(4, s, (size_t)(colon - s)) == 0)
        check(rc == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), err[160], tiny[4];
    struct listen_addr a;
    int rc;
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* an option value is a C string: stop at the first NUL */
    rc = listen_parse(text, &a, err, sizeof(err));
    check(rc == 0 || rc == -1);
    if (rc == -1) {
        check(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
        check(a.family == 0 && a.port == 0);
    } else {
        char port[8];
        const char *colon = strrchr(text, ':');
        check(a.family == 4 || a.family == 6);
        check(memchr(a.host, '\0', sizeof(a.host)) != NULL && a.host[0] != '\0');
        check(colon != NULL);
        snprintf(port, sizeof(port), "%u", (unsigned)a.port);
        check(strtoul(colon + 1, NULL, 10) == a.port);
        check(pton_ok(a.family, a.host, strlen(a.host)) != 0);
    }
    check_agreement(text, rc, &a);
    check(listen_parse(text, &a, tiny, sizeof(tiny)) == rc); /* same verdict, bounded reason */
    if (rc == -1)
        check(memchr(tiny, '\0', sizeof(tiny)) != NULL);
    free(text);
    return 0;
}
