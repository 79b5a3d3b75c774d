"""The package's example runs and prints what it says it does."""

from __future__ import annotations

import json
import os
import re
import unittest

import hmntest
from hmntest import need, run_python


class Examples(unittest.TestCase):
    def test_print_demo(self) -> None:
        need("SOURCE")
        path = os.path.join(hmntest.env("SOURCE"), "bindings", "python", "examples",
                            "print_demo.py")
        with open(path) as f:
            r = run_python(f.read())
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "--- hypomnesis print_demo ---")
        # RSS grew by the 50 MiB the example touched (rounded MiB, a little slack).
        delta = [ln for ln in lines if ln.startswith("  alloc 50 MiB: RAM +")]
        self.assertEqual(len(delta), 2, r.stdout)
        mb = int(re.match(r"  alloc 50 MiB: RAM \+(\d+) MB", delta[0]).group(1))
        self.assertTrue(48 <= mb <= 60, delta[0])
        self.assertEqual(len([ln for ln in lines if " MB \u2192 " in ln]), 2, r.stdout)

    def test_measure_demo(self) -> None:
        need("SOURCE")
        path = os.path.join(hmntest.env("SOURCE"), "bindings", "python", "examples",
                            "measure_demo.py")
        with open(path) as f:
            r = run_python(f.read(), {"HMN_PROCFS": "/proc"})
        self.assertEqual(r.returncode, 0, r.stderr)
        head, _, doc = r.stdout.partition("--- to_dict() ---\n")
        lines = head.splitlines()
        self.assertEqual(lines[0], "--- hypomnesis measure_demo ---")
        before = int(re.match(r"RAM before the block: (\d+) MiB", lines[1]).group(1))
        peak = int(re.match(r"RAM peak of the tree: (\d+) MiB \(sampled\)", lines[2]).group(1))
        self.assertGreaterEqual(peak - before, 115, head)  # the 120 MiB it held for 0.2 s
        d = json.loads(doc)
        self.assertEqual(d["ram"]["peak_bytes"] // (1 << 20), peak)
        own = [p["peak_bytes"] for p in d["ram"]["processes"]]
        self.assertEqual(len(own), 2, d)  # the interpreter and its child
        self.assertGreaterEqual(min(own), 80 << 20)  # the child's own exact peak


if __name__ == "__main__":
    unittest.main()
