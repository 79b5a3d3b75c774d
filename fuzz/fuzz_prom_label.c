/*
 * fuzz/fuzz_prom_label.c - the exporter's renderer (cli/metrics_render.c):
 * label-value escaping and the exposition it builds around names that come
 * from other users' /proc/<pid>/comm and from drivers.
 * Input: byte 0 picks the cut (0: none, else 1-255 bytes), the rest is a value.
 *
 * Beyond "no crash": a label value is strictly valid UTF-8, has no raw
 * newline, every `"` and `\` is escaped and every escape is one of \\ \" \n;
 * unescaped, it is at most the cut long and a prefix of the uncut value.
 * A whole snapshot rendered with that value as GPU name, UUID, MIG name,
 * process name, container id and pod UID is a well-formed exposition: HELP/TYPE lines, samples
 * `name{label="value",...} number`, one per line, ending in a newline.
 */
#include "metrics.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unescape a label value (len bytes); -1 when an escape is not one of \\ \" \n,
 * or a quote / newline appears unescaped. */
static long unescape(const char *s, size_t len, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '\n' || s[i] == '"')
            return -1;
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        if (++i == len)
            return -1;
        if (s[i] == 'n')
            out[o++] = '\n';
        else if (s[i] == '\\' || s[i] == '"')
            out[o++] = s[i];
        else
            return -1;
    }
    return (long)o;
}

/* Strict UTF-8 (RFC 3629): length of the sequence at s, 0 when invalid.
 * Written here again on purpose: the check must not share the renderer's code. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned lo = 0x80, hi = 0xBF;
    size_t len, i;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static int utf8_ok(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_len((const unsigned char *)s + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

static int name_char(char c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

/* One sample line: name, optional {labels}, a space, a number; 1 when well formed. */
static int sample_ok(const char *l, size_t n, char *scratch)
{
    size_t i = 0;
    if (!n || !name_char(l[0], 1))
        return 0;
    while (i < n && name_char(l[i], i == 0))
        i++;
    if (i < n && l[i] == '{') {
        i++;
        for (;;) {
            size_t start;
            if (i >= n || !name_char(l[i], 1))
                return 0;
            while (i < n && name_char(l[i], 0))
                i++;
            if (i + 1 >= n || l[i] != '=' || l[i + 1] != '"')
                return 0;
            i += 2;
            start = i;
            while (i < n && l[i] != '"')
                i += l[i] == '\\' ? 2 : 1;
            if (i >= n || unescape(l + start, i - start, scratch) < 0 ||
                !utf8_ok(l + start, i - start))
                return 0;
            i++;
            if (i < n && l[i] == ',') {
                i++;
                continue;
            }
            if (i < n && l[i] == '}') {
                i++;
                break;
            }
            return 0;
        }
    }
    if (i >= n || l[i] != ' ' || i + 1 >= n)
        return 0;
    for (i++; i < n; i++)
        if (!((l[i] >= '0' && l[i] <= '9') || l[i] == '.'))
            return 0;
    return 1;
}

static void check_exposition(const char *t, size_t len)
{
    char *scratch = malloc(len + 1);
    size_t pos = 0;
    check(scratch != NULL);
    check(len > 0 && t[len - 1] == '\n');
    while (pos < len) {
        const char *nl = memchr(t + pos, '\n', len - pos);
        size_t n = (size_t)(nl - (t + pos));
        const char *l = t + pos;
        if (n >= 7 && (memcmp(l, "# HELP ", 7) == 0 || memcmp(l, "# TYPE ", 7) == 0))
            ; /* our own constant texts */
        else
            check(sample_ok(l, n, scratch));
        pos += n + 1;
    }
    free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mx_buf cut = {0}, full = {0}, text = {0};
    size_t max = size ? data[0] : 0, n = size ? size - 1 : 0;
    char *value = fuzz_copy(data + (size ? 1 : 0), n), *u1, *u2, *z;
    long l1, l2;
    hmn_gpu_device_info g = HMN_GPU_DEVICE_INFO_INIT;
    struct mx_mig m;
    struct mx_proc p;
    struct mx_snapshot s;
    if (!value)
        return 0;
    mx_put_label_value(&cut, value, n, max);
    mx_put_label_value(&full, value, n, 0);
    check(!cut.failed && !full.failed);
    u1 = malloc(cut.len + 1);
    u2 = malloc(full.len + 1);
    check(u1 && u2);
    l1 = unescape(cut.data ? cut.data : "", cut.len, u1);
    l2 = unescape(full.data ? full.data : "", full.len, u2);
    check(l1 >= 0 && l2 >= 0);
    check(utf8_ok(u1, (size_t)l1) && utf8_ok(u2, (size_t)l2));
    check(max == 0 || (size_t)l1 <= max);
    check(l1 <= l2 && memcmp(u1, u2, (size_t)l1) == 0);
    /* invalid input grows (U+FFFD) but never shrinks: nothing is dropped uncut */
    check((size_t)l2 >= n);

    /* The value everywhere a foreign string can land, in a whole snapshot. */
    z = malloc(n + 1);
    check(z != NULL);
    memcpy(z, value, n);
    z[n] = '\0';
    memset(&s, 0, sizeof(s));
    memset(&m, 0, sizeof(m));
    memset(&p, 0, sizeof(p));
    g.valid = HMN_DEV_HAS_NAME | HMN_DEV_HAS_UUID | HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_DRIVER_VERSION;
    g.total_bytes = (uint64_t)n << 40;
    snprintf(g.name, sizeof(g.name), "%s", z);
    snprintf(g.uuid, sizeof(g.uuid), "%s", z);
    snprintf(g.driver_version, sizeof(g.driver_version), "%s", z);
    m.info.valid = HMN_DEV_HAS_NAME | HMN_DEV_HAS_USED;
    snprintf(m.info.name, sizeof(m.info.name), "%s", z);
    p.has_name = 1;
    p.bytes = UINT64_MAX;
    p.gpu_instance_id = max & 1 ? 3 : MX_NO_MIG;
    p.compute_instance_id = MX_NO_MIG;
    snprintf(p.name, sizeof(p.name), "%s", z);
    p.has_container = p.has_pod = 1;
    snprintf(p.container_id, sizeof(p.container_id), "%s", z);
    snprintf(p.pod_uid, sizeof(p.pod_uid), "%s", z);
    s.version = z;
    s.gpus = &g;
    s.ngpus = 1;
    s.migs = &m;
    s.nmigs = 1;
    s.procs = &p;
    s.nprocs = 1;
    s.processes = 1;
    s.duration_seconds = (double)max / 7.0;
    check(mx_render(&s, &text) == 0);
    check_exposition(text.data, text.len);
    mx_buf_free(&cut);
    mx_buf_free(&full);
    mx_buf_free(&text);
    free(u1);
    free(u2);
    free(z);
    free(value);
    return 0;
}
