/*
 * tests/fakes/fake_nvml.c - a stand-in libnvidia-ml for tests (never shipped).
 *
 * It implements the real NVML ABI and call protocols (INSUFFICIENT_SIZE with
 * the needed count written back, NULL-buffer count queries, struct version
 * words checked like the driver does, UNINITIALIZED before init, ref-counted
 * init) and reads what to report from a scenario file named by
 * HMN_FAKE_NVML_SCENARIO.  The format is documented in tests/fakes/README.md.
 *
 * Driver generations are mimicked by compile definitions that drop symbols:
 *   FAKE_INIT_V2      nvmlInit_v2, nvmlDeviceGetCount_v2, ..._HandleByIndex_v2
 *   FAKE_PCI_V3       nvmlDeviceGetPciInfo_v3 and _v2
 *   FAKE_CUDA_V2      nvmlSystemGetCudaDriverVersion_v2
 *   FAKE_MEM_V2       nvmlDeviceGetMemoryInfo_v2
 *   FAKE_DETAIL       nvmlDeviceGetRunningProcessDetailList
 *   FAKE_V3_STRIDE    0 (no _v3), 24, or 32 (the R535.43 layout)
 *   FAKE_PROCS_V2     ..._v2 process calls (24-byte rows)
 *   FAKE_CONF_COMPUTE nvmlDeviceGetConfComputeMemSizeInfo
 *   FAKE_MIG          MIG calls
 *   FAKE_NO_COUNT     drop every nvmlDeviceGetCount (a broken library)
 * The unsuffixed calls are always there, as in every real driver.
 *
 * HMN_FAKE_NVML_COUNTS names a file holding "init N" and "shutdown N"; each
 * nvmlInit / nvmlShutdown adds one, across loads and processes.
 *
 * HMN_FAKE_NVML_RELOAD=1 re-reads the scenario whenever its file changes
 * (POSIX), so a long-lived context sees processes come and go; replace the
 * file with rename() so a reload never reads half of it.
 */
#include "abi/nvml_abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#  include <sys/stat.h>
#endif

#if defined(_WIN32)
#  include <windows.h>
#  define FAKE_API __declspec(dllexport)
static unsigned fake_getpid(void)
{
    return (unsigned)GetCurrentProcessId();
}
#else
#  include <unistd.h>
#  define FAKE_API __attribute__((visibility("default")))
static unsigned fake_getpid(void)
{
    return (unsigned)getpid();
}
#endif

#ifndef FAKE_V3_STRIDE
#  define FAKE_V3_STRIDE 0
#endif

#define MAX_DEV 64 /* as many as the library keeps (HMN__MAX_DEVICES) */
#define MAX_MIG 8
#define MAX_FAULT 16
#define NA_ULL HMN_NVML_VALUE_NOT_AVAILABLE_ULL
#define KIND_COMPUTE 1u
#define KIND_GRAPHICS 2u
#define KIND_MPS 4u

/* Handles point at these; the same type serves MIG instances. */
struct hmn_nvmlDevice_st {
    int dev;
    int mig_slot; /* -1: the parent GPU */
};

struct fproc {
    unsigned pid, kinds, gi, ci;
    unsigned long long used;
};

/* One accounting record (nvmlAccountingStats_t) of a device. */
struct facct {
    unsigned pid, running;
    unsigned long long max, time_ms;
};

struct fmig {
    int present;
    unsigned gi, ci;
    unsigned long long total, used;
    char name[96], uuid[96];
};

struct fdev {
    char name[96], uuid[96];
    unsigned domain, bus, device, pci_id;
    unsigned long long total, reserved, used, free;
    int mig_mode; /* -1 not supported, 0 off, 1 on */
    int deny;     /* GetHandleByIndex says NO_PERMISSION (cgroup-restricted) */
    struct fmig mig[MAX_MIG];
    struct hmn_nvmlDevice_st h, mig_h[MAX_MIG];
    struct fproc *procs;
    size_t nprocs, cap;
    int acct_mode; /* -1 not supported (default), 0 off, 1 on */
    struct facct *acct;
    size_t nacct, acct_cap;
};

struct fault {
    char entry[64];
    int code, nth, calls;
};

static struct {
    int refcount;
    char driver[80], nvml[80];
    int cuda;
    struct fdev dev[MAX_DEV];
    int ndev;
    struct fault fault[MAX_FAULT];
    int nfault;
    unsigned race_add; /* processes that appear after the first count query */
    int race_done;
} S;

/* ---------------------------------------------------------------- scenario */

static void reset_state(void)
{
    int i;
    for (i = 0; i < S.ndev; i++) {
        free(S.dev[i].procs);
        free(S.dev[i].acct);
    }
    memset(&S, 0, sizeof(S));
}

