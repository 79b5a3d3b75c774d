"""measure(): the peaks of a block of code over the C sampler, against real
allocations (this process, a child, a grandchild) and the fake NVML with a
scenario that changes during the block (HMN_FAKE_NVML_RELOAD=1)."""

from __future__ import annotations

import json
import mmap
import os
import subprocess
import sys
import tempfile
import time
import unittest
from typing import Any, Dict

import hmntest
from hmntest import need, scenario

import hypomnesis as hmn

MiB = 1024 * 1024

# Field names of `hmn run --json` (issue of the run command) that measure() shares.
TOP_KEYS = ["wall_seconds", "interval_ms", "samples", "ram", "gpus"]
RAM_KEYS = ["peak_bytes", "peak_method", "peak_at_seconds", "sampled_peak_bytes", "processes"]
PROC_KEYS = ["pid", "name", "peak_bytes"]
GPU_KEYS = ["index", "name", "uuid", "peak_bytes", "peak_method", "peak_at_seconds",
            "sampled_peak_bytes", "device_used_peak_bytes", "device_free_min_bytes",
            "others_at_peak"]
OTHER_KEYS = ["pid", "name", "used_bytes"]


def touch(n: int) -> bytearray:
    """n bytes, every page written (resident, not only reserved)."""
    b = bytearray(n)
    b[::4096] = b"\1" * len(b[::4096])
    return b


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def check_keys(test: unittest.TestCase, d: Dict[str, Any]) -> None:
    test.assertEqual(list(d), TOP_KEYS)
    test.assertEqual(list(d["ram"]), RAM_KEYS)
    for p in d["ram"]["processes"]:
        test.assertEqual(list(p), PROC_KEYS)
    for g in d["gpus"]:
        test.assertEqual(list(g), GPU_KEYS)
        for o in g["others_at_peak"]:
            test.assertEqual(list(o), OTHER_KEYS)
    test.assertEqual(json.loads(json.dumps(d, allow_nan=False)), d)


