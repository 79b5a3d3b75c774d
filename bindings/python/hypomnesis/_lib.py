"""Finding, loading and checking libhypomnesis, and the C prototypes.

Order tried (the first that loads wins; ``HMN_LIBRARY`` alone when set):

1. ``HMN_LIBRARY``: a full path to the library file;
2. the exact soname through the dynamic loader (``libhypomnesis.so.0.3`` on
   Linux: ``LD_LIBRARY_PATH``, the ld.so cache, the system folders;
   ``hypomnesis.dll`` / ``libhypomnesis.dll`` on Windows);
3. the same file name next to this package;
4. the library folder recorded by the CMake install of this package.

After loading, ``hmn_version_number()`` must match the ABI this package
was made for: while the version is 0.x every minor release has its own ABI,
so 0.3.x needs exactly 0.3.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import sys
from ctypes import POINTER, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

from . import _abi
from .errors import InvalidArgumentError, LibraryNotFoundError, LibraryVersionError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

# The library version this package was made for (bindings and library are
# released together; tests/python checks this against the build).
VERSION = "0.3.0"
ABI_MAJOR, ABI_MINOR = 0, 3


def library_file_names() -> List[str]:
    """File names the library has on this platform, most specific first."""
    abi = f"{ABI_MAJOR}.{ABI_MINOR}" if ABI_MAJOR == 0 else f"{ABI_MAJOR}"
    if sys.platform == "win32":
        return ["hypomnesis.dll", "libhypomnesis.dll"]
    if sys.platform == "darwin":
        return [f"libhypomnesis.{abi}.dylib"]
    return [f"libhypomnesis.so.{abi}"]


def _recorded_libdir() -> Optional[str]:
    try:  # written by the CMake install only
        install = importlib.import_module(__package__ + "._install")
    except ImportError:
        return None
    libdir = getattr(install, "LIBDIR", None)
    return libdir if isinstance(libdir, str) else None


def _candidates() -> Tuple[List[str], bool]:
    """(what to try, whether it came from HMN_LIBRARY)."""
    env = os.environ.get("HMN_LIBRARY")
    if env:
        return [env], True
    names = library_file_names()
    here = os.path.dirname(os.path.abspath(__file__))
    out = list(names)
    out += [os.path.join(here, n) for n in names]
    libdir = _recorded_libdir()
    if libdir:
        out += [os.path.join(libdir, n) for n in names]
    return out, False


def _load() -> Tuple[ctypes.CDLL, str]:
    tried: List[str] = []
    candidates, from_env = _candidates()
    if from_env and not os.path.isabs(candidates[0]):
        raise LibraryNotFoundError(
            f"HMN_LIBRARY must be a full path to libhypomnesis, not {candidates[0]!r}")
    for c in candidates:
        try:
            return ctypes.CDLL(c), c
        except OSError as e:
            tried.append(f"{c}: {e}")
    hint = ("set HMN_LIBRARY to the full path of the library file" if not from_env
            else "HMN_LIBRARY names a file that does not load")
    raise LibraryNotFoundError(
        f"cannot load libhypomnesis {ABI_MAJOR}.{ABI_MINOR}.x ({hint}); tried:\n  "
        + "\n  ".join(tried))


def _loaded_path(lib: ctypes.CDLL, fallback: str) -> str:
    """The file the loader actually mapped (glibc dlinfo), else what was asked for."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None)
            dlinfo = libc.dlinfo
        except (OSError, AttributeError):
            return fallback

        class LinkMap(ctypes.Structure):
            _fields_ = [("l_addr", c_void_p), ("l_name", c_char_p)]

        lm = POINTER(LinkMap)()
        RTLD_DI_LINKMAP = 2
        if dlinfo(c_void_p(lib._handle), RTLD_DI_LINKMAP, ctypes.byref(lm)) == 0 and lm:
            name = lm.contents.l_name
            if name:
                return os.fsdecode(name)
    return fallback


def abi_compatible(number: int) -> bool:
    """Whether a library with this hmn_version_number() has the ABI of this package."""
    major, minor = number // 10000, number // 100 % 100
    if ABI_MAJOR == 0:
        return major == 0 and minor == ABI_MINOR
    return major == ABI_MAJOR and minor >= ABI_MINOR


def _check_version(lib: ctypes.CDLL, path: str) -> Tuple[int, str]:
    try:
        fn = lib.hmn_version_number
    except AttributeError:
        raise LibraryVersionError(
            f"{path} is not libhypomnesis (it has no hmn_version_number)") from None
    fn.restype, fn.argtypes = ctypes.c_uint, []
    num = int(fn())
    major, minor, patch = num // 10000, num // 100 % 100, num % 100
    text = f"{major}.{minor}.{patch}"
    if ABI_MAJOR == 0:
        need = f"{ABI_MAJOR}.{ABI_MINOR}.x (every 0.x minor release has its own ABI)"
    else:
        need = f"{ABI_MAJOR}.x with x >= {ABI_MINOR}"
    if not abi_compatible(num):
        raise LibraryVersionError(
            f"{path} is libhypomnesis {text}, but this hypomnesis package ({VERSION}) needs "
            f"{need}: install the matching package or library, or set HMN_LIBRARY to the "
            "right file")
    return num, text


_P = c_void_p  # opaque handles (hmn_ctx *, list handles) as plain pointers


