"""hypomnesis: what is in memory right now - process RSS, device-wide and
per-process GPU memory on NVIDIA (NVML, nvidia-smi), AMD and Intel (DRM) and
Windows (DXGI, PDH) - from Python, over the C library libhypomnesis.

The package never initialises CUDA or any vendor runtime: the library reads
NVML (which creates no CUDA context), /proc, /sys and OS counters only.

    import hypomnesis as hmn

    hmn.process_rss()                 # bytes
    hmn.device_info(0).free_bytes     # bytes, or None where unknown
    with hmn.Context() as ctx:        # keeps NVML initialised between calls
        before = hmn.Snapshot.now(ctx=ctx)
        ...
        after = hmn.Snapshot.now(ctx=ctx)
    hmn.MemoryReport(before, after).print_delta("step")
    with hmn.measure(interval=0.05) as m:   # peaks of a block (a C sampler thread)
        ...
    m.ram_peak_bytes, m.gpu_peak_bytes, m.methods, m.to_dict()

Importing loads libhypomnesis (``HMN_LIBRARY`` = a full path overrides the
search) and checks its version; see ``hypomnesis._lib``.
"""

from . import errors
from ._api import (
    device_count,
    device_info,
    gpu_processes,
    process_exists,
    process_gpu_info,
    process_rss,
    process_start_time,
    rss_info,
    sources,
)
from ._context import Context
from ._lib import VERSION as __version__
from ._lib import path as library_path
from ._lib import version as library_version
from ._measure import GpuHolder, GpuPeak, Measurement, PeakMethods, ProcessPeak, RamPeak, measure
from ._snapshot import MemoryReport, Snapshot
from ._types import (
    GpuDeviceInfo,
    GpuProcessEntry,
    GpuProcessList,
    ProcessGpuInfo,
    RssInfo,
    SourceReport,
)
from .errors import (
    BackendError,
    BufferTooSmallError,
    DeviceIndexOutOfRangeError,
    HypomnesisError,
    InvalidArgumentError,
    LibraryNotFoundError,
    LibraryVersionError,
    NoDriverError,
    NoGpuSourceError,
    NotFoundError,
    OutOfMemoryError,
    ParseError,
    PermissionDeniedError,
    ProcessListDeniedError,
    RamQueryError,
    StructVersionError,
    TimedOutError,
    UnsupportedError,
)

__all__ = [
    "__version__",
    "library_path",
    "library_version",
    "Context",
    "process_rss",
    "rss_info",
    "process_exists",
    "process_start_time",
    "device_count",
    "device_info",
    "process_gpu_info",
    "gpu_processes",
    "sources",
    "Snapshot",
    "MemoryReport",
    "measure",
    "Measurement",
    "RamPeak",
    "ProcessPeak",
    "GpuPeak",
    "GpuHolder",
    "PeakMethods",
    "GpuDeviceInfo",
    "ProcessGpuInfo",
    "GpuProcessEntry",
    "GpuProcessList",
    "RssInfo",
    "SourceReport",
    "errors",
    "HypomnesisError",
    "InvalidArgumentError",
    "OutOfMemoryError",
    "RamQueryError",
    "NoGpuSourceError",
    "DeviceIndexOutOfRangeError",
    "NotFoundError",
    "PermissionDeniedError",
    "BackendError",
    "TimedOutError",
    "ParseError",
    "StructVersionError",
    "BufferTooSmallError",
    "UnsupportedError",
    "ProcessListDeniedError",
    "NoDriverError",
    "LibraryNotFoundError",
    "LibraryVersionError",
]
