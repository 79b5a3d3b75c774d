"""``measure()``: the peak RAM and GPU memory of a block of code, over the C sampler.

    with hmn.measure(interval=0.05) as m:
        train_step()
    m.ram_peak_bytes, m.gpu_peak_bytes, m.methods, m.samples, m.to_dict()

The library's sampler follows the calling process and (``children=True``)
every process it starts, on one background thread of its own (C, not a
Python thread: the block's own threads and the GIL are not involved).  It
takes a sample on entry, one every ``interval`` seconds, and one on exit.

How each peak is obtained (``m.methods``, and ``peak_method`` in
``to_dict()``):

- RAM ``"sampled"``: the largest sum of the members' RSS seen at a sample.
  measure() makes no cgroup (``hmn run`` does, where it can), so a spike
  shorter than the interval can fall between two samples.  Each process's
  own peak in ``ram.processes`` is exact: the kernel's high-water mark
  (VmHWM), over that process's whole life, which for the interpreter itself
  includes what it held before the block.
- GPU ``"nvml-accounting"`` where NVML accounting mode is already on for the
  device (the driver's exact per-process peak, summed over the members; the
  library never switches accounting on), else ``"sampled"``: the largest sum
  of the members' per-process rows seen at a sample.
"""

from __future__ import annotations

import ctypes
import math

from . import _abi
from ._context import Context, _error
from ._lib import lib
from ._snapshot import _index
from ._types import _opt, _text
from ._value import _fill, _Value
from .errors import InvalidArgumentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple, Union

__all__ = ["measure", "Measurement", "RamPeak", "ProcessPeak", "GpuPeak", "GpuHolder",
           "PeakMethods"]

_ENOENT = -6


# ---------------------------------------------------------------- results
class ProcessPeak(_Value):
    """One process of the measured tree: ``peak_bytes`` is its own exact peak RSS
    (VmHWM, the largest seen; over the process's whole life), None where it
    could not be read."""

    pid: int
    name: Optional[str]
    peak_bytes: Optional[int]
    __slots__ = tuple(__annotations__)

    def __init__(self, pid: int, name: Optional[str], peak_bytes: Optional[int]) -> None:
        _fill(self, locals())


class RamPeak(_Value):
    """RAM of the tree: ``peak_bytes`` by ``peak_method`` (``"sampled"`` in
    measure(), which makes no cgroup; None with the peak when no member could
    be read), ``peak_at_seconds`` after entry, the sampled tree peak, and every
    process seen, in the order first seen."""

    peak_bytes: Optional[int]
    peak_method: Optional[str]
    peak_at_seconds: Optional[float]
    sampled_peak_bytes: Optional[int]
    processes: Tuple[ProcessPeak, ...]
    __slots__ = tuple(__annotations__)

    def __init__(self, peak_bytes: Optional[int], peak_method: Optional[str],
                 peak_at_seconds: Optional[float], sampled_peak_bytes: Optional[int],
                 processes: Tuple[ProcessPeak, ...]) -> None:
        _fill(self, locals())


class GpuHolder(_Value):
    """A process outside the tree that held memory on the device at the tree's GPU peak."""

    pid: int
    name: Optional[str]
    used_bytes: Optional[int]
    __slots__ = tuple(__annotations__)

    def __init__(self, pid: int, name: Optional[str], used_bytes: Optional[int]) -> None:
        _fill(self, locals())


class GpuPeak(_Value):
    """GPU memory of the tree on one device (hmn device ``index``).

    ``peak_bytes`` by ``peak_method`` (``"nvml-accounting"``: the driver's exact
    per-process peaks summed over the tree; ``"sampled"``: the largest sampled
    sum of the tree's rows), ``peak_at_seconds`` after entry (None for the
    accounting figure, which has no time), the sampled peak, the device's own
    peak ``used`` and minimum ``free`` during the block, and the other
    processes on the device at the tree's sampled peak.
    """

    index: int
    name: Optional[str]
    uuid: Optional[str]
    peak_bytes: Optional[int]
    peak_method: Optional[str]
    peak_at_seconds: Optional[float]
    sampled_peak_bytes: Optional[int]
    device_used_peak_bytes: Optional[int]
    device_free_min_bytes: Optional[int]
    others_at_peak: Tuple[GpuHolder, ...]
    __slots__ = tuple(__annotations__)

    def __init__(self, index: int, name: Optional[str], uuid: Optional[str],
                 peak_bytes: Optional[int], peak_method: Optional[str],
                 peak_at_seconds: Optional[float],
                 sampled_peak_bytes: Optional[int], device_used_peak_bytes: Optional[int],
                 device_free_min_bytes: Optional[int], others_at_peak: Tuple[GpuHolder, ...]
                 ) -> None:
        _fill(self, locals())


