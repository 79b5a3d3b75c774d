"""The report strings: byte-equal to the C library's own (tests/python/format_ref.c
under the same scenario, or from the same figures) and to upstream's examples."""

from __future__ import annotations

import ctypes
import io
import os
import subprocess
import unittest
from contextlib import redirect_stdout
from typing import List, Optional

import hmntest
from hmntest import need, scenario

import hypomnesis as hmn
from hypomnesis import _lib

MiB = 1048576


def c_devices() -> bytes:
    need("FORMAT_REF")
    return subprocess.run([hmntest.env("FORMAT_REF"), "devices"], stdout=subprocess.PIPE,
                          check=True, timeout=60, env=dict(os.environ)).stdout


def py_devices() -> bytes:
    out = ""
    for i in range(hmn.device_count()):
        d = hmn.device_info(i)
        out += d.format_free() + d.format_total() + d.format_used()
    return out.encode("utf-8")


def snap(ram: int, gpu: Optional[int] = None, per_process: bool = True,
         total: Optional[int] = None, name: Optional[str] = None) -> hmn.Snapshot:
    dev = None
    if total is not None or name is not None:
        dev = hmn.GpuDeviceInfo(index=0, name=name, total_bytes=total, free_bytes=None,
                                used_bytes=None, reserved_bytes=None, driver_version=None,
                                source="nvml")
    g = None if gpu is None else hmn.ProcessGpuInfo(gpu, per_process, "nvml")
    return hmn.Snapshot(ram_bytes=ram, gpu=g, gpu_device=dev)


def c_report(label: str, b: hmn.Snapshot, a: hmn.Snapshot) -> bytes:
    need("FORMAT_REF")

    def args(s: hmn.Snapshot) -> List[str]:
        g, d = s.gpu, s.gpu_device
        return [str(s.ram_bytes),
                "-" if g is None else str(g.used_bytes),
                "1" if g is not None and g.is_per_process else "0",
                "-" if d is None or d.total_bytes is None else str(d.total_bytes),
                "-" if d is None or d.name is None else d.name]

    argv = [hmntest.env("FORMAT_REF"), "report", label] + args(b) + args(a)
    return subprocess.run([x.encode("utf-8") for x in argv], stdout=subprocess.PIPE,
                          check=True, timeout=60).stdout


def dev(index: int, total: int, free: int, used: int, name: Optional[str]) -> hmn.GpuDeviceInfo:
    return hmn.GpuDeviceInfo(index=index, name=name, total_bytes=total * MiB,
                             free_bytes=free * MiB, used_bytes=used * MiB, reserved_bytes=None,
                             driver_version=None, source="nvml")


