"""Shared by check_svg.py and check_screenshot.py: write a chart case for
plot_render, render it, and read the SVG back (standard library only).

The checks never trust the renderer's own arithmetic: they know the data,
read the axis scale from the tick labels and positions the SVG shows a
reader, and compare what is drawn with where the data must be.
"""
import math
import re
import subprocess
import xml.etree.ElementTree as ET

NS = '{http://www.w3.org/2000/svg}'
KIB, MIB, GIB = 1024, 1024 ** 2, 1024 ** 3
UNITS = {'s': 1, 'min': 60, 'h': 3600, 'B': 1, 'KiB': KIB, 'MiB': MIB, 'GiB': GIB,
         'TiB': 1024 ** 4, 'PiB': 1024 ** 5, 'EiB': 1024 ** 6}
T_LIMIT = 1e12
V_LIMIT = 2.0 ** 64
NAN = float('nan')


class Series:
    def __init__(self, label=None, t=(), v=(), peak=None, peak_label=None):
        self.label = label            # bytes or None
        self.t = list(t)
        self.v = list(v)
        self.peak = peak              # (v, t) or None
        self.peak_label = peak_label  # bytes or None


def _text(b):
    """A TEXT field of the case format: printable ASCII as is, any other byte as \\xNN."""
    if isinstance(b, str):
        b = b.encode()
    return ''.join(chr(c) if 0x20 <= c < 0x7f and c != 0x5c else '\\x%02x' % c for c in b)


def write_case(path, series, title=None, t_end=NAN):
    with open(path, 'w') as f:
        if title is not None:
            f.write('title %s\n' % _text(title))
        f.write('t_end %r\n' % float(t_end))
        for s in series:
            f.write('series %s\n' % _text(s.label) if s.label is not None else 'series\n')
            if s.peak is not None:
                f.write('peak %r %r\n' % (float(s.peak[0]), float(s.peak[1])))
            if s.peak_label is not None:
                f.write('peak_label %s\n' % _text(s.peak_label))
            f.write(''.join('%r %r\n' % (float(t), float(v)) for t, v in zip(s.t, s.v)))


def render(tool, case, svg):
    r = subprocess.run([tool, case, svg], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError('plot_render failed: %r' % r.stderr)


def label_value(text):
    """'1.5 GiB' -> bytes, '20 s' -> seconds."""
    num, unit = text.split(' ')
    return float(num) * UNITS[unit]


def sample_ok(t, v):
    return 0 <= t <= T_LIMIT and 0 <= v < V_LIMIT


def model_text(b, max_chars):
    """What an escaped label must read as once parsed: invalid UTF-8 and
    controls as U+FFFD, cut to max_chars with an ellipsis."""
    s = b.decode('utf-8', 'replace')
    s = re.sub('[\x00-\x1f\x7f-\x9f\ufffe\uffff]', '\ufffd', s)
    return s if len(s) <= max_chars else s[:max_chars - 1] + '\u2026'


def expected_subpaths(s, xmax, width):
    """The documented decimation: per pixel column the first, minimum, maximum
    and last sample (each once, in order); a gap splits the line only when
    it falls between two columns.  Returns lists of sample indices."""
    subs, cur, bucket, gap = [], [], None, False

    def flush():
        if bucket:
            cur.extend(sorted(set(bucket[1:])))

    for i, (t, v) in enumerate(zip(s.t, s.v)):
        if not sample_ok(t, v):
            gap = True
            continue
        col = min(max(int(math.floor(t / xmax * width)), 0), width - 1)
        if bucket and bucket[0] == col:
            bucket[4] = i
            if v < s.v[bucket[2]]:
                bucket[2] = i
            if v > s.v[bucket[3]]:
                bucket[3] = i
            gap = False
            continue
        flush()
        if gap and cur:
            subs.append(cur)
            cur = []
        gap = False
        bucket = [col, i, i, i, i]  # column, first, min, max, last
    flush()
    if cur:
        subs.append(cur)
    return subs


def parse_path(d):
    """'M x y L x y h0 M ...' -> (list of subpaths of (x, y), count of h0)."""
    toks = d.split()
    subs, i, lone = [], 0, 0
    while i < len(toks):
        tok = toks[i]
        if tok == 'h0':
            lone += 1
            i += 1
            continue
        cmd, x = tok[0], float(tok[1:])
        y = float(toks[i + 1])
        if cmd == 'M':
            subs.append([])
        elif cmd != 'L' or not subs:
            raise AssertionError('unexpected path token %r' % tok)
        subs[-1].append((x, y))
        i += 2
    return subs, lone


def _translate(el):
    m = re.fullmatch(r'translate\(([-0-9.]+),([-0-9.]+)\)', el.get('transform', ''))
    assert m, 'tick without translate: %r' % el.attrib
    return float(m.group(1)), float(m.group(2))


class Chart:
    """The parts of a rendered SVG the checks look at."""

    def __init__(self, path):
        self.tree = ET.parse(path)  # raises on malformed XML
        self.root = self.tree.getroot()
        r = self.root
        assert r.tag == NS + 'svg' and r.get('version') == '1.1', r.tag
        self.width, self.height = int(r.get('width')), int(r.get('height'))
        area = self.find_id('plot-area')
        self.left, self.top = float(area.get('x')), float(area.get('y'))
        self.w, self.h = float(area.get('width')), float(area.get('height'))
        self.xticks = [(_translate(g)[0], g.find(NS + 'text').text)
                       for g in self.find_id('x-ticks').findall(NS + 'g')]
        self.yticks = [(_translate(g)[1], g.find(NS + 'text').text)
                       for g in self.find_id('y-ticks').findall(NS + 'g')]
        self.xmax = label_value(self.xticks[-1][1])
        self.ymax = label_value(self.yticks[-1][1])
        self.series = [g for g in r.findall(NS + 'g') if g.get('class') == 'series']
        self.legend = [''.join(g.find(NS + 'text').itertext())
                       for g in self.find_id('legend').findall(NS + 'g')]

    def find_id(self, ident):
        for el in self.root.iter():
            if el.get('id') == ident:
                return el
        raise AssertionError('no element with id %r' % ident)

    def x_of(self, t):
        return self.left + t / self.xmax * self.w

    def y_of(self, v):
        return self.top + self.h - v / self.ymax * self.h

    def path(self, k):
        paths = [p for p in self.series[k].findall(NS + 'path')]
        assert len(paths) == 1, 'series %d has %d paths' % (k, len(paths))
        return paths[0]

    def peak(self, k):
        """(element, label text) of series k's peak mark, or (None, None)."""
        g = self.series[k]
        mark = [el for el in g if el.get('class') == 'peak']
        text = [el for el in g if el.get('class') == 'peak-label']
        assert len(mark) <= 1 and len(mark) == len(text), 'series %d peak parts' % k
        return (mark[0], ''.join(text[0].itertext())) if mark else (None, None)
