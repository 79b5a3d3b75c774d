#!/usr/bin/python3
"""Check that `hmn explain` adds up: check_explain.py TEXT_FILE JSON_FILE.

Text: in every block, the MiB of the rows plus the unattributed line equal
the "= used" line and the used figure of the block's title; when the rows
exceed used, the "= the rows" line equals the rows and used + the excess.
JSON: the issue's keys come first, in its order; the rows' used_bytes add up
to attributed_bytes; attributed + unattributed == used when both are known
and the rows do not exceed used; unreported_rows counts the rows with null.
Text and JSON agree: same blocks, each printed part within 1 MiB of its
exact bytes.  Prints one "ok" line per block; exits 1 on the first failure.
"""
import json
import re
import sys

MIB = 1048576
BLOCK_KEYS = ["index", "used_bytes", "reserved_bytes", "rows", "attributed_bytes",
              "unreported_rows", "unattributed_bytes"]
ROW_KEYS = ["pid", "name", "used_bytes", "kinds", "user", "namespace", "container_id",
            "pod_uid", "unit"]
TITLE = re.compile(r"^GPU (\d+)( MIG (\d+))?.*: used (n/a|(\d+) MiB)")
NUM = re.compile(r"^  +(\d+|n/a)  (.*)$")


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def text_blocks(text):
    blocks, cur = [], None
    for line in text.splitlines():
        m = TITLE.match(line)
        if m:
            cur = {"title": line, "index": int(m.group(1)),
                   "mig": int(m.group(3)) if m.group(3) else None,
                   "used": int(m.group(5)) if m.group(5) else None,
                   "rows": [], "rest": None, "total": None, "rows_total": None, "header": False}
            blocks.append(cur)
            continue
        if cur is None:
            continue
        if line.lstrip().startswith("MiB  PID"):
            cur["header"] = True
            continue
        m = NUM.match(line)
        if not m or not cur["header"]:
            continue
        value, rest = m.group(1), m.group(2)
        if rest.startswith("unattributed"):
            cur["rest"] = int(value)
        elif rest.startswith("= used"):
            cur["total"] = int(value)
        elif rest.startswith("= the rows"):
            cur["rows_total"] = int(value)
            excess = re.search(r"(\d+) MiB more than used \((\d+) MiB\)", rest)
            cur["excess"] = (int(excess.group(1)), int(excess.group(2))) if excess else None
        else:
            cur["rows"].append(None if value == "n/a" else int(value))
    return blocks


def check_text(b):
    known = [r for r in b["rows"] if r is not None]
    name = b["title"]
    if b["total"] is not None:
        if b["rest"] is None:
            fail(name + ": '= used' without an unattributed line")
        if sum(known) + b["rest"] != b["total"]:
            fail("%s: rows %d + unattributed %d != used %d" % (name, sum(known), b["rest"],
                                                              b["total"]))
        if b["used"] != b["total"]:
            fail("%s: title says %s, '= used' says %d" % (name, b["used"], b["total"]))
    elif b["rows_total"] is not None:
        if sum(known) != b["rows_total"]:
            fail("%s: rows add up to %d, printed %d" % (name, sum(known), b["rows_total"]))
        if b.get("excess"):
            excess, used = b["excess"]
            if used != b["used"] or used + excess != b["rows_total"]:
                fail("%s: used %d + excess %d != rows %d" % (name, used, excess, b["rows_total"]))
        elif b["used"] is not None:
            fail(name + ": used is known but neither remainder nor excess is printed")
    else:
        if "could not be listed" not in name:
            pass  # a block whose process list failed prints no parts


def check_json(j):
    if list(j.keys())[:len(BLOCK_KEYS)] != BLOCK_KEYS:
        fail("block keys %s" % list(j.keys()))
    rows = j["rows"]
    if rows is None:
        if j["attributed_bytes"] is not None or j["unattributed_bytes"] is not None:
            fail("no rows but figures")
        return
    for r in rows:
        if list(r.keys())[:len(ROW_KEYS)] != ROW_KEYS:
            fail("row keys %s" % list(r.keys()))
        if r["namespace"] not in ("this", "other"):
            fail("namespace %r" % r["namespace"])
    known = [r["used_bytes"] for r in rows if r["used_bytes"] is not None]
    if sum(known) != j["attributed_bytes"]:
        fail("rows %d != attributed %d" % (sum(known), j["attributed_bytes"]))
    if j["unreported_rows"] != len(rows) - len(known):
        fail("unreported_rows %d, rows with null %d" % (j["unreported_rows"],
                                                         len(rows) - len(known)))
    used, att, un = j["used_bytes"], j["attributed_bytes"], j["unattributed_bytes"]
    if used is not None and att <= used:
        if un is None or att + un != used:
            fail("attributed %d + unattributed %s != used %d" % (att, un, used))
    if used is not None and att > used:
        if un is not None or j.get("excess_bytes") != att - used:
            fail("rows exceed used but unattributed %s excess %s" % (un, j.get("excess_bytes")))
    if used is None and un is not None:
        fail("unattributed without used")


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    data = json.load(open(sys.argv[2], encoding="utf-8"))
    blocks = text_blocks(text)
    if len(blocks) != len(data):
        fail("%d text blocks, %d JSON blocks" % (len(blocks), len(data)))
    for b, j in zip(blocks, data):
        check_text(b)
        check_json(j)
        if b["index"] != j["index"] or b["mig"] != j.get("mig_index"):
            fail("block order differs: %s" % b["title"])
        exact = [r["used_bytes"] for r in (j["rows"] or [])]
        printed = b["rows"]
        if len(exact) != len(printed):
            fail("%s: %d text rows, %d JSON rows" % (b["title"], len(printed), len(exact)))
        for p, e in zip(printed, exact):
            if (p is None) != (e is None) or (p is not None and abs(p - e / MIB) >= 1):
                fail("%s: printed %s for %s bytes" % (b["title"], p, e))
        if b["rest"] is not None and abs(b["rest"] - j["unattributed_bytes"] / MIB) >= 1:
            fail("%s: unattributed printed %d for %d bytes" % (b["title"], b["rest"],
                                                              j["unattributed_bytes"]))
        print("ok   GPU %d%s: %d rows%s" % (
            b["index"], "" if b["mig"] is None else " MIG %d" % b["mig"], len(printed),
            "" if b["total"] is None else ", %d MiB = used" % b["total"]))


if __name__ == "__main__":
    main()
