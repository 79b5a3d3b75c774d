/*
 * tests/support/test_support.h - helpers every test area shares: the
 * environment, small files, and (POSIX) fixture trees built at test time
 * for what a checked-in tree cannot carry (our own PID, permissions,
 * symlinks).  Linked into every test by hmn_add_test (tests/CMakeLists.txt).
 */
#ifndef HMN_TEST_SUPPORT_H
#define HMN_TEST_SUPPORT_H

#include <stddef.h>

/* ---- environment and files (support/env.c, every platform) */
/* setenv that a failing test can rely on; value NULL unsets. */
void t_setenv(const char *name, const char *value);
void t_unsetenv(const char *name);
/* 1 when hay contains needle (both non-NULL). */
int t_contains(const char *hay, const char *needle);
/* Read a whole small file into buf (NUL-terminated); bytes read or -1. */
long t_read(const char *path, char *buf, size_t cap);
/* Write text to path (truncating); 0 on success. */
int t_write(const char *path, const char *text);
/* Write file `base` followed by `extra` to `out`; 0 on success. */
int t_concat(const char *out, const char *base, const char *extra);
/* Number of lines of a file containing needle. */
int t_count_lines(const char *path, const char *needle);

/* ---- fixture trees (support/tree.c, POSIX only) */
/* Create a fresh directory under $TMPDIR (or /tmp) into root; 0 on success. */
int t_tree_new(char *root, size_t cap);
/* Write root/rel (parents created) with text; 0 on success. */
int t_tree_write(const char *root, const char *rel, const char *text);
/* Make root/rel a symlink to target (parents created); 0 on success. */
int t_tree_link(const char *root, const char *rel, const char *target);
/* Create root/rel as a directory (parents created); 0 on success. */
int t_tree_mkdir(const char *root, const char *rel);
/* mkdir -p (mode 0755); 0 on success. */
int t_mkdirs(const char *path);
/* rm -rf without following links, unlocking directories a test locked. */
void t_rmtree(const char *path);

#endif /* HMN_TEST_SUPPORT_H */