class Measurement(_Value):
    """What a measure() block found; ``to_dict()`` has the field names of
    ``hmn run --json`` (unknown figures are None, never 0)."""

    wall_seconds: Optional[float]
    interval_ms: int
    samples: int
    ram: RamPeak
    gpus: Tuple[GpuPeak, ...]
    __slots__ = tuple(__annotations__)

    def __init__(self, wall_seconds: Optional[float], interval_ms: int, samples: int,
                 ram: RamPeak, gpus: Tuple[GpuPeak, ...]) -> None:
        _fill(self, locals())


class PeakMethods(_Value):
    """How each peak was obtained: ``ram`` (``"sampled"``) and ``gpu`` by device
    index (``"nvml-accounting"`` or ``"sampled"``); None where that peak is unknown."""

    ram: Optional[str]
    gpu: Dict[int, Optional[str]]
    __slots__ = tuple(__annotations__)

    def __init__(self, ram: Optional[str], gpu: Dict[int, Optional[str]]) -> None:
        _fill(self, locals())

    def __hash__(self) -> int:  # the dict is a copy nobody else holds
        return hash((type(self).__name__, self.ram, tuple(sorted(self.gpu.items(), key=str))))


# ---------------------------------------------------------------- the block
def _seconds(at_ms: int) -> float:
    """The sampler's clock (ms since it was opened, i.e. since entry) in seconds."""
    return round(at_ms / 1000.0, 3)


def _interval_ms(interval: float) -> int:
    if isinstance(interval, bool) or not isinstance(interval, (int, float)):
        raise TypeError(f"interval is a number of seconds, not {type(interval).__name__}")
    if not math.isfinite(interval) or interval * 1000 < _abi.SAMPLER_MIN_INTERVAL_MS - 1e-9:
        raise InvalidArgumentError(
            f"interval {interval!r} s is not accepted: the shortest is "
            f"{_abi.SAMPLER_MIN_INTERVAL_MS / 1000} s ({_abi.SAMPLER_MIN_INTERVAL_MS} ms)")
    return max(_abi.SAMPLER_MIN_INTERVAL_MS, int(round(interval * 1000)))


def _device(devices: Union[str, int, None]) -> Tuple[int, int]:
    """(HMN_SAMPLER_GPU or 0, device field) for the ``devices`` argument."""
    if devices is None:
        return 0, _abi.SAMPLER_ALL_DEVICES
    if isinstance(devices, str):
        if devices != "all":
            raise InvalidArgumentError(
                f"devices must be \"all\", a device index or None, not {devices!r}")
        return _abi.SAMPLER_GPU, _abi.SAMPLER_ALL_DEVICES
    index = _index(devices)
    if index == _abi.SAMPLER_ALL_DEVICES:
        raise InvalidArgumentError(f"device index {index} is not a valid index")
    return _abi.SAMPLER_GPU, index


