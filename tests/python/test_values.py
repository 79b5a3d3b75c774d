"""The value types: immutable records with equality, hashing, pickling and
to_dict(); constructors whose parameters are exactly the fields; and an
import that stays light (no typing, dataclasses, re or inspect)."""

from __future__ import annotations

import inspect
import json
import pickle
import unittest

from hmntest import run_python

import hypomnesis as hmn

VALUES = (hmn.RssInfo, hmn.GpuDeviceInfo, hmn.ProcessGpuInfo, hmn.GpuProcessEntry,
          hmn.SourceReport, hmn.Snapshot, hmn.MemoryReport, hmn.Measurement, hmn.RamPeak,
          hmn.ProcessPeak, hmn.GpuPeak, hmn.GpuHolder, hmn.PeakMethods)


def sample() -> hmn.MemoryReport:
    dev = hmn.GpuDeviceInfo(0, "G", 8 << 30, 6 << 30, 2 << 30, None, "550.1", "nvml",
                            vendor="nvidia")
    b = hmn.Snapshot(100, hmn.ProcessGpuInfo(5, True, "nvml"), dev)
    return hmn.MemoryReport(b, hmn.Snapshot(200, None, None, device_index=1, peak_ram_bytes=300))


class Records(unittest.TestCase):
    def test_constructor_parameters_are_the_fields(self) -> None:
        for cls in VALUES:
            with self.subTest(cls=cls.__name__):
                params = list(inspect.signature(cls.__init__).parameters)[1:]
                self.assertEqual(params, list(cls.__slots__))

    def test_read_only(self) -> None:
        r = sample()
        with self.assertRaises(AttributeError):
            r.before.ram_bytes = 1  # type: ignore[misc]
        with self.assertRaises(AttributeError):
            del r.after
        with self.assertRaises(AttributeError):
            r.before.extra = 1  # type: ignore[attr-defined]

    def test_equality_hash_pickle(self) -> None:
        a, b = sample(), sample()
        self.assertEqual(a, b)
        self.assertEqual(hash(a), hash(b))
        self.assertNotEqual(a.before, a.after)
        self.assertNotEqual(hmn.ProcessGpuInfo(1, True, "nvml"), (1, True, "nvml"))
        self.assertEqual(pickle.loads(pickle.dumps(a)), a)

    def test_to_dict_is_json(self) -> None:
        d = sample().to_dict()
        self.assertEqual(d["before"]["gpu"], {"used_bytes": 5, "is_per_process": True,
                                              "source": "nvml"})
        self.assertEqual(d["before"]["gpu_device"]["vendor"], "nvidia")
        self.assertIsNone(d["after"]["gpu"])
        self.assertEqual(json.loads(json.dumps(d)), d)
        e = hmn.GpuProcessEntry(7, "x", None, kinds=("compute", "graphics"))
        self.assertEqual(e.to_dict()["kinds"], ["compute", "graphics"])
        self.assertIsNone(e.to_dict()["used_bytes"])

    def test_measurement_records(self) -> None:
        def make() -> hmn.Measurement:
            ram = hmn.RamPeak(300, "sampled", 0.25, 300, (hmn.ProcessPeak(7, "py", None),))
            gpu = hmn.GpuPeak(0, "G", None, 5, "sampled", 0.5, 5, 9, 1, (hmn.GpuHolder(8, None, 4),))
            return hmn.Measurement(1.0, 100, 12, ram, (gpu,))
        a = make()
        self.assertEqual(a, make())
        self.assertEqual(hash(a), hash(make()))
        self.assertEqual(pickle.loads(pickle.dumps(a)), a)
        d = a.to_dict()
        self.assertEqual(list(d), ["wall_seconds", "interval_ms", "samples", "ram", "gpus"])
        self.assertEqual(d["ram"]["processes"], [{"pid": 7, "name": "py", "peak_bytes": None}])
        self.assertEqual(d["gpus"][0]["others_at_peak"], [{"pid": 8, "name": None, "used_bytes": 4}])
        self.assertIsNone(d["gpus"][0]["uuid"])
        self.assertEqual(json.loads(json.dumps(d)), d)
        m = hmn.PeakMethods("sampled", {0: "nvml-accounting"})
        self.assertEqual(hash(m), hash(hmn.PeakMethods("sampled", {0: "nvml-accounting"})))
        self.assertNotEqual(m, hmn.PeakMethods("sampled", {0: "sampled"}))

    def test_repr(self) -> None:
        self.assertEqual(repr(hmn.ProcessGpuInfo(1, False, "nvidia-smi")),
                         "ProcessGpuInfo(used_bytes=1, is_per_process=False, source='nvidia-smi')")


class LightImport(unittest.TestCase):
    def test_import_pulls_in_no_heavy_module(self) -> None:
        r = run_python("import sys\nbefore = set(sys.modules)\nimport hypomnesis\n"
                       "print(' '.join(sorted(set(sys.modules) - before)))")
        self.assertEqual(r.returncode, 0, r.stderr)
        loaded = set(r.stdout.split())
        self.assertIn("ctypes", loaded)
        for heavy in ("typing", "dataclasses", "re", "inspect", "threading", "enum"):
            self.assertNotIn(heavy, loaded)


if __name__ == "__main__":
    unittest.main()