/* Next token: bare word, key="quoted value" or "quoted". */
static char *next_token(char **p)
{
    char *s = *p, *out, *w;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return NULL;
    out = w = s;
    while (*s && *s != ' ' && *s != '\t') {
        if (*s == '"') {
            s++;
            while (*s && *s != '"')
                *w++ = *s++;
            if (*s)
                s++;
            continue;
        }
        *w++ = *s++;
    }
    if (*s)
        s++;
    *w = '\0';
    *p = s;
    return out;
}

/* "123", "123MiB", "2GiB", "na" (the all-ones sentinel), "0x..." */
static unsigned long long num(const char *v)
{
    char *end;
    unsigned long long n;
    if (strcmp(v, "na") == 0)
        return NA_ULL;
    n = strtoull(v, &end, 0);
    if (strcmp(end, "KiB") == 0)
        n <<= 10;
    else if (strcmp(end, "MiB") == 0)
        n <<= 20;
    else if (strcmp(end, "GiB") == 0)
        n <<= 30;
    return n;
}

static unsigned kinds_of(const char *v)
{
    unsigned k = 0;
    if (strstr(v, "compute"))
        k |= KIND_COMPUTE;
    if (strstr(v, "graphics"))
        k |= KIND_GRAPHICS;
    if (strstr(v, "mps"))
        k |= KIND_MPS;
    return k;
}

static int add_proc(struct fdev *d, const struct fproc *p)
{
    if (d->nprocs == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        struct fproc *v = realloc(d->procs, cap * sizeof(*v));
        if (!v)
            return -1;
        d->procs = v;
        d->cap = cap;
    }
    d->procs[d->nprocs++] = *p;
    return 0;
}

static void parse_device(char *rest)
{
    struct fdev *d;
    char *t;
    int have_free = 0;
    if (S.ndev >= MAX_DEV)
        return;
    d = &S.dev[S.ndev];
    d->h.dev = S.ndev;
    d->h.mig_slot = -1;
    d->mig_mode = -1;
    d->acct_mode = -1;
    S.ndev++;
    while ((t = next_token(&rest)) != NULL) {
        char *v = strchr(t, '=');
        if (!v)
            continue;
        *v++ = '\0';
        if (!strcmp(t, "name"))
            snprintf(d->name, sizeof(d->name), "%s", v);
        else if (!strcmp(t, "uuid"))
            snprintf(d->uuid, sizeof(d->uuid), "%s", v);
        else if (!strcmp(t, "pci"))
            sscanf(v, "%x:%x:%x", &d->domain, &d->bus, &d->device);
        else if (!strcmp(t, "pci_id"))
            d->pci_id = (unsigned)num(v);
        else if (!strcmp(t, "total"))
            d->total = num(v);
        else if (!strcmp(t, "reserved"))
            d->reserved = num(v);
        else if (!strcmp(t, "used"))
            d->used = num(v);
        else if (!strcmp(t, "free"))
            d->free = num(v), have_free = 1;
        else if (!strcmp(t, "deny"))
            d->deny = (int)num(v);
        else if (!strcmp(t, "mig"))
            d->mig_mode = !strcmp(v, "on") ? 1 : !strcmp(v, "off") ? 0 : -1;
        else if (!strcmp(t, "accounting"))
            d->acct_mode = !strcmp(v, "on") ? 1 : !strcmp(v, "off") ? 0 : -1;
    }
    if (!have_free && d->total >= d->reserved + d->used)
        d->free = d->total - d->reserved - d->used;
}

static void parse_proc(char *rest, int many)
{
    struct fdev *d = S.ndev ? &S.dev[S.ndev - 1] : NULL;
    struct fproc p = {0, KIND_COMPUTE, 0xFFFFFFFFu, 0xFFFFFFFFu, 0};
    unsigned count = 1, i;
    char *t;
    if (!d)
        return;
    while ((t = next_token(&rest)) != NULL) {
        char *v = strchr(t, '=');
        if (!v)
            continue;
        *v++ = '\0';
        if (!strcmp(t, "pid"))
            p.pid = !strcmp(v, "self") ? fake_getpid() : (unsigned)num(v);
        else if (!strcmp(t, "used"))
            p.used = num(v);
        else if (!strcmp(t, "kinds"))
            p.kinds = kinds_of(v);
        else if (!strcmp(t, "gi"))
            p.gi = (unsigned)num(v);
        else if (!strcmp(t, "ci"))
            p.ci = (unsigned)num(v);
        else if (!strcmp(t, "count") && many)
            count = (unsigned)num(v);
    }
    for (i = 0; i < count; i++) {
        struct fproc q = p;
        q.pid = p.pid + i;
        if (add_proc(d, &q) != 0)
            return;
    }
}

