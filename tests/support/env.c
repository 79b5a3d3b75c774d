/* tests/support/env.c - environment and small files (see test_support.h). */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#  include <windows.h>
#endif

void t_setenv(const char *name, const char *value)
{
#if defined(_WIN32)
    /* Both environments: the C runtime's copy (getenv, e.g. in the fake
     * nvml.dll) and the Win32 one (the library, child processes).  value
     * may point into the C runtime's environment (a getenv() result), which
     * _putenv_s can move: copy it first. */
    char *v = value ? _strdup(value) : NULL;
    if (value && !v)
        return;
    (void)_putenv_s(name, v ? v : "");
    SetEnvironmentVariableA(name, v);
    free(v);
#else
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
#endif
}

void t_unsetenv(const char *name)
{
    t_setenv(name, NULL);
}

int t_contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

long t_read(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f)
        return -1;
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return (long)n;
}

int t_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int bad;
    if (!f)
        return -1;
    bad = fputs(text, f) < 0;
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

int t_concat(const char *out, const char *base, const char *extra)
{
    char buf[4096];
    FILE *in = fopen(base, "r"), *o;
    size_t n;
    if (!in)
        return -1;
    o = fopen(out, "w");
    if (!o) {
        fclose(in);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, o);
    fclose(in);
    fputs(extra, o);
    return fclose(o) == 0 ? 0 : -1;
}

int t_count_lines(const char *path, const char *needle)
{
    char line[1024];
    int n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, needle))
            n++;
    fclose(f);
    return n;
}
