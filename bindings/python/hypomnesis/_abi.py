"""ctypes mirrors of the public structs and constants of ``hypomnesis.h``.

Every Structure here has the C layout field for field, in header order
(``tests/python/test_layout.py`` compiles the header and compares each
``sizeof``/``offsetof`` with these).  The constants are the header's
values, which are fixed for ever (fields and bits are only appended).
"""

from __future__ import annotations

import ctypes
from ctypes import c_char, c_int32, c_uint32, c_uint64

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Type, TypeVar

    _S = TypeVar("_S", bound="_Sized")

# ------------------------------------------------------------------ errors
# enum hmn_error: (code, symbol).  The C table is HMN_ERRNO_MAP.
ERROR_CODES = {
    -1: "HMN_EINVAL",
    -2: "HMN_ENOMEM",
    -3: "HMN_ERAM",
    -4: "HMN_ENOGPU",
    -5: "HMN_ERANGE",
    -6: "HMN_ENOENT",
    -7: "HMN_EACCES",
    -8: "HMN_EBACKEND",
    -9: "HMN_ETIMEDOUT",
    -10: "HMN_EPARSE",
    -11: "HMN_EVERSION",
    -12: "HMN_ENOBUFS",
    -13: "HMN_EUNSUPPORTED",
    -14: "HMN_EDENIED",
    -15: "HMN_ENODRIVER",
}
HMN_OK = 0

# ------------------------------------------------------------------ enums
SOURCE_NONE = 0

VENDOR_NAMES = {1: "nvidia", 2: "amd", 3: "intel", 4: "other"}

# enum hmn_memory_api
MEMORY_API_NAMES = {1: "nvml-v2", 2: "nvml-v1", 3: "nvidia-smi", 4: "sysfs", 5: "dxgi"}

# enum hmn_option
OPT_SMI_TIMEOUT_MS = 1
OPT_DEBUG = 2
OPT_USE_NVML = 3
OPT_USE_NVIDIA_SMI = 4
OPT_USE_DRM = 5

# enum hmn_source_state
SOURCE_STATE_NAMES = {0: "not-tried", 1: "available", 2: "unavailable", 3: "disabled"}

# ------------------------------------------------------------------ valid bits
RSS_HAS_CURRENT = 1 << 0
RSS_HAS_PEAK = 1 << 1

DEV_HAS_NAME = 1 << 0
DEV_HAS_TOTAL = 1 << 1
DEV_HAS_FREE = 1 << 2
DEV_HAS_USED = 1 << 3
DEV_HAS_RESERVED = 1 << 4
DEV_HAS_DRIVER_VERSION = 1 << 5
DEV_HAS_UUID = 1 << 6
DEV_HAS_PCI_BUS_ID = 1 << 7
DEV_HAS_NVML_VERSION = 1 << 8
DEV_HAS_CUDA_DRIVER_VERSION = 1 << 9
DEV_HAS_MIG_MODE = 1 << 10
DEV_HAS_GTT = 1 << 11
DEV_HAS_VIS_VRAM = 1 << 12
DEV_HAS_PCI_IDS = 1 << 13

PGPU_HAS_USED = 1 << 0

PROC_HAS_NAME = 1 << 0
PROC_HAS_USED = 1 << 1
PROC_HAS_SHARED = 1 << 2
PROC_HAS_GTT = 1 << 3
PROC_HAS_CPU = 1 << 4
PROC_HAS_STOLEN = 1 << 5
PROC_PID_UNMAPPED = 1 << 6
PROC_HAS_HOST_PID = 1 << 7
PROC_HAS_CLIENTS = 1 << 8
PROC_HAS_UNIQUE_USED = 1 << 9

# enum hmn_proc_kind, in bit order
PROC_KIND_NAMES = ((1 << 0, "compute"), (1 << 1, "graphics"), (1 << 2, "mps"), (1 << 3, "drm"))

