"""bench_python.py [CALLS] [RUNS] [IMPORT_RUNS] [MEASURE_CALLS] - the Python package, side by side.

1. Own-RSS read per call: hypomnesis.process_rss(ctx=...) against psutil
   (a new psutil.Process() per call, and a kept one), the one-shot
   hypomnesis.process_rss() and the bare ctypes call under the package as
   the floor.  CALLS calls per method and run, methods interleaved run by
   run; the table gives the median over RUNS of each run's mean.
2. measure() enter + exit (the sampler opened, a sample on entry, its
   thread started, stopped and joined, a sample on exit, the figures read,
   the sampler closed): on a kept context, RAM only and with devices="all"
   (GPU-less here: no device rows), and with a context of its own per block;
   against a before/after pair of rss_info(ctx=...) reads, the manual way.
   MEASURE_CALLS blocks per method and run, interleaved, median over RUNS.
3. Import time: `python3 -X importtime -c "import hypomnesis"` (the
   package's own cumulative import time, as the interpreter reports it) and
   the wall time of a whole `python3 -c "import ..."` process against
   `python3 -c pass` and `import psutil`, interleaved, IMPORT_RUNS each.

Run from the source tree with the library of a build:
    HMN_LIBRARY=$PWD/build/src/libhypomnesis.so.0.3 /usr/bin/python3 bench/bench_python.py
(the defaults: 20000 9 30 200).
"""

from __future__ import annotations

import ctypes
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(HERE, "..", "bindings", "python")
sys.path.insert(0, PKG)
# GPU-less: the RSS path must not depend on what this machine has.
os.environ.setdefault("HMN_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1")
os.environ.setdefault("HMN_NVIDIA_SMI", "/nonexistent/nvidia-smi")

import psutil  # noqa: E402

import hypomnesis  # noqa: E402
from hypomnesis import _lib  # noqa: E402


def per_call_ns(fn: Callable[[], object], calls: int) -> float:
    t0 = time.perf_counter_ns()
    for _ in range(calls):
        fn()
    return (time.perf_counter_ns() - t0) / calls