/* acct pid=N|self max=SIZE|na running=0|1 time=MS: a record of the last device. */
static void parse_acct(char *rest)
{
    struct fdev *d = S.ndev ? &S.dev[S.ndev - 1] : NULL;
    struct facct a = {0, 1, 0, 0};
    char *t;
    if (!d)
        return;
    while ((t = next_token(&rest)) != NULL) {
        char *v = strchr(t, '=');
        if (!v)
            continue;
        *v++ = '\0';
        if (!strcmp(t, "pid"))
            a.pid = !strcmp(v, "self") ? fake_getpid() : (unsigned)num(v);
        else if (!strcmp(t, "max"))
            a.max = num(v);
        else if (!strcmp(t, "running"))
            a.running = (unsigned)num(v);
        else if (!strcmp(t, "time"))
            a.time_ms = num(v);
    }
    if (d->nacct == d->acct_cap) {
        size_t cap = d->acct_cap ? d->acct_cap * 2 : 8;
        struct facct *v = realloc(d->acct, cap * sizeof(*v));
        if (!v)
            return;
        d->acct = v;
        d->acct_cap = cap;
    }
    d->acct[d->nacct++] = a;
}

static void parse_mig(char *rest)
{
    struct fdev *d = S.ndev ? &S.dev[S.ndev - 1] : NULL;
    struct fmig m;
    int slot = -1;
    char *t;
    if (!d)
        return;
    memset(&m, 0, sizeof(m));
    m.present = 1;
    while ((t = next_token(&rest)) != NULL) {
        char *v = strchr(t, '=');
        if (!v)
            continue;
        *v++ = '\0';
        if (!strcmp(t, "slot"))
            slot = (int)num(v);
        else if (!strcmp(t, "gi"))
            m.gi = (unsigned)num(v);
        else if (!strcmp(t, "ci"))
            m.ci = (unsigned)num(v);
        else if (!strcmp(t, "total"))
            m.total = num(v);
        else if (!strcmp(t, "used"))
            m.used = num(v);
        else if (!strcmp(t, "name"))
            snprintf(m.name, sizeof(m.name), "%s", v);
        else if (!strcmp(t, "uuid"))
            snprintf(m.uuid, sizeof(m.uuid), "%s", v);
    }
    if (slot < 0 || slot >= MAX_MIG)
        return;
    d->mig[slot] = m;
    d->mig_h[slot].dev = (int)(d - S.dev);
    d->mig_h[slot].mig_slot = slot;
}

static void parse_fault(char *rest)
{
    struct fault *f;
    char *t = next_token(&rest), *c = next_token(&rest), *n;
    if (!t || !c || S.nfault >= MAX_FAULT)
        return;
    f = &S.fault[S.nfault++];
    snprintf(f->entry, sizeof(f->entry), "%s", t);
    f->code = (int)num(c);
    while ((n = next_token(&rest)) != NULL)
        if (!strncmp(n, "nth=", 4))
            f->nth = (int)num(n + 4);
}

static void parse_line(char *line)
{
    char *rest = line, *kw = next_token(&rest), *v;
    if (!kw || kw[0] == '#')
        return;
    if (!strcmp(kw, "device"))
        parse_device(rest);
    else if (!strcmp(kw, "proc"))
        parse_proc(rest, 0);
    else if (!strcmp(kw, "procs"))
        parse_proc(rest, 1);
    else if (!strcmp(kw, "mig_instance"))
        parse_mig(rest);
    else if (!strcmp(kw, "acct"))
        parse_acct(rest);
    else if (!strcmp(kw, "fault"))
        parse_fault(rest);
    else if ((v = next_token(&rest)) == NULL)
        return;
    else if (!strcmp(kw, "driver"))
        snprintf(S.driver, sizeof(S.driver), "%s", v);
    else if (!strcmp(kw, "nvml"))
        snprintf(S.nvml, sizeof(S.nvml), "%s", v);
    else if (!strcmp(kw, "cuda"))
        S.cuda = (int)num(v);
    else if (!strcmp(kw, "race") && !strncmp(v, "add=", 4))
        S.race_add = (unsigned)num(v + 4);
}

