/*
 * cli/cli.h - shared pieces of the hmn command-line tool.  The CLI uses only
 * the public header: it proves the library API is enough.
 */
#ifndef HMN_CLI_H
#define HMN_CLI_H

#include <hypomnesis.h>

#include <stdint.h>
#include <stdio.h>

/* Exit codes shared by every subcommand. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Subcommands: argv[0] is the subcommand name; return the process exit code. */
int cmd_summary(hmn_ctx *ctx, int json);
int cmd_ps(hmn_ctx *ctx, int argc, char **argv);
int cmd_watch(hmn_ctx *ctx, int argc, char **argv);
int cmd_fits(hmn_ctx *ctx, int argc, char **argv);
int cmd_spill(hmn_ctx *ctx, int argc, char **argv);

/* ---- output helpers (cli/util.c) */
/* A JSON string with quotes, or null for NULL. */
void json_str(FILE *f, const char *s);
/* A number, or null when !valid. */
void json_u64(FILE *f, int valid, uint64_t v);
/* format_vram into a static-free caller buffer. */
const char *vram(char *buf, size_t cap, uint64_t bytes);
const char *vram_precise(char *buf, size_t cap, uint64_t bytes);
/* Print "hmn: <msg>" to stderr. */
void errf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Explain on stderr which GPU sources were tried and why each failed. */
void explain_sources(hmn_ctx *ctx);
/* Parse a u32 argument strictly; 0 on success. */
int parse_u32(const char *s, uint32_t *out);

#endif /* HMN_CLI_H */
