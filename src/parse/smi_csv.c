/* parse/smi_csv.c - nvidia-smi CSV output (rules in smi_csv.h). */
#include "smi_csv.h"
#include "util.h"

#include <string.h>

/* More columns than any query of ours; a longer list is refused, not truncated. */
#define SMI_MAX_COLS 32

struct field {
    const char *p;
    size_t len;
};

static const struct {
    const char *name;
    int col;
} col_names[] = {
    {"index", HMN__SMI_COL_INDEX},
    {"name", HMN__SMI_COL_NAME},
    {"gpu_name", HMN__SMI_COL_NAME},
    {"uuid", HMN__SMI_COL_UUID},
    {"gpu_uuid", HMN__SMI_COL_UUID},
    {"pci.bus_id", HMN__SMI_COL_PCI},
    {"gpu_bus_id", HMN__SMI_COL_PCI},
    {"memory.total", HMN__SMI_COL_TOTAL},
    {"memory.used", HMN__SMI_COL_USED},
    {"memory.free", HMN__SMI_COL_FREE},
    {"memory.reserved", HMN__SMI_COL_RESERVED},
    {"driver_version", HMN__SMI_COL_DRIVER},
    {"pid", HMN__SMI_COL_PID},
    {"process_name", HMN__SMI_COL_PNAME},
    {"used_memory", HMN__SMI_COL_PUSED},
    {"used_gpu_memory", HMN__SMI_COL_PUSED},
};

int hmn__smi_col_of(const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < HMN__ARRAY_LEN(col_names); i++)
        if (strlen(col_names[i].name) == len && memcmp(col_names[i].name, name, len) == 0)
            return col_names[i].col;
    return HMN__SMI_COL_OTHER;
}

int hmn__smi_is_placeholder(const char *s, size_t len)
{
    /* "[N/A]", "[Not Supported]", "[Unknown Error]", "[Insufficient Permissions]" ... */
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
        return 1;
    return len == 3 && memcmp(s, "N/A", 3) == 0; /* bare form, 440.x drivers */
}

int hmn__smi_parse_mib(const char *s, size_t len, uint64_t *mib)
{
    s = hmn__trim(s, len, &len);
    if (hmn__smi_is_placeholder(s, len))
        return HMN_ENOENT;
    /* Unit form of --format=csv without nounits: "2566 MiB". */
    if (len > 4 && memcmp(s + len - 4, " MiB", 4) == 0)
        s = hmn__trim(s, len - 4, &len);
    return hmn__parse_u64(s, len, mib);
}

/* Hex number of 1..maxd digits at s[*i], stopping at `stop` (or the end when stop is 0). */
static int hex_part(const char *s, size_t len, size_t *i, size_t maxd, char stop, unsigned long *v)
{
    size_t d = 0;
    *v = 0;
    while (*i < len && s[*i] != stop) {
        int h = hmn__hex_digit(s[*i]);
        if (h < 0 || ++d > maxd)
            return HMN_EPARSE;
        *v = *v * 16 + (unsigned long)h;
        (*i)++;
    }
    if (d == 0 || (stop && *i >= len))
        return HMN_EPARSE;
    if (stop)
        (*i)++;
    return HMN_OK;
}

int hmn__smi_norm_pci(const char *s, size_t len, char *out, size_t cap)
{
    unsigned long dom, bus, dev, fn;
    size_t i = 0;
    int n;
    s = hmn__trim(s, len, &len);
    /* nvidia-smi prints an 8-digit domain ("00000000:0C:00.0"); sysfs uses 4. */
    if (hex_part(s, len, &i, 8, ':', &dom) || hex_part(s, len, &i, 2, ':', &bus) ||
        hex_part(s, len, &i, 2, '.', &dev) || hex_part(s, len, &i, 1, 0, &fn) || dev > 0x1f ||
        fn > 7)
        return HMN_EPARSE;
    n = hmn__snprintf(out, cap, "%04lx:%02lx:%02lx.%lx", dom, bus, dev, fn);
    return (n < 0 || (size_t)n >= cap) ? HMN_EPARSE : HMN_OK;
}

/* Copy a text value, trimmed, with control bytes made visible; 0 when unknown. */
static int take_text(const struct field *f, char *dst, size_t cap)
{
    size_t len, i;
    const char *s = hmn__trim(f->p, f->len, &len);
    if (len == 0 || hmn__smi_is_placeholder(s, len))
        return 0;
    len = hmn__utf8_cut(s, len, cap - 1);
    for (i = 0; i < len; i++)
        dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    dst[len] = '\0';
    return 1;
}

