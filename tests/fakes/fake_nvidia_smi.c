/*
 * tests/fakes/fake_nvidia_smi.c - a stand-in for nvidia-smi, driven by the
 * scenario file named in HMN_FAKE_SMI_SCENARIO (format: tests/fakes/README.md).
 *
 * It answers the forms our backend uses: --query-gpu=<fields>,
 * --query-compute-apps=<fields>, --format=csv[,noheader][,nounits],
 * --id=N / -i N, and -L.  Fields come back in the order asked for, a field the
 * scenario does not set prints "[N/A]", and failure modes print what the real
 * program prints (on stdout, as it does) with its real exit status.
 * If HMN_FAKE_SMI_LOG is set, every invocation appends its arguments there.
 * Test infrastructure only: never installed.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#  define _POSIX_C_SOURCE 200809L
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#  include <fcntl.h>
#  include <io.h>
#  include <windows.h>
#else
#  include <time.h>
#  include <unistd.h>
#endif

#define MAX_GPUS 64
#define MAX_APPS 512
#define MAX_KV 32
#define MAX_SAY 8
#define MAX_REJECT 8
#define VAL_CAP 256

struct kv {
    char key[64];
    char val[VAL_CAP];
};

struct block {
    struct kv kv[MAX_KV];
    int n;
};

struct scenario {
    char mode[32];
    int exit_code;
    char say[MAX_SAY][VAL_CAP];
    int nsay;
    char reject[MAX_REJECT][64];
    int nreject;
    long hang_ms;
    unsigned long long flood_bytes;
    long truncate_at; /* -1: no truncation */
    struct block gpu[MAX_GPUS];
    int ngpu;
    struct block app[MAX_APPS];
    int napp;
};

static struct scenario sc;

/* ---------------------------------------------------------------- output buffer */

static char *out;
static size_t out_len, out_cap;

static void emit(const char *s)
{
    size_t n = strlen(s);
    if (out_len + n + 1 > out_cap) {
        size_t cap = out_cap ? out_cap * 2 : 4096;
        char *p;
        while (cap < out_len + n + 1)
            cap *= 2;
        p = realloc(out, cap);
        if (!p) {
            fputs("fake nvidia-smi: out of memory\n", stderr);
            exit(3);
        }
        out = p;
        out_cap = cap;
    }
    memcpy(out + out_len, s, n + 1);
    out_len += n;
}

static int flush_out(int code)
{
    size_t n = out_len;
    if (sc.truncate_at >= 0 && (size_t)sc.truncate_at < n)
        n = (size_t)sc.truncate_at;
    if (n)
        fwrite(out, 1, n, stdout);
    fflush(stdout);
    free(out);
    return code;
}

/* ---------------------------------------------------------------- scenario file */

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void set_global(const char *k, const char *v)
{
    if (strcmp(k, "mode") == 0)
        copy(sc.mode, sizeof(sc.mode), v);
    else if (strcmp(k, "exit") == 0)
        sc.exit_code = atoi(v);
    else if (strcmp(k, "say") == 0 && sc.nsay < MAX_SAY)
        copy(sc.say[sc.nsay++], VAL_CAP, v);
    else if (strcmp(k, "reject_field") == 0 && sc.nreject < MAX_REJECT)
        copy(sc.reject[sc.nreject++], 64, v);
    else if (strcmp(k, "hang_ms") == 0)
        sc.hang_ms = atol(v);
    else if (strcmp(k, "flood_bytes") == 0)
        sc.flood_bytes = strtoull(v, NULL, 10);
    else if (strcmp(k, "truncate_at") == 0)
        sc.truncate_at = atol(v);
}

static void add_kv(struct block *b, const char *k, const char *v)
{
    if (b->n >= MAX_KV)
        return;
    copy(b->kv[b->n].key, sizeof(b->kv[b->n].key), k);
    copy(b->kv[b->n].val, VAL_CAP, v);
    b->n++;
}

