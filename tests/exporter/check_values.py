#!/usr/bin/env python3
"""check_values.py CASE SCENARIO PROM - the exporter's figures against the
scenario file they came from, computed here independently of hmn (and of
the golden files):

  nvml_*  the fake libnvidia-ml scenario (tests/fakes/README.md): device
          total/used/free/reserved with the driver generation's semantics
          (memory v2: used excludes reserved; v1: used includes it, reserved
          unknown), MIG instances, process rows merged by PID (largest figure),
          "na" and implausible rows without a sample, MPS only where the
          generation has the call, --max-processes, and the unattributed
          remainder (used minus every known row, absent when negative).
  smi_*   the fake nvidia-smi scenario: memory.* in MiB, rows summed by PID,
          placeholders ([N/A], [Unknown Error]) without a sample.
  drm_*   the fixture tree's sysfs memory files.
  none    no GPU: hmn_up 0 and no GPU series.

Prints what differs; exit status 1 on any difference.
"""
import os
import re
import shlex
import sys

MIB = 1024 * 1024
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n' else m.group(1), v)


def parse_prom(path):
    """{name: {frozenset(labels): value}} of every sample."""
    out = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            m = SAMPLE.match(line)
            if not m:
                raise SystemExit('unparsable line: %r' % line)
            labels = {}
            body = m.group(3) or ''
            pos = 0
            while pos < len(body):
                lm = LABEL.match(body, pos)
                if not lm:
                    raise SystemExit('bad labels: %r' % line)
                labels[lm.group(1)] = unescape(lm.group(2))
                pos = lm.end()
            out.setdefault(m.group(1), {})[frozenset(labels.items())] = float(m.group(4))
    return out


def size(v):
    """The fake NVML's sizes: bytes, KiB/MiB/GiB suffix, 0x hex, 'na'."""
    if v == 'na':
        return None
    for suffix, mult in (('KiB', 1024), ('MiB', MIB), ('GiB', 1024 * MIB)):
        if v.endswith(suffix):
            return int(v[:-len(suffix)], 0) * mult
    return int(v, 0)


def nvml_expect(scenario, variant, processes, max_procs):
    v2 = variant in ('modern', 'r535_43')
    has_mig = variant != 'oldest'
    has_mps = variant != 'oldest'
    devices = []
    for raw in open(scenario, encoding='utf-8'):
        raw = raw.strip()
        if not raw or raw.startswith('#'):
            continue
        words = shlex.split(raw)
        kv = dict(w.split('=', 1) for w in words[1:] if '=' in w)
        if words[0] == 'device':
            devices.append({'kv': kv, 'migs': [], 'procs': {}})
        elif words[0] == 'mig_instance' and devices:
            devices[-1]['migs'].append(kv)
        elif words[0] in ('proc', 'procs') and devices:
            kinds = set(kv.get('kinds', 'compute').split(','))
            if not has_mps:
                kinds.discard('mps')
            if not kinds or kv['pid'] == 'self':
                continue
            first = int(kv['pid'])
            total = size(devices[-1]['kv']['total'])
            used = size(kv['used'])
            if used is not None and used > total:
                used = None  # more than the device holds: the library drops the figure
            for pid in range(first, first + int(kv.get('count', '1'))):
                prev = devices[-1]['procs'].get(pid)
                if prev is None:
                    devices[-1]['procs'][pid] = {'used': used, 'gi': kv.get('gi'), 'ci': kv.get('ci')}
                elif used is not None and (prev['used'] is None or used > prev['used']):
                    prev['used'] = used  # compute + graphics of one PID: the larger figure
    exp = {}
    rows = []
    for index, d in enumerate(devices):
        kv = d['kv']
        if kv.get('deny') == '1':
            continue  # the container may not open it: no series at all
        mine = []
        total = size(kv['total'])
        reserved = size(kv.get('reserved', '0'))
        used = size(kv.get('used', '0'))
        free = size(kv['free']) if 'free' in kv else total - reserved - used
        key = frozenset({'gpu': str(index), 'uuid': kv['uuid']}.items())
        exp.setdefault('hmn_gpu_memory_total_bytes', {})[key] = total
        exp.setdefault('hmn_gpu_memory_free_bytes', {})[key] = free
        if v2:
            exp.setdefault('hmn_gpu_memory_used_bytes', {})[key] = used
            exp.setdefault('hmn_gpu_memory_reserved_bytes', {})[key] = reserved
        else:
            exp.setdefault('hmn_gpu_memory_used_bytes', {})[key] = used + reserved
        for pid, p in d['procs'].items():
            if p['used'] is None:
                continue  # "not available" (or implausible): no sample
            labels = {'gpu': str(index), 'uuid': kv['uuid'], 'pid': str(pid)}
            if has_mig and p['gi'] is not None:
                labels['gpu_instance_id'] = p['gi']
                labels['compute_instance_id'] = p['ci']
            mine.append((p['used'], index, pid, labels))
        rows += mine
        if processes:  # used minus every known row (before --max-processes), when not negative
            add_unattributed(exp, {'gpu': str(index), 'uuid': kv['uuid']},
                             used if v2 else used + reserved, [r[0] for r in mine])
        if has_mig and kv.get('mig') == 'on':
            for m in sorted(d['migs'], key=lambda m: int(m['slot'])):
                labels = {'gpu': str(index), 'uuid': kv['uuid'],
                          'gpu_instance_id': m['gi'], 'compute_instance_id': m['ci']}
                mkey = frozenset(labels.items())
                mt, mu = size(m['total']), size(m['used'])
                exp.setdefault('hmn_gpu_memory_total_bytes', {})[mkey] = mt
                exp.setdefault('hmn_gpu_memory_used_bytes', {})[mkey] = mu
                exp.setdefault('hmn_gpu_memory_free_bytes', {})[mkey] = mt - mu
                if processes:
                    add_unattributed(exp, labels, mu, [r[0] for r in mine
                                                       if r[3].get('gpu_instance_id') == m['gi']])
    add_processes(exp, rows, processes, max_procs)
    return exp


