"""print_demo.py - two snapshots around a 50 MiB allocation and the four report
formatters (the Python twin of examples/print_demo.c and of upstream's
print_demo example)."""

import hypomnesis as hmn

SIZE = 50 * 1024 * 1024

print("--- hypomnesis print_demo ---")
with hmn.Context() as ctx:
    before = hmn.Snapshot.now(0, ctx=ctx)
    hold = bytearray(SIZE)
    hold[::4096] = b"\1" * len(hold[::4096])  # touch every page so RSS moves
    after = hmn.Snapshot.now(0, ctx=ctx)
report = hmn.MemoryReport(before, after)
print("--- print_delta ---")
report.print_delta("alloc 50 MiB")
print("--- print_before_after ---")
report.print_before_after("alloc 50 MiB")
print("--- format_delta (a string, no newline added by us) ---")
print(report.format_delta("alloc 50 MiB"), end="")
print("--- format_before_after (a string, no newline added by us) ---")
print(report.format_before_after("alloc 50 MiB"), end="")
if after.gpu_device is not None:
    after.gpu_device.print_free()
print(f"(held {len(hold)} bytes)")