static int load(const char *path)
{
    char line[1024];
    struct block *cur = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    copy(sc.mode, sizeof(sc.mode), "ok");
    sc.hang_ms = 60000;
    sc.truncate_at = -1;
    while (fgets(line, sizeof(line), f)) {
        char *s = trim(line), *eq;
        if (!*s || *s == '#')
            continue;
        if (strcmp(s, "[gpu]") == 0) {
            cur = sc.ngpu < MAX_GPUS ? &sc.gpu[sc.ngpu++] : NULL;
            continue;
        }
        if (strcmp(s, "[app]") == 0) {
            cur = sc.napp < MAX_APPS ? &sc.app[sc.napp++] : NULL;
            continue;
        }
        eq = strchr(s, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (cur)
            add_kv(cur, trim(s), trim(eq + 1));
        else
            set_global(trim(s), trim(eq + 1));
    }
    fclose(f);
    return 0;
}

static const char *get(const struct block *b, const char *k)
{
    int i;
    for (i = 0; i < b->n; i++)
        if (strcmp(b->kv[i].key, k) == 0)
            return b->kv[i].val;
    return NULL;
}

/* ---------------------------------------------------------------- fields */

/* Names nvidia-smi accepts that our scenarios may leave unset. */
static const char *const known_fields[] = {
    "index", "name", "gpu_name", "uuid", "gpu_uuid", "pci.bus_id", "gpu_bus_id",
    "memory.total", "memory.used", "memory.free", "memory.reserved", "driver_version",
    "temperature.gpu", "utilization.gpu", "utilization.memory", "fan.speed", "pid",
    "process_name", "used_memory", "used_gpu_memory", "timestamp", "gpu_serial"};

static const char *canonical(const char *f)
{
    if (strcmp(f, "gpu_name") == 0)
        return "name";
    if (strcmp(f, "gpu_uuid") == 0)
        return "uuid";
    if (strcmp(f, "gpu_bus_id") == 0)
        return "pci.bus_id";
    if (strcmp(f, "used_gpu_memory") == 0)
        return "used_memory";
    return f;
}

static int is_rejected(const char *f)
{
    int i;
    for (i = 0; i < sc.nreject; i++)
        if (strcmp(sc.reject[i], f) == 0)
            return 1;
    return 0;
}

static int is_known(const char *f)
{
    size_t i;
    if (is_rejected(f))
        return 0;
    for (i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]); i++)
        if (strcmp(known_fields[i], f) == 0)
            return 1;
    return 0;
}

static int is_mib(const char *f)
{
    f = canonical(f);
    return strncmp(f, "memory.", 7) == 0 || strcmp(f, "used_memory") == 0;
}

struct query {
    char fields[32][64];
    int nfields;
    int apps; /* 1: --query-compute-apps */
    int header, units;
    long id; /* -1: every GPU */
};

static int split_fields(const char *list, struct query *q)
{
    const char *p = list;
    while (*p && q->nfields < 32) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= 64)
            n = 63;
        memcpy(q->fields[q->nfields], p, n);
        q->fields[q->nfields][n] = '\0';
        q->nfields++;
        p = e ? e + 1 : p + n;
    }
    return q->nfields;
}

static void emit_row_value(const struct query *q, const char *field, const char *v)
{
    emit(v ? v : "[N/A]");
    if (v && v[0] != '[' && strcmp(v, "N/A") != 0 && q->units && is_mib(field))
        emit(" MiB");
}

static void emit_header(const struct query *q)
{
    int i;
    for (i = 0; i < q->nfields; i++) {
        emit(i ? ", " : "");
        emit(q->fields[i]);
        if (q->units && is_mib(q->fields[i]))
            emit(" [MiB]");
    }
    emit("\n");
}

static const struct block *gpu_by_index(long idx)
{
    int i;
    for (i = 0; i < sc.ngpu; i++) {
        const char *v = get(&sc.gpu[i], "index");
        if (v && atol(v) == idx)
            return &sc.gpu[i];
    }
    return NULL;
}

static void emit_gpus(const struct query *q)
{
    int g, i;
    for (g = 0; g < sc.ngpu; g++) {
        const char *idx = get(&sc.gpu[g], "index");
        if (q->id >= 0 && (!idx || atol(idx) != q->id))
            continue;
        for (i = 0; i < q->nfields; i++) {
            emit(i ? ", " : "");
            emit_row_value(q, q->fields[i], get(&sc.gpu[g], canonical(q->fields[i])));
        }
        emit("\n");
    }
}

