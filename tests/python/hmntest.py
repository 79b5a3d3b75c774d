"""Shared helpers of the Python package tests (tests/python/CMakeLists.txt sets the
HMN_PY_* variables).  Importing this module puts the process in a GPU-less
world (no NVML, no nvidia-smi, empty /sys) before ``hypomnesis`` is imported;
``scenario()`` switches the fakes on for one block."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import unittest
from typing import Dict, Iterator, Optional, Tuple

# The GPU-less baseline; nothing from the caller's environment leaks in.
for _v in ("HMN_DEBUG", "HMN_SMI_TIMEOUT_MS", "HMN_FAKE_NVML_SCENARIO", "HMN_FAKE_SMI_SCENARIO",
           "HMN_FAKE_SMI_LOG"):
    os.environ.pop(_v, None)
os.environ["HMN_NVML_LIBRARY"] = "/nonexistent/libnvidia-ml.so.1"
os.environ["HMN_NVIDIA_SMI"] = "/nonexistent/nvidia-smi"
os.environ["HMN_SYSFS"] = "/nonexistent/sys"
os.environ["HMN_PROCFS"] = "/nonexistent/proc"
os.environ["LC_ALL"] = "C"

# Sanitizer builds preload the ASan runtime into python3 (tests/python/CMakeLists.txt).
# It is mapped by now; children get it back only when they are python3 too: a
# sanitized C program (hmn, the fakes) carries its own runtime and refuses a second.
PRELOAD = os.environ.pop("LD_PRELOAD", "")


def env(name: str) -> str:
    """An HMN_PY_* setting; empty when CMake could not provide it."""
    return os.environ.get("HMN_PY_" + name, "")


DATA = env("DATA")
FAKE_NVML = env("FAKE_NVML")
FAKE_SMI = env("FAKE_SMI")
ALL_OFF = env("ALL_OFF") == "1"


def need(*names: str) -> None:
    """Skip the calling test unless every HMN_PY_<name> is set."""
    missing = [n for n in names if not env(n)]
    if missing:
        raise unittest.SkipTest("not built here: " + ", ".join(missing))


@contextlib.contextmanager
def scenario(nvml: Optional[str] = None, smi: Optional[str] = None, drm: Optional[str] = None,
             procfs: Optional[str] = None) -> Iterator[None]:
    """Point the library at the fake NVML (tests/data/nvml/<nvml>.scn), the fake
    nvidia-smi (tests/data/smi/<smi>.scn) and/or a DRM fixture tree for a block."""
    saved = dict(os.environ)
    try:
        if nvml:
            need("FAKE_NVML")
            os.environ["HMN_NVML_LIBRARY"] = FAKE_NVML
            os.environ["HMN_FAKE_NVML_SCENARIO"] = os.path.join(DATA, "nvml", nvml + ".scn")
            os.environ["HMN_PROCFS"] = os.path.join(DATA, "nvml", "proc")
        if smi:
            need("FAKE_SMI")
            os.environ["HMN_NVIDIA_SMI"] = FAKE_SMI
            os.environ["HMN_FAKE_SMI_SCENARIO"] = os.path.join(DATA, "smi", smi + ".scn")
        if drm:
            os.environ["HMN_PROCFS"] = os.path.join(DATA, "drm", drm, "proc")
            os.environ["HMN_SYSFS"] = os.path.join(DATA, "drm", drm, "sys")
        if procfs:
            os.environ["HMN_PROCFS"] = procfs
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_python(code: str, extra_env: Optional[Dict[str, str]] = None, unset: Tuple[str, ...] = (),
               cwd: Optional[str] = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python3 -c code`` with this process's environment, plus extra_env, minus unset."""
    return subprocess.run([sys.executable, "-c", code], env=python_env(extra_env, unset), cwd=cwd,
                          timeout=timeout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


def python_env(extra_env: Optional[Dict[str, str]] = None,
               unset: Tuple[str, ...] = ()) -> Dict[str, str]:
    """The environment for a child python3 that loads the library."""
    e = dict(os.environ)
    e.update(extra_env or {})
    for v in unset:
        e.pop(v, None)
    if PRELOAD:
        e["LD_PRELOAD"] = PRELOAD
    return e


def mapped_files() -> set:
    """Files mapped into this process (/proc/self/maps)."""
    out = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/"):
                out.add(parts[5].strip())
    return out
