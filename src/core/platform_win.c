/*
 * core/platform_win.c - the asking orders on Windows.  Built instead of
 * platform_posix.c by CMake.
 */
#include "core/registry.h"

const struct hmn__orders hmn__orders = {
    /* NVIDIA GPUs in NVML order (from nvidia-smi when NVML is unusable),
     * then DXGI adapters: the NVIDIA ones only when neither listed any,
     * the others always (DXGI also tells each NVIDIA device its LUID). */
    .enumerate = {3, {HMN__BK_NVML, HMN__BK_SMI | HMN__ASK_STANDIN, HMN__BK_DXGI}},
    .info = {2, {HMN__ASK_OWN, HMN__BK_SMI | HMN__ASK_NVIDIA}},
    /* Upstream's order: DXGI per-process usage first, then the device's own
     * backend, then nvidia-smi's device-wide figure. */
    .self = {3, {HMN__BK_DXGI, HMN__ASK_OWN, HMN__BK_SMI | HMN__ASK_NVIDIA}},
    /* PDH first (WDDM); then the device's own backend: NVML answers in TCC
     * mode, and under WDDM its "not available" rows still name the holders. */
    .procs = {3, {HMN__BK_PDH, HMN__ASK_OWN, HMN__BK_SMI | HMN__ASK_NVIDIA}},
    .report = {4, {HMN__BK_NVML, HMN__BK_DXGI, HMN__BK_PDH, HMN__BK_SMI}},
};
