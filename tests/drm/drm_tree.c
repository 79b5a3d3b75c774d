/* tests/drm/drm_tree.c - fixture trees built at test time (see drm_tree.h). */
#include "drm_tree.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


int drm_tree_new(char *root, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(root, cap, "%s/hmn-drm-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= cap)
        return -1;
    return mkdtemp(root) ? 0 : -1;
}

/* mkdir -p of every parent of path (path itself excluded). */
static int make_parents(char *path)
{
    char *p;
    for (p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0) {
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
                *p = '/';
                return -1;
            }
        }
        *p = '/';
    }
    return 0;
}

static int full_path(char *buf, size_t cap, const char *root, const char *rel)
{
    int n = snprintf(buf, cap, "%s/%s", root, rel);
    return (n < 0 || (size_t)n >= cap || make_parents(buf) != 0) ? -1 : 0;
}

int drm_tree_write(const char *root, const char *rel, const char *text)
{
    char path[1024];
    FILE *f;
    size_t n = strlen(text);
    if (full_path(path, sizeof(path), root, rel) != 0 || !(f = fopen(path, "wb")))
        return -1;
    if (fwrite(text, 1, n, f) != n) {
        fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

int drm_tree_link(const char *root, const char *rel, const char *target)
{
    char path[1024];
    if (full_path(path, sizeof(path), root, rel) != 0)
        return -1;
    return symlink(target, path);
}

int drm_tree_mkdir(const char *root, const char *rel)
{
    char path[1024];
    if (full_path(path, sizeof(path), root, rel) != 0)
        return -1;
    return mkdir(path, 0755);
}

void drm_tree_remove(const char *root)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    char path[1024];
    if (lstat(root, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(root);
        return;
    }
    chmod(root, 0755); /* a test may have locked a directory */
    d = opendir(root);
    if (d) {
        while ((de = readdir(d)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
            drm_tree_remove(path);
        }
        closedir(d);
    }
    rmdir(root);
}
