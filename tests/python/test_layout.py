"""The ctypes mirrors have the C layout: this test reads every public struct of
include/hypomnesis.h, compiles a probe that prints sizeof and each member's
offsetof/sizeof with the build's C compiler, and compares them with the
mirrors in hypomnesis._abi.  A field added, moved or retyped in a mirrored
struct without the same change in Python fails here (public structs the
package does not use are listed in the output, not failed on)."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import tempfile
import unittest
from typing import Dict, List, Tuple

import hmntest
from hmntest import need

from hypomnesis import _abi


def header_structs(text: str) -> Dict[str, List[Tuple[str, str]]]:
    """{struct name: [(member, C type), ...]} of every `typedef struct hmn_x {...} hmn_x;`."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    out = {}
    for m in re.finditer(r"typedef\s+struct\s+(hmn_\w+)\s*\{(.*?)\}\s*(\w+)\s*;", text, re.S):
        name, body, alias = m.groups()
        if alias != name:
            raise AssertionError(f"struct {name} is typedef'd as {alias}")
        members = []
        for decl in body.split(";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            # "type a", "type a[N]", or several declarators: "type a, b[N], c".
            dm = re.fullmatch(r"(\w+(?: \w+)*?) (\w+(?:\[\w+\])?(?: ?, ?\w+(?:\[\w+\])?)*)", decl)
            if not dm:
                raise AssertionError(f"cannot read member declaration {decl!r} of {name}")
            for d in dm.group(2).split(","):
                nm = re.fullmatch(r" ?(\w+)(\[\w+\])?", d)
                assert nm, d
                members.append((nm.group(1), dm.group(1) + (nm.group(2) or "")))
        out[name] = members
    return out


def probe(structs: Dict[str, List[Tuple[str, str]]]) -> Dict[str, Dict[str, Tuple[int, int]]]:
    """Compile and run the layout probe: {struct: {"": (sizeof, alignof), member: (offset, size)}}."""
    need("CC", "INCLUDE")
    lines = ["#include <hypomnesis.h>", "#include <stddef.h>", "#include <stdio.h>",
             "#include <stdalign.h>", "int main(void) {"]
    for s, members in structs.items():
        lines.append(f'printf("{s} - %zu %zu\\n", sizeof({s}), alignof({s}));')
        for m, _ in members:
            lines.append(f'printf("{s} {m} %zu %zu\\n", offsetof({s}, {m}), '
                         f"sizeof((({s} *)0)->{m}));")
    lines += ["return 0;", "}"]
    with tempfile.TemporaryDirectory(dir=hmntest.env("WORK") or None) as tmp:
        src, exe = os.path.join(tmp, "probe.c"), os.path.join(tmp, "probe")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([hmntest.env("CC"), "-std=c11", "-I", hmntest.env("INCLUDE"), src, "-o", exe],
                       check=True, timeout=120)
        text = subprocess.run([exe], check=True, stdout=subprocess.PIPE, text=True,
                              timeout=60).stdout
    out: Dict[str, Dict[str, Tuple[int, int]]] = {}
    for line in text.splitlines():
        s, m, a, b = line.split()
        out.setdefault(s, {})["" if m == "-" else m] = (int(a), int(b))
    return out


class Layout(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        need("INCLUDE")
        with open(os.path.join(hmntest.env("INCLUDE"), "hypomnesis.h")) as f:
            cls.structs = header_structs(f.read())

    def test_header_is_read(self) -> None:
        self.assertIn("hmn_gpu_device_info", self.structs)
        self.assertEqual(self.structs["hmn_rss"][0], ("size", "uint32_t"))
        self.assertEqual(self.structs["hmn_gpu_process"][-1], ("shared_clients", "uint32_t"))

    def test_listed_structs_exist(self) -> None:
        # A struct the package names (mirrored or known unused) must be in the
        # header; structs the package does not know yet are only reported.
        self.assertEqual(sorted(set(_abi.MIRRORS) - set(self.structs)), [],
                         "hypomnesis._abi.MIRRORS names structs the header does not have")
        unknown = sorted(set(self.structs) - set(_abi.MIRRORS))
        if unknown:
            print(f"public structs the package does not use yet: {', '.join(unknown)}")

    def test_mirrors_match_the_header_order(self) -> None:
        for name, mirror in _abi.MIRRORS.items():
            if mirror is None:
                continue
            with self.subTest(struct=name):
                self.assertEqual([f[0] for f in mirror._fields_],
                                 [m for m, _ in self.structs[name]])

    def test_mirrors_match_the_compiled_layout(self) -> None:
        layout = probe(self.structs)
        for name, mirror in _abi.MIRRORS.items():
            if mirror is None:
                continue
            with self.subTest(struct=name):
                size, align = layout[name][""]
                self.assertEqual(ctypes.sizeof(mirror), size)
                self.assertEqual(ctypes.alignment(mirror), align)
                for field, _ in mirror._fields_:
                    offset, fsize = layout[name][field]
                    desc = getattr(mirror, field)
                    self.assertEqual((desc.offset, desc.size), (offset, fsize), field)

    def test_size_word_is_set_by_new(self) -> None:
        for name, mirror in _abi.MIRRORS.items():
            if mirror is not None:
                self.assertEqual(mirror.new().size, ctypes.sizeof(mirror), name)


class Reader(unittest.TestCase):
    def test_parser_catches_what_it_cannot_read(self) -> None:
        with self.assertRaises(AssertionError):
            header_structs("typedef struct hmn_x { uint32_t size; int (*fn)(void); } hmn_x;")
        got = header_structs("typedef struct hmn_y {\n uint32_t size; /* c */\n"
                             " char name[96]; // d\n uint64_t valid, a,b[4];\n} hmn_y;")
        self.assertEqual(got, {"hmn_y": [("size", "uint32_t"), ("name", "char[96]"),
                                         ("valid", "uint64_t"), ("a", "uint64_t"),
                                         ("b", "uint64_t[4]")]})


if __name__ == "__main__":
    unittest.main()
