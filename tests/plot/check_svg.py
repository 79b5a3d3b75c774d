"""Render synthetic charts with plot_render and check each SVG as a reader
would see it: well-formed SVG 1.1 with nothing external, one path per
series with exactly the points the decimation rule keeps, at the
coordinates the axis labels promise, peaks marked where the data peaks,
tick labels as expected, hostile text escaped.

    check_svg.py PLOT_RENDER WORKDIR
Prints one line per case and "N passed, N failed".
"""
import math
import os
import sys
import traceback

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plotcase import (GIB, MIB, NAN, NS, Chart, Series, expected_subpaths,  # noqa: E402
                      label_value, model_text, parse_path, render, write_case)

TOOL, WORK = sys.argv[1], sys.argv[2]
EPS = 0.051  # coordinates are written with one decimal
GENERIC_FONTS = {'serif', 'sans-serif', 'monospace'}
FORBIDDEN = {'script', 'image', 'foreignObject', 'style', 'a', 'use', 'iframe'}


def build(name, series, title=None, t_end=NAN):
    case = os.path.join(WORK, name + '.case')
    svg = os.path.join(WORK, name + '.svg')
    write_case(case, series, title, t_end)
    render(TOOL, case, svg)
    return svg, Chart(svg)


def near(a, b, eps=EPS):
    return abs(a - b) <= eps


def check_common(svg, c, series):
    """What every chart must satisfy."""
    with open(svg, 'rb') as f:
        raw = f.read()
    raw.decode('utf-8')  # strictly valid UTF-8
    assert c.root[0].tag == NS + 'title', 'the first child is not <title>'
    for el in c.root.iter():
        tag = el.tag.replace(NS, '')
        assert tag not in FORBIDDEN, 'forbidden element %s' % tag
        for k, v in el.attrib.items():
            assert 'href' not in k and not k.startswith('on'), 'attribute %s' % k
            assert 'url(' not in v and 'http' not in v, 'external reference %r' % v
            if k == 'font-family':
                assert v in GENERIC_FONTS, 'font %r' % v
    assert len(c.series) == len(series), 'series groups %d != %d' % (len(c.series), len(series))
    assert len(c.legend) == len(series), 'legend items'
    # The axes are linear from 0 and the labels sit where their values are.
    for pos, text in c.xticks:
        assert near(pos, c.x_of(label_value(text))), text
    assert near(c.xticks[0][0], c.left) and near(c.xticks[-1][0], c.left + c.w), 'x axis ends'
    assert near(c.yticks[0][0], c.top + c.h) and near(c.yticks[-1][0], c.top), 'y axis ends'
    for pos, text in c.yticks:
        assert near(pos, c.y_of(label_value(text))), text
    for k, s in enumerate(series):
        check_points(c, k, s)


def check_points(c, k, s):
    """Series k's path holds exactly the kept samples, where the axes put them."""
    subs, lone = parse_path(c.path(k).get('d'))
    want = expected_subpaths(s, c.xmax, int(c.w))
    assert len(subs) == len(want), 'series %d: %d subpaths, want %d' % (k, len(subs), len(want))
    for got, idx in zip(subs, want):
        assert len(got) == len(idx), 'series %d: %d points, want %d' % (k, len(got), len(idx))
        for (x, y), i in zip(got, idx):
            assert near(x, c.x_of(s.t[i])) and near(y, c.y_of(s.v[i])), \
                'series %d sample %d drawn at (%s, %s)' % (k, i, x, y)
    assert lone == sum(1 for w in want if len(w) == 1), 'lone points need a zero-length segment'


def check_ticks(c, xs, ys):
    assert [t for _, t in c.xticks] == xs, [t for _, t in c.xticks]
    assert [t for _, t in c.yticks] == ys, [t for _, t in c.yticks]


def check_point_peak(c, k, t, v, label):
    el, text = c.peak(k)
    assert el is not None and el.tag == NS + 'circle', 'series %d: no peak circle' % k
    assert near(float(el.get('cx')), c.x_of(t)) and near(float(el.get('cy')), c.y_of(v)), \
        'series %d: peak at (%s, %s)' % (k, el.get('cx'), el.get('cy'))
    assert text == label, 'series %d: peak label %r' % (k, text)


def ticks(fmt, values):
    return [fmt % v for v in values]


# ---------------------------------------------------------------- cases

def case_basic():
    t = [i * 0.5 for i in range(121)]
    ram = [GIB + 0.2 * GIB * math.sin(x / 5) for x in t]
    ram[83] = 2.5 * GIB  # a one-sample spike at 41.5 s
    gpu = [3 * GIB * (1 - abs(x - 45) / 45) for x in t]
    series = [Series(b'RAM (tree)', t, ram), Series(b'GPU 0: NVIDIA H100 80GB HBM3', t, gpu)]
    svg, c = build('basic', series, b'hmn run -- python train.py', 60)
    check_common(svg, c, series)
    check_ticks(c, ticks('%d s', range(0, 61, 10)),
                ['0 GiB', '0.5 GiB', '1 GiB', '1.5 GiB', '2 GiB', '2.5 GiB', '3 GiB'])
    check_point_peak(c, 0, 41.5, 2.5 * GIB, 'peak 2.5 GiB at 41.5 s')
    check_point_peak(c, 1, 45, 3 * GIB, 'peak 3 GiB at 45 s')
    assert c.legend == ['RAM (tree)', 'GPU 0: NVIDIA H100 80GB HBM3'], c.legend
    title = c.find_id('title')
    assert title.text == 'hmn run -- python train.py' == c.root[0].text
    # Same input, same bytes.
    again = os.path.join(WORK, 'basic-again.svg')
    render(TOOL, os.path.join(WORK, 'basic.case'), again)
    with open(svg, 'rb') as a, open(again, 'rb') as b:
        assert a.read() == b.read(), 'output is not deterministic'


