/*
 * tests/sampler/sampler_fixture.h - /proc fixture processes for the sampler
 * tests (sampler_fixture.c): what a tree scan reads (stat: state, parent,
 * start time) and what a member read takes (status: Name, VmRSS, VmHWM).
 */
#ifndef HMN_TEST_SAMPLER_FIXTURE_H
#define HMN_TEST_SAMPLER_FIXTURE_H

/* <proc>/<pid>/{stat,status,comm}; 0 on success. */
int sf_put_proc(const char *proc, unsigned pid, unsigned ppid, unsigned long long start,
                const char *name, unsigned rss_kb, unsigned hwm_kb);
/* A zombie: stat state Z, status without memory lines. */
int sf_put_zombie(const char *proc, unsigned pid, unsigned ppid, unsigned long long start);
/* The process has gone: <proc>/<pid> removed. */
void sf_drop_proc(const char *proc, unsigned pid);

#endif