SNAP_HAS_GPU = 1 << 0
SNAP_HAS_GPU_DEVICE = 1 << 1
SNAP_HAS_PEAK_RAM = 1 << 2

NO_MIG_ID = 0xFFFFFFFF

# sampler: enum hmn_sampler_flag, limits, valid bits, moments
SAMPLER_CHILDREN = 1 << 0
SAMPLER_EXCLUDE_ROOT = 1 << 1
SAMPLER_GPU = 1 << 2
SAMPLER_PSS = 1 << 3
SAMPLER_ALL_DEVICES = 0xFFFFFFFF
SAMPLER_MIN_INTERVAL_MS = 10

SAMPLE_HAS_RSS = 1 << 0
SAMPLE_HAS_PSS = 1 << 1
SAMPLE_HAS_RSS_PEAK = 1 << 2
SAMPLE_HAS_HWM_MAX = 1 << 3

SDEV_HAS_TREE_USED = 1 << 0
SDEV_HAS_TREE_PEAK = 1 << 1
SDEV_HAS_DEVICE_USED = 1 << 2
SDEV_HAS_DEVICE_FREE = 1 << 3
SDEV_HAS_USED_PEAK = 1 << 4
SDEV_HAS_FREE_MIN = 1 << 5
SDEV_HAS_ACCOUNTING = 1 << 6
SDEV_HAS_TOTAL = 1 << 7

TPROC_HAS_NAME = 1 << 0
TPROC_HAS_RSS = 1 << 1
TPROC_HAS_PEAK = 1 << 2
TPROC_HAS_GPU = 1 << 3

SAMPLER_AT_PEAK = 0
SAMPLER_AT_LAST = 1


# ------------------------------------------------------------------ structs
class _Sized(ctypes.Structure):
    """A size-prefixed value struct: ``new()`` is the HMN_*_INIT macro."""

    @classmethod
    def new(cls: Type[_S]) -> _S:
        s = cls()
        s.size = ctypes.sizeof(cls)
        return s


class Rss(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("source", c_uint32),
        ("valid", c_uint64),
        ("current_bytes", c_uint64),
        ("peak_bytes", c_uint64),
    ]


class GpuDeviceInfo(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("index", c_uint32),
        ("valid", c_uint64),
        ("source", c_uint32),
        ("vendor", c_uint32),
        ("memory_api", c_uint32),
        ("mig_mode", c_uint32),
        ("total_bytes", c_uint64),
        ("free_bytes", c_uint64),
        ("used_bytes", c_uint64),
        ("reserved_bytes", c_uint64),
        ("gtt_total_bytes", c_uint64),
        ("gtt_used_bytes", c_uint64),
        ("vis_vram_total_bytes", c_uint64),
        ("vis_vram_used_bytes", c_uint64),
        ("cuda_driver_version", c_int32),
        ("pci_vendor_id", c_uint32),
        ("pci_device_id", c_uint32),
        ("mig_instance_count", c_uint32),
        ("name", c_char * 96),
        ("uuid", c_char * 96),
        ("pci_bus_id", c_char * 32),
        ("driver_version", c_char * 80),
        ("nvml_version", c_char * 80),
        ("driver_name", c_char * 32),
    ]


class ProcessGpu(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("source", c_uint32),
        ("valid", c_uint64),
        ("used_bytes", c_uint64),
        ("is_per_process", c_uint32),
        ("reserved_", c_uint32),
    ]


class GpuProcess(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("pid", c_uint32),
        ("valid", c_uint64),
        ("used_bytes", c_uint64),
        ("shared_used_bytes", c_uint64),
        ("gtt_bytes", c_uint64),
        ("cpu_bytes", c_uint64),
        ("stolen_bytes", c_uint64),
        ("source", c_uint32),
        ("kinds", c_uint32),
        ("device_index", c_uint32),
        ("host_pid", c_uint32),
        ("gpu_instance_id", c_uint32),
        ("compute_instance_id", c_uint32),
        ("name", c_char * 256),
        ("unique_used_bytes", c_uint64),
        ("clients", c_uint32),
        ("shared_clients", c_uint32),
    ]


