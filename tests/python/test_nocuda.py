"""The package never initialises CUDA or a vendor runtime: importing it loads
no vendor library at all, and querying every API loads only NVML (which
creates no CUDA context), never libcuda / libcudart or a framework."""

from __future__ import annotations

import json
import os
import unittest

import hmntest
from hmntest import need, run_python

CHILD = r"""
import json, sys

def mapped():
    out = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/"):
                out.add(parts[5].strip())
    return sorted(out)

import hypomnesis as hmn
after_import = mapped()
with hmn.Context() as ctx:
    n = hmn.device_count(ctx=ctx)
    for i in range(n):
        hmn.device_info(i, ctx=ctx)
        hmn.gpu_processes(i, ctx=ctx)
        hmn.process_gpu_info(i, ctx=ctx)
    hmn.Snapshot.all(ctx=ctx)
    hmn.sources(ctx=ctx)
    during = mapped()
import os, time
os.environ["HMN_PROCFS"] = "/proc"  # the sampler follows this process in the real /proc
with hmn.measure(interval=0.01) as m:  # its thread queries every device
    time.sleep(0.05)
    during += mapped()
assert m.samples >= 2 and list(m.gpu_peak_bytes) == [0], m.to_dict()
hmn.Snapshot.now(0)
hmn.process_rss()
print(json.dumps({"count": n, "after_import": after_import, "during": during + mapped(),
                  "modules": sorted(sys.modules)}))
"""

VENDOR_RUNTIMES = ("libcuda.so", "libcudart", "libnvrtc", "libamdhip", "libhsa-runtime",
                   "libze_loader", "libOpenCL", "libvulkan", "libnvidia-ml")
FRAMEWORKS = ("torch", "jax", "cupy", "pynvml", "numba", "tensorflow", "nvitop")


class NoVendorRuntime(unittest.TestCase):
    def test_import_and_queries(self) -> None:
        need("FAKE_NVML", "DATA")
        r = run_python(CHILD, {
            "HMN_NVML_LIBRARY": hmntest.FAKE_NVML,
            "HMN_FAKE_NVML_SCENARIO": os.path.join(hmntest.DATA, "nvml", "self.scn"),
            "HMN_PROCFS": os.path.join(hmntest.DATA, "nvml", "proc"),
        })
        self.assertEqual(r.returncode, 0, r.stderr)
        got = json.loads(r.stdout)
        self.assertEqual(got["count"], 1)
        # Importing maps nothing of a vendor's, not even NVML.
        for path in got["after_import"]:
            for v in VENDOR_RUNTIMES:
                self.assertNotIn(v, os.path.basename(path), path)
        # Querying maps NVML (the fake: proof the queries ran through it) and
        # no CUDA runtime or driver API.
        self.assertIn(os.path.realpath(hmntest.FAKE_NVML),
                      {os.path.realpath(p) for p in got["during"]})
        for path in got["during"]:
            base = os.path.basename(path)
            for v in VENDOR_RUNTIMES:
                if v != "libnvidia-ml":
                    self.assertNotIn(v, base, path)
        for m in got["modules"]:
            self.assertNotIn(m.split(".")[0], FRAMEWORKS, m)

    def test_this_process(self) -> None:
        # The test runner itself, after the other modules' imports.
        import hypomnesis

        self.assertTrue(hypomnesis.library_path)

        for path in hmntest.mapped_files():
            self.assertNotIn("libcuda.so", path)
            self.assertNotIn("libcudart", path)


if __name__ == "__main__":
    unittest.main()
