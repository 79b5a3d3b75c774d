/*
 * tests/drm/drm_tree.h - build small procfs/sysfs fixture trees at test time
 * (for cases that need our own PID, or permissions a checked-in tree cannot
 * carry).  The layout is the one of tests/data/drm (docs/backends/drm.md).
 */
#ifndef HMN_TEST_DRM_TREE_H
#define HMN_TEST_DRM_TREE_H

#include <stddef.h>

/* Create a fresh directory under $TMPDIR (or /tmp); 0 on success. */
int drm_tree_new(char *root, size_t cap);
/* Write root/rel (parents created) with text; 0 on success. */
int drm_tree_write(const char *root, const char *rel, const char *text);
/* Make root/rel a symlink to target (parents created); 0 on success. */
int drm_tree_link(const char *root, const char *rel, const char *target);
/* Create root/rel as a directory (parents created); 0 on success. */
int drm_tree_mkdir(const char *root, const char *rel);
/* Remove root and everything below it (links are not followed). */
void drm_tree_remove(const char *root);

#endif
