"""Value types (upstream's names) and their conversion to and from the C structs.

Every figure is in bytes; a figure the library could not measure (its valid
bit clear) is ``None``, never 0.  ``source`` names the backend that produced
the figures with the library's stable names (``"nvml"``, ``"nvidia-smi"``,
``"drm-fdinfo"``, ``"sysfs"``, ``"procfs"``, ``"dxgi"``, ``"pdh"``, ...).
"""

from __future__ import annotations

import ctypes

from . import _abi
from ._lib import lib, source_id, source_name
from ._value import _fill, _Value
from .errors import InvalidArgumentError, error_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, List, Optional, TextIO, Tuple

__all__ = ["RssInfo", "GpuDeviceInfo", "ProcessGpuInfo", "GpuProcessEntry", "GpuProcessList",
           "SourceReport"]


def _text(raw: bytes) -> Optional[str]:
    """A fixed C char array: None when empty; invalid UTF-8 replaced (upstream: lossy)."""
    return raw.decode("utf-8", "replace") if raw else None


def _opt(valid: int, bit: int, value: Any) -> Any:
    return value if valid & bit else None


def _put_text(field_size: int, text: Optional[str]) -> bytes:
    data = (text or "").encode("utf-8")
    if b"\0" in data:
        raise InvalidArgumentError("text with a NUL byte cannot be passed to the library")
    # Cut to the C array (NUL included) on a character boundary.
    return data[: field_size - 1].decode("utf-8", "ignore").encode("utf-8")


def format_with(fn: Callable[..., int], *args: Any) -> str:
    """Call a snprintf-style C formatter (size query, then fill) and decode its text."""
    n = fn(None, 0, *args)
    if n < 0:
        raise error_for(n, lib.hmn_strerror(n).decode("utf-8", "replace"))
    buf = ctypes.create_string_buffer(n + 1)
    n = fn(buf, n + 1, *args)
    return buf.raw[:n].decode("utf-8", "replace")


# ---------------------------------------------------------------- RAM
class RssInfo(_Value):
    """Resident set size of the calling process: now and its high-water mark."""

    current_bytes: Optional[int]
    peak_bytes: Optional[int]
    source: Optional[str]
    __slots__ = tuple(__annotations__)

    def __init__(self, current_bytes: Optional[int], peak_bytes: Optional[int],
                 source: Optional[str]) -> None:
        _fill(self, locals())

    @classmethod
    def _from_c(cls, r: _abi.Rss) -> "RssInfo":
        return cls(current_bytes=_opt(r.valid, _abi.RSS_HAS_CURRENT, r.current_bytes),
                   peak_bytes=_opt(r.valid, _abi.RSS_HAS_PEAK, r.peak_bytes),
                   source=source_name(r.source))


