"""``Snapshot`` (RAM mandatory, GPU best-effort) and ``MemoryReport``."""

from __future__ import annotations

import ctypes

from . import _abi
from ._context import call
from ._lib import lib
from ._types import GpuDeviceInfo, ProcessGpuInfo, _write, format_with
from ._value import _fill, _Value
from .errors import InvalidArgumentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, List, Optional, TextIO

    from ._context import Context

__all__ = ["Snapshot", "MemoryReport"]

_MIB = 1048576.0


class Snapshot(_Value):
    """The calling process's RAM now, and its and the device's GPU memory.

    ``gpu`` / ``gpu_device`` are None when that figure could not be read
    (never an error, as upstream); RAM is mandatory.  ``peak_ram_bytes`` is
    the process's RSS high-water mark where the OS keeps one.
    """

    ram_bytes: int
    gpu: Optional[ProcessGpuInfo]
    gpu_device: Optional[GpuDeviceInfo]
    device_index: int
    peak_ram_bytes: Optional[int]
    __slots__ = tuple(__annotations__)

    def __init__(self, ram_bytes: int, gpu: Optional[ProcessGpuInfo] = None,
                 gpu_device: Optional[GpuDeviceInfo] = None, *, device_index: int = 0,
                 peak_ram_bytes: Optional[int] = None) -> None:
        _fill(self, locals())

    @classmethod
    def now(cls, index: int = 0, *, ctx: Optional[Context] = None) -> "Snapshot":
        """A snapshot for device ``index``; raises ``RamQueryError`` when RSS fails."""
        s = _abi.Snapshot.new()
        call(ctx, lib.hmn_snapshot_now, _index(index), ctypes.byref(s))
        return cls._from_c(s)

    @classmethod
    def all(cls, *, ctx: Optional[Context] = None) -> "List[Snapshot]":
        """One snapshot per visible GPU, sharing one RSS reading; empty without GPUs."""
        handle = ctypes.c_void_p()
        call(ctx, lib.hmn_snapshot_all, ctypes.byref(handle))
        try:
            out = []
            for i in range(lib.hmn_snapshot_list_count(handle)):
                s = _abi.Snapshot.new()
                rc = lib.hmn_snapshot_list_get(handle, i, ctypes.byref(s))
                if rc < 0:  # cannot happen for i < count; do not return a half list
                    raise InvalidArgumentError(f"snapshot {i} unreadable: code {rc}")
                out.append(cls._from_c(s))
            return out
        finally:
            lib.hmn_snapshot_list_free(handle)

    @property
    def ram_mb(self) -> float:
        """RAM in MiB (``ram_bytes / 1048576``)."""
        return self.ram_bytes / _MIB

    @property
    def vram_mb(self) -> Optional[float]:
        """This process's GPU memory in MiB; None without a GPU figure."""
        if self.gpu is None or self.gpu.used_bytes is None:
            return None
        return self.gpu.used_bytes / _MIB

    @classmethod
    def _from_c(cls, s: _abi.Snapshot) -> "Snapshot":
        return cls(
            ram_bytes=s.ram_bytes,
            gpu=ProcessGpuInfo._from_c(s.gpu) if s.valid & _abi.SNAP_HAS_GPU else None,
            gpu_device=(GpuDeviceInfo._from_c(s.gpu_device)
                        if s.valid & _abi.SNAP_HAS_GPU_DEVICE else None),
            device_index=s.device_index,
            peak_ram_bytes=s.peak_ram_bytes if s.valid & _abi.SNAP_HAS_PEAK_RAM else None,
        )

    def _to_c(self) -> _abi.Snapshot:
        s = _abi.Snapshot.new()
        s.device_index = self.device_index
        s.ram_bytes = self.ram_bytes
        valid = 0
        if self.peak_ram_bytes is not None:
            s.peak_ram_bytes = self.peak_ram_bytes
            valid |= _abi.SNAP_HAS_PEAK_RAM
        s.gpu = self.gpu._to_c() if self.gpu is not None else _abi.ProcessGpu.new()
        if self.gpu is not None:
            valid |= _abi.SNAP_HAS_GPU
        s.gpu_device = (self.gpu_device._to_c() if self.gpu_device is not None
                        else _abi.GpuDeviceInfo.new())
        if self.gpu_device is not None:
            valid |= _abi.SNAP_HAS_GPU_DEVICE
        s.valid = valid
        return s


class MemoryReport(_Value):
    """Two snapshots and upstream's report strings (the C formatters, byte for byte).

    "MB" in the strings means MiB, as upstream kept it; values are rounded.
    """

    before: Snapshot
    after: Snapshot
    __slots__ = tuple(__annotations__)

    def __init__(self, before: Snapshot, after: Snapshot) -> None:
        _fill(self, locals())

    @property
    def ram_delta_mb(self) -> float:
        """``after.ram_mb - before.ram_mb`` (signed)."""
        return self.after.ram_mb - self.before.ram_mb

    @property
    def vram_delta_mb(self) -> Optional[float]:
        """The GPU delta in MiB, when both snapshots have a GPU figure."""
        b, a = self.before.vram_mb, self.after.vram_mb
        return None if a is None or b is None else a - b

    def format_delta(self, label: str) -> str:
        """``"  alloc: RAM +100 MB  |  VRAM +500 MB [per-process]\\n"``."""
        return self._format(lib.hmn_format_delta, label)

    def format_before_after(self, label: str) -> str:
        """``"  load: RAM 100 MB → 200 MB (+100 MB)\\n"`` plus a VRAM line when both have GPU."""
        return self._format(lib.hmn_format_before_after, label)

    def print_delta(self, label: str, file: Optional[TextIO] = None) -> None:
        """Write ``format_delta(label)`` to ``file`` (default: ``sys.stdout``)."""
        _write(self.format_delta(label), file)

    def print_before_after(self, label: str, file: Optional[TextIO] = None) -> None:
        """Write ``format_before_after(label)`` to ``file`` (default: ``sys.stdout``)."""
        _write(self.format_before_after(label), file)

    def _format(self, fn: Callable[..., int], label: str) -> str:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, not {type(label).__name__}")
        data = label.encode("utf-8")
        if b"\0" in data:
            raise InvalidArgumentError("a label cannot contain a NUL character")
        b, a = self.before._to_c(), self.after._to_c()
        return format_with(fn, ctypes.byref(b), ctypes.byref(a), data)


def _index(index: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"a device index is an int, not {type(index).__name__}")
    if not 0 <= index <= 0xFFFFFFFF:
        raise InvalidArgumentError(f"device index {index} is not a valid index")
    return index