/* Next line of buf from *pos, without its LF/CR and trimmed; 0 at the end. */
static int next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *llen)
{
    while (*pos < len) {
        size_t start = *pos, end = start;
        while (end < len && buf[end] != '\n' && buf[end] != '\r')
            end++;
        *pos = end < len ? end + 1 : end;
        *line = hmn__trim(buf + start, end - start, llen);
        if (*llen)
            return 1;
    }
    return 0;
}

/* Strip a header's " [MiB]" unit suffix. */
static size_t strip_unit(const char *s, size_t len)
{
    size_t i = len;
    if (len && s[len - 1] == ']') {
        while (i > 0 && s[i - 1] != '[')
            i--;
        if (i > 0)
            hmn__trim(s, i - 1, &len);
    }
    return len;
}

/* A header names columns: lower-case identifiers, dots and underscores only. */
static int is_header(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t start = i, flen;
        const char *f;
        while (i < len && line[i] != ',')
            i++;
        f = hmn__trim(line + start, i - start, &flen);
        flen = strip_unit(f, flen);
        if (flen == 0 || f[0] < 'a' || f[0] > 'z')
            return 0;
        for (start = 0; start < flen; start++) {
            char c = f[start];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'))
                return 0;
        }
        i++;
    }
    return 1;
}

/*
 * Split a line into ncols fields.  Columns before `free_col` are cut at the
 * first commas, those after it at the last commas, and the free-text column
 * keeps whatever is left (commas included).  free_col == ncols: no such column.
 */
static int split_row(const char *line, size_t len, size_t ncols, size_t free_col,
                     struct field *f)
{
    size_t c, lo = 0, hi = len;
    for (c = 0; c < ncols && c < free_col; c++) {
        size_t e = lo;
        while (e < hi && line[e] != ',')
            e++;
        if (e >= hi && c + 1 < ncols)
            return HMN_EPARSE;
        f[c].p = line + lo;
        f[c].len = e - lo;
        lo = e < hi ? e + 1 : hi;
    }
    if (free_col >= ncols)
        return lo < hi || (len && line[len - 1] == ',') ? HMN_EPARSE : HMN_OK;
    for (c = ncols - 1; c > free_col; c--) {
        size_t s = hi;
        while (s > lo && line[s - 1] != ',')
            s--;
        if (s <= lo)
            return HMN_EPARSE;
        f[c].p = line + s;
        f[c].len = hi - s;
        hi = s - 1;
    }
    f[free_col].p = line + lo;
    f[free_col].len = hi - lo;
    return HMN_OK;
}

static size_t find_free_col(const int *cols, size_t ncols, int free_kind)
{
    size_t c;
    for (c = 0; c < ncols; c++)
        if (cols[c] == free_kind)
            return c;
    return ncols;
}

static int why_line(char *why, size_t cap, unsigned lineno, const char *what, const char *line,
                    size_t len)
{
    if (why && cap)
        hmn__snprintf(why, cap, "line %u: %s: '%.*s%s'", lineno, what,
                      (int)(len > 60 ? 60 : len), line, len > 60 ? "..." : "");
    return HMN_EPARSE;
}

/* A decimal field that may be a placeholder: 1 value, 0 unknown, <0 malformed. */
static int take_u64(const struct field *f, uint64_t *v)
{
    size_t len;
    const char *s = hmn__trim(f->p, f->len, &len);
    if (hmn__smi_is_placeholder(s, len))
        return 0;
    return hmn__parse_u64(s, len, v) == HMN_OK ? 1 : -1;
}

static int take_mib(const struct field *f, uint64_t *v, uint32_t *valid, uint32_t bit)
{
    int rc = hmn__smi_parse_mib(f->p, f->len, v);
    if (rc == HMN_OK)
        *valid |= bit;
    return rc == HMN_EPARSE ? -1 : 0;
}

/* A u32 column (index, pid): -1 malformed, 0 taken or a placeholder. */
static int take_u32(const struct field *f, uint32_t *v, uint32_t *valid, uint32_t bit)
{
    uint64_t n = 0;
    int r = take_u64(f, &n);
    if (r < 0 || n > UINT32_MAX)
        return -1;
    if (r > 0) {
        *v = (uint32_t)n;
        *valid |= bit;
    }
    return 0;
}

/* A bus id we cannot read is unknown, not a reason to drop the row. */
static int take_pci(const struct field *f, char *out, size_t cap, uint32_t *valid)
{
    if (hmn__smi_norm_pci(f->p, f->len, out, cap) == HMN_OK)
        *valid |= HMN__SMI_HAS_PCI;
    else
        out[0] = '\0';
    return 0;
}

