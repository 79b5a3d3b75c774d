/* tests/reliability/rel_util.h - helpers shared by the reliability tests. */
#ifndef HMN_REL_UTIL_H
#define HMN_REL_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* setenv / unsetenv (value NULL) that a failing test can rely on. */
void rel_setenv(const char *name, const char *value);
/* Monotonic milliseconds. */
uint64_t rel_now_ms(void);
/* Open file descriptors of this process (/proc/self/fd), -1 when unknown. */
int rel_fd_count(void);
/* 1 when this process has no child left to reap (nothing leaked, nothing zombie). */
int rel_no_children(void);
/* Write text to path (truncating); 0 on success. */
int rel_write(const char *path, const char *text);
/* Concatenate file `base` and `extra` into `out`; 0 on success. */
int rel_concat(const char *out, const char *base, const char *extra);
/* mkdir -p (mode 0755); 0 on success. */
int rel_mkdirs(const char *path);
/* rm -rf without following links; best effort. */
void rel_rmtree(const char *path);
/* Run argv (no shell), stdout/stderr to /dev/null; exit status, 128+sig, or -1. */
int rel_run(char *const argv[]);
/* Sleep for ms milliseconds. */
void rel_sleep_ms(unsigned ms);

#endif
