"""Errors: one subclass per C error code, raised with the library's detailed text."""

from __future__ import annotations

import unittest

from hmntest import scenario

import hypomnesis as hmn
from hypomnesis import _lib, errors


def c_codes() -> dict:
    """Every code the loaded library names (scanning well past the last known one)."""
    out = {}
    for code in range(-1, -200, -1):
        name = _lib.lib.hmn_err_name(code).decode()
        if name != "HMN_EUNKNOWN":
            out[code] = name
    return out


class Mapping(unittest.TestCase):
    def test_every_c_code_has_its_subclass(self) -> None:
        codes = c_codes()
        self.assertIn(-15, codes)
        self.assertEqual(set(codes), set(errors.BY_CODE), "codes without a Python class or stale")
        for code, name in codes.items():
            cls = errors.BY_CODE[code]
            with self.subTest(name=name):
                self.assertTrue(issubclass(cls, hmn.HypomnesisError))
                self.assertEqual(cls.code, code)
                self.assertEqual(cls.code_name, name)
                self.assertIs(getattr(hmn, cls.__name__), cls)  # exported at the top
                self.assertTrue(cls.__doc__ and cls.__doc__.startswith(name + ":"), cls.__doc__)
        self.assertEqual(len({c.__name__ for c in errors.BY_CODE.values()}), len(codes))

    def test_error_for(self) -> None:
        e = errors.error_for(-5, "device index 9 out of range (have 1 devices)")
        self.assertIsInstance(e, hmn.DeviceIndexOutOfRangeError)
        self.assertIsInstance(e, IndexError)
        self.assertEqual((e.code, e.code_name, str(e)),
                         (-5, "HMN_ERANGE", "device index 9 out of range (have 1 devices)"))
        unknown = errors.error_for(-999, "from the future", "HMN_EFUTURE")
        self.assertIs(type(unknown), hmn.HypomnesisError)
        self.assertEqual((unknown.code, unknown.code_name), (-999, "HMN_EFUTURE"))
        self.assertTrue(issubclass(hmn.InvalidArgumentError, ValueError))
        self.assertTrue(issubclass(hmn.LibraryVersionError, ImportError))


class Raised(unittest.TestCase):
    def test_no_gpu_source(self) -> None:
        for fn in (hmn.device_count, lambda: hmn.device_info(0), lambda: hmn.process_gpu_info(0),
                   lambda: hmn.gpu_processes(0)):
            with self.assertRaises(hmn.NoGpuSourceError) as e:
                fn()
            self.assertEqual(e.exception.code_name, "HMN_ENOGPU")
            self.assertTrue(str(e.exception).startswith("no GPU measurement source available ("),
                            str(e.exception))

    def test_out_of_range(self) -> None:
        with scenario(nvml="h100-3procs"):
            with self.assertRaises(hmn.DeviceIndexOutOfRangeError) as e:
                hmn.device_info(3)
            with hmn.Context() as ctx, self.assertRaises(hmn.DeviceIndexOutOfRangeError) as e2:
                hmn.gpu_processes(7, ctx=ctx)
        self.assertEqual(str(e.exception), "device index 3 out of range (have 1 devices)")
        self.assertEqual(e.exception.message, str(e.exception))
        self.assertEqual(str(e2.exception), "device index 7 out of range (have 1 devices)")

    def test_not_found_permission_and_argument(self) -> None:
        with scenario(nvml="h100-3procs"), self.assertRaises(hmn.NotFoundError) as e:
            hmn.process_gpu_info(0)  # the caller has no row on this device
        self.assertEqual(str(e.exception), "NVML lists no GPU memory for this process")
        with scenario(nvml="denied"), self.assertRaises(hmn.PermissionDeniedError) as e2:
            hmn.device_info(1)
        self.assertIn("Insufficient Permissions", str(e2.exception))
        with self.assertRaises(hmn.InvalidArgumentError):
            hmn.device_info(-1)
        with self.assertRaises(hmn.InvalidArgumentError):
            hmn.device_info(1 << 32)
        with self.assertRaises(TypeError):
            hmn.device_info("0")  # type: ignore[arg-type]

    def test_snapshot_survives_gpu_failures(self) -> None:
        # GPU failures never become errors of a snapshot (upstream): RAM is there.
        with scenario(nvml="denied"):
            s = hmn.Snapshot.now(1)
        self.assertIsNone(s.gpu_device)
        self.assertGreater(s.ram_bytes, 0)

    def test_message_of_one_shot_calls_is_per_call(self) -> None:
        with scenario(nvml="h100-3procs"):
            for i in (4, 5, 6):
                with self.assertRaises(hmn.DeviceIndexOutOfRangeError) as e:
                    hmn.device_info(i)
                self.assertIn(f"device index {i} ", str(e.exception))


if __name__ == "__main__":
    unittest.main()
