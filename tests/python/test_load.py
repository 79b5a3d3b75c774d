"""Finding and checking the library at import: exact soname, HMN_LIBRARY first,
a clear ImportError for a missing or mismatched library."""

from __future__ import annotations

import os
import unittest

import hmntest
from hmntest import need, run_python

import hypomnesis as hmn
from hypomnesis import _lib


def import_in_child(env: dict) -> "tuple[int, str]":
    """Import the package in a fresh interpreter; (exit status, output)."""
    code = ("import hypomnesis, sys\n"
            "print('LOADED', hypomnesis.library_path, hypomnesis.library_version)\n")
    r = run_python(code, env)
    return r.returncode, r.stdout + r.stderr


class Version(unittest.TestCase):
    def test_package_is_made_for_this_build(self) -> None:
        need("VERSION", "SONAME")
        self.assertEqual(hmn.__version__, hmntest.env("VERSION"))
        self.assertEqual(hmn.library_version, hmntest.env("VERSION"))
        # The soname the package asks the loader for is the one the build makes.
        self.assertEqual(_lib.library_file_names()[0], hmntest.env("SONAME"))
        self.assertEqual(os.path.realpath(hmn.library_path),
                         os.path.realpath(os.environ["HMN_LIBRARY"]))

    def test_other_releases_are_refused(self) -> None:
        for name, text in (("0_4_0", "0.4.0"), ("1_3_0", "1.3.0"), ("0_2_9", "0.2.9")):
            with self.subTest(release=text):
                need("FAKE_VERSION_" + name)
                path = hmntest.env("FAKE_VERSION_" + name)
                rc, out = import_in_child({"HMN_LIBRARY": path})
                self.assertNotEqual(rc, 0, out)
                self.assertIn("hypomnesis.errors.LibraryVersionError", out)
                self.assertIn(f"{path} is libhypomnesis {text}", out)
                self.assertIn("needs 0.3.x (every 0.x minor release has its own ABI)", out)

    def test_another_patch_level_passes_the_version_check(self) -> None:
        # 0.3.7 has this package's ABI: the check lets it through, and the
        # import then stops at the first entry point the fake lacks.
        need("FAKE_VERSION_0_3_7")
        path = hmntest.env("FAKE_VERSION_0_3_7")
        rc, out = import_in_child({"HMN_LIBRARY": path})
        self.assertNotEqual(rc, 0, out)
        self.assertNotIn("needs 0.3.x", out)
        self.assertIn(f"LibraryVersionError: {path} has no hmn_strerror: "
                      "not a complete libhypomnesis 0.3", out)

    def test_a_library_that_is_not_ours(self) -> None:
        need("FAKE_NVML")
        rc, out = import_in_child({"HMN_LIBRARY": hmntest.FAKE_NVML})
        self.assertNotEqual(rc, 0)
        self.assertIn("is not libhypomnesis (it has no hmn_version_number)", out)


class Search(unittest.TestCase):
    def test_soname_through_the_loader(self) -> None:
        need("LIBDIR", "SONAME")
        out = run_python("import hypomnesis; print(hypomnesis.library_path); "
                         "print(hypomnesis.process_rss() > 0)",
                         {"LD_LIBRARY_PATH": hmntest.env("LIBDIR")}, unset=("HMN_LIBRARY",))
        self.assertEqual(out.returncode, 0, out.stderr)
        path, ok = out.stdout.split()
        self.assertEqual(os.path.realpath(path),
                         os.path.realpath(os.path.join(hmntest.env("LIBDIR"),
                                                       hmntest.env("SONAME"))))
        self.assertEqual(ok, "True")

    def test_hmn_library_must_be_a_full_path(self) -> None:
        rc, out = import_in_child({"HMN_LIBRARY": "libhypomnesis.so.0.3"})
        self.assertNotEqual(rc, 0)
        self.assertIn("LibraryNotFoundError: HMN_LIBRARY must be a full path", out)

    def test_missing_library_says_what_was_tried(self) -> None:
        rc, out = import_in_child({"HMN_LIBRARY": "/nonexistent/libhypomnesis.so.0.3"})
        self.assertNotEqual(rc, 0)
        self.assertIn("LibraryNotFoundError: cannot load libhypomnesis 0.3.x", out)
        self.assertIn("/nonexistent/libhypomnesis.so.0.3:", out)
        self.assertTrue(issubclass(hmn.LibraryNotFoundError, ImportError))

    def test_abi_rule(self) -> None:
        self.assertEqual((_lib.ABI_MAJOR, _lib.ABI_MINOR), (0, 3))
        self.assertEqual(_lib.library_file_names(), ["libhypomnesis.so.0.3"])
        for number in (300, 301, 399):
            self.assertTrue(_lib.abi_compatible(number), number)
        for number in (299, 400, 10300, 0):
            self.assertFalse(_lib.abi_compatible(number), number)


if __name__ == "__main__":
    unittest.main()