static int gpu_field(struct hmn__smi_gpu *g, int col, const struct field *f)
{
    switch (col) {
    case HMN__SMI_COL_INDEX:
        return take_u32(f, &g->index, &g->valid, HMN__SMI_HAS_INDEX);
    case HMN__SMI_COL_NAME:
        g->valid |= take_text(f, g->name, sizeof(g->name)) ? HMN__SMI_HAS_NAME : 0;
        return 0;
    case HMN__SMI_COL_UUID:
        g->valid |= take_text(f, g->uuid, sizeof(g->uuid)) ? HMN__SMI_HAS_UUID : 0;
        return 0;
    case HMN__SMI_COL_DRIVER:
        g->valid |= take_text(f, g->driver, sizeof(g->driver)) ? HMN__SMI_HAS_DRIVER : 0;
        return 0;
    case HMN__SMI_COL_PCI:
        return take_pci(f, g->pci_bus_id, sizeof(g->pci_bus_id), &g->valid);
    case HMN__SMI_COL_TOTAL:
        return take_mib(f, &g->total_mib, &g->valid, HMN__SMI_HAS_TOTAL);
    case HMN__SMI_COL_USED:
        return take_mib(f, &g->used_mib, &g->valid, HMN__SMI_HAS_USED);
    case HMN__SMI_COL_FREE:
        return take_mib(f, &g->free_mib, &g->valid, HMN__SMI_HAS_FREE);
    case HMN__SMI_COL_RESERVED:
        return take_mib(f, &g->reserved_mib, &g->valid, HMN__SMI_HAS_RESERVED);
    default:
        return 0;
    }
}

static int app_field(struct hmn__smi_app *a, int col, const struct field *f)
{
    switch (col) {
    case HMN__SMI_COL_PID:
        return take_u32(f, &a->pid, &a->valid, HMN__SMI_HAS_PID);
    case HMN__SMI_COL_PNAME:
        a->valid |= take_text(f, a->name, sizeof(a->name)) ? HMN__SMI_HAS_NAME : 0;
        return 0;
    case HMN__SMI_COL_UUID:
        a->valid |= take_text(f, a->uuid, sizeof(a->uuid)) ? HMN__SMI_HAS_UUID : 0;
        return 0;
    case HMN__SMI_COL_PCI:
        return take_pci(f, a->pci_bus_id, sizeof(a->pci_bus_id), &a->valid);
    case HMN__SMI_COL_PUSED:
        return take_mib(f, &a->used_mib, &a->valid, HMN__SMI_HAS_USED);
    default:
        return 0;
    }
}

typedef int (*row_fn)(void *row, int col, const struct field *f);

static int gpu_field_cb(void *row, int col, const struct field *f)
{
    return gpu_field(row, col, f);
}

static int app_field_cb(void *row, int col, const struct field *f)
{
    return app_field(row, col, f);
}

/* Emits a finished row; returns non-zero to stop. */
typedef int (*emit_fn)(void *arg, void *row);

struct table {
    const int *cols;
    size_t ncols, free_col;
    row_fn field;
    emit_fn emit;
    void *emit_arg;
    void *row;
    size_t row_size;
    unsigned *skipped; /* NULL: a malformed row fails the parse; else it is counted */
};

/* A malformed row: the parse fails, or (lenient) the row is counted and left out. */
static int bad_row(const struct table *t, char *why, size_t whycap, unsigned lineno,
                   const char *what, const char *line, size_t len)
{
    if (t->skipped && (*t->skipped)++ > 0)
        return HMN_OK; /* `why` keeps the first one */
    why_line(why, whycap, lineno, what, line, len);
    return t->skipped ? HMN_OK : HMN_EPARSE;
}

static int parse_table(const char *buf, size_t len, const struct table *t, char *why,
                       size_t whycap)
{
    struct field f[SMI_MAX_COLS];
    size_t pos = 0, llen, c;
    const char *line;
    unsigned lineno = 0, good = 0;
    if (why && whycap)
        why[0] = '\0';
    if (t->ncols == 0 || t->ncols > SMI_MAX_COLS)
        return HMN_EINVAL;
    while (next_line(buf, len, &pos, &line, &llen)) {
        int stop;
        lineno++;
        /* --format=csv (with header) prints the column names first. */
        if (lineno == 1 && is_header(line, llen))
            continue;
        if (split_row(line, llen, t->ncols, t->free_col, f) != HMN_OK) {
            if (bad_row(t, why, whycap, lineno, "wrong number of fields", line, llen) < 0)
                return HMN_EPARSE;
            continue;
        }
        memset(t->row, 0, t->row_size);
        for (c = 0; c < t->ncols; c++)
            if (t->field(t->row, t->cols[c], &f[c]) < 0)
                break;
        if (c < t->ncols) {
            if (bad_row(t, why, whycap, lineno, "malformed value", line, llen) < 0)
                return HMN_EPARSE;
            continue;
        }
        good++;
        stop = t->emit(t->emit_arg, t->row);
        if (stop)
            return stop;
    }
    /* Output of which not one line could be read is not a listing (binary junk). */
    if (t->skipped && *t->skipped && good == 0)
        return HMN_EPARSE;
    return HMN_OK;
}

