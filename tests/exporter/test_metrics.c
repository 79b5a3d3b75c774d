/*
 * tests/exporter/test_metrics.c - the exporter's pure parts: the renderer
 * (unknown figures absent, escaping, UTF-8 cut, MIG and process labels,
 * HELP/TYPE per family, stable bytes), the process selection of
 * --max-processes, and the --listen parser.
 */
#include "harness.h"

#include "metrics.h"

#include <stdlib.h>
#include <string.h>

static hmn_gpu_device_info gpu(uint32_t index, const char *uuid, uint64_t total, uint64_t used)
{
    hmn_gpu_device_info d = HMN_GPU_DEVICE_INFO_INIT;
    d.index = index;
    d.vendor = HMN_VENDOR_NVIDIA;
    d.source = HMN_SOURCE_NVML;
    d.total_bytes = total;
    d.used_bytes = used;
    d.valid = HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED;
    if (uuid) {
        snprintf(d.uuid, sizeof(d.uuid), "%s", uuid);
        d.valid |= HMN_DEV_HAS_UUID;
    }
    return d;
}

static char *render(const struct mx_snapshot *s)
{
    struct mx_buf b = {0};
    if (mx_render(s, &b) != 0) {
        mx_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static struct mx_proc proc(uint32_t gpu_index, uint32_t pid, uint64_t bytes, const char *name)
{
    struct mx_proc p;
    memset(&p, 0, sizeof(p));
    p.gpu = gpu_index;
    p.pid = pid;
    p.bytes = bytes;
    p.gpu_instance_id = p.compute_instance_id = MX_NO_MIG;
    if (name) {
        p.has_name = 1;
        snprintf(p.name, sizeof(p.name), "%s", name);
    }
    return p;
}

/* Every family with a sample has exactly one HELP and one TYPE line, before its samples. */
static int families_well_formed(const char *text)
{
    const char *line = text;
    char current[128] = "";
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n;
        if (!end)
            return 0; /* the last line must end with a newline too */
        n = (size_t)(end - line);
        if (n > 7 && strncmp(line, "# HELP ", 7) == 0) {
            size_t k = strcspn(line + 7, " ");
            char help_of[128];
            if (k >= sizeof(help_of))
                return 0;
            memcpy(help_of, line + 7, k);
            help_of[k] = '\0';
            if (!end[1] || strncmp(end + 1, "# TYPE ", 7) != 0 ||
                strncmp(end + 8, help_of, k) != 0)
                return 0;
            memcpy(current, help_of, k + 1);
        } else if (line[0] != '#') {
            size_t k = strlen(current);
            if (!k || strncmp(line, current, k) != 0 || (line[k] != '{' && line[k] != ' '))
                return 0;
        }
        line = end + 1;
    }
    return 1;
}

static void no_gpu_renders_health_only(void)
{
    struct mx_snapshot s;
    char *t;
    memset(&s, 0, sizeof(s));
    s.version = "9.9.9";
    s.errors_total = 3;
    t = render(&s);
    CHECK(t != NULL);
    CHECK(strstr(t, "hmn_build_info{version=\"9.9.9\"} 1\n") != NULL);
    CHECK(strstr(t, "\nhmn_up 0\n") != NULL);
    CHECK(strstr(t, "\nhmn_collect_errors_total 3\n") != NULL);
    CHECK(strstr(t, "# TYPE hmn_collect_errors_total counter\n") != NULL);
    CHECK(strstr(t, "hmn_gpu_") == NULL);     /* no family without a sample */
    CHECK(strstr(t, "hmn_process") == NULL);  /* --processes not given */
    CHECK(strstr(t, "hmn_collect_success") == NULL);
    CHECK(families_well_formed(t));
    free(t);
}

static void unknown_figures_have_no_sample(void)
{
    hmn_gpu_device_info g[2];
    struct mx_snapshot s;
    char *t;
    memset(&s, 0, sizeof(s));
    g[0] = gpu(0, "GPU-a", 1000, 400);
    g[1] = gpu(1, NULL, 2000, 0);
    g[1].valid &= ~(uint64_t)HMN_DEV_HAS_USED; /* WDDM-style: used not readable */
    s.up = 1;
    s.gpus = g;
    s.ngpus = 2;
    t = render(&s);
    CHECK(t != NULL);
    CHECK(strstr(t, "hmn_gpu_memory_total_bytes{gpu=\"0\",uuid=\"GPU-a\"} 1000\n") != NULL);
    CHECK(strstr(t, "hmn_gpu_memory_total_bytes{gpu=\"1\"} 2000\n") != NULL); /* no uuid label */
    CHECK(strstr(t, "hmn_gpu_memory_used_bytes{gpu=\"0\",uuid=\"GPU-a\"} 400\n") != NULL);
    CHECK(count(t, "hmn_gpu_memory_used_bytes{") == 1); /* gpu 1: absent, not 0 */
    CHECK(strstr(t, "hmn_gpu_memory_free_bytes") == NULL); /* nobody knows free */
    CHECK(strstr(t, "hmn_gpu_memory_reserved_bytes") == NULL);
    CHECK(strstr(t, "NaN") == NULL);
    CHECK(families_well_formed(t));
    free(t);
}

static void info_labels_and_escaping(void)
{
    hmn_gpu_device_info g = gpu(0, "GPU-x", 1, 1);
    struct mx_snapshot s;
    char *t;
    memset(&s, 0, sizeof(s));
    snprintf(g.name, sizeof(g.name), "A \"quoted\" back\\slash\nnewline");
    snprintf(g.driver_version, sizeof(g.driver_version), "535.104.05");
    snprintf(g.pci_bus_id, sizeof(g.pci_bus_id), "0000:01:00.0");
    g.valid |= HMN_DEV_HAS_NAME | HMN_DEV_HAS_DRIVER_VERSION | HMN_DEV_HAS_PCI_BUS_ID;
    s.gpus = &g;
    s.ngpus = 1;
    t = render(&s);
    CHECK(t != NULL);
    CHECK(strstr(t, "hmn_gpu_info{gpu=\"0\",uuid=\"GPU-x\",name=\"A \\\"quoted\\\" back\\\\slash"
                    "\\nnewline\",vendor=\"nvidia\",pci_bus_id=\"0000:01:00.0\","
                    "driver_version=\"535.104.05\",source=\"nvml\"} 1\n") != NULL);
    CHECK(families_well_formed(t));
    free(t);
}

static void label_value_utf8(void)
{
    struct mx_buf b = {0};
    char name[200];
    /* invalid bytes each become U+FFFD; a valid multi-byte character stays */
    mx_put_label_value(&b, "a\xff" "b\xc3\xa9" "\xed\xa0\x80", 9, 0);
    CHECK(b.data && strcmp(b.data, "a\xEF\xBF\xBD" "b\xc3\xa9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") == 0);
    mx_buf_free(&b);
    /* 127 ASCII bytes + a 2-byte character: the character would end at 129, so it is cut */
    memset(name, 'x', 127);
    memcpy(name + 127, "\xc3\xa9", 3);
    mx_put_label_value(&b, name, strlen(name), MX_NAME_MAX_BYTES);
    CHECK(b.len == 127);
    mx_buf_free(&b);
    /* 126 + the 2-byte character: exactly 128, kept whole */
    memset(name, 'x', 126);
    memcpy(name + 126, "\xc3\xa9z", 4);
    mx_put_label_value(&b, name, strlen(name), MX_NAME_MAX_BYTES);
    CHECK(b.len == 128 && memcmp(b.data + 126, "\xc3\xa9", 2) == 0);
    mx_buf_free(&b);
    /* the cut counts bytes before escaping: 128 quotes are 256 output bytes */
    memset(name, '"', 150);
    name[150] = '\0';
    mx_put_label_value(&b, name, 150, MX_NAME_MAX_BYTES);
    CHECK(b.len == 256);
    mx_buf_free(&b);
}

static void mig_series_and_info(void)
{
    hmn_gpu_device_info g = gpu(0, "GPU-p", 100, 60);
    struct mx_mig m;
    struct mx_snapshot s;
    char *t;
    memset(&s, 0, sizeof(s));
    memset(&m, 0, sizeof(m));
    m.gpu = 0;
    m.info.gpu_instance_id = 1;
    m.info.compute_instance_id = 0;
    m.info.total_bytes = 40;
    m.info.used_bytes = 30;
    m.info.valid = HMN_DEV_HAS_TOTAL | HMN_DEV_HAS_USED | HMN_DEV_HAS_UUID;
    snprintf(m.info.uuid, sizeof(m.info.uuid), "MIG-1");
    s.gpus = &g;
    s.ngpus = 1;
    s.migs = &m;
    s.nmigs = 1;
    t = render(&s);
    CHECK(t != NULL);
    CHECK(strstr(t, "hmn_gpu_memory_used_bytes{gpu=\"0\",uuid=\"GPU-p\"} 60\n") != NULL);
    CHECK(strstr(t, "hmn_gpu_memory_used_bytes{gpu=\"0\",uuid=\"GPU-p\",gpu_instance_id=\"1\","
                    "compute_instance_id=\"0\"} 30\n") != NULL);
    CHECK(strstr(t, "hmn_gpu_memory_free_bytes") == NULL); /* neither parent nor MIG knows it */
    CHECK(strstr(t, "hmn_mig_info{gpu=\"0\",uuid=\"GPU-p\",gpu_instance_id=\"1\","
                    "compute_instance_id=\"0\",mig_uuid=\"MIG-1\"} 1\n") != NULL);
    CHECK(families_well_formed(t));
    free(t);
}

static void process_series(void)
{
    hmn_gpu_device_info g = gpu(0, "GPU-p", 100, 60);
    struct mx_proc p[3];
    struct mx_snapshot s;
    char *t;
    memset(&s, 0, sizeof(s));
    p[0] = proc(0, 7, 10, "python3");
    p[1] = proc(0, 8, 20, NULL);
    p[2] = proc(0, 9, 30, "mig-job");
    p[2].gpu_instance_id = 2;
    p[2].compute_instance_id = 0;
    s.gpus = &g;
    s.ngpus = 1;
    s.procs = p;
    s.nprocs = 3;
    t = render(&s);
    CHECK(t != NULL);
    CHECK(strstr(t, "hmn_process") == NULL); /* rows are there, but --processes is off */
    free(t);
    s.processes = 1;
    s.procs_omitted = 4;
    t = render(&s);
    CHECK(t != NULL);
    CHECK(strstr(t, "hmn_process_gpu_memory_bytes{gpu=\"0\",uuid=\"GPU-p\",pid=\"7\","
                    "name=\"python3\"} 10\n") != NULL);
    CHECK(strstr(t, "hmn_process_gpu_memory_bytes{gpu=\"0\",uuid=\"GPU-p\",pid=\"8\"} 20\n") != NULL);
    CHECK(strstr(t, "hmn_process_gpu_memory_bytes{gpu=\"0\",uuid=\"GPU-p\",pid=\"9\","
                    "name=\"mig-job\",gpu_instance_id=\"2\",compute_instance_id=\"0\"} 30\n") != NULL);
    CHECK(strstr(t, "\nhmn_processes_omitted 4\n") != NULL);
    CHECK(families_well_formed(t));
    free(t);
}

static void owners_and_unattributed(void)
{
    hmn_gpu_device_info g = gpu(0, "GPU-p", 100, 60);
    struct mx_proc p[2];
    struct mx_account a[2];
    struct mx_snapshot s;
    char *t;
    memset(&s, 0, sizeof(s));
    p[0] = proc(0, 7, 10, "python3");
    p[0].has_container = p[0].has_pod = 1;
    snprintf(p[0].container_id, sizeof(p[0].container_id), "abc123");
    snprintf(p[0].pod_uid, sizeof(p[0].pod_uid), "1e597579-417e-482f-bf65-5fe170c3aebd");
    p[1] = proc(0, 8, 20, "bare");
    a[0].gpu = 0;
    a[0].gpu_instance_id = a[0].compute_instance_id = MX_NO_MIG;
    a[0].unattributed_bytes = 30;
    a[1].gpu = 0;
    a[1].gpu_instance_id = 2;
    a[1].compute_instance_id = 0;
    a[1].unattributed_bytes = 5;
    s.gpus = &g;
    s.ngpus = 1;
    s.procs = p;
    s.nprocs = 2;
    s.processes = 1;
    s.accounts = a;
    s.naccounts = 2;
    t = render(&s);
    CHECK(t != NULL);
    CHECK(strstr(t, "hmn_process_gpu_memory_bytes{gpu=\"0\",uuid=\"GPU-p\",pid=\"7\",name=\"python3\","
                    "container_id=\"abc123\",pod_uid=\"1e597579-417e-482f-bf65-5fe170c3aebd\"} 10\n"));
    CHECK(strstr(t, "hmn_process_gpu_memory_bytes{gpu=\"0\",uuid=\"GPU-p\",pid=\"8\",name=\"bare\"} 20\n"));
    CHECK(strstr(t, "# TYPE hmn_gpu_memory_unattributed_bytes gauge\n"));
    CHECK(strstr(t, "hmn_gpu_memory_unattributed_bytes{gpu=\"0\",uuid=\"GPU-p\"} 30\n"));
    CHECK(strstr(t, "hmn_gpu_memory_unattributed_bytes{gpu=\"0\",uuid=\"GPU-p\",gpu_instance_id=\"2\","
                    "compute_instance_id=\"0\"} 5\n"));
    CHECK(families_well_formed(t));
    free(t);
    s.naccounts = 0; /* unknown remainder: no family at all */
    t = render(&s);
    CHECK(t && strstr(t, "unattributed") == NULL);
    free(t);
}

static void same_snapshot_same_bytes(void)
{
    hmn_gpu_device_info g[2];
    struct mx_proc p[2];
    struct mx_snapshot s;
    char *a, *b;
    memset(&s, 0, sizeof(s));
    g[0] = gpu(0, "GPU-a", 1, 1);
    g[1] = gpu(1, "GPU-b", 2, 2);
    p[0] = proc(1, 5, 1, "x");
    p[1] = proc(0, 6, 1, "y");
    s.up = 1;
    s.gpus = g;
    s.ngpus = 2;
    s.procs = p;
    s.nprocs = 2;
    s.processes = 1;
    s.duration_seconds = 0.0123456789;
    a = render(&s);
    b = render(&s);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK(strstr(a, "hmn_collect_duration_seconds 0.012346\n") != NULL);
    CHECK(strstr(a, " @") == NULL && strstr(a, "} 1 1") == NULL); /* no timestamps */
    free(a);
    free(b);
}

static void select_keeps_the_largest(void)
{
    struct mx_proc *p = calloc(6, sizeof(*p));
    struct mx_snapshot s;
    CHECK(p != NULL);
    memset(&s, 0, sizeof(s));
    p[0] = proc(1, 30, 500, "a");
    p[1] = proc(0, 40, 100, "b");
    p[2] = proc(0, 10, 900, "c");
    p[3] = proc(1, 20, 500, "d");
    p[4] = proc(0, 50, 50, "e");
    p[5] = proc(0, 10, 800, "c-again"); /* same gpu and pid as p[2]: one series, the larger */
    s.procs = p;
    s.nprocs = 6;
    mx_select_processes(&s, 3);
    CHECK_EQ_U64(s.nprocs, 3);
    CHECK_EQ_U64(s.procs_omitted, 2); /* 100 and 50 are left out */
    /* kept: 900 (gpu 0 pid 10), then 500 on gpu 1 for pids 20 and 30, sorted by gpu, pid */
    CHECK(s.procs[0].gpu == 0 && s.procs[0].pid == 10 && s.procs[0].bytes == 900);
    CHECK(s.procs[1].gpu == 1 && s.procs[1].pid == 20);
    CHECK(s.procs[2].gpu == 1 && s.procs[2].pid == 30);
    mx_select_processes(&s, 100); /* nothing more to drop */
    CHECK_EQ_U64(s.nprocs, 3);
    free(p);
}

static void listen_accepts(void)
{
    static const struct {
        const char *text, *host;
        int family, any;
        unsigned port;
    } ok[] = {
        {"127.0.0.1:9835", "127.0.0.1", 4, 0, 9835}, {"0.0.0.0:80", "0.0.0.0", 4, 0, 80},
        {"localhost:0", "127.0.0.1", 4, 0, 0},       {":9835", "::", 6, 1, 9835},
        {"[::1]:9835", "::1", 6, 0, 9835},           {"[::]:1", "::", 6, 0, 1},
        {"[fe80::1:2]:65535", "fe80::1:2", 6, 0, 65535},
        {"[::ffff:10.0.0.1]:9835", "::ffff:10.0.0.1", 6, 0, 9835},
        {"[1:2:3:4:5:6:7:8]:1", "1:2:3:4:5:6:7:8", 6, 0, 1},
        {"[1:2:3:4:5:6::8]:1", "1:2:3:4:5:6::8", 6, 0, 1},
    };
    struct listen_addr a;
    char err[160];
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (listen_parse(ok[i].text, &a, err, sizeof(err)) != 0)
            fprintf(stderr, "rejected %s: %s\n", ok[i].text, err);
        CHECK(listen_parse(ok[i].text, &a, err, sizeof(err)) == 0);
        CHECK_STR(a.host, ok[i].host);
        CHECK(a.family == ok[i].family && a.any == ok[i].any && a.port == ok[i].port);
    }
}