def add_unattributed(exp, labels, used, figures):
    if used is not None and used >= sum(figures):
        exp.setdefault('hmn_gpu_memory_unattributed_bytes', {})[frozenset(labels.items())] = \
            used - sum(figures)


def add_processes(exp, rows, processes, max_procs):
    if not processes:
        return
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    kept = rows[:max_procs]
    for used, _, _, labels in kept:
        exp.setdefault('hmn_process_gpu_memory_bytes', {})[frozenset(labels.items())] = used
    exp['hmn_processes_omitted'] = {frozenset(): len(rows) - len(kept)}


def smi_number(v):
    v = v.strip()
    return int(v) * MIB if re.fullmatch(r'[0-9]+', v) else None


def smi_expect(scenario, processes, max_procs):
    gpus, apps, cur = [], [], None
    for raw in open(scenario, encoding='utf-8'):
        raw = raw.strip()
        if not raw or raw.startswith('#'):
            continue
        if raw in ('[gpu]', '[app]'):
            cur = {}
            (gpus if raw == '[gpu]' else apps).append(cur)
            continue
        if cur is not None and '=' in raw:
            k, v = raw.split('=', 1)
            cur[k.strip()] = v.strip()
        elif cur is None and raw.startswith('mode') and raw.split('=', 1)[1].strip() == 'fail':
            return {'hmn_up': {frozenset(): 0}}
    exp = {}
    for g in gpus:
        labels = {'gpu': g.get('index', '0')}
        if 'uuid' in g:
            labels['uuid'] = g['uuid']
        key = frozenset(labels.items())
        for field, name in (('memory.total', 'total'), ('memory.used', 'used'),
                            ('memory.free', 'free'), ('memory.reserved', 'reserved')):
            val = smi_number(g.get(field, '[N/A]'))
            if val is not None:
                exp.setdefault('hmn_gpu_memory_%s_bytes' % name, {})[key] = val
    sums = {}
    for a in apps:
        val = smi_number(a.get('used_memory', '[N/A]'))
        gpu = a.get('gpu', '0')
        k = (gpu, int(a['pid']))
        if val is None:
            sums[k] = None
        elif k not in sums or sums[k] is not None:
            sums[k] = (sums.get(k) or 0) + val
    rows = []
    uuid = {g.get('index', '0'): g.get('uuid') for g in gpus}
    for (gpu, pid), val in sums.items():
        if val is None:
            continue
        labels = {'gpu': gpu, 'pid': str(pid)}
        if uuid.get(gpu):
            labels['uuid'] = uuid[gpu]
        rows.append((val, int(gpu), pid, labels))
    if processes:
        for g in gpus:
            gpu = g.get('index', '0')
            labels = {'gpu': gpu}
            if g.get('uuid'):
                labels['uuid'] = g['uuid']
            add_unattributed(exp, labels, smi_number(g.get('memory.used', '[N/A]')),
                             [r[0] for r in rows if r[3]['gpu'] == gpu])
    add_processes(exp, rows, processes, max_procs)
    return exp


