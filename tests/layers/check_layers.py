#!/usr/bin/env python3
"""tests/layers/check_layers.py - the layering rules of docs/internals.md, checked.

  check_layers.py ROOT [--nm NM ARCHIVE_OR_OBJECT...]

1. Every quoted #include of src/ and cli/ obeys its folder's rule (below):
   the parsers reach only the helpers, the CLI only the public header and
   src/common/, nothing includes a .c file or the old internal.h.
2. src/core/ never asks which platform it is built for (CMake decides).
3. No include circle among the headers of src/ and cli/.
4. With --nm: no call circle among object files (a function in A calls one
   in B and back, directly or around a longer loop).  References to data
   (a backend's ops object from the registry) are not calls.

Prints one line per violation and "N passed, N failed" (checks); exit 1 on
any violation.
"""
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
PLATFORM = re.compile(r'\b(_WIN32|__linux__|__APPLE__|__MINGW32__)\b')

# folder -> (allowed quoted includes, as regexes)
RULES = {
    'src/util': [r'util\.h', r'hypomnesis\.h'],
    'src/abi': [],
    'src/common': [],
    'src/parse': [r'util\.h', r'nvml_abi\.h', r'hypomnesis\.h', r'[a-z_]+\.h'],
    'src/os': [r'os/[a-z_]+\.h', r'util/util\.h', r'common/[a-z_]+\.h', r'hypomnesis\.h'],
    'src/core': [r'(core|util|os|common|parse|abi)/[a-z_]+\.h', r'backend\.h', r'hypomnesis\.h'],
    'src/backends': [r'(backends|core|util|os|common|parse|abi)/[a-z_]+\.h', r'backend\.h',
                     r'hypomnesis\.h'],
    'src': [r'(backends|core|util|os)/[a-z_]+\.h'],  # backend.h itself
    # its own headers (plain names: its include path reaches only cli/,
    # include/ and src/common/)
    'cli': [r'[a-z_]+\.h'],
}
# Every folder whose files must never include a .c file.
ANYWHERE = ['src', 'cli', 'fuzz', 'tests', 'bench', 'examples']


def sources(root, top):
    for d, _, files in os.walk(os.path.join(root, top)):
        if '/data' in d.replace(os.sep, '/') or '/corpus' in d.replace(os.sep, '/'):
            continue
        for f in sorted(files):
            if f.endswith(('.c', '.h', '.cpp')):
                yield os.path.join(d, f)


def rel(root, p):
    return os.path.relpath(p, root).replace(os.sep, '/')


def folder_rule(relpath):
    d = os.path.dirname(relpath)
    while d and d not in RULES:
        d = os.path.dirname(d)
    return RULES.get(d)


def resolve(root, relpath, inc):
    """The repository file a quoted include names, or None (system/other)."""
    here = os.path.dirname(relpath)
    for base in (here, 'src', 'cli', 'src/common', 'src/util', 'src/abi', 'include'):
        cand = os.path.normpath(os.path.join(base, inc)).replace(os.sep, '/')
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def check_includes(root, bad):
    graph = {}
    for top in ('src', 'cli'):
        for p in sources(root, top):
            r = rel(root, p)
            text = open(p, encoding='utf-8', errors='replace').read()
            allowed = folder_rule(r)
            for inc in INCLUDE.findall(text):
                if allowed is not None and not any(re.fullmatch(a, inc) for a in allowed):
                    bad.append('%s: includes "%s", which its layer may not' % (r, inc))
                target = resolve(root, r, inc)
                if target and target != r:
                    graph.setdefault(r, set()).add(target)
            if r.startswith('src/core/'):
                for m in PLATFORM.finditer(text):
                    bad.append('%s: names %s (the platform is chosen by CMake)' % (r, m.group(1)))
    for top in ANYWHERE:
        for p in sources(root, top):
            r = rel(root, p)
            for inc in INCLUDE.findall(open(p, encoding='utf-8', errors='replace').read()):
                if inc.endswith('.c'):
                    bad.append('%s: includes a .c file (%s)' % (r, inc))
                if os.path.basename(inc) == 'internal.h':
                    bad.append('%s: includes internal.h (split by layer)' % r)
    # Include circles: only headers can be part of one.
    hgraph = {a: {b for b in bs if b.endswith('.h')} for a, bs in graph.items()
              if a.endswith('.h')}
    for cyc in cycles(hgraph):
        bad.append('include circle: ' + ' -> '.join(cyc + [cyc[0]]))


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_calls(nm, files, bad):
    defined, undefined = {}, {}
    for f in files:
        res = subprocess.run([nm, '-A', f], capture_output=True, text=True)
        if res.returncode != 0:
            bad.append('%s: %s failed: %s' % (f, nm, res.stderr.strip()))
            continue
        for line in res.stdout.splitlines():
            # "archive.a:member.o:0000 T sym", "obj.o:0000 T sym", "obj.o:      U sym"
            parts = line.split()
            if len(parts) < 3 or ':' not in parts[0]:
                continue
            kind, sym = parts[-2], parts[-1]
            head = parts[0][:parts[0].rfind(':')]
            # "libx.a:text.c.o" stays whole: two archives may hold a text.c.o each.
            unit = ':'.join(os.path.basename(x) for x in head.split(':'))
            undefined.setdefault(unit, set())
            if kind == 'T':
                defined[sym] = unit
            elif kind == 'U':
                undefined[unit].add(sym)
    graph = {}
    for unit, syms in undefined.items():
        for s in syms:
            d = defined.get(s)
            if d and d != unit:
                graph.setdefault(unit, set()).add(d)
    for cyc in cycles(graph):
        bad.append('call circle: ' + ' <-> '.join(cyc))
    return len(undefined)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    root = argv[1]
    bad = []
    check_includes(root, bad)
    checks = 3
    if len(argv) > 3 and argv[2] == '--nm':
        units = check_calls(argv[3], argv[4:], bad)
        checks += 1
        print('# call graph over %d object files' % units)
    for b in bad:
        print(b)
    print('%d passed, %d failed' % (0 if bad else checks, len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