static const char *app_value(const struct block *a, const char *field)
{
    const char *g = get(a, "gpu");
    const struct block *gpu = gpu_by_index(g ? atol(g) : 0);
    /* In this query gpu_* name the GPU, while "name" is the process (as process_name). */
    if (strncmp(field, "gpu_", 4) == 0)
        return gpu ? get(gpu, canonical(field)) : NULL;
    if (strcmp(field, "name") == 0)
        return get(a, "process_name");
    return get(a, canonical(field));
}

static void emit_apps(const struct query *q)
{
    int k, i;
    for (k = 0; k < sc.napp; k++) {
        const char *g = get(&sc.app[k], "gpu");
        if (q->id >= 0 && (g ? atol(g) : 0) != q->id)
            continue;
        for (i = 0; i < q->nfields; i++) {
            emit(i ? ", " : "");
            emit_row_value(q, q->fields[i], app_value(&sc.app[k], q->fields[i]));
        }
        emit("\n");
    }
}

/* ---------------------------------------------------------------- failure modes */

static void sleep_ms(long ms)
{
#if defined(_WIN32)
    Sleep((DWORD)ms);
#else
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
#endif
}

static int flood(void)
{
    static char chunk[65536];
    unsigned long long sent = 0;
    size_t i;
    for (i = 0; i < sizeof(chunk); i++)
        chunk[i] = (i % 32 == 31) ? '\n' : (char)('0' + (int)(i % 10));
    /* flood_bytes = 0: forever (until the reader kills us or closes the pipe). */
    while (sc.flood_bytes == 0 || sent < sc.flood_bytes) {
        size_t n = sizeof(chunk);
        if (sc.flood_bytes && sc.flood_bytes - sent < n)
            n = (size_t)(sc.flood_bytes - sent);
        if (fwrite(chunk, 1, n, stdout) != n)
            return 1;
        sent += n;
    }
    fflush(stdout);
    return 0;
}

/*
 * mode = background: a wrapper that leaves a child behind holding stdout
 * (a logger, a daemonised helper).  The child sleeps hang_ms with our
 * stdout open; we answer normally and exit, so EOF comes only when it ends.
 * Windows has no fork: we start ourselves again with HMN_FAKE_SMI_HOLD_MS
 * set and our standard handles inherited (see hold_if_asked).
 */
