"""The installed package works: pip into a venv of Debian's python3 (offline,
the README's second route) and the CMake install (the README's command),
each imported from outside the source tree and queried against this
build's library."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import hmntest
from hmntest import need

QUERY = (
    "import hypomnesis as h, json, os\n"
    "try:\n"
    "    d = h.device_info(0)\n"
    "    name, free = d.name, d.format_free()\n"
    "except h.HypomnesisError as e:\n"
    "    name, free = type(e).__name__, str(e)\n"
    "print(json.dumps({'file': h.__file__, 'lib': h.library_path, 'name': name, 'free': free,\n"
    "                  'rss': h.process_rss(), 'typed': os.path.exists(\n"
    "                  os.path.join(os.path.dirname(h.__file__), 'py.typed'))}))\n"
)


def clean_env(**extra: str) -> dict:
    """The fake H100 (where built), and no trace of the source tree or this build's library."""
    env = dict(os.environ)
    for v in ("HMN_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH", "PYTHONHOME"):
        env.pop(v, None)
    if hmntest.FAKE_NVML:
        env["HMN_NVML_LIBRARY"] = hmntest.FAKE_NVML
        env["HMN_FAKE_NVML_SCENARIO"] = os.path.join(hmntest.DATA, "nvml", "h100-3procs.scn")
        env["HMN_PROCFS"] = os.path.join(hmntest.DATA, "nvml", "proc")
    env.update(extra)
    return env


def run(cmd: list, env: dict, cwd: str, timeout: float = 240) -> str:
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}")
    return r.stdout


class Install(unittest.TestCase):
    def setUp(self) -> None:
        need("SOURCE", "WORK", "BUILD", "CMAKE", "LIBDIR", "SONAME", "VERSION")
        self.tmp = tempfile.mkdtemp(prefix="py-install-", dir=hmntest.env("WORK"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def check(self, out: str, inside: str, lib: str) -> None:
        import json

        got = json.loads(out.strip().splitlines()[-1])
        self.assertTrue(os.path.realpath(got["file"]).startswith(os.path.realpath(inside) + "/"),
                        got["file"])
        self.assertEqual(os.path.realpath(got["lib"]), os.path.realpath(lib))
        self.assertGreater(got["rss"], 0)
        if hmntest.FAKE_NVML:
            self.assertEqual(got["name"], "NVIDIA H100 80GB HBM3")
            self.assertEqual(got["free"],
                             "  GPU 0: free 61212 MB / 81559 MB [NVIDIA H100 80GB HBM3]\n")
        else:  # an RSS-only library: GPU queries say so
            self.assertEqual(got["name"], "NoGpuSourceError")
        self.assertTrue(got["typed"], "py.typed is not installed")

    def test_pip_into_a_venv(self) -> None:
        # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
        src = os.path.join(self.tmp, "src")
        shutil.copytree(os.path.join(hmntest.env("SOURCE"), "bindings", "python"), src,
                        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        venv = os.path.join(self.tmp, "venv")
        env = clean_env()
        run([sys.executable, "-m", "venv", "--system-site-packages", venv], env, self.tmp)
        py = os.path.join(venv, "bin", "python")
        run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-deps",
             "--disable-pip-version-check", "-q", src], env, self.tmp)
        # Found by its exact soname through the loader.
        out = run([py, "-c", QUERY], clean_env(LD_LIBRARY_PATH=hmntest.env("LIBDIR")), self.tmp)
        self.check(out, venv, os.path.join(hmntest.env("LIBDIR"), hmntest.env("SONAME")))
        shown = run([py, "-m", "pip", "show", "hypomnesis"], env, self.tmp)
        self.assertIn("Version: " + hmntest.env("VERSION"), shown)

    def test_cmake_install(self) -> None:
        need("PACKAGE_DIR")
        prefix = os.path.join(self.tmp, "prefix")
        cmake, build = hmntest.env("CMAKE"), hmntest.env("BUILD")
        env = clean_env()
        run([cmake, "--install", build, "--prefix", prefix], env, self.tmp)
        run([cmake, "--install", build, "--prefix", prefix, "--component", "python"], env,
            self.tmp)
        pkgdir = os.path.join(prefix, hmntest.env("PACKAGE_DIR"))
        self.assertTrue(os.path.isfile(os.path.join(pkgdir, "hypomnesis", "_install.py")))
        # No HMN_LIBRARY, no LD_LIBRARY_PATH: the install's own record finds the library.
        lib = os.path.join(prefix, "lib", hmntest.env("SONAME"))
        if not os.path.exists(lib):  # multiarch libdir
            lib = next(os.path.join(d, hmntest.env("SONAME")) for d, _, files in os.walk(prefix)
                       if hmntest.env("SONAME") in files)
        out = run([sys.executable, "-c", QUERY], clean_env(PYTHONPATH=pkgdir), self.tmp)
        self.check(out, pkgdir, lib)


if __name__ == "__main__":
    unittest.main()
