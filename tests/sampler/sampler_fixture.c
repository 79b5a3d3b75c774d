/* tests/sampler/sampler_fixture.c - see sampler_fixture.h. */
#include "sampler_fixture.h"
#include "test_support.h"

#include <stdio.h>

int sf_put_proc(const char *proc, unsigned pid, unsigned ppid, unsigned long long start,
                const char *name, unsigned rss_kb, unsigned hwm_kb)
{
    char rel[64], text[1024];
    snprintf(rel, sizeof(rel), "%u/stat", pid);
    /* The name may hold spaces and parentheses: fields are read after the last ')'. */
    snprintf(text, sizeof(text),
             "%u (%s) S %u %u %u 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %llu 1000 200 "
             "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n",
             pid, name, ppid, pid, pid, start);
    if (t_tree_write(proc, rel, text) != 0)
        return -1;
    snprintf(rel, sizeof(rel), "%u/status", pid);
    snprintf(text, sizeof(text),
             "Name:\t%s\nState:\tS (sleeping)\nTgid:\t%u\nPid:\t%u\nPPid:\t%u\n"
             "VmHWM:\t%8u kB\nVmRSS:\t%8u kB\nThreads:\t1\n",
             name, pid, pid, ppid, hwm_kb, rss_kb);
    if (t_tree_write(proc, rel, text) != 0)
        return -1;
    snprintf(rel, sizeof(rel), "%u/comm", pid);
    snprintf(text, sizeof(text), "%s\n", name);
    return t_tree_write(proc, rel, text);
}

int sf_put_zombie(const char *proc, unsigned pid, unsigned ppid, unsigned long long start)
{
    char rel[64], text[512];
    snprintf(rel, sizeof(rel), "%u/stat", pid);
    snprintf(text, sizeof(text),
             "%u (dead) Z %u %u %u 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0 0\n", pid, ppid, pid,
             pid, start);
    if (t_tree_write(proc, rel, text) != 0)
        return -1;
    snprintf(rel, sizeof(rel), "%u/status", pid);
    return t_tree_write(proc, rel, "Name:\tdead\nState:\tZ (zombie)\nTgid:\t0\n");
}

void sf_drop_proc(const char *proc, unsigned pid)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%u", proc, pid);
    t_rmtree(path);
}