class Ram(unittest.TestCase):
    """The calling process and its descendants, read from the real /proc."""

    def setUp(self) -> None:
        self.env = scenario(procfs="/proc")  # the tree is this machine's processes
        self.env.__enter__()
        self.addCleanup(self.env.__exit__, None, None, None)

    def test_catches_an_allocation_freed_inside_the_block(self) -> None:
        # 200 MiB of anonymous memory, every page written, unmapped before the
        # block ends (mmap, so no allocator, ASan's included, keeps it): only
        # the background thread's samples can have seen it.
        with hmn.Context() as ctx:
            before = hmn.process_rss(ctx=ctx)
            with hmn.measure(interval=0.02, devices=None, ctx=ctx) as m:
                hold = mmap.mmap(-1, 200 * MiB)
                hold[::4096] = b"\1" * len(range(0, len(hold), 4096))
                time.sleep(0.3)  # many intervals: the background thread sees it
                hold.close()
                time.sleep(0.1)
                inside = m.samples
                self.assertTrue(m.running)
            after = hmn.process_rss(ctx=ctx)
        self.assertFalse(m.running)
        self.assertGreater(inside, 2, "the background thread took no sample")
        self.assertGreaterEqual(m.ram_peak_bytes, before + 190 * MiB, (before, m.ram_peak_bytes))
        self.assertLess(after, m.ram_peak_bytes - 150 * MiB, "the mapping was not given back")
        self.assertEqual(m.methods.ram, "sampled")
        self.assertEqual(m.methods.gpu, {})
        self.assertEqual(m.gpu_peak_bytes, {})
        r = m.result
        self.assertEqual(r.ram.sampled_peak_bytes, r.ram.peak_bytes)
        self.assertGreater(r.ram.peak_at_seconds, 0)  # not the entry sample
        self.assertLess(r.ram.peak_at_seconds, r.wall_seconds)  # nor the exit one
        self.assertGreaterEqual(r.wall_seconds, 0.35)
        self.assertEqual(r.interval_ms, 20)
        me = [p for p in r.ram.processes if p.pid == os.getpid()]
        self.assertEqual(len(me), 1, r.ram.processes)
        self.assertEqual(me[0].name, _comm(os.getpid()))
        self.assertGreaterEqual(me[0].peak_bytes, before + 190 * MiB)  # VmHWM, exact
        self.assertGreater(m.samples, inside)  # the exit sample
        frozen = m.samples
        time.sleep(0.06)
        self.assertEqual(m.samples, frozen)

    def test_entry_and_exit_samples(self) -> None:
        # An interval far longer than the block: the entry and exit samples alone
        # see it, and the exit does not wait for the interval (prompt stop).
        before = hmn.process_rss()
        t0 = time.monotonic()
        with hmn.measure(interval=30, devices=None) as m:
            self.assertIn(m.samples, (1, 2))  # the entry sample (and the thread's first)
            hold = touch(64 * MiB)
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, 10, "leaving the block waited for the interval")
        self.assertIn(m.samples, (2, 3))
        self.assertGreaterEqual(m.ram_peak_bytes, before + 60 * MiB)
        del hold

    def test_children_are_followed(self) -> None:
        # A child that starts a grandchild allocating 150 MiB for a while.
        grand = ("import time\nb = bytearray(150 << 20)\nb[::4096] = b'\\1' * len(b[::4096])\n"
                 "time.sleep(0.6)\n")
        child = ("import os, subprocess, sys\n"
                 f"p = subprocess.Popen([sys.executable, '-c', {grand!r}])\n"
                 "print(os.getpid(), p.pid, flush=True)\np.wait()\n")
        found = {}
        for children in (True, False):
            with self.subTest(children=children):
                before = hmn.process_rss()
                with hmn.measure(interval=0.02, devices=None, children=children) as m:
                    out = subprocess.run([sys.executable, "-c", child], stdout=subprocess.PIPE,
                                         text=True, env=hmntest.python_env(), timeout=60,
                                         check=True).stdout
                cpid, gpid = (int(x) for x in out.split())
                pids = {p.pid: p for p in m.result.ram.processes}
                self.assertEqual(len(pids), len(m.result.ram.processes), "a process listed twice")
                found[children] = (cpid, gpid, pids, before, m.ram_peak_bytes)
        cpid, gpid, pids, before, peak = found[True]
        self.assertIn(os.getpid(), pids)
        self.assertIn(cpid, pids)
        self.assertIn(gpid, pids)
        self.assertGreaterEqual(pids[gpid].peak_bytes, 150 * MiB)  # its own VmHWM
        self.assertEqual(pids[gpid].name, "python3")
        self.assertGreaterEqual(peak, before + 140 * MiB)  # the tree's sampled sum
        cpid, gpid, pids, before, peak = found[False]
        self.assertEqual(list(pids), [os.getpid()])
        self.assertLess(peak, before + 100 * MiB)

    def test_an_exited_child_is_one_member(self) -> None:
        # A grandchild that exits and stays a zombie until its parent waits: it
        # was one process, so it is one entry, with the figures read while it ran.
        child = ("import subprocess, sys, time\n"
                 "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(0.2)'])\n"
                 "time.sleep(0.6)\n"  # the grandchild exits at 0.2 s, reaped at 0.6 s
                 "print(p.pid, flush=True)\np.wait()\n")
        with hmn.measure(interval=0.02, devices=None) as m:
            gpid = int(subprocess.run([sys.executable, "-c", child], stdout=subprocess.PIPE,
                                      text=True, env=hmntest.python_env(), timeout=60,
                                      check=True).stdout)
        mine = [p for p in m.result.ram.processes if p.pid == gpid]
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0].name, "python3")
        self.assertIsNotNone(mine[0].peak_bytes)

    def test_other_root(self) -> None:
        p = subprocess.Popen([sys.executable, "-c", "import sys\nb = bytearray(80 << 20)\n"
                              "b[::4096] = b'\\1' * len(b[::4096])\nprint(flush=True)\n"
                              "sys.stdin.read()\n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             env=hmntest.python_env())
        try:
            p.stdout.readline()  # type: ignore[union-attr]
            with hmn.measure(interval=0.02, devices=None, pid=p.pid) as m:
                time.sleep(0.05)
        finally:
            p.stdin.close()  # type: ignore[union-attr]
            p.wait(30)
        pids = [q.pid for q in m.result.ram.processes]
        self.assertEqual(pids, [p.pid])
        self.assertGreaterEqual(m.ram_peak_bytes, 80 * MiB)

    def test_to_dict_has_the_run_command_keys(self) -> None:
        with hmn.measure(interval=0.02) as m:
            touch(8 * MiB)
        d = m.to_dict()
        check_keys(self, d)
        self.assertEqual(d["ram"]["peak_method"], "sampled")
        self.assertEqual(d["gpus"], [])  # no GPU source here: nothing, not zeros
        self.assertEqual(d["samples"], m.samples)
        self.assertEqual(d["interval_ms"], 20)
        self.assertEqual(hmn.Measurement(**{k: getattr(m.result, k) for k in TOP_KEYS}), m.result)

    def test_stopped_on_exception(self) -> None:
        base = threads()
        m = hmn.measure(interval=0.02, devices=None)
        with self.assertRaises(KeyError):
            with m:
                self.assertEqual(threads(), base + 1)  # the sampler's own thread
                time.sleep(0.05)
                raise KeyError("from the block")
        self.assertFalse(m.running)
        self.assertEqual(threads(), base)
        frozen = m.samples
        self.assertGreaterEqual(frozen, 2)
        time.sleep(0.06)
        self.assertEqual(m.samples, frozen)
        check_keys(self, m.to_dict())

    def test_same_names_as_hmn_run(self) -> None:
        run = hmn_run_json(self)
        with hmn.measure(interval=0.02) as m:
            pass
        same_names(self, m.to_dict(), run)


RUN_ONLY = ("command", "exit_code", "signal", "oom")  # what belongs to a command


def hmn_run_json(test: unittest.TestCase) -> Dict[str, Any]:
    """`hmn run --json` of a short python3 child, in this environment; skips
    where this build's hmn has no run command."""
    need("CLI")
    cli = hmntest.env("CLI")
    probe = subprocess.run([cli, "run", "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
    if probe.returncode != 0:
        test.skipTest("this hmn has no run command")
    with tempfile.TemporaryDirectory(dir=hmntest.env("WORK") or None) as tmp:
        out = os.path.join(tmp, "run.json")
        subprocess.run([cli, "run", "--quiet", "--interval", "20ms", "--json", out, "--",
                        sys.executable, "-c", "import time; time.sleep(0.1)"], timeout=60,
                       check=True, env=dict(os.environ))
        with open(out) as f:
            doc: Dict[str, Any] = json.load(f)
    return doc


def same_names(test: unittest.TestCase, mine: Dict[str, Any], run: Dict[str, Any]) -> None:
    """measure()'s keys are hmn run's, in its order, at every level both have."""
    test.assertEqual(list(mine), [k for k in run if k not in RUN_ONLY])
    test.assertEqual(list(mine["ram"]), list(run["ram"]))
    test.assertEqual(list(mine["ram"]["processes"][0]), list(run["ram"]["processes"][0]))
    test.assertEqual(len(mine["gpus"]), len(run["gpus"]))
    for a, b in zip(mine["gpus"], run["gpus"]):
        test.assertEqual(list(a), list(b))
        for x, y in zip(a["others_at_peak"], b["others_at_peak"]):
            test.assertEqual(list(x), list(y))


def _comm(pid: int) -> str:
    with open(f"/proc/{pid}/comm") as f:
        return f.read().rstrip("\n")


# ---------------------------------------------------------------- GPU
DEVICE = ('device name="NVIDIA H100 80GB HBM3" uuid=GPU-11111111-2222-3333-4444-555555555555 '
          "pci=00000000:00:09.0 total=81559MiB reserved=529MiB used={used}MiB mig=off\n")


def phase(self_mib: int, others: Dict[int, int], used_mib: int, extra: str = "",
          accounting: str = "") -> str:
    rows = "".join(f"proc pid={pid} used={mib}MiB kinds=compute\n" for pid, mib in others.items())
    device = DEVICE.format(used=used_mib)
    if accounting:
        device = device.replace("mig=off", f"mig=off accounting={accounting}")
    return ("driver 550.54.15\nnvml 12.550.54.15\ncuda 12040\n" + device
            + f"proc pid=self used={self_mib}MiB kinds=compute\n" + rows + extra)


class Scenario:
    """A fake-NVML scenario file that is replaced atomically (rename) during a block."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, "live.scn")
        self.n = 0

    def write(self, text: str) -> None:
        tmp = f"{self.path}.{self.n}"
        self.n += 1
        with open(tmp, "w") as f:
            # Every version a different size: a change even when an inode and an mtime repeat.
            f.write(f"# version {self.n} {'x' * self.n}\n" + text)
        os.rename(tmp, self.path)


class Gpu(unittest.TestCase):
    def setUp(self) -> None:
        need("FAKE_NVML")
        tmp = tempfile.TemporaryDirectory(dir=hmntest.env("WORK") or None)
        self.addCleanup(tmp.cleanup)
        self.scn = Scenario(tmp.name)
        self.scn.write(phase(100, {4242: 1024}, 1124))
        self.env = scenario(nvml="self", procfs="/proc")
        self.env.__enter__()
        self.addCleanup(self.env.__exit__, None, None, None)
        os.environ["HMN_FAKE_NVML_SCENARIO"] = self.scn.path
        os.environ["HMN_FAKE_NVML_RELOAD"] = "1"

    def wait_for(self, m: hmn.measure, index: int, used: int) -> None:
        """Until a sample of the running block has seen the tree at `used` bytes."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if m.gpu_peak_bytes.get(index) == used:
                time.sleep(0.1)  # a few more samples of this phase
                return
            time.sleep(0.01)
        self.fail(f"the sampler never saw {used} bytes: {m.to_dict()}")

    def test_peak_of_a_scenario_that_changes(self) -> None:
        total, reserved = 81559 * MiB, 529 * MiB
        with hmn.measure(interval=0.02) as m:
            self.assertEqual(m.gpu_peak_bytes, {0: 100 * MiB})  # the entry sample
            # The tree grows to 900 MiB while another process arrives...
            self.scn.write(phase(900, {4242: 1024, 5151: 2048}, 3972))
            self.wait_for(m, 0, 900 * MiB)
            # ... and shrinks again; the device is busier than ever but the tree is not.
            self.scn.write(phase(300, {4242: 1024, 6161: 9000}, 10324))
            deadline = time.monotonic() + 10
            while m.result.gpus[0].device_used_peak_bytes != 10324 * MiB:
                self.assertLess(time.monotonic(), deadline, m.to_dict())
                time.sleep(0.01)
        g = m.result.gpus[0]
        self.assertEqual(m.gpu_peak_bytes, {0: 900 * MiB})
        self.assertEqual(m.methods.gpu, {0: "sampled"})
        self.assertEqual(g.peak_method, "sampled")
        self.assertEqual(g.sampled_peak_bytes, 900 * MiB)
        self.assertEqual((g.index, g.name, g.uuid),
                         (0, "NVIDIA H100 80GB HBM3", "GPU-11111111-2222-3333-4444-555555555555"))
        self.assertEqual(g.device_used_peak_bytes, 10324 * MiB)
        self.assertEqual(g.device_free_min_bytes, total - reserved - 10324 * MiB)
        # The thread's first sample may fall in the first millisecond (0.0 s) and
        # already read the new phase: only the order of the times is certain.
        self.assertGreaterEqual(g.peak_at_seconds, 0)
        self.assertLessEqual(g.peak_at_seconds, m.result.wall_seconds)
        # Who held the card at the tree's peak: the two others of that phase, not 6161.
        self.assertEqual({(o.pid, o.used_bytes) for o in g.others_at_peak},
                         {(4242, 1024 * MiB), (5151, 2048 * MiB)})
        d = m.to_dict()
        check_keys(self, d)
        self.assertEqual(d["gpus"][0]["peak_bytes"], 900 * MiB)

    def test_same_names_as_hmn_run(self) -> None:
        run = hmn_run_json(self)  # the card as the fake shows it to another process
        with hmn.measure(interval=0.02) as m:
            pass
        self.assertEqual(len(run["gpus"]), 1, run)
        self.assertTrue(run["gpus"][0]["others_at_peak"], run)
        same_names(self, m.to_dict(), run)

    def test_a_shared_context_keeps_its_callers_messages(self) -> None:
        # The sampler's thread queries the same context between the caller's calls.
        deadline = time.monotonic() + 20
        with hmn.Context() as ctx, hmn.measure(interval=0.01, ctx=ctx) as m:
            calls = 0
            while m.samples < 20 or calls < 200:
                self.assertLess(time.monotonic(), deadline)
                with self.assertRaises(hmn.DeviceIndexOutOfRangeError) as e:
                    hmn.device_info(7, ctx=ctx)
                self.assertEqual(str(e.exception), "device index 7 out of range (have 1 devices)")
                self.assertEqual(hmn.device_info(0, ctx=ctx).name, "NVIDIA H100 80GB HBM3")
                calls += 1

    def test_one_device_and_ram_only(self) -> None:
        with hmn.measure(interval=0.02, devices=0) as m:
            pass
        self.assertEqual(list(m.gpu_peak_bytes), [0])
        with hmn.measure(interval=0.02, devices=None) as m2:
            pass
        self.assertEqual(m2.gpu_peak_bytes, {})
        self.assertIsNotNone(m2.ram_peak_bytes)

    def test_accounting_peak_where_the_driver_keeps_one(self) -> None:
        # Accounting mode already on, with a per-PID record for this process:
        # the driver's exact maxMemoryUsage is the peak, the sampled sum stays too.
        self.scn.write(phase(100, {4242: 1024}, 1124, "acct pid=self max=1500MiB running=1\n",
                             accounting="on"))
        with hmn.measure(interval=0.02) as m:
            time.sleep(0.05)
        g = m.result.gpus[0]
        self.assertEqual(m.methods.gpu, {0: "nvml-accounting"})
        self.assertEqual(g.peak_bytes, 1500 * MiB)
        self.assertEqual(g.sampled_peak_bytes, 100 * MiB)
        self.assertIsNone(g.peak_at_seconds)  # the driver's figure has no time

    def test_device_out_of_range(self) -> None:
        with self.assertRaises(hmn.DeviceIndexOutOfRangeError) as e:
            with hmn.measure(devices=3):
                self.fail("entered a block for a device that does not exist")
        self.assertIn("3", str(e.exception))


class Drm(unittest.TestCase):
    """An AMD card through DRM fdinfo: a /proc tree of our own (a launcher, its
    child and grandchild sharing one DRM client, and an outsider), changed
    while the block runs, over the fixture's /sys."""

    def setUp(self) -> None:
        if hmntest.ALL_OFF:
            self.skipTest("DRM backend compiled out")
        need("DATA")
        tmp = tempfile.TemporaryDirectory(dir=hmntest.env("WORK") or None)
        self.addCleanup(tmp.cleanup)
        self.proc = os.path.join(tmp.name, "proc")
        for pid, ppid, start, name in ((100, 1, 500, "launcher"), (101, 100, 600, "render"),
                                       (102, 101, 700, "forked"), (200, 1, 50, "desktop")):
            self.put_proc(pid, ppid, start, name)
        # 101 and 102 hold the same client 300 (a fork): counted once.
        self.put_client(101, 3, 300, 12288)
        self.put_client(102, 3, 300, 12288)
        self.put_client(200, 5, 400, 1024)
        self.env = scenario(drm="multi", procfs=self.proc)
        self.env.__enter__()
        self.addCleanup(self.env.__exit__, None, None, None)

    def write(self, rel: str, text: str) -> None:
        path = os.path.join(self.proc, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)

    def put_proc(self, pid: int, ppid: int, start: int, name: str) -> None:
        self.write(f"{pid}/stat", f"{pid} ({name}) S {ppid} {pid} {pid} 0 -1 4194560 100 0 0 0 1 "
                   f"2 0 0 20 0 1 0 {start} 1000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 "
                   "17 3 0 0 0 0 0\n")
        self.write(f"{pid}/status", f"Name:\t{name}\nState:\tS (sleeping)\nTgid:\t{pid}\n"
                   f"Pid:\t{pid}\nPPid:\t{ppid}\nVmHWM:\t    2000 kB\nVmRSS:\t    1000 kB\n")
        self.write(f"{pid}/comm", name + "\n")

    def put_client(self, pid: int, fd: int, client: int, vram_kib: int) -> None:
        link = os.path.join(self.proc, str(pid), "fd", str(fd))
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if not os.path.islink(link):
            os.symlink("/dev/dri/renderD128", link)
        self.write(f"{pid}/fdinfo/{fd}",
                   "pos:\t0\nflags:\t02100002\nmnt_id:\t24\ndrm-driver:\tamdgpu\n"
                   f"drm-client-id:\t{client}\ndrm-pdev:\t0000:08:00.0\n"
                   f"drm-total-vram:\t{vram_kib} KiB\ndrm-resident-vram:\t{vram_kib} KiB\n"
                   "drm-total-gtt:\t0 KiB\ndrm-resident-gtt:\t0 KiB\n")

    def test_tree_on_an_amd_card(self) -> None:
        with hmn.measure(interval=0.02, devices=0, pid=100) as m:
            self.assertEqual(m.gpu_peak_bytes, {0: 12288 * 1024})  # one shared client, once
            self.put_client(101, 3, 300, 40960)  # the client grows
            self.put_client(102, 3, 300, 40960)
            deadline = time.monotonic() + 10
            while m.gpu_peak_bytes[0] != 40960 * 1024:
                self.assertLess(time.monotonic(), deadline, m.to_dict())
                time.sleep(0.01)
        g = m.result.gpus[0]
        self.assertEqual(g.peak_method, "sampled")
        self.assertEqual(g.sampled_peak_bytes, 40960 * 1024)
        self.assertEqual(g.device_used_peak_bytes, 536870912)  # the fixture's sysfs figure
        self.assertEqual([(o.pid, o.name, o.used_bytes) for o in g.others_at_peak],
                         [(200, "desktop", 1024 * 1024)])
        self.assertEqual(sorted(p.pid for p in m.result.ram.processes), [100, 101, 102])
        self.assertEqual({p.peak_bytes for p in m.result.ram.processes}, {2000 * 1024})
        self.assertEqual(m.ram_peak_bytes, 3 * 1000 * 1024)  # three members of 1000 kB each


# ---------------------------------------------------------------- errors
class Errors(unittest.TestCase):
    def test_bad_arguments(self) -> None:
        for interval in (0.001, 0, -1, float("nan"), float("inf")):
            with self.subTest(interval=interval), self.assertRaises(hmn.InvalidArgumentError):
                hmn.measure(interval=interval)
        with self.assertRaises(TypeError):
            hmn.measure(interval="1")  # type: ignore[arg-type]
        for devices in ("gpu0", "ALL", -1, 1 << 32):
            with self.subTest(devices=devices), self.assertRaises(hmn.InvalidArgumentError):
                hmn.measure(devices=devices)  # type: ignore[arg-type]
        with self.assertRaises(hmn.InvalidArgumentError):
            hmn.measure(pid=-5)
        with self.assertRaises(TypeError):
            hmn.measure(ctx="ctx")  # type: ignore[arg-type]
        self.assertEqual(hmn.measure(interval=0.01).interval_ms, 10)

    def test_errors_are_the_package_classes(self) -> None:
        with scenario(procfs="/proc"):
            with self.assertRaises(hmn.HypomnesisError) as e:
                with hmn.measure(pid=0x7FFFFFF0, devices=None):
                    pass
        self.assertIsInstance(e.exception, hmn.NotFoundError)
        self.assertEqual(e.exception.code_name, "HMN_ENOENT")
        self.assertTrue(str(e.exception))

    def test_entered_once_and_read_after_start(self) -> None:
        m = hmn.measure(devices=None)
        with self.assertRaises(hmn.InvalidArgumentError):
            m.samples
        with scenario(procfs="/proc"):
            with m:
                with self.assertRaises(hmn.InvalidArgumentError):
                    m.__enter__()
            with self.assertRaises(hmn.InvalidArgumentError):
                with m:
                    pass
        self.assertGreaterEqual(m.samples, 2)

    def test_context_cannot_close_under_a_running_block(self) -> None:
        with scenario(procfs="/proc"), hmn.Context() as ctx:
            with hmn.measure(interval=0.02, devices=None, ctx=ctx) as m:
                with self.assertRaises(hmn.InvalidArgumentError):
                    ctx.close()
                self.assertFalse(ctx.closed)
            ctx.close()  # after the block it closes
            self.assertTrue(ctx.closed)
            with self.assertRaises(hmn.InvalidArgumentError):
                with hmn.measure(ctx=ctx):
                    pass
        self.assertGreaterEqual(m.samples, 2)


if __name__ == "__main__":
    unittest.main()