# ---------------------------------------------------------------- devices
class GpuDeviceInfo(_Value):
    """Device-wide memory of one GPU (upstream ``GpuDeviceInfo``, plus our figures).

    ``used_bytes`` excludes the reserved carve-out when ``reserved_bytes`` is
    known (NVML memory v2); ``used_includes_reserved`` is True on the NVML v1
    fallback, where the driver folds it in.  ``vendor``: ``"nvidia"``,
    ``"amd"``, ``"intel"``, ``"other"``; ``memory_api``: ``"nvml-v2"``,
    ``"nvml-v1"``, ``"nvidia-smi"``, ``"sysfs"``, ``"dxgi"``;
    ``cuda_driver_version`` e.g. 12020 for CUDA 12.2; ``driver_name`` the
    kernel driver (``"nvidia"``, ``"amdgpu"``, ``"i915"``, ``"xe"``).
    """

    index: int
    name: Optional[str]
    total_bytes: Optional[int]
    free_bytes: Optional[int]
    used_bytes: Optional[int]
    reserved_bytes: Optional[int]
    driver_version: Optional[str]
    source: Optional[str]
    vendor: Optional[str]
    memory_api: Optional[str]
    uuid: Optional[str]
    pci_bus_id: Optional[str]
    nvml_version: Optional[str]
    cuda_driver_version: Optional[int]
    mig_mode: Optional[bool]
    mig_instance_count: int
    gtt_total_bytes: Optional[int]
    gtt_used_bytes: Optional[int]
    vis_vram_total_bytes: Optional[int]
    vis_vram_used_bytes: Optional[int]
    pci_vendor_id: Optional[int]
    pci_device_id: Optional[int]
    driver_name: Optional[str]
    __slots__ = tuple(__annotations__)

    def __init__(self, index: int, name: Optional[str], total_bytes: Optional[int],
                 free_bytes: Optional[int], used_bytes: Optional[int],
                 reserved_bytes: Optional[int] = None, driver_version: Optional[str] = None,
                 source: Optional[str] = None, *, vendor: Optional[str] = None,
                 memory_api: Optional[str] = None, uuid: Optional[str] = None,
                 pci_bus_id: Optional[str] = None, nvml_version: Optional[str] = None,
                 cuda_driver_version: Optional[int] = None, mig_mode: Optional[bool] = None,
                 mig_instance_count: int = 0, gtt_total_bytes: Optional[int] = None,
                 gtt_used_bytes: Optional[int] = None, vis_vram_total_bytes: Optional[int] = None,
                 vis_vram_used_bytes: Optional[int] = None, pci_vendor_id: Optional[int] = None,
                 pci_device_id: Optional[int] = None, driver_name: Optional[str] = None) -> None:
        _fill(self, locals())

    @property
    def used_includes_reserved(self) -> bool:
        return self.memory_api == "nvml-v1"

    def name_or_unknown(self) -> str:
        """The name, or the literal ``"unknown GPU"``."""
        return self.name or "unknown GPU"

    def format_free(self) -> str:
        """``"  GPU 0: free 13284 MB / 16384 MB [NVIDIA ...]\\n"`` (MB = MiB; the C formatter)."""
        return format_with(lib.hmn_format_free, ctypes.byref(self._to_c()))

    def format_total(self) -> str:
        """``"  GPU 0: total 16384 MB [NVIDIA ...]\\n"``."""
        return format_with(lib.hmn_format_total, ctypes.byref(self._to_c()))

    def format_used(self) -> str:
        """``"  GPU 0: used 3100 MB [NVIDIA ...]\\n"``."""
        return format_with(lib.hmn_format_used, ctypes.byref(self._to_c()))

    def print_free(self, file: Optional[TextIO] = None) -> None:
        """Write ``format_free()`` to ``file`` (default: ``sys.stdout``)."""
        _write(self.format_free(), file)

    @classmethod
    def _from_c(cls, d: _abi.GpuDeviceInfo) -> "GpuDeviceInfo":
        v = d.valid
        return cls(
            index=d.index,
            name=_opt(v, _abi.DEV_HAS_NAME, _text(d.name)),
            total_bytes=_opt(v, _abi.DEV_HAS_TOTAL, d.total_bytes),
            free_bytes=_opt(v, _abi.DEV_HAS_FREE, d.free_bytes),
            used_bytes=_opt(v, _abi.DEV_HAS_USED, d.used_bytes),
            reserved_bytes=_opt(v, _abi.DEV_HAS_RESERVED, d.reserved_bytes),
            driver_version=_opt(v, _abi.DEV_HAS_DRIVER_VERSION, _text(d.driver_version)),
            source=source_name(d.source),
            vendor=_abi.VENDOR_NAMES.get(d.vendor),
            memory_api=_abi.MEMORY_API_NAMES.get(d.memory_api),
            uuid=_opt(v, _abi.DEV_HAS_UUID, _text(d.uuid)),
            pci_bus_id=_opt(v, _abi.DEV_HAS_PCI_BUS_ID, _text(d.pci_bus_id)),
            nvml_version=_opt(v, _abi.DEV_HAS_NVML_VERSION, _text(d.nvml_version)),
            cuda_driver_version=_opt(v, _abi.DEV_HAS_CUDA_DRIVER_VERSION, d.cuda_driver_version),
            mig_mode=_opt(v, _abi.DEV_HAS_MIG_MODE, bool(d.mig_mode)),
            mig_instance_count=d.mig_instance_count,
            gtt_total_bytes=_opt(v, _abi.DEV_HAS_GTT, d.gtt_total_bytes),
            gtt_used_bytes=_opt(v, _abi.DEV_HAS_GTT, d.gtt_used_bytes),
            vis_vram_total_bytes=_opt(v, _abi.DEV_HAS_VIS_VRAM, d.vis_vram_total_bytes),
            vis_vram_used_bytes=_opt(v, _abi.DEV_HAS_VIS_VRAM, d.vis_vram_used_bytes),
            pci_vendor_id=_opt(v, _abi.DEV_HAS_PCI_IDS, d.pci_vendor_id),
            pci_device_id=_opt(v, _abi.DEV_HAS_PCI_IDS, d.pci_device_id),
            driver_name=_text(d.driver_name),
        )

    def _to_c(self) -> _abi.GpuDeviceInfo:
        """Back into the C struct (for the C formatters): None clears the valid bit."""
        d = _abi.GpuDeviceInfo.new()
        valid = 0

        def num(field: str, bit: int, value: Optional[int]) -> None:
            nonlocal valid
            if value is not None:
                setattr(d, field, value)
                valid |= bit

        def text(field: str, bit: int, value: Optional[str]) -> None:
            nonlocal valid
            if value is not None:
                setattr(d, field, _put_text(getattr(type(d), field).size, value))
                valid |= bit

        d.index = self.index
        d.source = source_id(self.source)
        d.vendor = {n: k for k, n in _abi.VENDOR_NAMES.items()}.get(self.vendor or "", 0)
        d.memory_api = {n: k for k, n in _abi.MEMORY_API_NAMES.items()}.get(self.memory_api or "", 0)
        text("name", _abi.DEV_HAS_NAME, self.name)
        num("total_bytes", _abi.DEV_HAS_TOTAL, self.total_bytes)
        num("free_bytes", _abi.DEV_HAS_FREE, self.free_bytes)
        num("used_bytes", _abi.DEV_HAS_USED, self.used_bytes)
        num("reserved_bytes", _abi.DEV_HAS_RESERVED, self.reserved_bytes)
        text("driver_version", _abi.DEV_HAS_DRIVER_VERSION, self.driver_version)
        text("uuid", _abi.DEV_HAS_UUID, self.uuid)
        text("pci_bus_id", _abi.DEV_HAS_PCI_BUS_ID, self.pci_bus_id)
        text("nvml_version", _abi.DEV_HAS_NVML_VERSION, self.nvml_version)
        num("cuda_driver_version", _abi.DEV_HAS_CUDA_DRIVER_VERSION, self.cuda_driver_version)
        num("mig_mode", _abi.DEV_HAS_MIG_MODE, None if self.mig_mode is None else int(self.mig_mode))
        d.mig_instance_count = self.mig_instance_count
        if self.gtt_total_bytes is not None and self.gtt_used_bytes is not None:
            num("gtt_total_bytes", _abi.DEV_HAS_GTT, self.gtt_total_bytes)
            num("gtt_used_bytes", _abi.DEV_HAS_GTT, self.gtt_used_bytes)
        if self.vis_vram_total_bytes is not None and self.vis_vram_used_bytes is not None:
            num("vis_vram_total_bytes", _abi.DEV_HAS_VIS_VRAM, self.vis_vram_total_bytes)
            num("vis_vram_used_bytes", _abi.DEV_HAS_VIS_VRAM, self.vis_vram_used_bytes)
        if self.pci_vendor_id is not None and self.pci_device_id is not None:
            num("pci_vendor_id", _abi.DEV_HAS_PCI_IDS, self.pci_vendor_id)
            num("pci_device_id", _abi.DEV_HAS_PCI_IDS, self.pci_device_id)
        if self.driver_name is not None:
            d.driver_name = _put_text(_abi.GpuDeviceInfo.driver_name.size, self.driver_name)
        d.valid = valid
        return d


