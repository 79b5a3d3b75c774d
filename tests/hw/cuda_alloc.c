/*
 * tests/hw/cuda_alloc.c - real-hardware check (not part of ctest): allocate
 * with cudaMalloc (libcudart loaded at run time, no CUDA headers needed) and
 * show that hmn_snapshot_now()'s per-process figure tracks the allocation.
 * Usage: cuda_alloc [MiB]   (prints one line per step; exit 0 when it tracked)
 */
#define _GNU_SOURCE 1
#include <hypomnesis.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*cuda_malloc_fn)(void **, size_t);
typedef int (*cuda_free_fn)(void *);

static void *open_cudart(void)
{
    static const char *const names[] = {"libcudart.so", "libcudart.so.13", "libcudart.so.12",
                                        "libcudart.so.11.0"};
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        void *h = dlopen(names[i], RTLD_NOW);
        if (h)
            return h;
    }
    return NULL;
}

static int gpu_mib(hmn_ctx *ctx, double *mib, int *per_process, const char **src)
{
    hmn_snapshot s = HMN_SNAPSHOT_INIT;
    if (hmn_snapshot_now(ctx, 0, &s) != HMN_OK || !(s.valid & HMN_SNAP_HAS_GPU) ||
        !(s.gpu.valid & HMN_PGPU_HAS_USED))
        return -1;
    *mib = (double)s.gpu.used_bytes / 1048576.0;
    *per_process = (int)s.gpu.is_per_process;
    *src = hmn_source_name((int)s.gpu.source);
    return 0;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 1024;
    void *h = open_cudart(), *p = NULL;
    hmn_ctx *ctx = NULL;
    cuda_malloc_fn cmalloc;
    cuda_free_fn cfree;
    double before = 0, ctx_only = 0, after = 0;
    int pp = 0;
    const char *src = "none";

    if (!h) {
        fprintf(stderr, "libcudart not found: %s\n", dlerror());
        return 2;
    }
    cmalloc = (cuda_malloc_fn)dlsym(h, "cudaMalloc");
    cfree = (cuda_free_fn)dlsym(h, "cudaFree");
    if (!cmalloc || !cfree || hmn_ctx_open(&ctx) != HMN_OK)
        return 2;
    if (gpu_mib(ctx, &before, &pp, &src) == 0)
        printf("before CUDA context: %.0f MiB (%s, per_process=%d)\n", before, src, pp);
    else
        printf("before CUDA context: no per-process figure (%s)\n", hmn_errmsg(ctx));
    cfree(NULL); /* creates the CUDA context */
    gpu_mib(ctx, &ctx_only, &pp, &src);
    printf("after CUDA context: %.0f MiB (%s, per_process=%d)\n", ctx_only, src, pp);
    if (cmalloc(&p, mib << 20) != 0) {
        fprintf(stderr, "cudaMalloc(%zu MiB) failed\n", mib);
        return 2;
    }
    gpu_mib(ctx, &after, &pp, &src);
    printf("after cudaMalloc(%zu MiB): %.0f MiB (%s, per_process=%d), delta %.0f MiB\n", mib,
           after, src, pp, after - ctx_only);
    cfree(p);
    hmn_ctx_close(ctx);
    /* Tracked when the delta is the allocation, give or take 64 MiB of granularity. */
    return (pp && after - ctx_only > (double)mib - 64 && after - ctx_only < (double)mib + 64) ? 0 : 1;
}
