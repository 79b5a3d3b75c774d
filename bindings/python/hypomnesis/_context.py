"""``Context``: a long-lived hmn_ctx, and the one place C calls are checked."""

from __future__ import annotations

import _thread
import ctypes

from . import _abi
from ._lib import lib
from .errors import InvalidArgumentError, error_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Union

_OPTIONS = {
    "smi_timeout_ms": _abi.OPT_SMI_TIMEOUT_MS,
    "debug": _abi.OPT_DEBUG,
    "use_nvml": _abi.OPT_USE_NVML,
    "use_nvidia_smi": _abi.OPT_USE_NVIDIA_SMI,
    "use_drm": _abi.OPT_USE_DRM,
}


class Context:
    """A long-lived library context: backends stay loaded between calls.

    NVML is initialised on first use and shut down once, at ``close()``;
    file descriptors and the device table are kept.  Pass it as ``ctx=`` to
    any function; without one every call loads and releases everything
    around itself (upstream's one-shot behaviour, a full NVML init per call).

    Options (keyword arguments, or ``set_option(name, value)`` later):
    ``use_nvml``, ``use_nvidia_smi``, ``use_drm`` (False switches that backend
    off on this context), ``smi_timeout_ms`` (nvidia-smi kill timeout),
    ``debug`` (raw backend values on stderr).

    One context may be shared by threads: its calls run one at a time.
    """

    def __init__(self, **options: Union[int, bool]) -> None:
        handle = ctypes.c_void_p()
        rc = lib.hmn_ctx_open(ctypes.byref(handle))
        if rc < 0:
            raise _error(rc, None)
        self._handle: Optional[ctypes.c_void_p] = handle
        # Serialises a call and the read of its error text: another thread's
        # call on the same context would overwrite hmn_errmsg in between.
        self._lock = _thread.allocate_lock()
        # Running measure() samplers on this context: their thread uses it.
        self._samplers = 0
        try:
            for name, value in options.items():
                self.set_option(name, value)
        except BaseException:
            self.close()
            raise

    def set_option(self, name: str, value: Union[int, bool]) -> None:
        """Set one option (see the class documentation for the names)."""
        try:
            option = _OPTIONS[name]
        except KeyError:
            raise InvalidArgumentError(
                f"unknown context option {name!r} (known: {', '.join(sorted(_OPTIONS))})"
            ) from None
        call(self, lib.hmn_ctx_set_option, option, int(value))

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Release everything the context holds; closing twice is harmless."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            if getattr(self, "_samplers", 0):
                raise InvalidArgumentError(
                    "this Context is in use by a running measure() block: close it after the block")
            handle, self._handle = self._handle, None
            if handle is not None:
                lib.hmn_ctx_close(handle)

    def __enter__(self) -> "Context":
        if self._handle is None:
            raise InvalidArgumentError("this Context is closed")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone already
            pass

    def __repr__(self) -> str:
        return f"<hypomnesis.Context {'closed' if self.closed else 'open'}>"


def _error(rc: int, handle: Optional[ctypes.c_void_p]) -> Exception:
    msg = (lib.hmn_errmsg(handle) or b"").decode("utf-8", "replace")
    if not msg:
        msg = lib.hmn_strerror(rc).decode("utf-8", "replace")
    return error_for(rc, msg, lib.hmn_err_name(rc).decode("ascii"))


def call(ctx: Optional[Context], fn: Callable[..., int], *args: Any) -> int:
    """Run ``fn(handle, *args)``; a negative result raises its exception."""
    if ctx is None:
        rc = fn(None, *args)
        if rc < 0:
            raise _error(rc, None)  # hmn_errmsg(NULL) is per thread: still ours
        return rc
    if not isinstance(ctx, Context):
        raise TypeError(f"ctx must be a hypomnesis.Context or None, not {type(ctx).__name__}")
    with ctx._lock:
        handle = ctx._handle
        if handle is None:
            raise InvalidArgumentError("this Context is closed")
        rc = fn(handle, *args)
        if rc < 0:
            raise _error(rc, handle)
    return rc