static void listen_rejects(void)
{
    static const char *const bad[] = {
        "", "9835", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:+80", "127.0.0.1:99999", "256.0.0.1:80", "1.2.3:80", "1.2.3.4.5:80",
        "01.2.3.4:80", "example.com:80", "::1:9835", "[::1]", "[::1]9835", "[::1:9835",
        "[:::1]:80", "[1::2::3]:80", "[1:2:3:4:5:6:7:8:9]:80", "[12345::]:80", "[::1%eth0]:80",
        "[1:2:3:4:5:6:7::8]:80", "[::1.2.3]:80", "[]:80", "localhost :80", " 127.0.0.1:80",
    };
    struct listen_addr a;
    char err[160];
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (listen_parse(bad[i], &a, err, sizeof(err)) == 0)
            fprintf(stderr, "accepted %s\n", bad[i]);
        CHECK(listen_parse(bad[i], &a, err, sizeof(err)) == -1);
        CHECK(err[0] != '\0');
    }
    CHECK(listen_parse("::1:80", &a, err, sizeof(err)) == -1);
    CHECK(strstr(err, "brackets") != NULL);
}

int main(int argc, char **argv)
{
    static const struct hmn_test tests[] = {
        TEST_ENTRY(no_gpu_renders_health_only), TEST_ENTRY(unknown_figures_have_no_sample),
        TEST_ENTRY(info_labels_and_escaping),   TEST_ENTRY(label_value_utf8),
        TEST_ENTRY(mig_series_and_info),        TEST_ENTRY(process_series),
        TEST_ENTRY(owners_and_unattributed),    TEST_ENTRY(same_snapshot_same_bytes),
        TEST_ENTRY(select_keeps_the_largest),
        TEST_ENTRY(listen_accepts),             TEST_ENTRY(listen_rejects),
    };
    return RUN_TESTS(tests);
}
