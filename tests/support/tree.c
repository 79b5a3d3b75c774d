/* tests/support/tree.c - fixture trees built at test time, POSIX (see test_support.h). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1 /* mkdtemp */

#include "test_support.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int t_tree_new(char *root, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(root, cap, "%s/hmn-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n >= cap)
        return -1;
    return mkdtemp(root) ? 0 : -1;
}

int t_mkdirs(const char *path)
{
    char tmp[1024];
    size_t i, n = strlen(path);
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        if (i < n)
            tmp[i] = '/';
    }
    return 0;
}

/* root/rel into buf with every parent directory of it created. */
static int full_path(char *buf, size_t cap, const char *root, const char *rel)
{
    char *slash;
    int n = snprintf(buf, cap, "%s/%s", root, rel);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    slash = strrchr(buf, '/');
    if (slash == buf)
        return 0;
    *slash = '\0';
    n = t_mkdirs(buf);
    *slash = '/';
    return n;
}

int t_tree_write(const char *root, const char *rel, const char *text)
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

int t_tree_link(const char *root, const char *rel, const char *target)
{
    char path[1024];
    if (full_path(path, sizeof(path), root, rel) != 0)
        return -1;
    return symlink(target, path);
}

int t_tree_mkdir(const char *root, const char *rel)
{
    char path[1024];
    if (full_path(path, sizeof(path), root, rel) != 0)
        return -1;
    return mkdir(path, 0755);
}

void t_rmtree(const char *path)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    char sub[1024];
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    chmod(path, 0755); /* a test may have locked a directory */
    d = opendir(path);
    while (d && (de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        t_rmtree(sub);
    }
    if (d)
        closedir(d);
    rmdir(path);
}
