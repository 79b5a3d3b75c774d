"""run.py MODULE - run one test module of the Python package with unittest.

Prints the project's "N passed, N failed" line; exit status 0 when all ran
and passed, 1 on any failure or error, 77 (ctest's "skipped") when every
test was skipped, e.g. because a fake it needs is not built here.
"""

import importlib
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: run.py MODULE", file=sys.stderr)
        return 2
    importlib.import_module("hmntest")  # the GPU-less baseline, before hypomnesis is imported

    suite = unittest.defaultTestLoader.loadTestsFromName(sys.argv[1])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # Sub-tests can fail several times within one test: count tests, not reports.
    bad = len({t.id().split(" ")[0] for t, _ in result.failures + result.errors}
              | {t.id() for t in result.unexpectedSuccesses})
    skipped = len(result.skipped)
    passed = result.testsRun - bad - skipped
    print(f"{passed} passed, {bad} failed" + (f", {skipped} skipped" if skipped else ""))
    if bad:
        return 1
    if result.testsRun == 0 or skipped == result.testsRun:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