struct gpu_emit {
    hmn__smi_gpu_fn fn;
    void *arg;
};

static int emit_gpu(void *arg, void *row)
{
    struct gpu_emit *e = arg;
    return e->fn(e->arg, row);
}

int hmn__smi_parse_gpus(const char *buf, size_t len, const int *cols, size_t ncols,
                        hmn__smi_gpu_fn fn, void *arg, char *why, size_t whycap)
{
    struct hmn__smi_gpu row;
    struct gpu_emit e;
    struct table t;
    e.fn = fn;
    e.arg = arg;
    t.cols = cols;
    t.ncols = ncols;
    t.free_col = find_free_col(cols, ncols, HMN__SMI_COL_NAME);
    t.field = gpu_field_cb;
    t.emit = emit_gpu;
    t.emit_arg = &e;
    t.row = &row;
    t.row_size = sizeof(row);
    t.skipped = NULL;
    return parse_table(buf, len, &t, why, whycap);
}

struct app_emit {
    hmn__smi_app_fn fn;
    void *arg;
};

static int emit_app(void *arg, void *row)
{
    struct app_emit *e = arg;
    const struct hmn__smi_app *a = row;
    /* No PID ("[N/A]" under some vGPU setups): nothing to attribute the row to. */
    if (!(a->valid & HMN__SMI_HAS_PID))
        return 0;
    return e->fn(e->arg, a);
}

static int parse_apps(const char *buf, size_t len, const int *cols, size_t ncols,
                      hmn__smi_app_fn fn, void *arg, unsigned *skipped, char *why, size_t whycap)
{
    struct hmn__smi_app row;
    struct app_emit e;
    struct table t;
    e.fn = fn;
    e.arg = arg;
    t.cols = cols;
    t.ncols = ncols;
    t.free_col = find_free_col(cols, ncols, HMN__SMI_COL_PNAME);
    t.field = app_field_cb;
    t.emit = emit_app;
    t.emit_arg = &e;
    t.row = &row;
    t.row_size = sizeof(row);
    t.skipped = skipped;
    return parse_table(buf, len, &t, why, whycap);
}

int hmn__smi_parse_apps(const char *buf, size_t len, const int *cols, size_t ncols,
                        hmn__smi_app_fn fn, void *arg, char *why, size_t whycap)
{
    return parse_apps(buf, len, cols, ncols, fn, arg, NULL, why, whycap);
}

int hmn__smi_parse_apps_skipping(const char *buf, size_t len, const int *cols, size_t ncols,
                                 hmn__smi_app_fn fn, void *arg, unsigned *skipped, char *why,
                                 size_t whycap)
{
    *skipped = 0;
    return parse_apps(buf, len, cols, ncols, fn, arg, skipped, why, whycap);
}

/* Bounded substring search (memmem is not in C11). */
static int contains(const char *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    if (n == 0 || n > len)
        return 0;
    for (i = 0; i + n <= len; i++)
        if (buf[i] == needle[0] && memcmp(buf + i, needle, n) == 0)
            return 1;
    return 0;
}

int hmn__smi_classify_failure(const char *buf, size_t len, int exit_code, char *first,
                              size_t firstcap)
{
    size_t pos = 0, llen;
    const char *line;
    if (first && firstcap) {
        first[0] = '\0';
        if (next_line(buf, len, &pos, &line, &llen)) {
            struct field f;
            f.p = line;
            f.len = llen;
            if (!take_text(&f, first, firstcap))
                hmn__snprintf(first, firstcap, "%.*s", (int)HMN__MIN(llen, firstcap - 1), line);
        }
    }
    /* The text decides first: exit codes are not documented as stable. */
    if (contains(buf, len, "is not a valid field to query"))
        return HMN__SMI_FAIL_UNKNOWN_FIELD;
    if (contains(buf, len, "version mismatch") || exit_code == 18)
        return HMN__SMI_FAIL_MISMATCH;
    if (contains(buf, len, "couldn't communicate with the NVIDIA driver") || exit_code == 9)
        return HMN__SMI_FAIL_NO_DRIVER;
    if (contains(buf, len, "couldn't find libnvidia-ml") || exit_code == 12)
        return HMN__SMI_FAIL_NO_NVML;
    if (contains(buf, len, "No devices were found") || exit_code == 6)
        return HMN__SMI_FAIL_NO_DEVICES;
    return HMN__SMI_FAIL_OTHER;
}
