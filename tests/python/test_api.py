"""The query API against the fake NVML scenarios, the fake nvidia-smi and the
DRM fixture trees: every figure is what the scenario says, None where the
library says unknown, and the same as the hmn CLI reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import unittest

import hmntest
from hmntest import need, scenario

import hypomnesis as hmn

MiB = 1024 * 1024
KiB = 1024


def cli_json(*args: str) -> object:
    need("CLI")
    out = subprocess.run([hmntest.env("CLI"), *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=60, env=dict(os.environ))
    return json.loads(out.stdout)


class Ram(unittest.TestCase):
    def test_snapshot_ram_agrees_with_psutil_within_1_percent(self) -> None:
        import psutil

        proc = psutil.Process()
        hold = bytearray(48 * MiB)  # make RSS large enough that 1 % is meaningful
        hold[::4096] = b"\1" * len(hold[::4096])
        for _ in range(5):
            lo = proc.memory_info().rss
            ram = hmn.Snapshot.now().ram_bytes
            hi = proc.memory_info().rss
            lo, hi = min(lo, hi), max(lo, hi)
            self.assertGreaterEqual(ram, lo * 0.99, (lo, ram, hi))
            self.assertLessEqual(ram, hi * 1.01, (lo, ram, hi))
        del hold

    def test_process_rss_follows_a_known_allocation(self) -> None:
        with hmn.Context() as ctx:
            before = hmn.process_rss(ctx=ctx)
            hold = bytearray(64 * MiB)
            hold[::4096] = b"\1" * len(hold[::4096])  # touch every page
            after = hmn.process_rss(ctx=ctx)
            self.assertGreaterEqual(after - before, 60 * MiB, (before, after))
            info = hmn.rss_info(ctx=ctx)
            del hold
        self.assertEqual(info.source, "procfs")
        self.assertIsNotNone(info.peak_bytes)
        self.assertGreaterEqual(info.peak_bytes, info.current_bytes)

    def test_process_exists(self) -> None:
        with scenario(procfs="/proc"):  # it reads HMN_PROCFS (the host's /proc in a container)
            self.assertIs(hmn.process_exists(os.getpid()), True)
            self.assertIs(hmn.process_exists(0x7FFFFFF0), False)
        with self.assertRaises(hmn.InvalidArgumentError):
            hmn.process_exists(-1)


class OtherProcess(unittest.TestCase):
    """RSS and start time of any PID, not only the caller (hmn_pid_rss_info,
    hmn_process_start_time), against a real child and /proc."""

    def child(self, mib: int) -> subprocess.Popen:
        code = (f"import sys, time\nb = bytearray({mib} << 20)\nb[::4096] = b'\\1' * len(b[::4096])\n"
                "print('ready', flush=True)\nsys.stdin.read()\n")
        p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=hmntest.python_env())
        self.addCleanup(p.wait, 30)
        self.addCleanup(p.stdin.close)  # type: ignore[union-attr]
        self.assertEqual(p.stdout.readline(), "ready\n")  # type: ignore[union-attr]
        return p

    def test_rss_of_a_child_follows_its_allocation(self) -> None:
        p = self.child(96)
        with scenario(procfs="/proc"), hmn.Context() as ctx:
            info = hmn.rss_info(pid=p.pid, ctx=ctx)
            rss = hmn.process_rss(pid=p.pid, ctx=ctx)
        with open(f"/proc/{p.pid}/status") as f:
            status = {k: v for k, _, v in (line.partition(":") for line in f)}
        hwm = int(status["VmHWM"].split()[0]) * KiB
        self.assertEqual(info.source, "procfs")
        self.assertGreaterEqual(info.current_bytes, 96 * MiB)
        self.assertGreaterEqual(rss, 96 * MiB)
        self.assertEqual(info.peak_bytes, hwm)  # the child sleeps: its peak does not move
        self.assertGreaterEqual(info.peak_bytes, info.current_bytes)
        mine = hmn.rss_info(pid=0)  # 0 is the caller, as in C
        self.assertIsNotNone(mine.current_bytes)

    def test_missing_process_and_bad_pid(self) -> None:
        with scenario(procfs="/proc"):
            with self.assertRaises(hmn.NotFoundError):
                hmn.rss_info(pid=0x7FFFFFF0)
            with self.assertRaises(hmn.NotFoundError):
                hmn.process_rss(pid=0x7FFFFFF0)
            with self.assertRaises(hmn.NotFoundError):
                hmn.process_start_time(0x7FFFFFF0)
        for bad in (-1, 1 << 32, True):
            with self.assertRaises(hmn.InvalidArgumentError):
                hmn.rss_info(pid=bad)
            with self.assertRaises(hmn.InvalidArgumentError):
                hmn.process_start_time(bad)

    def test_kernel_thread_has_no_figures(self) -> None:
        # A kernel thread has no memory: unknown, not 0 (and process_rss refuses it).
        kthreads = []
        for name in os.listdir("/proc"):
            try:  # binary: other tests run processes with names that are not UTF-8
                with open(f"/proc/{name}/status", "rb") as f:
                    text = f.read()
            except OSError:
                continue
            if name.isdigit() and b"\nPPid:\t2\n" in text and b"VmRSS" not in text:
                kthreads.append(int(name))
        checked = 0
        with scenario(procfs="/proc"):
            for pid in kthreads[:20]:
                try:  # kernel workers come and go: one that ended in between is no answer
                    info = hmn.rss_info(pid=pid)
                    with self.assertRaises(hmn.RamQueryError):
                        hmn.process_rss(pid=pid)
                except hmn.NotFoundError:
                    continue
                self.assertIsNone(info.current_bytes, pid)
                self.assertIsNone(info.peak_bytes, pid)
                checked += 1
        if not checked:
            self.skipTest("no kernel thread visible in this /proc")

    def test_start_time_is_field_22_and_stable(self) -> None:
        p = self.child(1)
        with open(f"/proc/{p.pid}/stat") as f:
            field22 = int(f.read().rsplit(")", 1)[1].split()[19])
        with scenario(procfs="/proc"), hmn.Context() as ctx:
            first = hmn.process_start_time(p.pid, ctx=ctx)
            again = hmn.process_start_time(p.pid, ctx=ctx)
            mine = hmn.process_start_time(os.getpid(), ctx=ctx)
        self.assertEqual(first, field22)
        self.assertEqual(first, again)
        self.assertLessEqual(mine, first)  # this process started before its child


class NoGpu(unittest.TestCase):
    def test_snapshot_without_gpu_has_none_not_zero(self) -> None:
        s = hmn.Snapshot.now()
        self.assertGreater(s.ram_bytes, 0)
        self.assertIsNone(s.gpu)
        self.assertIsNone(s.gpu_device)
        self.assertIsNone(s.vram_mb)
        self.assertEqual(hmn.Snapshot.all(), [])

    def test_sources_say_why(self) -> None:
        reports = {r.source: r for r in hmn.sources()}
        if hmntest.ALL_OFF:
            self.assertTrue(all(r.state == "disabled" for r in reports.values()), reports)
            self.assertIn("not built", reports["nvml"].reason)
        else:
            self.assertEqual(reports["nvml"].state, "unavailable")
            self.assertIn("/nonexistent/libnvidia-ml.so.1", reports["nvml"].reason)
            self.assertEqual(reports["nvidia-smi"].state, "unavailable")


class Nvml(unittest.TestCase):
    def test_h100_device_figures(self) -> None:
        with scenario(nvml="h100-3procs"):
            self.assertEqual(hmn.device_count(), 1)
            d = hmn.device_info(0)
        self.assertEqual(d.index, 0)
        self.assertEqual(d.name, "NVIDIA H100 80GB HBM3")
        self.assertEqual(d.total_bytes, 81559 * MiB)
        self.assertEqual(d.reserved_bytes, 529 * MiB)
        self.assertEqual(d.used_bytes, 19818 * MiB)
        self.assertEqual(d.free_bytes, (81559 - 529 - 19818) * MiB)
        self.assertEqual(d.driver_version, "590.48.01")
        self.assertEqual(d.nvml_version, "13.590.48.01")
        self.assertEqual(d.cuda_driver_version, 13010)
        self.assertEqual(d.uuid, "GPU-00000000-0000-0000-0000-000000000000")
        self.assertEqual(d.pci_bus_id, "0000:00:09.0")
        self.assertEqual((d.pci_vendor_id, d.pci_device_id), (0x10DE, 0x2330))
        self.assertEqual(d.source, "nvml")
        self.assertEqual(d.vendor, "nvidia")
        self.assertEqual(d.memory_api, "nvml-v2")
        self.assertFalse(d.used_includes_reserved)
        self.assertIs(d.mig_mode, False)
        self.assertIsNone(d.gtt_total_bytes)
        self.assertEqual(d.name_or_unknown(), "NVIDIA H100 80GB HBM3")

    def test_device_figures_equal_the_cli(self) -> None:
        with scenario(nvml="h100-3procs"):
            cli = cli_json("--json")
            py = [hmn.device_info(i).to_dict() for i in range(hmn.device_count())]
            for c, p in zip(cli, py):
                p["used_includes_reserved"] = hmn.device_info(c["index"]).used_includes_reserved
        self.assertEqual(len(cli), len(py))
        for c, p in zip(cli, py):
            for key, value in c.items():
                self.assertEqual(p[key], value, key)

    def test_old_driver_memory_v1(self) -> None:
        need("FAKE_NVML_NO_V3")
        with scenario(nvml="h100-3procs"):
            os.environ["HMN_NVML_LIBRARY"] = hmntest.env("FAKE_NVML_NO_V3")
            d = hmn.device_info(0)
        self.assertEqual(d.memory_api, "nvml-v1")
        self.assertTrue(d.used_includes_reserved)
        self.assertIsNone(d.reserved_bytes)  # v1 has no reserved figure: unknown, not 0
        self.assertEqual(d.used_bytes, (19818 + 529) * MiB)

    def test_listing_is_pid_sorted_and_equals_the_cli(self) -> None:
        with scenario(nvml="h100-3procs"):
            rows = hmn.gpu_processes(0)
            cli = cli_json("ps", "--json")
        self.assertIsInstance(rows, list)
        self.assertEqual(rows.source, "nvml")
        self.assertEqual([r.pid for r in rows], [11327, 11328, 11345])
        self.assertEqual([r.used_bytes for r in rows], [2566 * MiB, 1542 * MiB, 15690 * MiB])
        self.assertTrue(all(r.kinds == ("compute",) and r.source == "nvml" for r in rows))
        mine = {(r.pid, r.name, r.used_bytes, r.kinds, r.source) for r in rows}
        theirs = {(c["pid"], c["name"], c["used_bytes"], tuple(c["kinds"]), c["source"])
                  for c in cli}
        self.assertEqual(mine, theirs)

    def test_not_available_rows_are_none(self) -> None:
        with scenario(nvml="wsl2-na"):
            rows = hmn.gpu_processes(0)
        by_pid = {r.pid: r for r in rows}
        self.assertIsNone(by_pid[79].used_bytes)  # the all-ones sentinel: unknown, never 0
        self.assertEqual(by_pid[79].name, "python3")

    def test_own_gpu_memory_and_snapshot(self) -> None:
        with scenario(nvml="self"):
            g = hmn.process_gpu_info(0)
            s = hmn.Snapshot.now(0)
            snaps = hmn.Snapshot.all()
        self.assertEqual(g, hmn.ProcessGpuInfo(used_bytes=300 * MiB, is_per_process=True,
                                                source="nvml"))
        self.assertEqual(s.gpu, g)
        self.assertEqual(s.vram_mb, 300.0)
        self.assertEqual(s.gpu_device.name, "NVIDIA H100 80GB HBM3")
        self.assertEqual(s.device_index, 0)
        self.assertEqual(len(snaps), 1)
        self.assertEqual(snaps[0].gpu, g)

    def test_snapshot_all_keeps_unreadable_devices_as_none(self) -> None:
        with scenario(nvml="denied"):
            snaps = hmn.Snapshot.all()
        self.assertEqual([s.device_index for s in snaps], [0, 1])
        self.assertEqual(snaps[0].gpu_device.name, "NVIDIA A100-SXM4-80GB")
        self.assertIsNone(snaps[1].gpu_device)  # NO_PERMISSION: not there, not zeros
        self.assertEqual(snaps[0].ram_bytes, snaps[1].ram_bytes)  # one RSS reading

    def test_nvidia_smi_fallback_is_device_wide(self) -> None:
        with scenario(smi="h100-3procs"):
            g = hmn.process_gpu_info(0)
            d = hmn.device_info(0)
        self.assertFalse(g.is_per_process)
        self.assertEqual(g.source, "nvidia-smi")
        self.assertEqual(d.source, "nvidia-smi")
        self.assertEqual(g.used_bytes, d.used_bytes)

    def test_nvidia_smi_skipped_line_is_counted(self) -> None:
        # One malformed row ("12x" MiB) costs that row only, and the list says so.
        need("DATA", "WORK")
        with open(os.path.join(hmntest.DATA, "smi", "h100-3procs.scn")) as f:
            text = f.read()
        path = os.path.join(hmntest.env("WORK"), "skipped-line.scn")
        with open(path, "w") as f:
            f.write(text + "\n[app]\ngpu = 0\npid = 20002\nprocess_name = broken\n"
                    "used_memory = 12x\n")
        with scenario(smi="h100-3procs"):
            os.environ["HMN_FAKE_SMI_SCENARIO"] = path
            rows = hmn.gpu_processes(0)
        self.assertEqual(rows.source, "nvidia-smi")
        self.assertEqual(rows.skipped_rows, 1)
        self.assertEqual(sorted(r.pid for r in rows), [11327, 11328, 11345])
        self.assertEqual(rows.unreadable_pids, ())


class Drm(unittest.TestCase):
    def setUp(self) -> None:
        if hmntest.ALL_OFF:
            self.skipTest("DRM backend compiled out")

    def test_amdgpu_device_and_rows(self) -> None:
        with scenario(drm="multi"):
            self.assertEqual(hmn.device_count(), 4)
            d = hmn.device_info(0)
            rows = hmn.gpu_processes(0)
        self.assertEqual((d.vendor, d.source, d.driver_name), ("amd", "sysfs", "amdgpu"))
        self.assertEqual(d.total_bytes, 17163091968)
        self.assertEqual(d.used_bytes, 536870912)
        self.assertEqual((d.gtt_total_bytes, d.gtt_used_bytes), (16777216000, 8388608))
        self.assertEqual((d.vis_vram_total_bytes, d.vis_vram_used_bytes), (268435456, 100663296))
        self.assertIsNone(d.reserved_bytes)
        self.assertEqual(rows.source, "drm-fdinfo")
        self.assertEqual(rows.unreadable, 1)
        self.assertEqual(rows.unreadable_pids, (401,))  # fdinfo/3 is a directory
        self.assertEqual(rows.skipped_rows, 0)
        by_pid = {r.pid: r for r in rows}
        self.assertEqual(sorted(by_pid), [100, 101, 102])
        self.assertEqual(by_pid[100].used_bytes, 2068 * KiB)
        self.assertEqual(by_pid[100].gtt_bytes, 8192 * KiB)
        self.assertEqual(by_pid[101].used_bytes, 12288 * KiB)
        w = by_pid[102]
        self.assertEqual((w.used_bytes, w.unique_used_bytes), (16384 * KiB, 4096 * KiB))
        self.assertEqual((w.clients, w.shared_clients), (2, 1))
        self.assertEqual(w.kinds, ("drm",))
        self.assertEqual(sum(r.unique_used_bytes for r in rows), (2068 + 12288 + 4096) * KiB)

    def test_unknown_memory_is_none(self) -> None:
        with scenario(drm="multi"):
            i915 = hmn.device_info(1)
            rows = {r.pid: r for r in hmn.gpu_processes(1)}
        self.assertIsNone(i915.total_bytes)
        self.assertIsNone(i915.free_bytes)
        self.assertIsNone(rows[500].used_bytes)  # engine keys only
        self.assertIsNone(rows[500].unique_used_bytes)
        self.assertEqual(rows[200].used_bytes, 6044 * KiB)

    def test_drm_figures_equal_the_cli(self) -> None:
        with scenario(drm="multi"):
            cli = cli_json("ps", "--json", "--device", "0")
            rows = hmn.gpu_processes(0)
        self.assertEqual({(c["pid"], c["name"], c["used_bytes"], c["gtt_bytes"]) for c in cli},
                         {(r.pid, r.name, r.used_bytes, r.gtt_bytes) for r in rows})


class Contexts(unittest.TestCase):
    def _count_inits(self, use_ctx: bool) -> str:
        counts = os.path.join(hmntest.env("WORK"), f"nvml-counts-{os.getpid()}-{use_ctx}")
        open(counts, "w").close()
        try:
            with scenario(nvml="h100-3procs"):
                os.environ["HMN_FAKE_NVML_COUNTS"] = counts
                if use_ctx:
                    with hmn.Context() as ctx:
                        for _ in range(5):
                            hmn.device_info(0, ctx=ctx)
                            hmn.gpu_processes(0, ctx=ctx)
                else:
                    for _ in range(5):
                        hmn.device_info(0)
                        hmn.gpu_processes(0)
            with open(counts) as f:
                return " ".join(f.read().split())
        finally:
            os.unlink(counts)

    def test_a_context_initialises_nvml_once(self) -> None:
        need("WORK")
        self.assertEqual(self._count_inits(True), "init 1 shutdown 1")
        self.assertEqual(self._count_inits(False), "init 10 shutdown 10")

    def test_options(self) -> None:
        with scenario(nvml="h100-3procs"):
            with hmn.Context(use_nvml=False) as ctx:
                with self.assertRaises(hmn.NoGpuSourceError):
                    hmn.device_count(ctx=ctx)
                ctx.set_option("use_nvml", True)
                self.assertEqual(hmn.device_count(ctx=ctx), 1)
        with self.assertRaises(hmn.InvalidArgumentError) as e:
            hmn.Context(smi_timeout_ms=0)
        self.assertEqual(str(e.exception), "nvidia-smi timeout must be positive")
        with self.assertRaises(hmn.InvalidArgumentError):
            hmn.Context(colour=1)

    def test_closed_context_is_refused(self) -> None:
        ctx = hmn.Context()
        ctx.close()
        ctx.close()
        self.assertTrue(ctx.closed)
        with self.assertRaises(hmn.InvalidArgumentError):
            hmn.process_rss(ctx=ctx)
        with self.assertRaises(TypeError):
            hmn.process_rss(ctx="not a context")  # type: ignore[arg-type]

    def test_threads_sharing_a_context_get_their_own_messages(self) -> None:
        problems = []
        with scenario(nvml="h100-3procs"), hmn.Context() as ctx:
            def worker(index: int) -> None:
                for _ in range(200):
                    try:
                        hmn.device_info(index, ctx=ctx)
                        problems.append(f"device {index} answered")
                    except hmn.DeviceIndexOutOfRangeError as e:
                        want = f"device index {index} out of range (have 1 devices)"
                        if str(e) != want:
                            problems.append(f"{want!r} != {str(e)!r}")
                    hmn.device_info(0, ctx=ctx)
            threads = [threading.Thread(target=worker, args=(i,)) for i in range(1, 5)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.assertEqual(problems[:3], [])


if __name__ == "__main__":
    unittest.main()
