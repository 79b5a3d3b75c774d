"""Render a chart, take a screenshot of it with Debian's headless Chromium and
check the pixels (the PNG is decoded here with zlib, no imaging library):
each series' colour lies along where its data must be drawn and nowhere
else in the plot, not in its gap, its peak marker and legend sample are
there, and the rest of the plot is background.

    check_screenshot.py PLOT_RENDER WORKDIR
Exit 77 (skipped) only when chromium is not installed.
"""
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plotcase import GIB, NAN, NS, Chart, Series, render, write_case  # noqa: E402

TOOL, WORK = sys.argv[1], sys.argv[2]
TOLERANCE = 48  # per channel, for antialiased edges


def hex_rgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


# ---------------------------------------------------------------- PNG

def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png(path):
    """8-bit RGB or RGBA, not interlaced -> (width, height, rows of RGB tuples)."""
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat.append(body)
        pos += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, 'PNG format %r' % (ihdr,)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ftype == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif ftype == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                up_left = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], up_left)) & 255
        else:
            assert ftype == 0, 'PNG filter %d' % ftype
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


# ---------------------------------------------------------------- Chromium

def screenshot(browser, svg, png, width, height):
    profile = tempfile.mkdtemp(prefix='hmn-chromium-')
    cmd = [browser, '--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
           '--force-device-scale-factor=1', '--no-first-run', '--disable-extensions',
           '--user-data-dir=' + profile, '--screenshot=' + png,
           '--window-size=%d,%d' % (width, height), 'file://' + os.path.abspath(svg)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError('chromium did not finish in 90 s')
    finally:
        try:  # helpers it left behind
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0 and os.path.exists(png), \
        'chromium failed (%d): %s' % (proc.returncode, err.decode(errors='replace')[-2000:])


# ---------------------------------------------------------------- geometry

def polyline(c, s):
    """Pixel polylines of the known samples (split at gaps), densely interpolated."""
    parts, cur = [], []
    for t, v in zip(s.t, s.v):
        if math.isnan(v):
            if cur:
                parts.append(cur)
            cur = []
            continue
        cur.append((c.x_of(t), c.y_of(v)))
    if cur:
        parts.append(cur)
    dense = []
    for part in parts:
        for (x0, y0), (x1, y1) in zip(part, part[1:] + part[-1:]):
            steps = max(1, int(math.hypot(x1 - x0, y1 - y0) / 0.5))
            dense.extend((x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
                         for i in range(steps + 1))
    return dense


def dilate(points, r):
    out = set()
    for x, y in points:
        xi, yi = int(round(x)), int(round(y))
        for dx in range(-r, r + 1):
            for dy in range(-r, r + 1):
                out.add((xi + dx, yi + dy))
    return out


def main():
    browser = shutil.which('chromium')
    if not browser:
        print('chromium is not installed: skipped')
        return 77
    os.makedirs(WORK, exist_ok=True)
    t = [i * 0.1 for i in range(301)]
    ram = [1.5 * GIB + 0.3 * GIB * math.sin(x / 3) for x in t]
    gpu0 = [GIB * x / 30 for x in t]
    gpu1 = [NAN if 10 <= x <= 15 else 0.25 * GIB for x in t]
    series = [Series(b'RAM', t, ram), Series(b'GPU 0', t, gpu0), Series(b'GPU 1', t, gpu1)]
    case, svg, png = (os.path.join(WORK, 'shot.' + e) for e in ('case', 'svg', 'png'))
    write_case(case, series, b'screenshot', 30)
    render(TOOL, case, svg)
    c = Chart(svg)
    screenshot(browser, svg, png, c.width, c.height)
    width, height, px = read_png(png)
    assert width >= c.width and height >= c.height, 'screenshot %dx%d' % (width, height)

    def matches(x, y, rgb):
        p = px[y][x]
        return all(abs(p[i] - rgb[i]) <= TOLERANCE for i in range(3))

    def near_colour(x, y, rgb, r=2):
        return any(matches(x + dx, y + dy, rgb) for dx in range(-r, r + 1)
                   for dy in range(-r, r + 1))

    colours = [hex_rgb(c.path(k).get('stroke')) for k in range(len(series))]
    allowed_all = set()
    for k, s in enumerate(series):
        rgb = colours[k]
        line = polyline(c, s)
        # 1. The colour is there along the data (dash gaps tolerated).
        probes = line[::6]
        hits = sum(near_colour(int(round(x)), int(round(y)), rgb) for x, y in probes)
        assert hits >= 0.7 * len(probes), 'series %d: %d of %d probes drawn' % (k, hits, len(probes))
        # 2. ... and nowhere else in the plot area (the peak marker aside).
        mark, _ = c.peak(k)
        allowed = dilate(line, 4) | dilate([(float(mark.get('cx')), float(mark.get('cy')))], 6)
        allowed_all |= allowed
        stray = total = 0
        for y in range(int(c.top) + 2, int(c.top + c.h) - 1):
            for x in range(int(c.left) + 2, int(c.left + c.w) - 1):
                if matches(x, y, rgb):
                    total += 1
                    stray += (x, y) not in allowed
        assert total > 0 and stray <= 0.005 * total, \
            'series %d: %d of %d pixels off the line' % (k, stray, total)
        # 3. The peak marker and the legend sample.
        assert matches(int(round(float(mark.get('cx')))), int(round(float(mark.get('cy')))), rgb), \
            'series %d: no peak marker' % k
        item = c.find_id('legend').findall(NS + 'g')[k].find(NS + 'line')
        x1, x2, ly = float(item.get('x1')), float(item.get('x2')), int(float(item.get('y1')))
        assert sum(matches(int(x), ly, rgb) for x in range(int(x1), int(x2) + 1)) >= 5, \
            'series %d: no legend sample' % k
    # 4. The gap of GPU 1 is not bridged.
    y_gpu1 = int(round(c.y_of(0.25 * GIB)))
    for x in range(int(c.x_of(10.6)), int(c.x_of(14.4)) + 1):
        for y in range(y_gpu1 - 4, y_gpu1 + 5):
            assert not matches(x, y, colours[2]), 'GPU 1 drawn inside its gap at (%d, %d)' % (x, y)
    # 5. Background: away from the lines, the grid, the peak labels and the plot frame.
    grid_x = [x for x, _ in c.xticks]
    grid_y = [y for y, _ in c.yticks]
    labels = [(float(el.get('x')), float(el.get('y'))) for el in c.root.iter()
              if el.get('class') == 'peak-label']
    free = white = 0
    for y in range(int(c.top) + 4, int(c.top + c.h) - 3, 5):
        for x in range(int(c.left) + 4, int(c.left + c.w) - 3, 5):
            if (x, y) in allowed_all or any(abs(x - g) < 3 for g in grid_x) \
                    or any(abs(y - g) < 3 for g in grid_y) \
                    or any(abs(x - lx) < 200 and -16 < y - ly < 6 for lx, ly in labels):
                continue
            free += 1
            white += all(ch >= 250 for ch in px[y][x])
    assert free > 3000 and white >= 0.99 * free, 'background: %d of %d white' % (white, free)
    for x, y in ((2, 2), (c.width - 3, 2), (c.width - 3, c.height - 3), (2, c.height - 3)):
        assert all(ch >= 250 for ch in px[y][x]), 'corner (%d, %d) is %r' % (x, y, px[y][x])
    print('lines, peaks, legend, gap and background check out (%dx%d)' % (width, height))
    print('1 passed, 0 failed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
