/* tests/reliability/rel_util.h - process helpers of the reliability tests (files and
 * environment: tests/support/test_support.h). */
#ifndef HMN_REL_UTIL_H
#define HMN_REL_UTIL_H

#include "test_support.h"

#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds. */
uint64_t rel_now_ms(void);
/* Open file descriptors of this process (/proc/self/fd), -1 when unknown. */
int rel_fd_count(void);
/* 1 when this process has no child left to reap (nothing leaked, nothing zombie). */
int rel_no_children(void);
/* Run argv (no shell), stdout/stderr to /dev/null; exit status, 128+sig, or -1. */
int rel_run(char *const argv[]);
/* Sleep for ms milliseconds. */
void rel_sleep_ms(unsigned ms);

#endif
