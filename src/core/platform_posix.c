/*
 * core/platform_posix.c - the asking orders on Linux (and other POSIX
 * systems, where only NVML and nvidia-smi can answer).  Built instead of
 * platform_win.c by CMake.
 */
#include "core/registry.h"

const struct hmn__orders hmn__orders = {
    /* NVIDIA GPUs first in NVML order (from nvidia-smi when NVML is
     * unusable), then DRM cards not already listed (same PCI bus id). */
    .enumerate = {3, {HMN__BK_NVML, HMN__BK_SMI | HMN__ASK_STANDIN, HMN__BK_DRM}},
    .info = {2, {HMN__ASK_OWN, HMN__BK_SMI | HMN__ASK_NVIDIA}},
    /* NVML's own row or DRM fdinfo of our own fds, then nvidia-smi's
     * device-wide figure (is_per_process = 0). */
    .self = {2, {HMN__ASK_OWN, HMN__BK_SMI | HMN__ASK_NVIDIA}},
    .procs = {2, {HMN__ASK_OWN, HMN__BK_SMI | HMN__ASK_NVIDIA}},
    .report = {3, {HMN__BK_NVML, HMN__BK_SMI, HMN__BK_DRM}},
};