static int load_scenario(void)
{
    const char *path = getenv("HMN_FAKE_NVML_SCENARIO");
    char line[1024];
    FILE *f;
    reset_state();
    if (!path || !(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        parse_line(line);
    }
    fclose(f);
    return 0;
}

/* Add one to "init"/"shutdown" in the counts file (kept across loads). */
static void bump_count(int is_init)
{
    const char *path = getenv("HMN_FAKE_NVML_COUNTS");
    unsigned long inits = 0, shutdowns = 0;
    FILE *f;
    if (!path)
        return;
    if ((f = fopen(path, "r")) != NULL) {
        if (fscanf(f, "init %lu shutdown %lu", &inits, &shutdowns) != 2)
            inits = shutdowns = 0;
        fclose(f);
    }
    if (is_init)
        inits++;
    else
        shutdowns++;
    if ((f = fopen(path, "w")) != NULL) {
        fprintf(f, "init %lu\nshutdown %lu\n", inits, shutdowns);
        fclose(f);
    }
}

/* ---------------------------------------------------------------- helpers */

/* A fault for `sym`: the entry names it exactly, or names its family ("nvmlInit"). */
static int fault_for(const char *sym)
{
    int i;
    for (i = 0; i < S.nfault; i++) {
        struct fault *f = &S.fault[i];
        size_t n = strlen(f->entry);
        if (strncmp(sym, f->entry, n) != 0 || (sym[n] && strncmp(sym + n, "_v", 2) != 0))
            continue;
        f->calls++;
        if (f->nth == 0 || f->nth == f->calls)
            return f->code;
    }
    return HMN_NVML_SUCCESS;
}

#if !defined(_WIN32)
/* HMN_FAKE_NVML_RELOAD: a new scenario file (other inode, size or mtime) is
 * read again; the init count survives, the devices keep their handles. */
static void maybe_reload(void)
{
    static struct stat last;
    static int have;
    const char *path = getenv("HMN_FAKE_NVML_SCENARIO");
    struct stat st;
    int refcount = S.refcount;
    if (!getenv("HMN_FAKE_NVML_RELOAD") || !path || stat(path, &st) != 0)
        return;
    if (have && st.st_ino == last.st_ino && st.st_size == last.st_size &&
        st.st_mtim.tv_sec == last.st_mtim.tv_sec && st.st_mtim.tv_nsec == last.st_mtim.tv_nsec)
        return;
    last = st;
    if (!have) { /* the first look: the file init just read */
        have = 1;
        return;
    }
    (void)load_scenario(); /* an unreadable file reads as no device, not as a crash */
    S.refcount = refcount;
}
#endif

/* Common entry checks: initialised, no injected fault. */
static hmn_nvmlReturn_t enter(const char *sym)
{
    if (S.refcount <= 0)
        return HMN_NVML_ERROR_UNINITIALIZED;
#if !defined(_WIN32)
    maybe_reload();
#endif
    return fault_for(sym);
}

static struct fdev *parent(hmn_nvmlDevice_t h)
{
    if (!h || h->dev < 0 || h->dev >= S.ndev)
        return NULL;
    return &S.dev[h->dev];
}

static hmn_nvmlReturn_t copy_str(char *buf, unsigned int len, const char *s)
{
    size_t n = strlen(s);
    if (!buf)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (n + 1 > len)
        return HMN_NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(buf, s, n + 1);
    return HMN_NVML_SUCCESS;
}

/* ---------------------------------------------------------------- init */

static hmn_nvmlReturn_t do_init(const char *sym)
{
    hmn_nvmlReturn_t r;
    if (S.refcount == 0 && load_scenario() != 0)
        return HMN_NVML_ERROR_UNKNOWN;
    r = fault_for(sym);
    if (r != HMN_NVML_SUCCESS) {
        if (S.refcount == 0)
            reset_state();
        return r;
    }
    S.refcount++;
    bump_count(1);
    return HMN_NVML_SUCCESS;
}

#if defined(FAKE_INIT_V2)
FAKE_API hmn_nvmlReturn_t nvmlInit_v2(void);
hmn_nvmlReturn_t nvmlInit_v2(void)
{
    return do_init("nvmlInit_v2");
}
#endif

FAKE_API hmn_nvmlReturn_t nvmlInit(void);
hmn_nvmlReturn_t nvmlInit(void)
{
    return do_init("nvmlInit");
}

FAKE_API hmn_nvmlReturn_t nvmlShutdown(void);
hmn_nvmlReturn_t nvmlShutdown(void)
{
    if (S.refcount <= 0)
        return HMN_NVML_ERROR_UNINITIALIZED;
    bump_count(0);
    if (--S.refcount == 0)
        reset_state();
    return HMN_NVML_SUCCESS;
}

FAKE_API const char *nvmlErrorString(hmn_nvmlReturn_t r);
const char *nvmlErrorString(hmn_nvmlReturn_t r)
{
    /* The strings the real library returns. */
    switch (r) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 9: return "Driver Not Loaded";
    case 12: return "NVML Shared Library Not Found";
    case 13: return "Function Not Found";
    case 15: return "GPU is lost";
    case 18: return "Driver/library version mismatch";
    case 25: return "Argument version mismatch";
    default: return "Unknown Error";
    }
}

/* ---------------------------------------------------------------- system */