def rss_table(calls: int, runs: int) -> None:
    ctx = hypomnesis.Context()
    kept = psutil.Process()
    handle = ctx._handle
    out = ctypes.c_uint64()
    ref = ctypes.byref(out)
    raw = _lib.lib.hmn_process_rss
    methods: Dict[str, Callable[[], object]] = {
        "hypomnesis.process_rss(ctx=ctx)": lambda: hypomnesis.process_rss(ctx=ctx),
        "psutil.Process().memory_info().rss": lambda: psutil.Process().memory_info().rss,
        "p.memory_info().rss (p = psutil.Process() kept)": lambda: kept.memory_info().rss,
        "hypomnesis.process_rss() (one-shot, no context)": lambda: hypomnesis.process_rss(),
        "floor: bare ctypes hmn_process_rss(ctx, &out)": lambda: raw(handle, ref),
    }
    # Same answer from each (within the noise of a live process).
    a, b = hypomnesis.process_rss(ctx=ctx), kept.memory_info().rss
    assert abs(a - b) <= 0.01 * b, (a, b)
    results: Dict[str, List[float]] = {k: [] for k in methods}
    for fn in methods.values():
        per_call_ns(fn, max(1, calls // 10))  # warm up
    for _ in range(runs):
        for name, fn in methods.items():
            results[name].append(per_call_ns(fn, calls))
    ctx.close()
    base = statistics.median(results["hypomnesis.process_rss(ctx=ctx)"])
    print(f"own RSS, {calls} calls x {runs} runs per method, interleaved\n")
    print("| method | median ns/call | ratio to hypomnesis(ctx) |")
    print("|---|---:|---:|")
    for name, values in results.items():
        m = statistics.median(values)
        print(f"| `{name}` | {m:.0f} | {m / base:.2f}x |")


def measure_table(calls: int, runs: int) -> None:
    ctx = hypomnesis.Context()

    def block(**kw: object) -> None:
        with hypomnesis.measure(interval=1, **kw) as m:  # type: ignore[arg-type]
            pass
        assert m.samples >= 2, m.samples

    def manual() -> None:
        hypomnesis.rss_info(ctx=ctx)
        hypomnesis.rss_info(ctx=ctx)

    methods: Dict[str, Callable[[], object]] = {
        "measure(devices=None, ctx=ctx)": lambda: block(devices=None, ctx=ctx),
        "measure(devices=None, children=False, ctx=ctx)":
            lambda: block(devices=None, children=False, ctx=ctx),
        "measure(ctx=ctx) (devices=\"all\", none here)": lambda: block(ctx=ctx),
        "measure() (a context of its own per block)": lambda: block(),
        "reference: rss_info(ctx=ctx) twice": manual,
    }
    results: Dict[str, List[float]] = {k: [] for k in methods}
    for fn in methods.values():
        per_call_ns(fn, max(1, calls // 10))  # warm up
    for _ in range(runs):
        for name, fn in methods.items():
            results[name].append(per_call_ns(fn, calls))
    ctx.close()
    procs = sum(1 for n in os.listdir("/proc") if n.isdigit()) if os.path.isdir("/proc") else 0
    print(f"\nmeasure() enter + exit of an empty block, {calls} blocks x {runs} runs per method, "
          f"interleaved ({procs} processes on this machine: the tree is found in all of them)\n")
    print("| method | median us/block |")
    print("|---|---:|")
    for name, values in results.items():
        print(f"| `{name}` | {statistics.median(values) / 1000:.1f} |")


def import_table(runs: int) -> None:
    py = sys.executable
    env = dict(os.environ)
    env["PYTHONPATH"] = PKG
    # Bytecode compiled once into a scratch cache (as an install has it), never the tree.
    cache = tempfile.TemporaryDirectory(prefix="hmn-bench-pycache-")
    env["PYTHONPYCACHEPREFIX"] = cache.name
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([py, "-c", "import hypomnesis, psutil"], env=env, check=True)
    cmds = {
        "python3 -c pass": "pass",
        "python3 -c 'import hypomnesis'": "import hypomnesis",
        "python3 -c 'import psutil'": "import psutil",
    }
    walls: Dict[str, List[float]] = {k: [] for k in cmds}
    own: List[int] = []
    for _ in range(runs):
        for name, code in cmds.items():
            t0 = time.perf_counter()
            subprocess.run([py, "-c", code], env=env, check=True)
            walls[name].append((time.perf_counter() - t0) * 1000)
        r = subprocess.run([py, "-X", "importtime", "-c", "import hypomnesis"], env=env,
                           check=True, stderr=subprocess.PIPE, text=True)
        for line in r.stderr.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == "hypomnesis":
                own.append(int(parts[1]))
    base = statistics.median(walls["python3 -c pass"])
    print(f"\nimport, {runs} runs each, interleaved\n")
    print("| command | median wall ms | minus `python3 -c pass` |")
    print("|---|---:|---:|")
    for name, values in walls.items():
        m = statistics.median(values)
        print(f"| `{name}` | {m:.1f} | {m - base:+.1f} |")
    print(f"\n`-X importtime` cumulative for `hypomnesis` (loads and checks the library): "
          f"median {statistics.median(own) / 1000:.2f} ms, min {min(own) / 1000:.2f} ms")
    cache.cleanup()


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    import_runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    measure_calls = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    print(f"hypomnesis {hypomnesis.__version__} ({hypomnesis.library_path}), "
          f"psutil {psutil.__version__}, Python {sys.version.split()[0]}\n")
    rss_table(calls, runs)
    measure_table(measure_calls, runs)
    import_table(import_runs)


if __name__ == "__main__":
    main()