class DeviceLines(unittest.TestCase):
    def test_upstream_examples(self) -> None:
        d0 = dev(0, 16384, 13284, 3100, "NVIDIA Test GPU")
        self.assertEqual(d0.format_free(), "  GPU 0: free 13284 MB / 16384 MB [NVIDIA Test GPU]\n")
        self.assertEqual(d0.format_total(), "  GPU 0: total 16384 MB [NVIDIA Test GPU]\n")
        self.assertEqual(d0.format_used(), "  GPU 0: used 3100 MB [NVIDIA Test GPU]\n")
        d1 = dev(1, 8192, 4096, 4096, None)
        self.assertEqual(d1.format_free(), "  GPU 1: free 4096 MB / 8192 MB\n")
        self.assertEqual(d1.format_total(), "  GPU 1: total 8192 MB\n")
        self.assertEqual(dev(2, 4096, 0, 4096, "Saturated GPU").format_free(),
                         "  GPU 2: free 0 MB / 4096 MB [Saturated GPU]\n")
        self.assertEqual(dev(2, 4096, 4096, 0, "Idle GPU").format_used(),
                         "  GPU 2: used 0 MB [Idle GPU]\n")

    def test_unknown_figures_print_na(self) -> None:
        d = hmn.GpuDeviceInfo(index=3, name="X", total_bytes=None, free_bytes=None,
                              used_bytes=None, reserved_bytes=None, driver_version=None,
                              source=None)
        self.assertEqual(d.format_free(), "  GPU 3: free n/a / n/a [X]\n")
        self.assertEqual(d.format_used(), "  GPU 3: used n/a [X]\n")

    def test_equal_to_the_c_library_nvml(self) -> None:
        for s in ("h100-3procs", "titanx-8gpu", "mig"):
            with self.subTest(scenario=s), scenario(nvml=s):
                c = c_devices()
                self.assertTrue(c)
                self.assertEqual(py_devices(), c)

    def test_equal_to_the_c_library_drm(self) -> None:
        if hmntest.ALL_OFF:
            self.skipTest("DRM backend compiled out")
        with scenario(drm="multi"):
            c = c_devices()
            self.assertIn(b"n/a", c)
            self.assertEqual(py_devices(), c)

    def test_every_field_survives_the_trip_back_to_c(self) -> None:
        # The formatters get the Python record converted back: nothing may be lost.
        worlds = [dict(nvml=s) for s in ("h100-3procs", "titanx-8gpu", "mig", "denied")]
        if not hmntest.ALL_OFF:
            worlds.append(dict(drm="multi"))
        seen = 0
        for w in worlds:
            try:
                with scenario(**w):
                    devices = []
                    for i in range(hmn.device_count()):
                        try:
                            devices.append(hmn.device_info(i))
                        except hmn.PermissionDeniedError:
                            pass
            except unittest.SkipTest:
                continue
            for d in devices:
                with self.subTest(world=w, index=d.index):
                    self.assertEqual(hmn.GpuDeviceInfo._from_c(d._to_c()), d)
                    seen += 1
        if not seen:
            self.skipTest("no device source built here")

    def test_print_free(self) -> None:
        d = dev(0, 16384, 13284, 3100, "NVIDIA Test GPU")
        buf = io.StringIO()
        with redirect_stdout(buf):
            d.print_free()
        self.assertEqual(buf.getvalue(), d.format_free())


