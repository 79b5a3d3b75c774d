/*
 * tests/sampler/sampler_members.h - reading a sampler's member list in the
 * sampler tests (Linux and Windows).
 */
#ifndef HMN_TEST_SAMPLER_MEMBERS_H
#define HMN_TEST_SAMPLER_MEMBERS_H

#include "hypomnesis.h"

/* The first member with this PID (the list is in the order first seen) into
 * out: 1 when there is one, else 0. */
int sm_member(hmn_sampler *s, uint32_t pid, hmn_tree_process *out);

#endif
