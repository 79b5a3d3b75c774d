/* tests/smi/smi_test_env.h - environment helpers shared by the nvidia-smi tests. */
#ifndef HMN_SMI_TEST_ENV_H
#define HMN_SMI_TEST_ENV_H

#include "hypomnesis.h"

#include <stddef.h>

void t_setenv(const char *name, const char *value);
void t_unsetenv(const char *name);
/* HMN_FAKE_SMI_SCENARIO = <tests/data/smi>/<file>. */
void t_scenario(const char *file);
/* A context on which only the nvidia-smi backend can answer. */
hmn_ctx *t_ctx_smi_only(void);
/* The nvidia-smi line of the context's source report (state + reason). */
int t_smi_report(hmn_ctx *ctx, hmn_source_report *out);
/* 1 when hay contains needle. */
int t_contains(const char *hay, const char *needle);
/* Read a whole small file into buf (NUL-terminated); bytes read or -1. */
long t_read(const char *path, char *buf, size_t cap);
/* Number of lines of a file containing needle. */
int t_count_lines(const char *path, const char *needle);

#endif