# ---------------------------------------------------------------- calling process
class ProcessGpuInfo(_Value):
    """GPU memory of the calling process on one device (upstream ``ProcessGpuInfo``).

    ``used_bytes`` is device-wide when ``is_per_process`` is False (the
    nvidia-smi fallback, as upstream).
    """

    used_bytes: Optional[int]
    is_per_process: bool
    source: Optional[str]
    __slots__ = tuple(__annotations__)

    def __init__(self, used_bytes: Optional[int], is_per_process: bool,
                 source: Optional[str]) -> None:
        _fill(self, locals())

    @classmethod
    def _from_c(cls, g: _abi.ProcessGpu) -> "ProcessGpuInfo":
        return cls(used_bytes=_opt(g.valid, _abi.PGPU_HAS_USED, g.used_bytes),
                   is_per_process=bool(g.is_per_process), source=source_name(g.source))

    def _to_c(self) -> _abi.ProcessGpu:
        g = _abi.ProcessGpu.new()
        g.source = source_id(self.source)
        g.is_per_process = 1 if self.is_per_process else 0
        if self.used_bytes is not None:
            g.used_bytes = self.used_bytes
            g.valid = _abi.PGPU_HAS_USED
        return g


# ---------------------------------------------------------------- listing
class GpuProcessEntry(_Value):
    """One process holding memory on a device (upstream ``GpuProcessEntry``, plus ours).

    ``kinds`` says what kind of client the row is (``"compute"``,
    ``"graphics"``, ``"mps"``, ``"drm"``).  DRM rows: ``used_bytes`` counts every
    client the process holds; ``unique_used_bytes`` counts a client shared
    with other processes only in the lowest PID, so it sums without double
    counting.  ``host_pid`` is set when the driver's PID differs from ours
    (containers); ``pid_unmapped`` when it could not be mapped at all.
    """

    pid: int
    name: Optional[str]
    used_bytes: Optional[int]
    shared_used_bytes: Optional[int]
    source: Optional[str]
    device_index: int
    kinds: Tuple[str, ...]
    host_pid: Optional[int]
    pid_unmapped: bool
    gtt_bytes: Optional[int]
    cpu_bytes: Optional[int]
    stolen_bytes: Optional[int]
    unique_used_bytes: Optional[int]
    clients: Optional[int]
    shared_clients: Optional[int]
    gpu_instance_id: Optional[int]
    compute_instance_id: Optional[int]
    __slots__ = tuple(__annotations__)

    def __init__(self, pid: int, name: Optional[str], used_bytes: Optional[int],
                 shared_used_bytes: Optional[int] = None, source: Optional[str] = None, *,
                 device_index: int = 0, kinds: Tuple[str, ...] = (),
                 host_pid: Optional[int] = None, pid_unmapped: bool = False,
                 gtt_bytes: Optional[int] = None, cpu_bytes: Optional[int] = None,
                 stolen_bytes: Optional[int] = None, unique_used_bytes: Optional[int] = None,
                 clients: Optional[int] = None, shared_clients: Optional[int] = None,
                 gpu_instance_id: Optional[int] = None,
                 compute_instance_id: Optional[int] = None) -> None:
        _fill(self, locals())

    @classmethod
    def _from_c(cls, p: _abi.GpuProcess) -> "GpuProcessEntry":
        v = p.valid
        clients = v & _abi.PROC_HAS_CLIENTS
        return cls(
            pid=p.pid,
            name=_opt(v, _abi.PROC_HAS_NAME, _text(p.name)),
            used_bytes=_opt(v, _abi.PROC_HAS_USED, p.used_bytes),
            shared_used_bytes=_opt(v, _abi.PROC_HAS_SHARED, p.shared_used_bytes),
            source=source_name(p.source),
            device_index=p.device_index,
            kinds=tuple(n for bit, n in _abi.PROC_KIND_NAMES if p.kinds & bit),
            host_pid=_opt(v, _abi.PROC_HAS_HOST_PID, p.host_pid),
            pid_unmapped=bool(v & _abi.PROC_PID_UNMAPPED),
            gtt_bytes=_opt(v, _abi.PROC_HAS_GTT, p.gtt_bytes),
            cpu_bytes=_opt(v, _abi.PROC_HAS_CPU, p.cpu_bytes),
            stolen_bytes=_opt(v, _abi.PROC_HAS_STOLEN, p.stolen_bytes),
            unique_used_bytes=_opt(v, _abi.PROC_HAS_UNIQUE_USED, p.unique_used_bytes),
            clients=p.clients if clients else None,
            shared_clients=p.shared_clients if clients else None,
            gpu_instance_id=None if p.gpu_instance_id == _abi.NO_MIG_ID else p.gpu_instance_id,
            compute_instance_id=(None if p.compute_instance_id == _abi.NO_MIG_ID
                                 else p.compute_instance_id),
        )


