"""Exceptions: ``HypomnesisError`` and one subclass per C error code.

Each exception carries the code (``code``, e.g. -5), its C symbol
(``code_name``, e.g. ``"HMN_ERANGE"``) and the library's detailed English
line (``message``, from ``hmn_errmsg``: ``"device index 3 out of range
(have 1 devices)"``), which is also ``str(exc)``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Type

__all__ = [
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


class HypomnesisError(Exception):
    """A call into libhypomnesis failed.

    ``code`` is the negative HMN_E* value (0 for errors raised by the package
    itself, such as a missing library), ``code_name`` its symbol and
    ``message`` the detailed text.
    """

    code: int = 0
    code_name: str = ""

    def __init__(self, message: str, code: Optional[int] = None,
                 code_name: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if code_name is not None:
            self.code_name = code_name

    def __str__(self) -> str:
        return self.message


class InvalidArgumentError(HypomnesisError, ValueError):
    """HMN_EINVAL: an argument was refused (closed context, bad option value ...)."""
    code, code_name = -1, "HMN_EINVAL"


class OutOfMemoryError(HypomnesisError, MemoryError):
    """HMN_ENOMEM: the library could not allocate memory."""
    code, code_name = -2, "HMN_ENOMEM"


class RamQueryError(HypomnesisError):
    """HMN_ERAM: the process's RSS could not be read (upstream ``Ram``)."""
    code, code_name = -3, "HMN_ERAM"


class NoGpuSourceError(HypomnesisError):
    """HMN_ENOGPU: no GPU measurement source answered (upstream ``NoGpuSource``)."""
    code, code_name = -4, "HMN_ENOGPU"


class DeviceIndexOutOfRangeError(HypomnesisError, IndexError):
    """HMN_ERANGE: no device with that index (upstream ``DeviceIndexOutOfRange``)."""
    code, code_name = -5, "HMN_ERANGE"


class NotFoundError(HypomnesisError, LookupError):
    """HMN_ENOENT: the figure asked for does not exist (e.g. no GPU row for this process)."""
    code, code_name = -6, "HMN_ENOENT"


class PermissionDeniedError(HypomnesisError):
    """HMN_EACCES: the driver or the OS refused access (e.g. a device outside our cgroup)."""
    code, code_name = -7, "HMN_EACCES"


class BackendError(HypomnesisError):
    """HMN_EBACKEND: a backend failed (the message says which and why)."""
    code, code_name = -8, "HMN_EBACKEND"


class TimedOutError(HypomnesisError):
    """HMN_ETIMEDOUT: a subprocess (nvidia-smi) did not answer in time."""
    code, code_name = -9, "HMN_ETIMEDOUT"


class ParseError(HypomnesisError):
    """HMN_EPARSE: malformed input from a backend or a caller."""
    code, code_name = -10, "HMN_EPARSE"


class StructVersionError(HypomnesisError):
    """HMN_EVERSION: a struct size too small for this library (a package/library mismatch)."""
    code, code_name = -11, "HMN_EVERSION"


class BufferTooSmallError(HypomnesisError):
    """HMN_ENOBUFS: a buffer was too small."""
    code, code_name = -12, "HMN_ENOBUFS"


class UnsupportedError(HypomnesisError):
    """HMN_EUNSUPPORTED: not supported on this platform or in this build."""
    code, code_name = -13, "HMN_EUNSUPPORTED"


class ProcessListDeniedError(HypomnesisError):
    """HMN_EDENIED: the process list is unreadable (upstream ``ProcessListDenied``)."""
    code, code_name = -14, "HMN_EDENIED"


class NoDriverError(HypomnesisError):
    """HMN_ENODRIVER: the GPU driver is not loaded or its library is missing."""
    code, code_name = -15, "HMN_ENODRIVER"


class LibraryNotFoundError(HypomnesisError, ImportError):
    """libhypomnesis could not be loaded (raised by ``import hypomnesis``)."""


class LibraryVersionError(HypomnesisError, ImportError):
    """The loaded libhypomnesis has another ABI than this package (raised at import)."""


BY_CODE: Dict[int, Type[HypomnesisError]] = {
    cls.code: cls
    for cls in (InvalidArgumentError, OutOfMemoryError, RamQueryError, NoGpuSourceError,
                DeviceIndexOutOfRangeError, NotFoundError, PermissionDeniedError, BackendError,
                TimedOutError, ParseError, StructVersionError, BufferTooSmallError,
                UnsupportedError, ProcessListDeniedError, NoDriverError)
}


def error_for(code: int, message: str, code_name: Optional[str] = None) -> HypomnesisError:
    """The exception for a C return code (the base class for a code this package does not know)."""
    cls = BY_CODE.get(code)
    if cls is None:
        return HypomnesisError(message, code, code_name or "HMN_EUNKNOWN")
    return cls(message)