class Reports(unittest.TestCase):
    CASES = [
        ("alloc", snap(100 * MiB, 500 * MiB), snap(200 * MiB, 1000 * MiB, True, 16384 * MiB,
                                                     "NVIDIA Test GPU")),
        ("step", snap(100 * MiB, 250 * MiB, False), snap(150 * MiB, 500 * MiB, False)),
        ("cpu", snap(100 * MiB), snap(130 * MiB)),
        ("free", snap(130 * MiB), snap(100 * MiB)),
        ("tiny", snap(100 * MiB), snap(100 * MiB - 1000)),  # -0
        ("half", snap(0), snap(MiB // 2)),  # ties to even: +0
        ("gpu only after", snap(100 * MiB), snap(100 * MiB, 5 * MiB, True, None, "G")),
        ("ünïcødé → label", snap(1 << 40, 3 << 30, True, 80 << 30, "Ｗide name"),
         snap(1 << 41, 1 << 30, True, 80 << 30, "Ｗide name")),
    ]

    def test_upstream_examples(self) -> None:
        r = hmn.MemoryReport(snap(100 * MiB, 500 * MiB), snap(200 * MiB, 1000 * MiB))
        self.assertEqual(r.format_delta("alloc"),
                         "  alloc: RAM +100 MB  |  VRAM +500 MB [per-process]\n")
        r = hmn.MemoryReport(snap(100 * MiB, 250 * MiB, False), snap(150 * MiB, 500 * MiB, False))
        self.assertEqual(r.format_delta("step"),
                         "  step: RAM +50 MB  |  VRAM +250 MB [device-wide]\n")
        self.assertEqual(hmn.MemoryReport(snap(0), snap(30 * MiB)).format_delta("cpu"),
                         "  cpu: RAM +30 MB\n")
        self.assertEqual(hmn.MemoryReport(snap(30 * MiB), snap(0)).format_delta("free"),
                         "  free: RAM -30 MB\n")
        r = hmn.MemoryReport(snap(100 * MiB, 500 * MiB),
                             snap(200 * MiB, 1000 * MiB, True, 16384 * MiB, "NVIDIA Test GPU"))
        self.assertEqual(r.format_before_after("model_load"),
                         "  model_load: RAM 100 MB \u2192 200 MB (+100 MB)\n"
                         "  model_load: VRAM 500 MB \u2192 1000 MB (+500 MB / 16384 MB)"
                         " [per-process] [NVIDIA Test GPU]\n")
        r = hmn.MemoryReport(snap(100 * MiB), snap(150 * MiB))
        self.assertEqual(r.format_before_after("cpu_only"),
                         "  cpu_only: RAM 100 MB \u2192 150 MB (+50 MB)\n")

    def test_equal_to_the_c_library(self) -> None:
        for label, b, a in self.CASES:
            with self.subTest(label=label):
                r = hmn.MemoryReport(b, a)
                py = (r.format_delta(label) + r.format_before_after(label)).encode("utf-8")
                self.assertEqual(py, c_report(label, b, a))

    def test_deltas_and_mb_equal_the_c_library(self) -> None:
        lib = _lib.lib
        for label, b, a in self.CASES:
            with self.subTest(label=label):
                cb, ca = b._to_c(), a._to_c()
                self.assertEqual(b.ram_mb, lib.hmn_snapshot_ram_mb(ctypes.byref(cb)))
                r = hmn.MemoryReport(b, a)
                self.assertEqual(r.ram_delta_mb,
                                 lib.hmn_report_ram_delta_mb(ctypes.byref(cb), ctypes.byref(ca)))
                mb = ctypes.c_double()
                rc = lib.hmn_report_vram_delta_mb(ctypes.byref(cb), ctypes.byref(ca),
                                                  ctypes.byref(mb))
                self.assertEqual(r.vram_delta_mb, None if rc == -6 else mb.value)

    def test_live_snapshots_round_trip(self) -> None:
        with scenario(nvml="self"), hmn.Context() as ctx:
            b = hmn.Snapshot.now(ctx=ctx)
            a = hmn.Snapshot.now(ctx=ctx)
        self.assertEqual(hmn.Snapshot._from_c(a._to_c()), a)
        r = hmn.MemoryReport(b, a)
        self.assertIn("[per-process] [NVIDIA H100 80GB HBM3]", r.format_before_after("x"))
        self.assertEqual(r.format_delta("x").encode(), c_report("x", b, a).split(b"\n")[0] + b"\n")

    def test_print_delta_and_before_after(self) -> None:
        r = hmn.MemoryReport(snap(100 * MiB, 500 * MiB), snap(200 * MiB, 1000 * MiB))
        buf = io.StringIO()
        with redirect_stdout(buf):
            r.print_delta("a")
            r.print_before_after("b")
        self.assertEqual(buf.getvalue(), r.format_delta("a") + r.format_before_after("b"))
        other = io.StringIO()
        r.print_delta("c", file=other)
        self.assertEqual(other.getvalue(), r.format_delta("c"))

    def test_bad_labels(self) -> None:
        r = hmn.MemoryReport(snap(0), snap(0))
        with self.assertRaises(hmn.InvalidArgumentError):
            r.format_delta("a\0b")
        with self.assertRaises(TypeError):
            r.format_delta(b"bytes")  # type: ignore[arg-type]
        long = "x" * 5000  # longer than any fixed buffer: the size query must be honoured
        self.assertEqual(r.format_delta(long), f"  {long}: RAM +0 MB\n")

    def test_ram_and_vram_mb(self) -> None:
        s = snap(3 * MiB, MiB // 2)
        self.assertEqual(s.ram_mb, 3.0)
        self.assertEqual(s.vram_mb, 0.5)
        self.assertIsNone(snap(1).vram_mb)


if __name__ == "__main__":
    unittest.main()