def _bind(lib: ctypes.CDLL, path: str) -> None:
    """Prototypes of every entry point the package calls."""
    A = _abi
    protos = {
        "hmn_strerror": (c_char_p, [c_int]),
        "hmn_err_name": (c_char_p, [c_int]),
        "hmn_source_name": (c_char_p, [c_int]),
        "hmn_ctx_open": (c_int, [POINTER(_P)]),
        "hmn_ctx_close": (None, [_P]),
        "hmn_ctx_set_option": (c_int, [_P, c_int, c_int64]),
        "hmn_errmsg": (c_char_p, [_P]),
        "hmn_process_rss": (c_int, [_P, POINTER(c_uint64)]),
        "hmn_process_rss_info": (c_int, [_P, POINTER(A.Rss)]),
        "hmn_process_exists": (c_int, [_P, c_uint32]),
        "hmn_process_start_time": (c_int, [_P, c_uint32, POINTER(c_uint64)]),
        "hmn_pid_rss_info": (c_int, [_P, c_uint32, POINTER(A.Rss)]),
        "hmn_device_count": (c_int, [_P, POINTER(c_uint32)]),
        "hmn_device_info": (c_int, [_P, c_uint32, POINTER(A.GpuDeviceInfo)]),
        "hmn_device_name_or_unknown": (c_char_p, [POINTER(A.GpuDeviceInfo)]),
        "hmn_process_gpu_info": (c_int, [_P, c_uint32, POINTER(A.ProcessGpu)]),
        "hmn_gpu_processes": (c_int, [_P, c_uint32, POINTER(_P)]),
        "hmn_process_list_count": (c_size_t, [_P]),
        "hmn_process_list_get": (c_int, [_P, c_size_t, POINTER(A.GpuProcess)]),
        "hmn_process_list_unreadable": (c_uint32, [_P]),
        "hmn_process_list_unreadable_pid": (c_int, [_P, c_size_t, POINTER(c_uint32)]),
        "hmn_process_list_skipped_rows": (c_uint32, [_P]),
        "hmn_process_list_source": (c_int, [_P]),
        "hmn_process_list_free": (None, [_P]),
        "hmn_snapshot_now": (c_int, [_P, c_uint32, POINTER(A.Snapshot)]),
        "hmn_snapshot_all": (c_int, [_P, POINTER(_P)]),
        "hmn_snapshot_list_count": (c_size_t, [_P]),
        "hmn_snapshot_list_get": (c_int, [_P, c_size_t, POINTER(A.Snapshot)]),
        "hmn_snapshot_list_free": (None, [_P]),
        "hmn_snapshot_ram_mb": (c_double, [POINTER(A.Snapshot)]),
        "hmn_snapshot_vram_mb": (c_int, [POINTER(A.Snapshot), POINTER(c_double)]),
        "hmn_source_report_get": (c_int, [_P, c_size_t, POINTER(A.SourceReport)]),
        "hmn_format_delta": (c_int, [c_char_p, c_size_t, POINTER(A.Snapshot),
                                     POINTER(A.Snapshot), c_char_p]),
        "hmn_format_before_after": (c_int, [c_char_p, c_size_t, POINTER(A.Snapshot),
                                            POINTER(A.Snapshot), c_char_p]),
        "hmn_report_ram_delta_mb": (c_double, [POINTER(A.Snapshot), POINTER(A.Snapshot)]),
        "hmn_report_vram_delta_mb": (c_int, [POINTER(A.Snapshot), POINTER(A.Snapshot),
                                             POINTER(c_double)]),
        "hmn_format_free": (c_int, [c_char_p, c_size_t, POINTER(A.GpuDeviceInfo)]),
        "hmn_format_total": (c_int, [c_char_p, c_size_t, POINTER(A.GpuDeviceInfo)]),
        "hmn_format_used": (c_int, [c_char_p, c_size_t, POINTER(A.GpuDeviceInfo)]),
        # The sampler (a hmn_sampler * is an opaque handle too).
        "hmn_sampler_open": (c_int, [_P, POINTER(A.SamplerConfig), POINTER(_P)]),
        "hmn_sampler_close": (None, [_P]),
        "hmn_sampler_sample": (c_int, [_P]),
        "hmn_sampler_start": (c_int, [_P]),
        "hmn_sampler_stop": (c_int, [_P]),
        "hmn_sampler_latest": (c_int, [_P, POINTER(A.SampleInfo)]),
        "hmn_sampler_summary_get": (c_int, [_P, POINTER(A.SamplerSummary)]),
        "hmn_sampler_device": (c_int, [_P, c_size_t, POINTER(A.SampleDevice)]),
        "hmn_sampler_process": (c_int, [_P, c_size_t, POINTER(A.TreeProcess)]),
        "hmn_sampler_other": (c_int, [_P, c_size_t, c_int, c_size_t, POINTER(A.GpuProcess)]),
    }
    for name, (restype, argtypes) in protos.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise LibraryVersionError(f"{path} has no {name}: not a complete libhypomnesis "
                                      f"{ABI_MAJOR}.{ABI_MINOR}") from None
        fn.restype = restype
        fn.argtypes = argtypes


lib, _asked = _load()
path = _loaded_path(lib, _asked)
version_number, version = _check_version(lib, path)
_bind(lib, path)


def source_name(source: int) -> Optional[str]:
    """Stable name of an enum hmn_source value; None for "none"."""
    if source == _abi.SOURCE_NONE:
        return None
    return str(lib.hmn_source_name(source).decode("ascii"))


_source_ids: Optional[Dict[str, int]] = None


def source_id(name: Optional[str]) -> int:
    """The enum hmn_source value of a stable name (0 for None)."""
    global _source_ids
    if name is None:
        return _abi.SOURCE_NONE
    if _source_ids is None:
        ids = {}
        for i in range(1, 256):
            n = lib.hmn_source_name(i).decode("ascii")
            if n == "unknown":
                break
            ids[n] = i
        _source_ids = ids
    try:
        return _source_ids[name]
    except KeyError:
        raise InvalidArgumentError(f"unknown source name {name!r}") from None
