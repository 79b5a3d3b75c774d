"""The query functions (upstream's names).  Each takes ``ctx=`` (a ``Context``)
or runs as a one-shot call that loads and releases every backend itself."""

from __future__ import annotations

import ctypes

from . import _abi
from ._context import call
from ._lib import lib, source_name
from ._snapshot import _index
from ._types import GpuDeviceInfo, GpuProcessEntry, GpuProcessList, ProcessGpuInfo, RssInfo, SourceReport
from .errors import HypomnesisError, InvalidArgumentError, RamQueryError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional

    from ._context import Context

__all__ = ["process_rss", "rss_info", "process_exists", "process_start_time", "device_count",
           "device_info", "process_gpu_info", "gpu_processes", "sources"]


def _pid(pid: int) -> int:
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 <= pid <= 0xFFFFFFFF:
        raise InvalidArgumentError(f"{pid!r} is not a process ID")
    return pid


def process_rss(*, pid: Optional[int] = None, ctx: Optional[Context] = None) -> int:
    """Resident set size in bytes of the calling process now, or of process ``pid``.

    ``RamQueryError`` when the calling process's RSS cannot be read; for another
    process ``NotFoundError`` when there is none, ``PermissionDeniedError`` when
    it may not be read, ``RamQueryError`` when it has no memory (a kernel thread).
    """
    if pid is None:
        out = ctypes.c_uint64()
        call(ctx, lib.hmn_process_rss, ctypes.byref(out))
        return out.value
    info = rss_info(pid=pid, ctx=ctx)
    if info.current_bytes is None:
        raise RamQueryError(f"process {pid} has no resident memory figure (a kernel thread?)")
    return info.current_bytes


def rss_info(*, pid: Optional[int] = None, ctx: Optional[Context] = None) -> RssInfo:
    """Current and peak RSS, with the source that read them, of the calling
    process or of process ``pid`` (Linux ``/proc/<pid>/status`` VmRSS and
    VmHWM, Windows psapi; pid 0 is the calling process).  A process without
    memory (a kernel thread) gives None for both figures."""
    r = _abi.Rss.new()
    if pid is None:
        call(ctx, lib.hmn_process_rss_info, ctypes.byref(r))
    else:
        call(ctx, lib.hmn_pid_rss_info, _pid(pid), ctypes.byref(r))
    return RssInfo._from_c(r)


def process_exists(pid: int, *, ctx: Optional[Context] = None) -> Optional[bool]:
    """Whether ``pid`` is a live process (not a thread of one); None when it cannot tell."""
    _pid(pid)
    try:
        rc = call(ctx, lib.hmn_process_exists, pid)
    except HypomnesisError:
        return None
    return rc == 1


def process_start_time(pid: int, *, ctx: Optional[Context] = None) -> int:
    """When process ``pid`` started, as a mark that stays the same for one process
    and differs for a later process that reuses the PID (Linux: clock ticks
    after boot, ``/proc/<pid>/stat`` field 22; Windows: creation time in 100 ns
    units since 1601).  Compare two marks; do not read them as a date.
    ``NotFoundError`` when there is no such process, ``PermissionDeniedError``
    when it may not be asked, ``UnsupportedError`` elsewhere."""
    out = ctypes.c_uint64()
    call(ctx, lib.hmn_process_start_time, _pid(pid), ctypes.byref(out))
    return out.value


def device_count(*, ctx: Optional[Context] = None) -> int:
    """Number of visible GPUs (NVIDIA first, in NVML order, then the others)."""
    out = ctypes.c_uint32()
    call(ctx, lib.hmn_device_count, ctypes.byref(out))
    return out.value


def device_info(index: int = 0, *, ctx: Optional[Context] = None) -> GpuDeviceInfo:
    """Device-wide memory of GPU ``index`` (``DeviceIndexOutOfRangeError`` past the end)."""
    d = _abi.GpuDeviceInfo.new()
    call(ctx, lib.hmn_device_info, _index(index), ctypes.byref(d))
    return GpuDeviceInfo._from_c(d)


def process_gpu_info(index: int = 0, *, ctx: Optional[Context] = None) -> ProcessGpuInfo:
    """GPU memory of the calling process on device ``index``.

    On the nvidia-smi fallback the figure is device-wide (``is_per_process``
    False), as upstream; ``NotFoundError`` when the driver lists no memory for
    this process.
    """
    g = _abi.ProcessGpu.new()
    call(ctx, lib.hmn_process_gpu_info, _index(index), ctypes.byref(g))
    return ProcessGpuInfo._from_c(g)


def gpu_processes(index: int = 0, *, ctx: Optional[Context] = None) -> GpuProcessList:
    """Every process holding memory on device ``index``, sorted by PID.

    An empty list is a success ("nobody uses it").
    """
    handle = ctypes.c_void_p()
    call(ctx, lib.hmn_gpu_processes, _index(index), ctypes.byref(handle))
    try:
        out = GpuProcessList()
        for i in range(lib.hmn_process_list_count(handle)):
            row = _abi.GpuProcess.new()
            rc = lib.hmn_process_list_get(handle, i, ctypes.byref(row))
            if rc < 0:  # cannot happen for i < count; never return a half list silently
                raise HypomnesisError(f"process row {i} unreadable (code {rc})", rc)
            out.append(GpuProcessEntry._from_c(row))
        out.source = source_name(lib.hmn_process_list_source(handle))
        out.unreadable = lib.hmn_process_list_unreadable(handle)
        pids = []
        for i in range(out.unreadable):
            p = ctypes.c_uint32()
            if lib.hmn_process_list_unreadable_pid(handle, i, ctypes.byref(p)) < 0:
                break  # fewer PIDs than the count: keep those there are
            pids.append(p.value)
        out.unreadable_pids = tuple(pids)
        out.skipped_rows = lib.hmn_process_list_skipped_rows(handle)
        return out
    finally:
        lib.hmn_process_list_free(handle)


def sources(*, ctx: Optional[Context] = None) -> List[SourceReport]:
    """What each GPU source of this platform did: available, unavailable (and why), disabled."""
    out = []
    i = 0
    while True:
        r = _abi.SourceReport.new()
        try:
            call(ctx, lib.hmn_source_report_get, i, ctypes.byref(r))
        except HypomnesisError as e:
            if e.code == -6:  # HMN_ENOENT: past the end
                break
            raise
        out.append(SourceReport._from_c(r))
        i += 1
    return out