if TYPE_CHECKING:
    class _EntryList(List["GpuProcessEntry"]):
        pass
else:
    _EntryList = list


class GpuProcessList(_EntryList):
    """A list of ``GpuProcessEntry`` sorted by PID, with what the library knows about it.

    ``source``: the backend that produced the list.  ``unreadable``: processes
    whose GPU usage could not be read (other users' DRM fdinfo), and
    ``unreadable_pids`` which ones, ascending; for DRM lists these are
    machine-wide, the same on every DRM device.  ``skipped_rows``: lines of the
    source's own output that could not be parsed and were left out (a
    malformed line of nvidia-smi's process listing); the other rows are listed.
    """

    source: Optional[str] = None
    unreadable: int = 0
    unreadable_pids: Tuple[int, ...] = ()
    skipped_rows: int = 0


# ---------------------------------------------------------------- sources
class SourceReport(_Value):
    """What one GPU source did on a context: ``state`` is ``"available"``,
    ``"unavailable"``, ``"disabled"`` or ``"not-tried"``; ``reason`` says why, or
    what it loaded."""

    source: Optional[str]
    state: str
    device_count: int
    reason: str
    __slots__ = tuple(__annotations__)

    def __init__(self, source: Optional[str], state: str, device_count: int, reason: str) -> None:
        _fill(self, locals())

    @classmethod
    def _from_c(cls, r: _abi.SourceReport) -> "SourceReport":
        return cls(source=source_name(r.source),
                   state=_abi.SOURCE_STATE_NAMES.get(r.state, "unknown"),
                   device_count=r.device_count, reason=_text(r.reason) or "")


def _write(text: str, file: Optional[TextIO]) -> None:
    import sys

    (file if file is not None else sys.stdout).write(text)
