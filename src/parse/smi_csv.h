/*
 * parse/smi_csv.h - pure parsers for nvidia-smi's CSV output
 * (`--query-gpu=...` / `--query-compute-apps=...` with `--format=csv[,noheader][,nounits]`).
 *
 * Rules (docs/backends/nvidia-smi.md): fields are separated by commas and
 * trimmed; `[N/A]`, `[Not Supported]`, `[Unknown Error]`, any `[...]` and a
 * bare `N/A` mean "unknown"; a header line (first field = first requested
 * column) and ` MiB` units are tolerated; CR/LF and blank lines are skipped.
 * The field count is never trusted: the one free-text column (a GPU or
 * process name) is anchored between the columns before and after it, so a
 * name containing ", " stays whole.  No I/O, never reads past len.
 */
#ifndef HMN_PARSE_SMI_CSV_H
#define HMN_PARSE_SMI_CSV_H

#include <stddef.h>
#include <stdint.h>

/* Columns the parsers understand (nvidia-smi accepts both spellings). */
enum hmn__smi_col {
    HMN__SMI_COL_OTHER = 0, /* anything else: read and ignored */
    HMN__SMI_COL_INDEX,
    HMN__SMI_COL_NAME,      /* name / gpu_name (GPU name) */
    HMN__SMI_COL_UUID,      /* uuid / gpu_uuid */
    HMN__SMI_COL_PCI,       /* pci.bus_id / gpu_bus_id */
    HMN__SMI_COL_TOTAL,     /* memory.total */
    HMN__SMI_COL_USED,      /* memory.used */
    HMN__SMI_COL_FREE,      /* memory.free */
    HMN__SMI_COL_RESERVED,  /* memory.reserved */
    HMN__SMI_COL_DRIVER,    /* driver_version */
    HMN__SMI_COL_PID,       /* pid */
    HMN__SMI_COL_PNAME,     /* process_name (apps) */
    HMN__SMI_COL_PUSED      /* used_memory / used_gpu_memory */
};

/* valid bits of the rows below */
enum {
    HMN__SMI_HAS_INDEX = 1u << 0,
    HMN__SMI_HAS_NAME = 1u << 1,
    HMN__SMI_HAS_UUID = 1u << 2,
    HMN__SMI_HAS_PCI = 1u << 3,
    HMN__SMI_HAS_TOTAL = 1u << 4,
    HMN__SMI_HAS_USED = 1u << 5,
    HMN__SMI_HAS_FREE = 1u << 6,
    HMN__SMI_HAS_RESERVED = 1u << 7,
    HMN__SMI_HAS_DRIVER = 1u << 8,
    HMN__SMI_HAS_PID = 1u << 9
};

/* One --query-gpu row.  Memory in MiB (nvidia-smi's unit). */
struct hmn__smi_gpu {
    uint32_t valid;
    uint32_t index;
    uint64_t total_mib, used_mib, free_mib, reserved_mib;
    char name[96];
    char uuid[96];
    char pci_bus_id[32]; /* normalised "0000:0c:00.0" */
    char driver[80];
};

/* One --query-compute-apps row. */
struct hmn__smi_app {
    uint32_t valid;
    uint32_t pid;
    uint64_t used_mib;
    char name[256];
    char uuid[96];       /* gpu_uuid when asked for */
    char pci_bus_id[32]; /* gpu_bus_id when asked for */
};

typedef int (*hmn__smi_gpu_fn)(void *arg, const struct hmn__smi_gpu *row);
typedef int (*hmn__smi_app_fn)(void *arg, const struct hmn__smi_app *row);

/* Column id of a query field name ("memory.used" -> HMN__SMI_COL_USED). */
int hmn__smi_col_of(const char *name, size_t len);

/* 1 when a trimmed value is a placeholder: any "[...]" or a bare "N/A". */
int hmn__smi_is_placeholder(const char *s, size_t len);

/*
 * A memory value "1234" or "1234 MiB".  HMN_OK, HMN_ENOENT for a placeholder,
 * HMN_EPARSE otherwise.
 */
int hmn__smi_parse_mib(const char *s, size_t len, uint64_t *mib);

/* "00000000:0C:00.0" -> "0000:0c:00.0".  HMN_OK or HMN_EPARSE. */
int hmn__smi_norm_pci(const char *s, size_t len, char *out, size_t cap);

/*
 * Parse --query-gpu output whose columns are cols[0..ncols).  fn is called
 * once per data row (it may stop the walk by returning non-zero, which is
 * passed back).  HMN_OK, or HMN_EPARSE for a malformed row with `why` (may be
 * NULL) naming the line and the reason.
 */
int hmn__smi_parse_gpus(const char *buf, size_t len, const int *cols, size_t ncols,
                        hmn__smi_gpu_fn fn, void *arg, char *why, size_t whycap);

/* The same for --query-compute-apps output.  A row whose pid is a placeholder is skipped. */
int hmn__smi_parse_apps(const char *buf, size_t len, const int *cols, size_t ncols,
                        hmn__smi_app_fn fn, void *arg, char *why, size_t whycap);
/*
 * The same, except that a malformed row is left out and counted in
 * *skipped instead of failing the parse (one damaged line must not cost
 * every other process of the device); `why` describes the first one.
 * Output in which no line could be read at all is still HMN_EPARSE.
 */
int hmn__smi_parse_apps_skipping(const char *buf, size_t len, const int *cols, size_t ncols,
                                 hmn__smi_app_fn fn, void *arg, unsigned *skipped, char *why,
                                 size_t whycap);

/* What a failed nvidia-smi run said. */
enum hmn__smi_fail_kind {
    HMN__SMI_FAIL_OTHER = 0,
    HMN__SMI_FAIL_NO_DRIVER,     /* exit 9: couldn't communicate with the driver */
    HMN__SMI_FAIL_NO_NVML,       /* exit 12: libnvidia-ml not found */
    HMN__SMI_FAIL_MISMATCH,      /* exit 18: driver/library version mismatch */
    HMN__SMI_FAIL_NO_DEVICES,    /* exit 6 / "No devices were found" */
    HMN__SMI_FAIL_UNKNOWN_FIELD  /* "Field ... is not a valid field to query" */
};

/*
 * Classify a non-zero exit from its status and stdout (nvidia-smi prints
 * its errors on stdout).  `first` gets the first non-blank line, trimmed.
 */
int hmn__smi_classify_failure(const char *buf, size_t len, int exit_code, char *first,
                              size_t firstcap);

#endif /* HMN_PARSE_SMI_CSV_H */
