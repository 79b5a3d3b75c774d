"""`hmn run` end to end on real workloads (tests/run/run_workload.c).

    check_run.py CASE HMN WORKLOAD WORKDIR [FAKE_NVML]

One case per ctest test.  Each runs the real hmn on a real process tree
and checks what it says against what the workload did: exit statuses,
peaks within stated tolerances and the method that produced them, signal
forwarding, the JSON (every key, its type, null for unknown), the JSONL
records, the prmon TSV, the SVG chart (parsed, and a Chromium screenshot),
the GPU figures through the fake NVML whose scenario changes during the
run, a real kernel OOM kill inside a v1 memory cgroup (root only), and the
v2 code path on a fixture cgroup tree.  Exit 77: skipped (said why).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'plot'))

CASE, HMN, WL, WORK = sys.argv[1:5]
FAKE_NVML = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
MIB = 1 << 20
SKIP = 77


class Skip(Exception):
    pass


def work(name):
    d = os.path.join(WORK, CASE)
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def base_env(**extra):
    env = dict(os.environ)
    # A GPU-less machine unless a case brings the fake NVML.
    env.update({'HMN_NVML_LIBRARY': '/nonexistent/libnvidia-ml.so.1',
                'HMN_NVIDIA_SMI': '/nonexistent/nvidia-smi', 'HMN_SYSFS': '/nonexistent'})
    env.pop('HMN_CGROUP_ROOT', None)
    env.update(extra)
    return env


def hmn_run(opts, cmd, env=None, timeout=60):
    p = subprocess.run([HMN, 'run'] + opts + ['--'] + cmd, env=env or base_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_json(opts, cmd, env=None, want_rc=0):
    path = work('run.json')
    rc, out, err = hmn_run(['--json', path] + opts, cmd, env)
    assert rc == want_rc, 'exit %d, wanted %d; stderr:\n%s' % (rc, want_rc, err)
    with open(path) as f:
        doc = json.load(f)
    check_schema(doc)
    return doc, err


# ---------------------------------------------------------------- the JSON

def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def typed(v, kinds, nullable=True):
    if v is None:
        return nullable
    return any((k == 'int' and is_int(v)) or (k == 'num' and (is_int(v) or isinstance(v, float)))
               or (k == 'str' and isinstance(v, str)) for k in kinds)


def keys(obj, names, where):
    assert isinstance(obj, dict), '%s is not an object' % where
    assert list(obj) == names, '%s keys %r != %r' % (where, list(obj), names)


def check_schema(d):
    keys(d, ['command', 'exit_code', 'signal', 'wall_seconds', 'interval_ms', 'samples', 'ram',
             'gpus', 'oom'], 'report')
    assert isinstance(d['command'], list) and all(isinstance(a, str) for a in d['command'])
    assert typed(d['exit_code'], ['int']) and typed(d['signal'], ['int'])
    assert (d['exit_code'] is None) != (d['signal'] is None), 'exactly one of exit_code / signal'
    assert typed(d['wall_seconds'], ['num'], False) and d['wall_seconds'] >= 0
    assert is_int(d['interval_ms']) and d['interval_ms'] >= 10 and is_int(d['samples'])
    r = d['ram']
    keys(r, ['peak_bytes', 'peak_method', 'peak_at_seconds', 'sampled_peak_bytes', 'processes'], 'ram')
    assert typed(r['peak_bytes'], ['int']) and typed(r['sampled_peak_bytes'], ['int'])
    assert r['peak_method'] in (None, 'cgroup-v2', 'cgroup-v1', 'job-object', 'sampled')
    assert (r['peak_bytes'] is None) == (r['peak_method'] is None)
    assert typed(r['peak_at_seconds'], ['num'])
    if r['peak_method'] == 'sampled':
        assert r['peak_bytes'] == r['sampled_peak_bytes'] and r['peak_at_seconds'] is not None
    elif r['peak_method'] is not None:
        assert r['peak_at_seconds'] is None, 'an exact group peak has no time'
    for p in r['processes']:
        keys(p, ['pid', 'name', 'peak_bytes'], 'process')
        assert is_int(p['pid']) and typed(p['name'], ['str']) and typed(p['peak_bytes'], ['int'])
        assert p['peak_bytes'] != 0, 'a peak of 0 bytes is an unknown written as 0'
    for g in d['gpus']:
        keys(g, ['index', 'name', 'uuid', 'peak_bytes', 'peak_method', 'peak_at_seconds',
                 'sampled_peak_bytes', 'device_used_peak_bytes', 'device_free_min_bytes',
                 'others_at_peak'], 'gpu')
        assert is_int(g['index'])
        for k in ('peak_bytes', 'sampled_peak_bytes', 'device_used_peak_bytes', 'device_free_min_bytes'):
            assert typed(g[k], ['int']), k
        assert g['peak_method'] in (None, 'nvml-accounting', 'sampled')
        assert (g['peak_bytes'] is None) == (g['peak_method'] is None)
        for o in g['others_at_peak']:
            keys(o, ['pid', 'name', 'used_bytes'], 'other')
    keys(d['oom'], ['verdict', 'detail'], 'oom')
    assert d['oom']['verdict'] in ('none', 'kernel-oom-kill', 'signal', 'unknown')
    assert isinstance(d['oom']['detail'], str) and d['oom']['detail']


def has_v1_memory():
    try:
        with open('/proc/self/cgroup') as f:
            return any(':memory:' in l for l in f) and os.geteuid() == 0
    except OSError:
        return False


# ---------------------------------------------------------------- cases

def case_exit_statuses():
    script = work('not-executable')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\nexit 0\n')
    os.chmod(script, 0o644)
    for cmd, want in ((['exit', '0'], 0), (['exit', '3'], 3), (['exit', '255'], 255),
                      (['sigkill'], 128 + 9)):
        rc, _, err = hmn_run([], [WL] + cmd)
        assert rc == want, '%r: exit %d, wanted %d\n%s' % (cmd, rc, want, err)
        assert 'hmn run:' in err and 'OOM verdict' in err, err
    rc, _, err = hmn_run([], [script])
    assert rc == 126 and 'cannot execute' in err, (rc, err)
    rc, _, err = hmn_run([], ['hmn-no-such-command-here'])
    assert rc == 127 and 'command not found' in err, (rc, err)
    rc, _, err = hmn_run(['--interval', '5ms'], [WL, 'exit', '0'])
    assert rc == 125 and '10ms' in err, (rc, err)
    rc, _, err = hmn_run(['--device', 'x'], [WL, 'exit', '0'])
    assert rc == 125, rc
    rc, _, err = hmn_run(['--json', '/nonexistent/dir/run.json'], [WL, 'exit', '0'])
    assert rc == 125 and 'cannot write /nonexistent/dir/run.json' in err, (rc, err)
    p = subprocess.run([HMN, 'run'], capture_output=True)
    assert p.returncode == 125 and b'required' in p.stderr
    p = subprocess.run([HMN, 'run', '--help'], capture_output=True)
    assert p.returncode == 0 and b'Exit status' in p.stdout
    # A report that cannot be written is hmn's failure, not CMD's success.
    if os.path.exists('/dev/full'):
        rc, _, err = hmn_run(['--json', '/dev/full'], [WL, 'exit', '0'])
        assert rc == 125 and 'write error' in err, (rc, err)
    # --quiet: nothing on stderr from hmn.
    rc, _, err = hmn_run(['--quiet'], [WL, 'exit', '4'])
    assert rc == 4 and err == '', (rc, err)


def case_tree_peak():
    mib, hold_ms = 200, 700
    d, err = run_json(['--interval', '10ms'], [WL, 'tree', str(mib), str(hold_ms)])
    r = d['ram']
    want = mib * MIB
    # The sampled sum over the tree sees the grandchild's pages (held 70 intervals).
    assert want * 0.98 <= r['sampled_peak_bytes'] <= want + 24 * MIB, r
    assert d['samples'] >= 20, d['samples']
    assert len(r['processes']) >= 3, r['processes']
    biggest = max(p['peak_bytes'] or 0 for p in r['processes'])
    assert want <= biggest <= want + 8 * MIB, 'the grandchild own peak (VmHWM) %d' % biggest
    if has_v1_memory():
        assert r['peak_method'] in ('cgroup-v1', 'cgroup-v2'), r
        assert want <= r['peak_bytes'] <= want + 24 * MIB, r
        assert 'includes page cache' in err
    else:
        assert r['peak_method'] == 'sampled', r
    assert d['oom']['verdict'] == 'none'


def case_daemon():
    pidfile = work('daemon.pid')
    if os.path.exists(pidfile):
        os.unlink(pidfile)
    d, _ = run_json(['--interval', '10ms'], [WL, 'daemon', '64', '500', pidfile])
    with open(pidfile) as f:
        dpid = int(f.read())
    mine = [p for p in d['ram']['processes'] if p['pid'] == dpid]
    assert mine, 'the daemonised grandchild %d is not in the tree: %r' % (dpid, d['ram']['processes'])
    peak = max(p['peak_bytes'] or 0 for p in mine)
    assert peak >= 64 * MIB, mine
    assert d['ram']['sampled_peak_bytes'] >= 64 * MIB, d['ram']


def case_exec():
    d, _ = run_json(['--interval', '10ms'], [WL, 'exec', WL, 'alloc', '96', '500'])
    assert d['ram']['sampled_peak_bytes'] >= 96 * MIB * 0.98, d['ram']
    assert any((p['peak_bytes'] or 0) >= 96 * MIB for p in d['ram']['processes'])


def wait_file(path, proc, limit=10):
    end = time.time() + limit
    while not os.path.exists(path):
        assert proc.poll() is None, 'hmn ended early: %r' % (proc.communicate(),)
        assert time.time() < end, 'the workload never got ready'
        time.sleep(0.01)


def signalled_run(mode, sig, ms):
    ready = work('ready-%s-%d' % (mode, sig))
    if os.path.exists(ready):
        os.unlink(ready)
    path = work('sig.json')
    p = subprocess.Popen([HMN, 'run', '--json', path, '--', WL, mode, str(ms), ready],
                         env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)  # the signal reaches hmn alone
    wait_file(ready, p)
    t0 = time.time()
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    with open(path) as f:
        doc = json.load(f)
    check_schema(doc)
    return p.returncode, time.time() - t0, doc, err.decode()


def case_signals():
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        rc, took, doc, err = signalled_run('sleep', sig, 20000)
        assert rc == 128 + sig, '%s: exit %d' % (sig, rc)
        assert took < 5, '%s: took %.1f s' % (sig, took)
        assert doc['signal'] == sig and doc['exit_code'] is None, doc
        assert doc['oom']['verdict'] == 'signal', doc['oom']
        assert 'was killed by' in err
    # A command that ignores SIGTERM keeps running; hmn waits and reports its own status.
    rc, took, doc, _ = signalled_run('ignore-term', signal.SIGTERM, 1500)
    assert rc == 0 and doc['exit_code'] == 0 and took > 1.0, (rc, took)


def case_outputs():
    jl, tsv, js = work('run.jsonl'), work('run.tsv'), work('out.json')
    rc, out, err = hmn_run(['--interval', '20ms', '--jsonl', jl, '--tsv', tsv, '--json', '-'],
                           [WL, 'alloc', '128', '500'])
    assert rc == 0, err
    summary = json.loads(out)  # --json - : the only thing on stdout
    check_schema(summary)
    with open(jl) as f:
        recs = [json.loads(l) for l in f]
    samples = [r for r in recs if r['type'] == 'sample']
    assert recs[-1]['type'] == 'summary' and len(samples) == len(recs) - 1
    tail = dict(recs[-1])
    del tail['type']
    check_schema(tail)
    assert len(samples) == tail['samples'] >= 10, (len(samples), tail['samples'])
    assert [s['seq'] for s in samples] == list(range(len(samples)))
    ts = [s['t_seconds'] for s in samples]
    assert ts == sorted(ts)
    for s in samples:
        assert list(s) == ['type', 'seq', 't_seconds', 'epoch_ms', 'processes', 'rss_bytes',
                           'pss_bytes', 'gpus'], list(s)
    assert max(s['rss_bytes'] or 0 for s in samples) == tail['ram']['sampled_peak_bytes']
    with open(tsv) as f:
        lines = f.read().splitlines()
    head = lines[0].split('\t')
    assert head == ['Time', 'wtime', 'rss', 'pss'], head
    rows = [l.split('\t') for l in lines[1:]]
    assert len(rows) == len(samples)
    now = time.time()
    for row in rows:
        assert len(row) == len(head)
        assert now - 120 < int(row[0]) <= now + 1, row
    rss_kb = max(int(r[2]) for r in rows if r[2])
    assert rss_kb == tail['ram']['sampled_peak_bytes'] // 1024
    assert rss_kb >= 128 * 1024 * 0.98
    pss = [int(r[3]) for r in rows if r[3]]
    assert pss and max(pss) >= 128 * 1024 * 0.9, 'pss read from smaps_rollup'


def case_plot():
    from plotcase import Chart, parse_path  # noqa: E402
    svg = work('run.svg')
    rc, _, err = hmn_run(['--interval', '10ms', '--plot', svg], [WL, 'spikes', '100', '150', '3', '150'])
    assert rc == 0, err
    c = Chart(svg)
    assert len(c.series) == 1 and 'RAM' in c.legend[0], c.legend
    subs, _ = parse_path(c.path(0).get('d'))
    pts = [p for s in subs for p in s]
    assert len(pts) >= 20
    top = min(y for _, y in pts)
    # The three spikes reach ~100 MiB on the chart's own axis.
    assert abs(c.y_of(100 * MIB) - top) < 0.06 * c.h, (top, c.y_of(100 * MIB))
    mark, label = c.peak(0)
    assert mark is not None and 'peak' in label, label
    if not shutil.which('chromium'):
        print('chromium is not installed: screenshot skipped')
        return
    from check_screenshot import hex_rgb, read_png, screenshot  # noqa: E402
    png = work('run.png')
    screenshot(shutil.which('chromium'), svg, png, c.width, c.height)
    _, _, px = read_png(png)
    rgb = hex_rgb(c.path(0).get('stroke'))

    def near(x, y):
        return any(all(abs(px[y + dy][x + dx][i] - rgb[i]) <= 48 for i in range(3))
                   for dx in (-2, -1, 0, 1, 2) for dy in (-2, -1, 0, 1, 2))
    hits = sum(near(int(round(x)), int(round(y))) for x, y in pts)
    assert hits >= 0.9 * len(pts), 'only %d of %d points drawn' % (hits, len(pts))


def write_scenario(path, procs, used, acct=None):
    """acct: None (accounting not supported), or [(pid, max MiB)] with the mode on."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write('driver 590.48.01\nnvml 13.590.48.01\ncuda 13010\n')
        f.write('device name="NVIDIA H100 80GB HBM3" uuid=GPU-11111111-2222-3333-4444-555555555555 '
                'pci=00000000:00:09.0 pci_id=0x233010de total=81559MiB reserved=529MiB used=%dMiB mig=off%s\n'
                % (used, '' if acct is None else ' accounting=on'))
        for pid, mib in procs:
            f.write('proc pid=%d used=%dMiB kinds=compute\n' % (pid, mib))
        for pid, mib in acct or []:
            f.write('acct pid=%d max=%dMiB running=1 time=0\n' % (pid, mib))
    os.replace(tmp, path)
    time.sleep(0.12)  # a few samples see each state


