"""The package's type hints are complete and consistent (it ships py.typed):
mypy --strict accepts it and a typical user program, when mypy is installed
(Debian's `mypy` package; skipped without it)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

import hmntest
from hmntest import need

USER = '''
from typing import Any, Dict, List, Optional, Tuple
import hypomnesis as hmn

def free_bytes(ctx: hmn.Context) -> Optional[int]:
    return hmn.device_info(0, ctx=ctx).free_bytes

with hmn.Context(use_nvidia_smi=False) as ctx:
    before: hmn.Snapshot = hmn.Snapshot.now(ctx=ctx)
    rows: List[hmn.GpuProcessEntry] = hmn.gpu_processes(0, ctx=ctx)
    used: Optional[int] = rows[0].used_bytes
    text: str = hmn.MemoryReport(before, before).format_delta("x")
    mb: Optional[float] = before.vram_mb
try:
    hmn.device_info(9)
except hmn.DeviceIndexOutOfRangeError as e:
    code: int = e.code
with hmn.measure(interval=0.05, devices="all", children=True) as m:
    pass
peak: Optional[int] = m.ram_peak_bytes
gpu_peaks: Dict[int, Optional[int]] = m.gpu_peak_bytes
method: Optional[str] = m.methods.gpu[0]
count: int = m.samples
doc: Dict[str, Any] = m.to_dict()
holders: Tuple[hmn.GpuHolder, ...] = m.result.gpus[0].others_at_peak
start: int = hmn.process_start_time(1)
other: Optional[int] = hmn.rss_info(pid=1).peak_bytes
'''


def mypy(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["MYPYPATH"] = os.path.join(hmntest.env("SOURCE"), "bindings", "python")
    cache = os.path.join(hmntest.env("WORK") or tempfile.gettempdir(), "mypy-cache")
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-version", "3.8",
                           "--cache-dir", cache, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120)


class Typing(unittest.TestCase):
    def setUp(self) -> None:
        need("SOURCE")
        if importlib.util.find_spec("mypy") is None:
            self.skipTest("mypy is not installed (Debian package mypy)")

    def test_package_is_strictly_typed(self) -> None:
        r = mypy("-p", "hypomnesis")
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_user_program_type_checks(self) -> None:
        with tempfile.TemporaryDirectory(dir=hmntest.env("WORK") or None) as tmp:
            path = os.path.join(tmp, "user.py")
            with open(path, "w") as f:
                f.write(USER)
            r = mypy(path)
            self.assertEqual(r.returncode, 0, r.stdout)
            with open(path, "a") as f:
                f.write("wrong: int = hmn.device_info(0).name\n")
                f.write("wrong_peak: int = m.ram_peak_bytes\n")
            r = mypy(path)
            self.assertNotEqual(r.returncode, 0, "mypy accepted a str|None as int")
            self.assertIn("Optional[str]", r.stdout)
            self.assertIn("Optional[int]", r.stdout)  # an unknown peak is None, not 0


if __name__ == "__main__":
    unittest.main()