def case_gaps():
    t = list(range(21))
    v = [100 * MIB * (i + 1) for i in t]
    for i in (5, 6, 12, 14):
        v[i] = NAN
    v[18] = -1.0  # invalid: a gap, not a dip to zero
    series = [Series(b'RAM', t, v)]
    svg, c = build('gaps', series)
    check_common(svg, c, series)
    subs, lone = parse_path(c.path(0).get('d'))
    assert [len(s) for s in subs] == [5, 5, 1, 3, 2] and lone == 1, [len(s) for s in subs]
    check_ticks(c, ticks('%d s', range(0, 21, 2)),
                ['0 GiB', '0.5 GiB', '1 GiB', '1.5 GiB', '2 GiB', '2.5 GiB'])
    check_point_peak(c, 0, 20, 2100 * MIB, 'peak 2.05 GiB at 20 s')
    assert all(y < c.top + c.h - 1 for s in subs for _, y in s), 'an unknown drawn as 0'


def case_single_sample():
    series = [Series(b'RAM', [0.0], [512 * MIB])]
    svg, c = build('single', series, None, 0)
    check_common(svg, c, series)
    check_ticks(c, ['0 s'] + ['0.%d s' % i for i in range(1, 10)] + ['1 s'],
                ticks('%d MiB', range(0, 601, 100)))
    check_point_peak(c, 0, 0, 512 * MIB, 'peak 512 MiB at 0 s')
    assert c.root[0].text == 'Memory over time'


def case_no_series():
    svg, c = build('empty', [], b'nothing ran', 0)
    check_common(svg, c, [])
    assert c.find_id('no-data').text == 'no samples'
    check_ticks(c, ['0 s'] + ['0.%d s' % i for i in range(1, 10)] + ['1 s'],
                ['0 MiB', '0.2 MiB', '0.4 MiB', '0.6 MiB', '0.8 MiB', '1 MiB'])


def case_empty_nan_constant():
    t = list(range(11))
    series = [Series(b'GPU 0', [], []), Series(b'GPU 1', t, [NAN] * 11),
              Series(b'RAM', t, [512 * MIB] * 11), Series(None, [1.0], [NAN])]
    svg, c = build('nan', series, None, 10)
    check_common(svg, c, series)
    for k in (0, 1, 3):
        assert c.path(k).get('d') == '' and c.peak(k) == (None, None), 'series %d drawn' % k
    assert c.legend == ['GPU 0 (no data)', 'GPU 1 (no data)', 'RAM', 'series 4 (no data)']
    check_point_peak(c, 2, 0, 512 * MIB, 'peak 512 MiB at 0 s')
    check_ticks(c, ticks('%d s', range(0, 11)), ticks('%d MiB', range(0, 601, 100)))


def case_huge():
    series = [Series(b'RAM', [0, 1, 1.5, 1.7, 2], [2.0 ** 62, 2.0 ** 63, 1e300, math.inf, 2.0 ** 64])]
    svg, c = build('huge', series, None, 2)
    check_common(svg, c, series)
    check_ticks(c, ['0 s', '0.2 s', '0.4 s', '0.6 s', '0.8 s', '1 s', '1.2 s', '1.4 s',
                    '1.6 s', '1.8 s', '2 s'], ticks('%d EiB', range(0, 9)))
    check_point_peak(c, 0, 1, 2.0 ** 63, 'peak 8589934592 GiB at 1 s')


def case_long_runs():
    t = [i * 60.0 for i in range(91)]
    series = [Series(b'RAM', t, [7 * i * MIB + 70 * MIB for i in range(91)])]
    svg, c = build('minutes', series, None, 5400)
    check_common(svg, c, series)
    check_ticks(c, ticks('%d min', range(0, 91, 10)), ticks('%d MiB', range(0, 701, 100)))
    check_point_peak(c, 0, 5400, 700 * MIB, 'peak 700 MiB at 90 min')
    t = [i * 900.0 for i in range(97)]
    series = [Series(b'RAM', t, [GIB] * 97)]
    svg, c = build('hours', series, None, 86400)
    check_common(svg, c, series)
    check_ticks(c, ticks('%d h', range(0, 26, 5)),
                ['0 GiB', '0.2 GiB', '0.4 GiB', '0.6 GiB', '0.8 GiB', '1 GiB'])