class measure:
    """Measure the peak RAM and GPU memory of a block of code (a context manager).

    ``interval``: seconds between samples (at least 0.01).  ``devices``:
    ``"all"``, one hmn device index, or None (RAM only).  ``children``: also
    follow every process the block starts, and theirs (a process once seen
    stays counted while it lives, even when reparented).  ``pid``: the root of
    the tree (default: this process).  ``ctx``: a ``Context`` to sample on
    (default: one of its own, opened on entry and closed on exit); it must
    stay open until the block ends.

    On entry the sampler takes a first sample and starts its background
    thread; on exit, even when the block raises, the thread is stopped and a
    last sample taken.  After the block (and inside it, as figures so far):
    ``ram_peak_bytes``, ``gpu_peak_bytes`` (by device index), ``methods``,
    ``samples``, ``result`` (a ``Measurement``) and ``to_dict()``.

    Errors are ``HypomnesisError`` subclasses: ``InvalidArgumentError`` for a
    bad argument or a block entered twice, ``DeviceIndexOutOfRangeError`` for a
    device that does not exist, ``NotFoundError`` for a root PID that does not.
    """

    def __init__(self, interval: float = 0.1, devices: Union[str, int, None] = "all",
                 children: bool = True, *, pid: Optional[int] = None,
                 ctx: Optional[Context] = None) -> None:
        self.interval_ms = _interval_ms(interval)
        gpu_flag, self._device = _device(devices)
        if pid is not None and (isinstance(pid, bool) or not isinstance(pid, int)
                                or not 0 <= pid <= 0xFFFFFFFF):
            raise InvalidArgumentError(f"{pid!r} is not a process ID")
        if ctx is not None and not isinstance(ctx, Context):
            raise TypeError(f"ctx must be a hypomnesis.Context or None, not {type(ctx).__name__}")
        self._flags = gpu_flag | (_abi.SAMPLER_CHILDREN if children else 0)
        self._pid = pid or 0
        self._ctx = ctx
        self._own_ctx: Optional[Context] = None
        self._handle: Optional[ctypes.c_void_p] = None
        self._result: Optional[Measurement] = None
        self._state = "new"  # new -> running -> done

    # -------------------------------------------------------- protocol
    def __enter__(self) -> "measure":
        if self._state != "new":
            raise InvalidArgumentError("a measure() object is entered once: make a new one")
        self._state = "running"
        try:
            if self._ctx is None:
                self._own_ctx = Context()
            cfg = _abi.SamplerConfig.new()
            cfg.root_pid, cfg.flags = self._pid, self._flags
            cfg.device, cfg.interval_ms = self._device, self.interval_ms
            handle = ctypes.c_void_p()
            self._call_ctx(lib.hmn_sampler_open, ctypes.byref(cfg), ctypes.byref(handle))
            self._handle = handle
            self._context()._samplers += 1  # it may not be closed under the thread
            self._check(lib.hmn_sampler_sample(handle))
            self._check(lib.hmn_sampler_start(handle))
        except BaseException:
            self._release()
            self._state = "done"
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        handle = self._handle
        try:
            if handle is None:
                return
            # Stop first, so the last sample is ours and nothing moves after it.
            rc = lib.hmn_sampler_stop(handle)
            last = lib.hmn_sampler_sample(handle)
            if exc_type is None:
                self._check(rc)
                self._check(last)
                self._result = self._collect()
            else:
                # The block's own exception goes on; figures are kept when they can be read.
                try:
                    self._result = self._collect()
                except Exception:
                    pass
        finally:
            self._release()
            self._state = "done"

    def _release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            lib.hmn_sampler_close(handle)  # stops the thread if it still runs
            self._context()._samplers -= 1
        own, self._own_ctx = self._own_ctx, None
        if own is not None:
            own.close()

    def __del__(self) -> None:
        # Entered by hand and dropped without __exit__: never leave the thread running.
        try:
            self._release()
        except Exception:  # interpreter shutdown: the library may be gone already
            pass

    # -------------------------------------------------------- C calls
    def _context(self) -> Context:
        ctx = self._ctx if self._ctx is not None else self._own_ctx
        assert ctx is not None
        return ctx

    def _call_ctx(self, fn: Callable[..., int], *args: Any) -> None:
        """fn(ctx handle, *args); the context's detailed message on failure."""
        ctx = self._context()
        with ctx._lock:
            h = ctx._handle
            if h is None:
                raise InvalidArgumentError("this Context is closed")
            rc = fn(h, *args)
            if rc < 0:
                raise _error(rc, h)

    def _check(self, rc: int) -> int:
        if rc < 0:
            ctx = self._context()
            with ctx._lock:
                raise _error(rc, ctx._handle)
        return rc

    # -------------------------------------------------------- figures
    def _collect(self) -> Measurement:
        h = self._handle
        if h is None:
            if self._state == "new":
                raise InvalidArgumentError(
                    "measure() has not started: read its figures inside or after the with block")
            raise InvalidArgumentError("this measure() block ended without figures")
        s = _abi.SamplerSummary.new()
        self._check(lib.hmn_sampler_summary_get(h, ctypes.byref(s)))
        peak_ok = bool(s.valid & _abi.SAMPLE_HAS_RSS_PEAK)
        processes: List[ProcessPeak] = []
        for i in range(s.processes_seen):
            p = _abi.TreeProcess.new()
            self._check(lib.hmn_sampler_process(h, i, ctypes.byref(p)))
            processes.append(ProcessPeak(
                pid=p.pid, name=_opt(p.valid, _abi.TPROC_HAS_NAME, _text(p.name)),
                peak_bytes=_opt(p.valid, _abi.TPROC_HAS_PEAK, p.peak_bytes)))
        ram = RamPeak(
            peak_bytes=s.rss_peak_bytes if peak_ok else None,
            peak_method="sampled" if peak_ok else None,
            peak_at_seconds=_seconds(s.rss_peak_at_ms) if peak_ok else None,
            sampled_peak_bytes=s.rss_peak_bytes if peak_ok else None,
            processes=tuple(processes))
        gpus = tuple(self._device_peak(h, i) for i in range(s.device_count))
        return Measurement(
            wall_seconds=_seconds(s.last_ms) if s.samples else None,
            interval_ms=self.interval_ms, samples=s.samples, ram=ram, gpus=gpus)

    def _device_peak(self, h: ctypes.c_void_p, i: int) -> GpuPeak:
        d = _abi.SampleDevice.new()
        self._check(lib.hmn_sampler_device(h, i, ctypes.byref(d)))
        v = d.valid
        sampled = _opt(v, _abi.SDEV_HAS_TREE_PEAK, d.tree_peak_bytes)
        accounting = bool(v & _abi.SDEV_HAS_ACCOUNTING)
        others: List[GpuHolder] = []
        j = 0
        while True:
            row = _abi.GpuProcess.new()
            rc = lib.hmn_sampler_other(h, i, _abi.SAMPLER_AT_PEAK, j, ctypes.byref(row))
            if rc == _ENOENT:
                break
            self._check(rc)
            others.append(GpuHolder(pid=row.pid,
                                    name=_opt(row.valid, _abi.PROC_HAS_NAME, _text(row.name)),
                                    used_bytes=_opt(row.valid, _abi.PROC_HAS_USED,
                                                    row.used_bytes)))
            j += 1
        return GpuPeak(
            index=d.index,
            name=_text(d.name),
            uuid=_text(d.uuid),
            peak_bytes=d.accounting_peak_bytes if accounting else sampled,
            peak_method="nvml-accounting" if accounting else (None if sampled is None
                                                               else "sampled"),
            peak_at_seconds=(None if accounting or sampled is None
                             else _seconds(d.tree_peak_at_ms)),
            sampled_peak_bytes=sampled,
            device_used_peak_bytes=_opt(v, _abi.SDEV_HAS_USED_PEAK, d.device_used_peak_bytes),
            device_free_min_bytes=_opt(v, _abi.SDEV_HAS_FREE_MIN, d.device_free_min_bytes),
            others_at_peak=tuple(others))

    # -------------------------------------------------------- public figures
    @property
    def running(self) -> bool:
        """True inside the block (the background thread samples)."""
        return self._state == "running" and self._handle is not None

    @property
    def result(self) -> Measurement:
        """Everything found: after the block, final; inside it, the figures so far."""
        if self._result is not None and self._handle is None:
            return self._result
        if self._state == "done" and self._result is None:
            raise InvalidArgumentError("this measure() block ended without figures")
        return self._collect()

    @property
    def ram_peak_bytes(self) -> Optional[int]:
        """The tree's peak RAM in bytes (method ``methods.ram``); None where unknown."""
        return self.result.ram.peak_bytes

    @property
    def gpu_peak_bytes(self) -> Dict[int, Optional[int]]:
        """The tree's peak GPU memory by hmn device index (empty without GPUs)."""
        return {g.index: g.peak_bytes for g in self.result.gpus}

    @property
    def methods(self) -> PeakMethods:
        """How each peak was obtained (``ram``, and ``gpu`` by device index)."""
        r = self.result
        return PeakMethods(ram=r.ram.peak_method, gpu={g.index: g.peak_method for g in r.gpus})

    @property
    def samples(self) -> int:
        """Samples taken (the one on entry and the one on exit included)."""
        return self.result.samples

    def to_dict(self) -> Dict[str, Any]:
        """``result.to_dict()``: plain data for ``json.dumps``, with ``hmn run --json``'s names."""
        return self.result.to_dict()

    def __repr__(self) -> str:
        state = {"new": "not started", "running": "running", "done": "done"}[self._state]
        return f"<hypomnesis.measure {state}, interval {self.interval_ms} ms>"