static void leave_background_child(void)
{
    fflush(stdout);
#if defined(_WIN32)
    {
        wchar_t self[MAX_PATH];
        char ms[32];
        STARTUPINFOW si;
        PROCESS_INFORMATION pi;
        if (!GetModuleFileNameW(NULL, self, MAX_PATH))
            return;
        snprintf(ms, sizeof(ms), "%ld", sc.hang_ms);
        SetEnvironmentVariableA("HMN_FAKE_SMI_HOLD_MS", ms);
        memset(&si, 0, sizeof(si));
        si.cb = sizeof(si);
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
        si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
        if (CreateProcessW(self, NULL, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
            CloseHandle(pi.hThread);
            CloseHandle(pi.hProcess);
        }
        SetEnvironmentVariableA("HMN_FAKE_SMI_HOLD_MS", NULL);
    }
#else
    if (fork() == 0) {
        sleep_ms(sc.hang_ms);
        _exit(0);
    }
#endif
}

/* The Windows background child: hold the inherited stdout, then go. */
static int hold_if_asked(void)
{
    const char *ms = getenv("HMN_FAKE_SMI_HOLD_MS");
    if (!ms || !*ms)
        return 0;
    sleep_ms(atol(ms));
    return 1;
}

static int say_and_exit(void)
{
    int i;
    for (i = 0; i < sc.nsay; i++) {
        emit(sc.say[i]);
        emit("\n");
    }
    return flush_out(sc.exit_code);
}

/* Modes that do not depend on the arguments.  Returns -1 for "answer normally". */
static int failure_mode(void)
{
    if (strcmp(sc.mode, "fail") == 0)
        return say_and_exit();
    if (strcmp(sc.mode, "hang") == 0) {
        sleep_ms(sc.hang_ms);
        return 0;
    }
    if (strcmp(sc.mode, "flood") == 0)
        return flood();
    if (strcmp(sc.mode, "garbage") == 0) {
        static const char junk[] = "\x01\x02garbage\xff\xfe no commas here\n)(*&^\n";
        fwrite(junk, 1, sizeof(junk) - 1, stdout);
        fflush(stdout);
        return 0;
    }
    if (strcmp(sc.mode, "background") == 0) {
        leave_background_child();
        return -1; /* and answer */
    }
    if (strcmp(sc.mode, "signal") == 0) {
        fputs("0, partial", stdout);
        fflush(stdout);
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
        return 1;
    }
    return -1;
}

/* ---------------------------------------------------------------- arguments */

static int bad_args(const char *why)
{
    emit("Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n");
    fprintf(stderr, "fake nvidia-smi: %s\n", why);
    return flush_out(2);
}

static int list_gpus(void)
{
    char line[600];
    int g;
    for (g = 0; g < sc.ngpu; g++) {
        const char *idx = get(&sc.gpu[g], "index"), *name = get(&sc.gpu[g], "name");
        const char *uuid = get(&sc.gpu[g], "uuid");
        snprintf(line, sizeof(line), "GPU %s: %s (UUID: %s)\n", idx ? idx : "0",
                 name ? name : "[N/A]", uuid ? uuid : "[N/A]");
        emit(line);
    }
    return flush_out(0);
}

static int parse_args(int argc, char **argv, struct query *q, int *list)
{
    int i;
    q->id = -1;
    q->header = 1;
    q->units = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--query-gpu=", 12) == 0) {
            split_fields(a + 12, q);
        } else if (strncmp(a, "--query-compute-apps=", 21) == 0) {
            q->apps = 1;
            split_fields(a + 21, q);
        } else if (strncmp(a, "--format=", 9) == 0) {
            if (strncmp(a + 9, "csv", 3) != 0)
                return -1;
            q->header = strstr(a, "noheader") == NULL;
            q->units = strstr(a, "nounits") == NULL;
        } else if (strncmp(a, "--id=", 5) == 0) {
            q->id = atol(a + 5);
        } else if (strcmp(a, "-i") == 0 && i + 1 < argc) {
            q->id = atol(argv[++i]);
        } else if (strcmp(a, "-L") == 0) {
            *list = 1;
        } else {
            return -1;
        }
    }
    return 0;
}

static void log_call(int argc, char **argv)
{
    const char *path = getenv("HMN_FAKE_SMI_LOG");
    FILE *f;
    int i;
    if (!path || !*path || !(f = fopen(path, "a")))
        return;
    for (i = 1; i < argc; i++)
        fprintf(f, "%s%s", i > 1 ? " " : "", argv[i]);
    fputc('\n', f);
    fclose(f);
}

static int answer(const struct query *q)
{
    int i;
    char line[200];
    for (i = 0; i < q->nfields; i++) {
        if (!is_known(q->fields[i])) {
            snprintf(line, sizeof(line),
                     "Field \"%s\" is not a valid field to query.\n\n", q->fields[i]);
            emit(line);
            return flush_out(2);
        }
    }
    if (q->id >= 0 && !gpu_by_index(q->id)) {
        emit("No devices were found\n");
        return flush_out(6);
    }
    if (q->header)
        emit_header(q);
    if (q->apps)
        emit_apps(q);
    else
        emit_gpus(q);
    return flush_out(0);
}

int main(int argc, char **argv)
{
    const char *path = getenv("HMN_FAKE_SMI_SCENARIO");
    struct query q;
    int list = 0, rc;
    memset(&q, 0, sizeof(q));
#if defined(_WIN32)
    /* The scenario's bytes exactly: no LF -> CRLF translation. */
    _setmode(_fileno(stdout), _O_BINARY);
#endif
    if (hold_if_asked())
        return 0;
    log_call(argc, argv);
    if (!path || load(path) != 0) {
        fprintf(stderr, "fake nvidia-smi: cannot read scenario HMN_FAKE_SMI_SCENARIO=%s\n",
                path ? path : "(unset)");
        return 2;
    }
    rc = failure_mode();
    if (rc >= 0)
        return rc;
    if (parse_args(argc, argv, &q, &list) != 0)
        return bad_args("unsupported arguments");
    if (list)
        return list_gpus();
    if (q.nfields == 0)
        return bad_args("no query");
    return answer(&q);
}
