/*
 * cli/cli.h - shared pieces of the hmn command-line tool.  The CLI uses only
 * the public header: it proves the library API is enough.
 *
 * Two parts (cli/CMakeLists.txt): the core library hmn_cli_core - args.c,
 * text.c, table.c, output.c, spill_report.c, plot_svg.c / plot_text.c
 * (plot_svg.h): no process-wide state, no stderr, linked by hmn, the unit
 * tests and the fuzzers - and the tool
 * itself: hmn.c, diag.c (stderr), sys_<os>.c, the cmd_*.c / watch_*.c
 * subcommands.
 */
#ifndef HMN_CLI_H
#define HMN_CLI_H

#include <hypomnesis.h>

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

/*
 * Exit codes shared by every subcommand.  A step of a subcommand returns
 * either an exit code (the command ends with it) or CLI_CONTINUE (carry on
 * with the next step); CLI_CONTINUE is never an exit status.
 */
enum { CLI_CONTINUE = -1, EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* printf-format checking that follows MinGW's choice of printf flavour. */
#if defined(__MINGW32__)
#define CLI_PRINTF(f, a) __attribute__((format(__MINGW_PRINTF_FORMAT, f, a)))
#elif defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* Subcommands: argv[0] is the subcommand name; return the process exit code. */
int cmd_summary(hmn_ctx *ctx, int json);
int cmd_ps(hmn_ctx *ctx, int argc, char **argv);
int cmd_watch(hmn_ctx *ctx, int argc, char **argv);
int cmd_fits(hmn_ctx *ctx, int argc, char **argv);
int cmd_spill(hmn_ctx *ctx, int argc, char **argv);
int cmd_explain(hmn_ctx *ctx, int argc, char **argv);
int cmd_serve(hmn_ctx *ctx, int argc, char **argv);  /* cli/cmd_serve.c */
int cmd_export(hmn_ctx *ctx, int argc, char **argv); /* cli/cmd_export.c */
int cmd_run(hmn_ctx *ctx, int argc, char **argv);    /* cli/cmd_run.c */

/* ---- argument parsing (cli/args.c): a pure function, fuzzed ------------ */
enum { OPT_MULTI = 1u << 0 };

struct cli_opt {
    const char *name;       /* "--sort" */
    char short_name;        /* 0 when none */
    const char *value_name; /* "KEY"; NULL for a flag */
    unsigned flags;         /* OPT_* */
};

struct cli_cmd {
    const char *usage;      /* "hmn ps [OPTIONS]" */
    const struct cli_opt *opts;
    size_t nopts;
    const char *pos_name;   /* "[PID]..." or "<SIZE>"; NULL: no positionals */
    int pos_required;       /* at least one positional needed */
    int pos_multi;          /* more than one positional allowed */
    int trailing;           /* everything after the first positional or `--` is positional */
};

/* One parsed item: opt >= 0 names cmd->opts[opt]; opt == -1 is a positional. */
struct cli_item {
    int opt;
    const char *value;
};

struct cli_args {
    struct cli_item *items; /* caller storage, at least argc entries */
    size_t count;
    int help;               /* -h / --help seen */
};

enum { ARGS_OK = 0, ARGS_HELP = 1, ARGS_USAGE = 2 };

/*
 * Parse argv[1..argc-1] (argv[0] is the subcommand).  On a usage error
 * writes the whole clap-style message (several lines, ending in '\n') to
 * err and returns ARGS_USAGE.  No I/O, no allocation.
 */
int cli_args_parse(const struct cli_cmd *cmd, int argc, char *const *argv, struct cli_args *out,
                   char *err, size_t errcap);
/* How many times option opt was given; the last value in *last. */
size_t cli_args_count(const struct cli_args *a, int opt, const char **last);
/* The n-th value of option opt (-1: positionals), or NULL. */
const char *cli_args_value(const struct cli_args *a, int opt, size_t n);
/* 1 when name contains, ASCII case-insensitively, any value given for option opt (--filter). */
int matches_any_filter(const struct cli_args *a, int opt, const char *name);

/* ---- display-width table (cli/table.c) ----------------------------------- */
/* Display columns of a UTF-8 string: combining marks 0, East Asian wide 2. */
size_t display_width(const char *s);

struct table {
    size_t ncols;
    const char *const *headers;
    const size_t *min_width; /* may be NULL */
    char **cells;            /* nrows * ncols owned strings */
    size_t nrows, cap;
};
void table_init(struct table *t, size_t ncols, const char *const *headers, const size_t *minw);
/* Append a row of ncols strings (copied); 0 on success. */
int table_add(struct table *t, const char *const *row);
/* Print header (when with_header) and rows; no trailing padding on the last column. */
void table_print(FILE *f, const struct table *t, int with_header);
/* Same with a prefix before the header (NULL: no header) and before each row. */
void table_print_prefixed(FILE *f, const struct table *t, const char *hdr_prefix,
                          const char *row_prefix);
void table_free(struct table *t);
/* One padded line of cells with given widths (watch rows). */
void print_cells(FILE *f, const char *const *cells, const size_t *widths, size_t n);

/* ---- text fit for a terminal (cli/safe_text.c, cli/line.c): pure --------- */
/*
 * Every table cell, CSV field and line of free text goes through safe_text:
 * controls, C1, bidi and other invisible format characters and invalid
 * UTF-8 become visible escapes (\n, \u{1b}, \u{202e}, \xff); everything
 * else is kept.  JSON strings instead keep the exact text (json_str).
 */
#define SAFE_TEXT_ESC_MAX 12 /* longest escape, "\u{10ffff}", with room */
/* 1 for a code point that is escaped: controls, C1, Cf, U+2028/2029, Hangul fillers. */
int safe_text_hidden(uint32_t cp);
/*
 * One unit of s (n > 0 bytes left): returns the bytes it takes; *esc_len 0
 * means "copy them as they are", else esc holds the escape that replaces them.
 */
size_t safe_text_unit(const char *s, size_t n, char *esc, size_t *esc_len);
/* s made safe into buf, snprintf-style (truncated on a unit boundary); the full length. */
size_t safe_text(char *buf, size_t cap, const char *s);
/* s made safe, written to f (no newline). */
void put_safe(FILE *f, const char *s);

/* A line of free text built in pieces, written safe with its newline by line_end. */
struct line {
    char *p;
    size_t len, cap;
    char small[256];
};
void line_init(struct line *l);
void line_add(struct line *l, const char *fmt, ...) CLI_PRINTF(2, 3);
void line_vadd(struct line *l, const char *fmt, va_list ap) CLI_PRINTF(2, 0);
/* Write the line through safe_text plus '\n', and start it over. */
void line_end(struct line *l, FILE *f);
/* One whole line: formatted, made safe, newline added. */
void linef(FILE *f, const char *fmt, ...) CLI_PRINTF(2, 3);
void vlinef(FILE *f, const char *fmt, va_list ap) CLI_PRINTF(2, 0);

/* ---- JSON / CSV values (cli/output.c) ------------------------------------ */
/* A JSON string with quotes, or null for NULL. */
void json_str(FILE *f, const char *s);
/* A number, or null when !valid. */
void json_u64(FILE *f, int valid, uint64_t v);
/* true / false, or null when tri < 0. */
void json_bool(FILE *f, int tri);
/* One RFC 4180 CSV field (quoted when needed); NULL prints empty. */
void csv_field(FILE *f, const char *s);
/* ",<number>", or just "," when !valid (an unknown figure is an empty field). */
void csv_u64(FILE *f, int valid, uint64_t v);
void csv_i64(FILE *f, int valid, int64_t v);

/* ---- text helpers (cli/text.c): pure ---------------------------------------- */
/* format_vram into a caller buffer. */
const char *vram(char *buf, size_t cap, uint64_t bytes);
const char *vram_precise(char *buf, size_t cap, uint64_t bytes);
/* Signed delta as upstream prints it: "+0 B", "+512 MiB", "-1.0 GiB". */
const char *vram_delta(char *buf, size_t cap, int64_t d);
/* Parse a u32 argument strictly; 0 on success. */
int parse_u32(const char *s, uint32_t *out);
/* A whole decimal number of n bytes (no sign, no space, at most 20 digits, no overflow); 0 or -1. */
int parse_u64_n(const char *s, size_t n, uint64_t *out);
/* Parse a u64 argument strictly (parse_u64_n of the whole string); 0 on success. */
int parse_u64(const char *s, uint64_t *out);
/* 1 when s is empty or only whitespace. */
int is_blank(const char *s);
/* Names that identify nobody: NULL, "[protected]", "[exited]", "?". */
int name_is_unresolved(const char *name);
/* Rust-debug-style quoted string ("a\"b") into buf. */
const char *debug_quote(char *buf, size_t cap, const char *s);
/* Comparator shared by ps and watch: key descending, name (absent first), pid. */
int row_compare(uint64_t ka, const char *na, uint32_t pa, uint64_t kb, const char *nb, uint32_t pb);
/* A name fit for a table cell: "?" for NULL, else safe_text of it. */
const char *printable_name(char *buf, size_t cap, const char *name);
/* Row name or NULL when the library did not give one. */
const char *proc_name(const hmn_gpu_process *p);
/* "C", "G", "C+G", "DRM" ... for the kinds bit set; "?" when empty. */
const char *kinds_text(char *buf, size_t cap, uint32_t kinds);

/* ---- spill report block (cli/spill_report.c) ---------------------------- */
/* The three-line text report with "prefix: " and an aligned continuation. */
void spill_report_text(FILE *f, const char *prefix, const hmn_spill_tracker *t);
/* The nine report keys (no braces); t may be NULL (no tracker). */
void spill_report_json_fields(FILE *f, const hmn_spill_tracker *t, uint64_t observations);

/* ---- who owns a process (cli/owner.c) ----------------------------------- */
/* The row's owner through the library (by the PID the driver reported); 1 when found. */
int owner_lookup(hmn_ctx *ctx, const hmn_gpu_process *p, hmn_process_owner *o);
/* USER cell: the name, else the numeric uid, else "?". */
const char *owner_user_text(char *buf, size_t cap, const hmn_process_owner *o);
/* WHERE cell: "[other namespace]", "pod:<uid>(<qos>)", "<runtime>:<short id>", "unit:..." or "-". */
const char *owner_where_text(char *buf, size_t cap, const hmn_process_owner *o, int other_ns);
/* ,"uid":..,"user":..,"container_runtime":..,"container_id":..,"pod_uid":..,"pod_qos":..,"unit":..,"slice":.. */
void owner_json_fields(FILE *f, const hmn_process_owner *o);
/* The same eight as CSV fields, each preceded by a comma; the header names them. */
extern const char *const owner_csv_header;
void owner_csv_fields(FILE *f, const hmn_process_owner *o);

/* ---- printing an account of used memory (cli/account_text.c) ------------- */
/*
 * An unattributed remainder above this is worth a line in `hmn` and `hmn ps`:
 * above every process-less residue in public captures (16-73 MiB headless
 * and MIG, 35-244 MiB desktop with every graphics client listed), below a
 * desktop seen through nvidia-smi's compute-only list (571 MiB).  docs/explain.md.
 */
#define HINT_THRESHOLD_BYTES (256ull * 1048576ull)
#define HINT_MAX_DEVICES 64 /* as many as the library lists */
/* Round parts to whole MiB so that they add up to total_mib exactly (largest remainder). */
void apportion_mib(const uint64_t *bytes, size_t n, uint64_t total_mib, uint64_t *mib);
/* Devices whose remainder is above HINT_THRESHOLD_BYTES, for the one hint line. */
struct hint_list {
    uint32_t index[HINT_MAX_DEVICES];
    uint64_t mib[HINT_MAX_DEVICES];
    size_t n;
};
/*
 * 1 when the account of list has a remainder above HINT_THRESHOLD_BYTES;
 * *mib is then that remainder in MiB exactly as `hmn explain` prints it.
 */
int hint_value(const hmn_process_list *list, const hmn_memory_account *a, uint64_t *mib);
/* Note device index with its remainder (from hint_value). */
void hint_add(struct hint_list *h, uint32_t index, uint64_t mib);
/* The one line pointing at `hmn explain` (nothing when the list is empty). */
void hint_print(FILE *f, const struct hint_list *h);

struct cause_input {
    int source;          /* enum hmn_source of the process list */
    int memory_api;      /* enum hmn_memory_api of the used figure */
    int mig;             /* 0 no MIG, 1 a whole GPU in MIG mode, 2 one MIG instance */
    uint32_t unreported; /* rows with no figure */
    uint32_t unreadable; /* processes that could not be read (DRM) */
};
/* Likely causes of an unattributed remainder, most specific first; returns the count. */
size_t unattributed_causes(const struct cause_input *in, const char **out, size_t max);


/* ---- stderr (cli/diag.c) --------------------------------------------------- */
/* Print "hmn: <msg>" to stderr. */
void errf(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Explain on stderr which GPU sources were tried and why each failed. */
void explain_sources(hmn_ctx *ctx);
/* clap's "invalid value" message for an option value, on stderr; EXIT_USAGE. */
int usage_invalid(const struct cli_cmd *cmd, const struct cli_opt *opt, const char *value,
                  const char *why);
/* Parse argv for cmd; prints help or errors.  CLI_CONTINUE to go on, else an exit code. */
int cli_parse_or_exit(const struct cli_cmd *cmd, const char *help, int argc, char **argv,
                      struct cli_args *out);
/* cli_parse_or_exit, then run(ctx, args) unless that ended the command; its exit code. */
int cli_parse_and_run(const struct cli_cmd *cmd, const char *help, hmn_ctx *ctx, int argc,
                      char **argv, int (*run)(hmn_ctx *ctx, const struct cli_args *a));

/* ---- writes to stdout (cli/out_check.c) ------------------------------------ */
/* 0 while stdout has taken every write; -1 once one failed (the first reason is kept). */
int out_check(void);
/* Flush stdout, then out_check(): a long-running command stops when it fails. */
int out_flush(void);
/* At exit: flush and close stdout; on a failure say "hmn: write error: ..." once, exit 1. */
int out_finish(int rc);
/* The name hmn was run as (argv[0] without its folders), for records that quote argv. */
const char *cli_program(void);
void cli_set_program(const char *argv0);

/* ---- the platform (cli/sys_posix.c, cli/sys_win.c) ------------------------ */
/*
 * Standard descriptors closed at start (`hmn ps >&-`) are reopened on a
 * read-only null device: no file hmn opens later takes their numbers, and a
 * write to them still fails, so out_finish() reports it.
 */
void std_fds_guard(void);
/* The "unknown" glyph of spill cells: "?" on Windows, "n/a" elsewhere. */
const char *spill_unknown_glyph(void);
/* UTC "YYYY-MM-DDThh:mm:ss.mmmZ". */
void wall_clock(char *buf, size_t cap);
/* Monotonic milliseconds. */
uint64_t now_ms(void);
/* Install the SIGINT / SIGTERM / SIGHUP handler; 0 on success, else errno-like text in err. */
int interrupt_install(char *err, size_t cap);
/* 1 once SIGINT, SIGTERM or SIGHUP arrived. */
int interrupted(void);
/* 1 when the last SIGINT came from another process (kill), not the terminal. */
int interrupt_from_process(void);
/* Sleep ms in chunks of at most 200 ms; returns early when interrupted. */
void sleep_interruptible(uint64_t ms);

typedef struct child child;
/* Spawn argv with inherited stdio; 0 or an errno value. */
int child_spawn(child **out, char *const *argv);
/* 1 exited (code in *code: 0..255, or 1 when killed by a signal), 0 running, -1 error. */
int child_poll(child *c, int *code, int block);
/*
 * Wait at most ms for the child to end, waking as soon as it does (or an
 * interrupt arrives): child_poll's answer, 0 when it is still running.
 */
int child_wait(child *c, uint64_t ms, int *code);
/* Forward the interrupt hmn received (SIGINT or SIGTERM) to the child. */
void child_interrupt(child *c);
void child_free(child *c);

#endif /* HMN_CLI_H */