class Snapshot(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("device_index", c_uint32),
        ("valid", c_uint64),
        ("ram_bytes", c_uint64),
        ("peak_ram_bytes", c_uint64),
        ("gpu", ProcessGpu),
        ("gpu_device", GpuDeviceInfo),
    ]


class SourceReport(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("source", c_uint32),
        ("state", c_uint32),
        ("device_count", c_uint32),
        ("reason", c_char * 256),
    ]


class SamplerConfig(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("root_pid", c_uint32),
        ("flags", c_uint32),
        ("device", c_uint32),
        ("interval_ms", c_uint64),
    ]


class SampleInfo(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("processes", c_uint32),
        ("valid", c_uint64),
        ("seq", c_uint64),
        ("t_ms", c_uint64),
        ("epoch_ms", c_uint64),
        ("rss_bytes", c_uint64),
        ("pss_bytes", c_uint64),
        ("unreadable", c_uint32),
        ("device_count", c_uint32),
    ]


class SamplerSummary(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("processes_seen", c_uint32),
        ("valid", c_uint64),
        ("samples", c_uint64),
        ("rss_peak_bytes", c_uint64),
        ("rss_peak_at_ms", c_uint64),
        ("hwm_max_bytes", c_uint64),
        ("rss_source", c_uint32),
        ("device_count", c_uint32),
        ("first_ms", c_uint64),
        ("last_ms", c_uint64),
    ]


class SampleDevice(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("index", c_uint32),
        ("valid", c_uint64),
        ("source", c_uint32),
        ("tree_processes", c_uint32),
        ("tree_used_bytes", c_uint64),
        ("device_used_bytes", c_uint64),
        ("device_free_bytes", c_uint64),
        ("total_bytes", c_uint64),
        ("tree_peak_bytes", c_uint64),
        ("tree_peak_at_ms", c_uint64),
        ("device_used_peak_bytes", c_uint64),
        ("device_free_min_bytes", c_uint64),
        ("accounting_peak_bytes", c_uint64),
        ("name", c_char * 96),
        ("uuid", c_char * 96),
    ]


class TreeProcess(_Sized):
    _fields_ = [
        ("size", c_uint32),
        ("pid", c_uint32),
        ("valid", c_uint64),
        ("ppid", c_uint32),
        ("alive", c_uint32),
        ("rss_bytes", c_uint64),
        ("peak_bytes", c_uint64),
        ("sampled_peak_bytes", c_uint64),
        ("gpu_peak_bytes", c_uint64),
        ("first_ms", c_uint64),
        ("last_ms", c_uint64),
        ("name", c_char * 256),
    ]


# Public structs of the header, by C name: the mirror, or None for the ones
# this package does not use yet (tests/python/test_layout.py checks every
# mirror against the compiled header, and lists the structs not named here).
MIRRORS: Dict[str, Optional[Type[_Sized]]] = {
    "hmn_rss": Rss,
    "hmn_gpu_device_info": GpuDeviceInfo,
    "hmn_mig_info": None,  # MIG instances: not exposed yet
    "hmn_process_gpu": ProcessGpu,
    "hmn_gpu_process": GpuProcess,
    "hmn_snapshot": Snapshot,
    "hmn_source_report": SourceReport,
    "hmn_spill_episode": None,  # Windows WDDM spill tracker: not exposed yet
    "hmn_spill_report": None,
    "hmn_memory_account": None,  # used-memory accounting (hmn explain): not exposed yet
    "hmn_process_owner": None,
    "hmn_sampler_config": SamplerConfig,
    "hmn_sample_info": SampleInfo,
    "hmn_sampler_summary": SamplerSummary,
    "hmn_sample_device": SampleDevice,
    "hmn_tree_process": TreeProcess,
}
