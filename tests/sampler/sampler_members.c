/* tests/sampler/sampler_members.c - see sampler_members.h. */
#include "sampler_members.h"

int sm_member(hmn_sampler *s, uint32_t pid, hmn_tree_process *out)
{
    size_t i;
    for (i = 0;; i++) {
        hmn_tree_process p = HMN_TREE_PROCESS_INIT;
        if (hmn_sampler_process(s, i, &p) != HMN_OK)
            return 0;
        if (p.pid == pid) {
            *out = p;
            return 1;
        }
    }
}