FAKE_API hmn_nvmlReturn_t nvmlSystemGetDriverVersion(char *buf, unsigned int len);
hmn_nvmlReturn_t nvmlSystemGetDriverVersion(char *buf, unsigned int len)
{
    hmn_nvmlReturn_t r = enter("nvmlSystemGetDriverVersion");
    return r ? r : copy_str(buf, len, S.driver);
}

FAKE_API hmn_nvmlReturn_t nvmlSystemGetNVMLVersion(char *buf, unsigned int len);
hmn_nvmlReturn_t nvmlSystemGetNVMLVersion(char *buf, unsigned int len)
{
    hmn_nvmlReturn_t r = enter("nvmlSystemGetNVMLVersion");
    return r ? r : copy_str(buf, len, S.nvml);
}

static hmn_nvmlReturn_t cuda_version(const char *sym, int *v)
{
    hmn_nvmlReturn_t r = enter(sym);
    if (r)
        return r;
    if (!v)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    *v = S.cuda;
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *v);
hmn_nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *v)
{
    return cuda_version("nvmlSystemGetCudaDriverVersion", v);
}

#if defined(FAKE_CUDA_V2)
FAKE_API hmn_nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *v);
hmn_nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *v)
{
    return cuda_version("nvmlSystemGetCudaDriverVersion_v2", v);
}
#endif

/* ---------------------------------------------------------------- devices */

#if !defined(FAKE_NO_COUNT)
static hmn_nvmlReturn_t get_count(const char *sym, unsigned int *n)
{
    hmn_nvmlReturn_t r = enter(sym);
    if (r)
        return r;
    if (!n)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    *n = (unsigned)S.ndev;
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetCount(unsigned int *n);
hmn_nvmlReturn_t nvmlDeviceGetCount(unsigned int *n)
{
    return get_count("nvmlDeviceGetCount", n);
}

#  if defined(FAKE_INIT_V2)
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *n);
hmn_nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *n)
{
    return get_count("nvmlDeviceGetCount_v2", n);
}
#  endif
#endif

static hmn_nvmlReturn_t get_handle(const char *sym, unsigned int i, hmn_nvmlDevice_t *h)
{
    hmn_nvmlReturn_t r = enter(sym);
    if (r)
        return r;
    if (!h || i >= (unsigned)S.ndev)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (S.dev[i].deny)
        return HMN_NVML_ERROR_NO_PERMISSION; /* counted, but not ours to open */
    *h = &S.dev[i].h;
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int i, hmn_nvmlDevice_t *h);
hmn_nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int i, hmn_nvmlDevice_t *h)
{
    return get_handle("nvmlDeviceGetHandleByIndex", i, h);
}

#if defined(FAKE_INIT_V2)
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, hmn_nvmlDevice_t *h);
hmn_nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, hmn_nvmlDevice_t *h)
{
    return get_handle("nvmlDeviceGetHandleByIndex_v2", i, h);
}
#endif