def case_exact_peaks():
    t = list(range(11))
    series = [Series(b'RAM', t, [GIB * x / 10 * 1.5 for x in t], peak=(2 * GIB, 3.3)),
              Series(b'GPU 0', t, [GIB] * 11, peak=(1.25 * GIB, NAN)),
              Series(b'GPU 1', t, [MIB * x for x in t], peak_label=b'exact <cgroup> & "peak"')]
    svg, c = build('exact', series, None, 10)
    check_common(svg, c, series)
    check_point_peak(c, 0, 3.3, 2 * GIB, 'peak 2 GiB at 3.3 s')
    el, text = c.peak(1)
    assert el.tag == NS + 'line' and near(float(el.get('y1')), c.y_of(1.25 * GIB)) \
        and el.get('y1') == el.get('y2'), 'level peak'
    assert near(float(el.get('x1')), c.left) and near(float(el.get('x2')), c.left + c.w)
    assert text == 'peak 1.25 GiB', text
    check_point_peak(c, 2, 10, 10 * MIB, 'exact <cgroup> & "peak"')


def case_decimation():
    n = 200000
    t = [(i + 0.5) * 0.001 for i in range(n)]  # never on a column boundary
    v = [GIB + 100 * MIB * math.sin(i / 50.0) for i in range(n)]
    v[123457] = 4 * GIB  # one sample, a fraction of a pixel wide
    v[7] = 0.2 * GIB     # and a one-sample dip
    for i in range(150000, 151000):
        v[i] = NAN       # a gap of 1 s, ~4 px
    for i in range(0, n, 997):
        v[i] = NAN       # single unknowns, mostly inside a column
    series = [Series(b'RAM', t, v)]
    svg, c = build('decimate', series, None, 200)
    check_common(svg, c, series)
    subs, _ = parse_path(c.path(0).get('d'))
    points = [p for s in subs for p in s]
    assert len(points) <= 4 * int(c.w), 'not decimated: %d points' % len(points)
    assert any(near(y, c.y_of(4 * GIB)) for _, y in points), 'spike lost'
    assert any(near(y, c.y_of(0.2 * GIB)) for _, y in points), 'dip lost'
    check_point_peak(c, 0, t[123457], 4 * GIB, 'peak 4 GiB at 123 s')
    assert os.path.getsize(svg) < 200000, 'output %d bytes' % os.path.getsize(svg)


HOSTILE_TITLE = (b'</title><script>alert(1)</script> & "quote" \'apos\' \x01\x1b[31m '
                 b'\xff\xfe \xc3\x28 \xe2\x82 ok \xed\xa0\x80 \xef\xbf\xbe \xc2\x85 <!-- --> ]]> &amp;')


def case_hostile():
    label = b'<g onload="alert(2)">\x07\xc2\x85\xe2\x82\xac\xf0\x9f\x98\x80 ' + b'x' * 60
    peak_label = b'</text><a href="http://evil">x</a>'
    series = [Series(label, [0, 1], [MIB, 2 * MIB], peak_label=peak_label)]
    svg, c = build('hostile', series, HOSTILE_TITLE, 1)
    check_common(svg, c, series)
    with open(svg, 'rb') as f:
        raw = f.read()
    assert b'<script' not in raw and b'<a ' not in raw and b'<g onload' not in raw
    assert c.root[0].text == model_text(HOSTILE_TITLE, 100) == c.find_id('title').text
    assert c.legend == [model_text(label, 36)], c.legend
    assert c.legend[0].endswith('\u2026') and len(c.legend[0]) == 36
    assert c.peak(0)[1] == model_text(peak_label, 48)
    long_title = b'a' * 300
    svg, c = build('long-title', [], long_title, 1)
    assert c.root[0].text == 'a' * 99 + '\u2026'


def case_many_series():
    series = [Series(('GPU %d' % k).encode(), [0, 10], [(k + 1) * 100 * MIB] * 2)
              for k in range(10)]
    svg, c = build('many', series, None, 10)
    check_common(svg, c, series)
    styles = [(c.path(k).get('stroke'), c.path(k).get('stroke-dasharray')) for k in range(10)]
    assert len(set(styles)) == 10, styles
    assert len({s for s, _ in styles[:8]}) == 8, 'the first 8 colours differ'
    assert len({d for _, d in styles[:8]}) == 8, 'the first 8 dash patterns differ'
    assert c.legend == ['GPU %d' % k for k in range(10)]
    items = c.find_id('legend').findall(NS + 'g')
    ys = {int(g.find(NS + 'text').get('y')) for g in items}
    assert len(ys) == 4 and max(ys) < c.height, 'legend rows %r in %d' % (ys, c.height)


CASES = [case_basic, case_gaps, case_single_sample, case_no_series, case_empty_nan_constant,
         case_huge, case_long_runs, case_exact_peaks, case_decimation, case_hostile,
         case_many_series]


def main():
    os.makedirs(WORK, exist_ok=True)
    passed = failed = 0
    for case in CASES:
        try:
            case()
            passed += 1
            print('ok   %s' % case.__name__)
        except Exception:  # one failing case must not hide the others
            failed += 1
            print('FAIL %s' % case.__name__)
            traceback.print_exc()
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
