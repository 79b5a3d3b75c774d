/*
 * core/proc_vec.h - the growable vector of process rows that backends fill
 * and the public hmn_process_list wraps (core/proc_vec.c).
 */
#ifndef HMN_CORE_PROC_VEC_H
#define HMN_CORE_PROC_VEC_H

#include "hypomnesis.h"

#include <stddef.h>
#include <stdint.h>

struct hmn__proc_vec {
    hmn_gpu_process *v;
    size_t n, cap;
    uint32_t unreadable;       /* PIDs whose usage could not be read: unreadable_pid[0..) */
    uint32_t *unreadable_pid;  /* ascending once the dispatcher has sorted the vector */
    size_t unreadable_cap;
    uint32_t skipped_rows;     /* lines of the source's output that could not be parsed */
    int source;
};

void hmn__proc_vec_init(struct hmn__proc_vec *pv);
void hmn__proc_vec_free(struct hmn__proc_vec *pv);
/* Append a zeroed row (size set, MIG ids "none"); NULL on ENOMEM. */
hmn_gpu_process *hmn__proc_vec_push(struct hmn__proc_vec *pv);
/* Note one process whose usage could not be read; HMN_ENOMEM or HMN_OK. */
int hmn__proc_vec_add_unreadable(struct hmn__proc_vec *pv, uint32_t pid);
/* Find the row for pid, or NULL. */
hmn_gpu_process *hmn__proc_vec_find(struct hmn__proc_vec *pv, uint32_t pid);
/* Rows by PID; unreadable PIDs ascending, each once. */
void hmn__proc_vec_sort_pid(struct hmn__proc_vec *pv);

#endif /* HMN_CORE_PROC_VEC_H */