def case_gpu_fake():
    if not FAKE_NVML:
        raise Skip('the fake NVML was not built')
    scn, ready, path = work('gpu.scn'), work('gpu.ready'), work('gpu.json')
    for p in (ready,):
        if os.path.exists(p):
            os.unlink(p)
    write_scenario(scn, [(99001, 1024)], 1024)
    env = base_env(HMN_NVML_LIBRARY=FAKE_NVML, HMN_FAKE_NVML_SCENARIO=scn, HMN_FAKE_NVML_RELOAD='1')
    p = subprocess.Popen([HMN, 'run', '--interval', '10ms', '--json', path, '--', WL, 'sleep',
                          '1500', ready], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_file(ready, p)
    with open(ready) as f:
        child = int(f.read())
    # The driver's view changes while the run goes on: the tree grows to 3 GiB, then leaves.
    for mine, used in ((2048, 3072), (3072, 4096), (1024, 2048), (0, 1024)):
        write_scenario(scn, [(99001, 1024)] + ([(child, mine)] if mine else []), used)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    with open(path) as f:
        d = json.load(f)
    check_schema(d)
    assert len(d['gpus']) == 1, d['gpus']
    g = d['gpus'][0]
    assert g['name'] == 'NVIDIA H100 80GB HBM3' and g['uuid'].startswith('GPU-1111'), g
    assert g['peak_method'] == 'sampled' and g['peak_bytes'] == 3072 * MIB, g
    assert g['sampled_peak_bytes'] == 3072 * MIB and g['peak_at_seconds'] is not None
    assert g['device_used_peak_bytes'] == 4096 * MIB, g
    assert g['device_free_min_bytes'] == (81559 - 529 - 4096) * MIB, g
    assert [o['pid'] for o in g['others_at_peak']] == [99001], g['others_at_peak']
    assert g['others_at_peak'][0]['used_bytes'] == 1024 * MIB
    assert 'GPU 0' in err.decode()
    # --device: one index, or a clear error for one that does not exist.
    write_scenario(scn, [(99001, 1024)], 1024)
    d, _ = run_json(['--device', '0'], [WL, 'exit', '0'], env=env)
    assert [g['index'] for g in d['gpus']] == [0], d['gpus']
    # The tree held nothing on the card: a measured 0, not an unknown.
    assert d['gpus'][0]['sampled_peak_bytes'] == 0, d['gpus']
    rc, _, err2 = hmn_run(['--device', '1'], [WL, 'exit', '0'], env=env)
    assert rc == 125 and 'device index 1 out of range' in err2, (rc, err2)


def case_many_gpus():
    """More devices than any fixed table would hold: every sample and the chart carry each one."""
    if not FAKE_NVML:
        raise Skip('the fake NVML was not built')
    from plotcase import Chart  # noqa: E402
    n = 20
    scn, jl, svg = work('many.scn'), work('many.jsonl'), work('many.svg')
    with open(scn, 'w') as f:
        f.write('driver 590.48.01\nnvml 13.590.48.01\ncuda 13010\n')
        for i in range(n):
            f.write('device name="NVIDIA H100 80GB HBM3" uuid=GPU-%08d-2222-3333-4444-555555555555 '
                    'pci=00000000:%02x:00.0 pci_id=0x233010de total=81559MiB reserved=529MiB '
                    'used=%dMiB mig=off\n' % (i, i + 1, 1024 + i))
    env = base_env(HMN_NVML_LIBRARY=FAKE_NVML, HMN_FAKE_NVML_SCENARIO=scn)
    d, _ = run_json(['--interval', '10ms', '--jsonl', jl, '--plot', svg], [WL, 'exit', '0'], env=env)
    assert [g['index'] for g in d['gpus']] == list(range(n)), d['gpus']
    with open(jl) as f:
        recs = [json.loads(line) for line in f]
    samples = [r for r in recs if r.get('type') == 'sample']
    assert samples, recs
    for r in samples:
        assert [g['index'] for g in r['gpus']] == list(range(n)), r
        assert [g['device_used_bytes'] for g in r['gpus']] == [(1024 + i) * MIB for i in range(n)], r
    c = Chart(svg)
    assert len(c.series) == 1 + n, c.legend


def case_gpu_accounting():
    """Accounting mode already on: the driver's per-process peak is the exact
    GPU peak, above what the samples saw (a spike between two samples)."""
    if not FAKE_NVML:
        raise Skip('the fake NVML was not built')
    scn, ready, path = work('acct.scn'), work('acct.ready'), work('acct.json')
    if os.path.exists(ready):
        os.unlink(ready)
    write_scenario(scn, [(99001, 1024)], 1024, acct=[(99001, 1024)])
    env = base_env(HMN_NVML_LIBRARY=FAKE_NVML, HMN_FAKE_NVML_SCENARIO=scn, HMN_FAKE_NVML_RELOAD='1')
    p = subprocess.Popen([HMN, 'run', '--interval', '10ms', '--json', path, '--', WL, 'sleep',
                          '1200', ready], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_file(ready, p)
    with open(ready) as f:
        child = int(f.read())
    write_scenario(scn, [(99001, 1024), (child, 2048)], 3072, acct=[(99001, 1024), (child, 5120)])
    write_scenario(scn, [(99001, 1024), (child, 1024)], 2048, acct=[(99001, 1024), (child, 5120)])
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    with open(path) as f:
        d = json.load(f)
    check_schema(d)
    g = d['gpus'][0]
    assert g['peak_method'] == 'nvml-accounting' and g['peak_bytes'] == 5120 * MIB, g
    assert g['peak_at_seconds'] is None, 'the driver keeps no time for its peak'
    assert g['sampled_peak_bytes'] == 2048 * MIB, g
    assert 'nvml-accounting' in err.decode()
    # The mode off (not supported): sampled, and nothing claimed from accounting.
    write_scenario(scn, [(99001, 1024)], 1024)
    d, _ = run_json(['--interval', '10ms'], [WL, 'exit', '0'], env=env)
    assert all(g['peak_method'] != 'nvml-accounting' for g in d['gpus']), d['gpus']


def case_oom_v1():
    if not has_v1_memory():
        raise Skip('needs root and a v1 memory cgroup hierarchy')
    with open('/proc/self/cgroup') as f:
        rel = [l.split(':', 2)[2].strip() for l in f if ':memory:' in l][0]
    mnt = None
    with open('/proc/self/mountinfo') as f:
        for l in f:
            pre, post = l.split(' - ')
            if post.split()[0] == 'cgroup' and 'memory' in post.split()[2].split(','):
                mnt = pre.split()[4]
    cg = os.path.join(mnt + rel, 'hmn-test-oom-%d' % os.getpid())
    os.mkdir(cg)
    try:
        with open(os.path.join(cg, 'memory.limit_in_bytes'), 'w') as f:
            f.write(str(64 * MIB))
        path = work('oom.json')

        def join():
            with open(os.path.join(cg, 'cgroup.procs'), 'w') as f:
                f.write('0')
        p = subprocess.run([HMN, 'run', '--json', path, '--', WL, 'oom', '8'], env=base_env(),
                           capture_output=True, preexec_fn=join, timeout=60)
        assert p.returncode == 137, (p.returncode, p.stderr)
        with open(path) as f:
            d = json.load(f)
        check_schema(d)
        assert d['signal'] == 9 and d['oom']['verdict'] == 'kernel-oom-kill', d['oom']
        assert 'memory.oom_control' in d['oom']['detail'], d['oom']
        assert d['ram']['peak_method'] == 'cgroup-v1'
        assert 56 * MIB <= d['ram']['peak_bytes'] <= 64 * MIB, d['ram']
    finally:
        for _ in range(100):
            try:
                os.rmdir(cg)
                break
            except OSError:
                time.sleep(0.05)
    # An outside SIGKILL is not called an OOM kill.
    d, _ = run_json([], [WL, 'sigkill'], want_rc=137)
    assert d['oom']['verdict'] == 'signal', d['oom']


def fixture_root(controllers, subtree):
    root = work('cgroup2')
    shutil.rmtree(root, ignore_errors=True)
    with open('/proc/self/cgroup') as f:
        rel = [l.split('::', 1)[1].strip() for l in f if l.startswith('0::')][0]
    home = os.path.join(root, rel.lstrip('/'))
    os.makedirs(home)
    for name, text in (('cgroup.controllers', controllers), ('cgroup.subtree_control', subtree)):
        with open(os.path.join(home, name), 'w') as f:
            f.write(text + '\n')
    return root, home


def case_cgroup_v2_fixture():
    root, home = fixture_root('cpu io memory pids', 'memory pids')
    env = base_env(HMN_CGROUP_ROOT=root)
    d, err = run_json([], [WL, 'cgroup-fixture', home, '123456789', '0'], env=env)
    assert d['ram']['peak_method'] == 'cgroup-v2' and d['ram']['peak_bytes'] == 123456789, d['ram']
    assert d['oom']['verdict'] == 'none' and 'cgroup' in d['oom']['detail'], d['oom']
    assert not [n for n in os.listdir(home) if n.startswith('hmn-run-')], 'the cgroup was not removed'
    d, _ = run_json([], [WL, 'cgroup-fixture', home, '1000', '2'], env=env)
    assert d['oom']['verdict'] == 'kernel-oom-kill' and 'memory.events' in d['oom']['detail']
    # The no-internal-process rule: said, and the sampled peak used instead.
    root, home = fixture_root('cpu memory', 'cpu')
    d, err = run_json([], [WL, 'alloc', '32', '300'], env=base_env(HMN_CGROUP_ROOT=root))
    assert d['ram']['peak_method'] == 'sampled', d['ram']
    assert 'no-internal-process rule' in err, err
    root, home = fixture_root('cpu pids', '')
    d, err = run_json([], [WL, 'exit', '0'], env=base_env(HMN_CGROUP_ROOT=root))
    assert 'memory controller is not available' in err, err


def case_no_leftover_cgroups():
    if not has_v1_memory():
        raise Skip('needs root and a v1 memory cgroup hierarchy')
    with open('/proc/self/cgroup') as f:
        rel = [l.split(':', 2)[2].strip() for l in f if ':memory:' in l][0]
    base = '/sys/fs/cgroup/memory' + rel
    if not os.path.isdir(base):
        raise Skip('v1 memory hierarchy not at /sys/fs/cgroup/memory')
    pidfile = work('left.pid')
    if os.path.exists(pidfile):
        os.unlink(pidfile)
    # The daemon outlives CMD: it is moved back to hmn's cgroup, the run's is removed.
    # (Other hmn runs of the suite may have their own cgroups there right now.)
    for mode in (['daemon', '1', '300', pidfile], ['exit', '0'], ['sigkill']):
        p = subprocess.Popen([HMN, 'run', '--quiet', '--', WL] + mode, env=base_env(),
                             stderr=subprocess.PIPE)
        err = p.communicate(timeout=30)[1]
        assert p.returncode in (0, 137), (mode, p.returncode, err)
        mine = os.path.join(base, 'hmn-run-%d' % p.pid)
        assert not os.path.exists(mine), 'left behind: %s' % mine


CASES = {n[5:]: f for n, f in globals().items() if n.startswith('case_')}


def main():
    os.makedirs(WORK, exist_ok=True)
    try:
        CASES[CASE]()
    except Skip as e:
        print('%s: skipped (%s)' % (CASE, e))
        return SKIP
    print('%s: ok' % CASE)
    print('1 passed, 0 failed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
