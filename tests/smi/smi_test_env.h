/* tests/smi/smi_test_env.h - environment helpers shared by the nvidia-smi tests. */
#ifndef HMN_SMI_TEST_ENV_H
#define HMN_SMI_TEST_ENV_H

#include "hypomnesis.h"
#include "test_support.h"

#include <stddef.h>

/* HMN_FAKE_SMI_SCENARIO = <tests/data/smi>/<file>. */
void t_scenario(const char *file);
/* A context on which only the nvidia-smi backend can answer. */
hmn_ctx *t_ctx_smi_only(void);
/* The nvidia-smi line of the context's source report (state + reason). */
int t_smi_report(hmn_ctx *ctx, hmn_source_report *out);

#endif