def drm_expect(tree):
    exp = {}
    base = os.path.join(tree, 'sys', 'class', 'drm')
    cards = sorted((c for c in os.listdir(base) if re.fullmatch(r'card[0-9]+', c)),
                   key=lambda c: int(c[4:]))
    for index, card in enumerate(cards):
        dev = os.path.join(base, card, 'device')
        try:
            total = int(open(os.path.join(dev, 'mem_info_vram_total')).read())
            used = int(open(os.path.join(dev, 'mem_info_vram_used')).read())
        except OSError:
            continue  # i915/xe: memory only through ioctls: unknown, no sample
        key = frozenset({'gpu': str(index)}.items())
        exp.setdefault('hmn_gpu_memory_total_bytes', {})[key] = total
        exp.setdefault('hmn_gpu_memory_used_bytes', {})[key] = used
        exp.setdefault('hmn_gpu_memory_free_bytes', {})[key] = total - used
    return exp


def strip(labels, keep):
    return frozenset((k, v) for k, v in labels if k in keep)


def main():
    case, scenario, prom = sys.argv[1:4]
    got = parse_prom(prom)
    processes = '_noprocs' not in case
    max_procs = 1 if '_max1' in case else 100
    if case.startswith('nvml_'):
        variant = next(v for v in ('modern', 'r535_43', 'no_v3', 'oldest')
                       if case.startswith('nvml_%s_' % v))
        exp = nvml_expect(scenario, variant, processes, max_procs)
    elif case.startswith('smi_'):
        exp = smi_expect(scenario, processes, max_procs)
    elif case.startswith('drm_'):
        exp = drm_expect(os.path.join(os.environ['HMN_EX_DATA'], 'drm', case[4:]))
    else:
        exp = {'hmn_up': {frozenset(): 0}}
        for name in got:
            if name.startswith('hmn_gpu_') or name.startswith('hmn_process_gpu'):
                print('no GPU, yet %s has samples' % name)
                return 1
    if not case.startswith('drm_'):
        for name in ('hmn_gpu_memory_total_bytes', 'hmn_gpu_memory_used_bytes',
                     'hmn_gpu_memory_free_bytes', 'hmn_gpu_memory_reserved_bytes',
                     'hmn_gpu_memory_unattributed_bytes', 'hmn_process_gpu_memory_bytes'):
            exp.setdefault(name, {})  # a family absent here must be absent there too
    bad = 0
    for name, series in exp.items():
        have = dict(got.get(name, {}))
        if case.startswith('drm_'):  # the check keys DRM series on gpu only
            have = {strip(k, {'gpu'}): v for k, v in have.items()}
        if name == 'hmn_process_gpu_memory_bytes':  # names are the golden files' business
            have = {strip(k, {'gpu', 'uuid', 'pid', 'gpu_instance_id', 'compute_instance_id'}): v
                    for k, v in have.items()}
        for key, value in series.items():
            if key not in have:
                print('missing %s%s = %s' % (name, dict(key), value))
                bad += 1
            elif have[key] != value:
                print('%s%s: %s, expected %s' % (name, dict(key), have[key], value))
                bad += 1
        for key in have:
            if key not in series and not case.startswith('drm_'):
                print('unexpected %s%s = %s' % (name, dict(key), have[key]))
                bad += 1
    checked = sum(len(s) for s in exp.values())
    print('%d figures checked, %d differ' % (checked, bad))
    return 1 if bad or checked == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
