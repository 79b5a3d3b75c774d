"""measure_demo.py - the peaks of a block that allocates 120 MiB for a moment
in this process and 80 MiB in a child process, and the block's figures as
the JSON of `hmn run --json`."""

import json
import subprocess
import sys
import time

import hypomnesis as hmn

MiB = 1024 * 1024
CHILD = "b = bytearray(80 << 20); b[::4096] = b'\\1' * len(b[::4096]); import time; time.sleep(0.3)"

print("--- hypomnesis measure_demo ---")
before = hmn.process_rss()
with hmn.measure(interval=0.02) as m:
    hold = bytearray(120 * MiB)
    hold[::4096] = b"\1" * len(hold[::4096])  # touch every page so RSS moves
    time.sleep(0.2)
    del hold  # gone before the block ends: only the samples saw it
    subprocess.run([sys.executable, "-c", CHILD], check=True)
r = m.result
print(f"RAM before the block: {before // MiB} MiB")
print(f"RAM peak of the tree: {m.ram_peak_bytes // MiB} MiB ({m.methods.ram}), "
      f"at {r.ram.peak_at_seconds:.2f} s of {r.wall_seconds:.2f} s, {m.samples} samples")
for p in r.ram.processes:
    peak = "n/a" if p.peak_bytes is None else f"{p.peak_bytes // MiB} MiB"
    print(f"  process {p.pid} ({p.name}): own peak {peak}")
for g in r.gpus:
    peak = "n/a" if g.peak_bytes is None else f"{g.peak_bytes // MiB} MiB"
    print(f"GPU {g.index} ({g.name}): peak {peak} ({g.peak_method})")
print("--- to_dict() ---")
print(json.dumps(m.to_dict(), indent=2))