static const struct fmig *mig_of(hmn_nvmlDevice_t h)
{
    struct fdev *d = parent(h);
    if (!d || h->mig_slot < 0 || h->mig_slot >= MAX_MIG || !d->mig[h->mig_slot].present)
        return NULL;
    return &d->mig[h->mig_slot];
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetName(hmn_nvmlDevice_t h, char *buf, unsigned int len);
hmn_nvmlReturn_t nvmlDeviceGetName(hmn_nvmlDevice_t h, char *buf, unsigned int len)
{
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetName");
    if (r)
        return r;
    if (!parent(h))
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    return copy_str(buf, len, mig_of(h) ? mig_of(h)->name : parent(h)->name);
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetUUID(hmn_nvmlDevice_t h, char *buf, unsigned int len);
hmn_nvmlReturn_t nvmlDeviceGetUUID(hmn_nvmlDevice_t h, char *buf, unsigned int len)
{
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetUUID");
    if (r)
        return r;
    if (!parent(h))
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    return copy_str(buf, len, mig_of(h) ? mig_of(h)->uuid : parent(h)->uuid);
}

/* v3/v2 fill the 68-byte struct; the unsuffixed call the old 52-byte one. */
static hmn_nvmlReturn_t pci_info(const char *sym, hmn_nvmlDevice_t h, hmn_nvmlPciInfo_t *p,
                                 int legacy)
{
    struct fdev *d = parent(h);
    hmn_nvmlReturn_t r = enter(sym);
    if (r)
        return r;
    if (!d || !p)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (legacy) {
        /* Old layout: busId[16], domain, bus, device, pciDeviceId, pciSubSystemId, 4 reserved. */
        unsigned char *b = (unsigned char *)p;
        unsigned v[5] = {d->domain, d->bus, d->device, d->pci_id, 0};
        memset(b, 0, 52);
        snprintf((char *)b, 16, "%04X:%02X:%02X.0", d->domain, d->bus, d->device);
        memcpy(b + 16, v, sizeof(v));
        return HMN_NVML_SUCCESS;
    }
    memset(p, 0, sizeof(*p));
    snprintf(p->busIdLegacy, sizeof(p->busIdLegacy), "%04X:%02X:%02X.0", d->domain, d->bus,
             d->device);
    snprintf(p->busId, sizeof(p->busId), "%08X:%02X:%02X.0", d->domain, d->bus, d->device);
    p->domain = d->domain;
    p->bus = d->bus;
    p->device = d->device;
    p->pciDeviceId = d->pci_id;
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetPciInfo(hmn_nvmlDevice_t h, hmn_nvmlPciInfo_t *p);
hmn_nvmlReturn_t nvmlDeviceGetPciInfo(hmn_nvmlDevice_t h, hmn_nvmlPciInfo_t *p)
{
    return pci_info("nvmlDeviceGetPciInfo", h, p, 1);
}

#if defined(FAKE_PCI_V3)
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetPciInfo_v2(hmn_nvmlDevice_t h, hmn_nvmlPciInfo_t *p);
hmn_nvmlReturn_t nvmlDeviceGetPciInfo_v2(hmn_nvmlDevice_t h, hmn_nvmlPciInfo_t *p)
{
    return pci_info("nvmlDeviceGetPciInfo_v2", h, p, 0);
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetPciInfo_v3(hmn_nvmlDevice_t h, hmn_nvmlPciInfo_t *p);
hmn_nvmlReturn_t nvmlDeviceGetPciInfo_v3(hmn_nvmlDevice_t h, hmn_nvmlPciInfo_t *p)
{
    return pci_info("nvmlDeviceGetPciInfo_v3", h, p, 0);
}
#endif

/* ---------------------------------------------------------------- memory */

/* v1 `used` counts the reserved carve-out as used (the classic complaint). */
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetMemoryInfo(hmn_nvmlDevice_t h, hmn_nvmlMemory_t *m);
hmn_nvmlReturn_t nvmlDeviceGetMemoryInfo(hmn_nvmlDevice_t h, hmn_nvmlMemory_t *m)
{
    struct fdev *d = parent(h);
    const struct fmig *g = mig_of(h);
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetMemoryInfo");
    if (r)
        return r;
    if (!d || !m)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (g) {
        m->total = g->total;
        m->used = g->used;
        m->free = g->total - g->used;
        return HMN_NVML_SUCCESS;
    }
    m->total = d->total;
    m->free = d->free;
    m->used = d->used + d->reserved;
    return HMN_NVML_SUCCESS;
}

#if defined(FAKE_MEM_V2)
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(hmn_nvmlDevice_t h, hmn_nvmlMemory_v2_t *m);
hmn_nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(hmn_nvmlDevice_t h, hmn_nvmlMemory_v2_t *m)
{
    struct fdev *d = parent(h);
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetMemoryInfo_v2");
    if (r)
        return r;
    if (!d || !m)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (m->version != HMN_NVML_MEMORY_V2_VERSION)
        return HMN_NVML_ERROR_ARGUMENT_VERSION_MISMATCH; /* e.g. the classic version = 2 */
    m->total = d->total;
    m->reserved = d->reserved;
    m->free = d->free;
    m->used = d->used;
    return HMN_NVML_SUCCESS;
}
#endif

/* ---------------------------------------------------------------- processes */

/* Processes of the first count query appear only after it (the race). */
static void maybe_race(struct fdev *d)
{
    unsigned i;
    if (!S.race_add || S.race_done)
        return;
    S.race_done = 1;
    for (i = 0; i < S.race_add; i++) {
        struct fproc p = {60000 + i, KIND_COMPUTE, 0xFFFFFFFFu, 0xFFFFFFFFu, 1ull << 20};
        (void)add_proc(d, &p);
    }
}

static int proc_matches(const struct fproc *p, unsigned kind, const struct fmig *g)
{
    if (!(p->kinds & kind))
        return 0;
    return !g || (p->gi == g->gi && p->ci == g->ci);
}

static void put_row(unsigned char *b, const struct fproc *p, size_t stride)
{
    memset(b, 0, stride);
    memcpy(b, &p->pid, sizeof(p->pid));
    memcpy(b + 8, &p->used, sizeof(p->used));
    if (stride >= 24) {
        memcpy(b + 16, &p->gi, sizeof(p->gi));
        memcpy(b + 20, &p->ci, sizeof(p->ci));
    }
    /* stride 32: usedGpuCcProtectedMemory stays 0, as on a non-CC machine. */
}

/* The INSUFFICIENT_SIZE protocol shared by every process entry point. */
static hmn_nvmlReturn_t list_procs(const char *sym, hmn_nvmlDevice_t h, unsigned kind,
                                   unsigned int *count, void *buf, size_t stride)
{
    struct fdev *d = parent(h);
    const struct fmig *g = mig_of(h);
    unsigned need = 0, w = 0;
    size_t i;
    hmn_nvmlReturn_t r = enter(sym);
    if (r)
        return r;
    if (!d || !count)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    for (i = 0; i < d->nprocs; i++)
        need += (unsigned)proc_matches(&d->procs[i], kind, g);
    if (!buf || *count < need) {
        *count = need;
        if (!buf && kind == KIND_COMPUTE)
            maybe_race(d);
        return need ? HMN_NVML_ERROR_INSUFFICIENT_SIZE : HMN_NVML_SUCCESS;
    }
    for (i = 0; i < d->nprocs; i++)
        if (proc_matches(&d->procs[i], kind, g))
            put_row((unsigned char *)buf + (w++) * stride, &d->procs[i], stride);
    *count = w;
    return HMN_NVML_SUCCESS;
}

#define FAKE_PROCS(sym, kind, stride)                                                  \
    FAKE_API hmn_nvmlReturn_t sym(hmn_nvmlDevice_t h, unsigned int *n, void *buf);    \
    hmn_nvmlReturn_t sym(hmn_nvmlDevice_t h, unsigned int *n, void *buf)              \
    {                                                                                  \
        return list_procs(#sym, h, kind, n, buf, stride);                              \
    }

FAKE_PROCS(nvmlDeviceGetComputeRunningProcesses, KIND_COMPUTE, 16)
FAKE_PROCS(nvmlDeviceGetGraphicsRunningProcesses, KIND_GRAPHICS, 16)
#if defined(FAKE_PROCS_V2)
FAKE_PROCS(nvmlDeviceGetComputeRunningProcesses_v2, KIND_COMPUTE, 24)
FAKE_PROCS(nvmlDeviceGetGraphicsRunningProcesses_v2, KIND_GRAPHICS, 24)
FAKE_PROCS(nvmlDeviceGetMPSComputeRunningProcesses_v2, KIND_MPS, 24)
FAKE_PROCS(nvmlDeviceGetMPSComputeRunningProcesses, KIND_MPS, 16)
#endif
#if FAKE_V3_STRIDE
FAKE_PROCS(nvmlDeviceGetComputeRunningProcesses_v3, KIND_COMPUTE, FAKE_V3_STRIDE)
FAKE_PROCS(nvmlDeviceGetGraphicsRunningProcesses_v3, KIND_GRAPHICS, FAKE_V3_STRIDE)
FAKE_PROCS(nvmlDeviceGetMPSComputeRunningProcesses_v3, KIND_MPS, FAKE_V3_STRIDE)
#endif

#if defined(FAKE_DETAIL)
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetRunningProcessDetailList(
    hmn_nvmlDevice_t h, hmn_nvmlProcessDetailList_v1_t *l);
hmn_nvmlReturn_t nvmlDeviceGetRunningProcessDetailList(hmn_nvmlDevice_t h,
                                                       hmn_nvmlProcessDetailList_v1_t *l)
{
    static const unsigned kinds[3] = {KIND_COMPUTE, KIND_GRAPHICS, KIND_MPS};
    hmn_nvmlReturn_t r;
    if (S.refcount <= 0)
        return HMN_NVML_ERROR_UNINITIALIZED;
    if (!l)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (l->version != HMN_NVML_PROCESS_DETAIL_LIST_V1_VERSION)
        return HMN_NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    if (l->mode > HMN_NVML_PROCESS_MODE_MPS)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    r = list_procs("nvmlDeviceGetRunningProcessDetailList", h, kinds[l->mode],
                   &l->numProcArrayEntries, l->procArray, sizeof(hmn_nvmlProcessDetail_v1_t));
    return r;
}
#endif

#if defined(FAKE_CONF_COMPUTE)
/* Only its presence matters to clients; the real one fills a memory-size struct. */
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetConfComputeMemSizeInfo(hmn_nvmlDevice_t h, void *info);
hmn_nvmlReturn_t nvmlDeviceGetConfComputeMemSizeInfo(hmn_nvmlDevice_t h, void *info)
{
    (void)h;
    (void)info;
    return HMN_NVML_ERROR_NOT_SUPPORTED;
}
#endif

/* ---------------------------------------------------------------- accounting */

/* The driver's protocol: NOT_SUPPORTED where the device has no accounting
 * (and, for the statistics, while the mode is off), NOT_FOUND for a PID
 * without a record. */
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetAccountingMode(hmn_nvmlDevice_t h,
                                                      hmn_nvmlEnableState_t *mode);
hmn_nvmlReturn_t nvmlDeviceGetAccountingMode(hmn_nvmlDevice_t h, hmn_nvmlEnableState_t *mode)
{
    struct fdev *d = parent(h);
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetAccountingMode");
    if (r)
        return r;
    if (!d || !mode)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (d->acct_mode < 0)
        return HMN_NVML_ERROR_NOT_SUPPORTED;
    *mode = d->acct_mode ? HMN_NVML_FEATURE_ENABLED : HMN_NVML_FEATURE_DISABLED;
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetAccountingStats(hmn_nvmlDevice_t h, unsigned int pid,
                                                       hmn_nvmlAccountingStats_t *out);
hmn_nvmlReturn_t nvmlDeviceGetAccountingStats(hmn_nvmlDevice_t h, unsigned int pid,
                                              hmn_nvmlAccountingStats_t *out)
{
    struct fdev *d = parent(h);
    size_t i;
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetAccountingStats");
    if (r)
        return r;
    if (!d || !out)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (d->acct_mode != 1)
        return HMN_NVML_ERROR_NOT_SUPPORTED;
    for (i = 0; i < d->nacct; i++) {
        if (d->acct[i].pid != pid)
            continue;
        memset(out, 0, sizeof(*out));
        out->gpuUtilization = 0;
        out->memoryUtilization = 0;
        out->maxMemoryUsage = d->acct[i].max;
        out->time = d->acct[i].time_ms;
        out->startTime = 0;
        out->isRunning = d->acct[i].running;
        return HMN_NVML_SUCCESS;
    }
    return HMN_NVML_ERROR_NOT_FOUND;
}

/* ---------------------------------------------------------------- MIG */

#if defined(FAKE_MIG)
FAKE_API hmn_nvmlReturn_t nvmlDeviceGetMigMode(hmn_nvmlDevice_t h, unsigned int *cur,
                                               unsigned int *pending);
hmn_nvmlReturn_t nvmlDeviceGetMigMode(hmn_nvmlDevice_t h, unsigned int *cur,
                                      unsigned int *pending)
{
    struct fdev *d = parent(h);
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetMigMode");
    if (r)
        return r;
    if (!d || !cur || !pending)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (d->mig_mode < 0)
        return HMN_NVML_ERROR_NOT_SUPPORTED;
    *cur = *pending = (unsigned)d->mig_mode;
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(hmn_nvmlDevice_t h, unsigned int *n);
hmn_nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(hmn_nvmlDevice_t h, unsigned int *n)
{
    struct fdev *d = parent(h);
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetMaxMigDeviceCount");
    if (r)
        return r;
    if (!d || !n)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (d->mig_mode < 0)
        return HMN_NVML_ERROR_NOT_SUPPORTED;
    *n = d->mig_mode == 1 ? MAX_MIG - 1 : 0; /* 7 slots, as on A100/H100 */
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(hmn_nvmlDevice_t h, unsigned int i,
                                                              hmn_nvmlDevice_t *out);
hmn_nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(hmn_nvmlDevice_t h, unsigned int i,
                                                     hmn_nvmlDevice_t *out)
{
    struct fdev *d = parent(h);
    hmn_nvmlReturn_t r = enter("nvmlDeviceGetMigDeviceHandleByIndex");
    if (r)
        return r;
    if (!d || !out || i >= MAX_MIG - 1 || h->mig_slot >= 0)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (d->mig_mode != 1 || !d->mig[i].present)
        return HMN_NVML_ERROR_NOT_FOUND; /* empty slot */
    *out = &d->mig_h[i];
    return HMN_NVML_SUCCESS;
}

static hmn_nvmlReturn_t mig_id(const char *sym, hmn_nvmlDevice_t h, unsigned int *id, int ci)
{
    const struct fmig *g = mig_of(h);
    hmn_nvmlReturn_t r = enter(sym);
    if (r)
        return r;
    if (!id)
        return HMN_NVML_ERROR_INVALID_ARGUMENT;
    if (!g)
        return HMN_NVML_ERROR_NOT_SUPPORTED; /* not a MIG handle */
    *id = ci ? g->ci : g->gi;
    return HMN_NVML_SUCCESS;
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetGpuInstanceId(hmn_nvmlDevice_t h, unsigned int *id);
hmn_nvmlReturn_t nvmlDeviceGetGpuInstanceId(hmn_nvmlDevice_t h, unsigned int *id)
{
    return mig_id("nvmlDeviceGetGpuInstanceId", h, id, 0);
}

FAKE_API hmn_nvmlReturn_t nvmlDeviceGetComputeInstanceId(hmn_nvmlDevice_t h, unsigned int *id);
hmn_nvmlReturn_t nvmlDeviceGetComputeInstanceId(hmn_nvmlDevice_t h, unsigned int *id)
{
    return mig_id("nvmlDeviceGetComputeInstanceId", h, id, 1);
}
#endif
