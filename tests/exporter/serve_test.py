#!/usr/bin/env python3
"""serve_test.py TEST - `hmn serve` and `hmn export` end to end, on loopback
only; every test bounded and self-terminating, ports picked free.

  cli         usage errors; a port already in use; without libmicrohttpd the
              install hint (exit 1) while `hmn export` still works
  textfile    atomic replace seen by a reader in a loop, no temporary file
              left, --once, missing / unusable DIR
  endpoints   /metrics (content type, same bytes as `hmn export`), HEAD,
              /-/ready 503 then 200, /-/healthy, 404, 405 + Allow, IPv6,
              SIGTERM and SIGINT exit 0
  load        concurrent scrapes while processes come and go (fake NVML
              scenario rewritten, DRM tree rewritten); RSS and fds flat
  slow        slow clients (silent, one byte a second), a per-address cap,
              malformed and oversized requests; scrapes keep answering fast
  hang        a hung nvidia-smi: scrapes answer from the cache within ms;
              SIGTERM mid-hang still exits 0 and leaves no child behind
  prometheus  a real Prometheus scrapes three `hmn serve` (three hosts) and
              node_exporter's textfile collector serving `hmn export`'s file

Environment (tests/exporter/CMakeLists.txt): HMN_CLI, HMN_EX_DATA, HMN_EX_SRC,
HMN_EX_WORK, HMN_EX_HTTP (1: built with libmicrohttpd), HMN_EX_SANITIZED,
HMN_EX_NVML_<variant>, HMN_EX_SMI.  Exit 77: skipped (a fake or a binary
this test needs is absent).
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_values  # noqa: E402  (the scenario-derived expectations)

HMN = os.environ.get('HMN_CLI', '')
DATA = os.environ.get('HMN_EX_DATA', '')
HTTP = os.environ.get('HMN_EX_HTTP') == '1'
SANITIZED = os.environ.get('HMN_EX_SANITIZED') == '1'
MIB = 1024 * 1024
FAILS = []


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print('FAIL', what, flush=True)
    return cond


def base_env(work):
    """The GPU-less baseline of every run; a test switches one source on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('HMN_')}
    env.update(HMN_NVML_LIBRARY='/nonexistent/libnvidia-ml.so.1',
               HMN_NVIDIA_SMI='/nonexistent/nvidia-smi',
               HMN_SYSFS=os.path.join(work, 'no-sys'), HMN_PROCFS=os.path.join(work, 'no-proc'),
               LC_ALL='C')
    return env


def nvml_env(work, scenario, variant='modern', reload=False):
    lib = os.environ.get('HMN_EX_NVML_' + variant, '')
    if not lib:
        raise Skip('fake NVML %s not built' % variant)
    env = base_env(work)
    env.update(HMN_NVML_LIBRARY=lib, HMN_FAKE_NVML_SCENARIO=scenario,
               HMN_PROCFS=os.path.join(DATA, 'nvml', 'proc'))
    if reload:
        env['HMN_FAKE_NVML_RELOAD'] = '1'
    return env


def smi_env(work, scenario):
    smi = os.environ.get('HMN_EX_SMI', '')
    if not smi:
        raise Skip('fake nvidia-smi not built')
    env = base_env(work)
    env.update(HMN_NVIDIA_SMI=smi, HMN_FAKE_SMI_SCENARIO=scenario)
    return env


def drm_env(work, tree):
    env = base_env(work)
    env.update(HMN_PROCFS=os.path.join(tree, 'proc'), HMN_SYSFS=os.path.join(tree, 'sys'))
    return env


def run(args, env, timeout=30):
    p = subprocess.run([HMN] + args, env=env, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


# ------------------------------------------------------------------ a server under test

class Server:
    """`hmn serve` on a free port (--listen HOST:0); stderr kept in .log."""

    def __init__(self, env, *extra, listen='127.0.0.1:0'):
        if not HTTP:
            raise Skip('hmn built without libmicrohttpd')
        self.log = []
        self.proc = subprocess.Popen([HMN, 'serve', '--listen', listen] + list(extra), env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.ready = threading.Event()
        self.addr = None
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        if not self.ready.wait(15) or not self.addr:
            self.stop()
            raise AssertionError('hmn serve did not start: %s' % ''.join(self.log))
        self.host, self.port = self.addr

    def _drain(self):
        for raw in self.proc.stderr:
            line = raw.decode('utf-8', 'replace')
            self.log.append(line)
            m = re.search(r'serving http://(\[[^\]]+\]|[0-9.]+):([0-9]+)/metrics', line)
            if m:
                self.addr = (m.group(1).strip('[]'), int(m.group(2)))
                self.ready.set()
        self.ready.set()

    def get(self, path='/metrics', method='GET', timeout=5, headers=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def wait_ready(self, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            if self.get('/-/ready')[0] == 200:
                return True
            time.sleep(0.05)
        return False

    def rss_kib(self):
        with open('/proc/%d/status' % self.proc.pid) as f:
            return int(re.search(r'VmRSS:\s+([0-9]+)', f.read()).group(1))

    def fds(self):
        return len(os.listdir('/proc/%d/fd' % self.proc.pid))

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        # The exit status can come before the drain thread has read the last
        # lines of stderr (a busy machine): read them to the end first.
        self._drainer.join(5)
        return code


def scrape_ok(body):
    """A whole exposition: first family to the final newline, every line well formed."""
    text = body.decode('utf-8')
    if not text.startswith('# HELP hmn_build_info ') or not text.endswith('\n'):
        return False
    return all(l.startswith('#') or check_values.SAMPLE.match(l) for l in text.splitlines())


def settle_fds(server, want, timeout=5):
    end = time.time() + timeout
    while time.time() < end:
        if server.fds() <= want:
            return server.fds()
        time.sleep(0.1)
    return server.fds()


def mask_duration(text):
    return re.sub(r'(?m)^hmn_collect_duration_seconds .*$', 'hmn_collect_duration_seconds X', text)


def write_atomic(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


# ------------------------------------------------------------------ tests

def t_cli(work):
    env = base_env(work)
    for args, needle in (
            (['serve', '--listen', 'nope'], "invalid value 'nope' for '--listen <ADDR:PORT>'"),
            (['serve', '--listen', '::1:80'], 'needs brackets'),
            (['serve', '--interval', '0'], "'--interval <DUR>'"),
            (['serve', '--interval', '10ms'], 'at least 100ms'),
            (['serve', '--max-processes', '5'], "requires '--processes'"),
            (['serve', '--processes', '--max-processes', '0'], 'from 1 to 100000'),
            (['export'], '--textfile <DIR>'),
            (['export', '--textfile', work, '--once', '--interval', '1s'], "'--once' cannot be used"),
            (['export', '--textfile', ''], 'must not be empty')):
        code, _, err = run(args, env)
        check(code == 2, '%s: exit %d, expected 2' % (args, code))
        check(needle in err, '%s: %r not in %r' % (args, needle, err))
    code, out, _ = run(['serve', '--help'], env)
    check(code == 0 and 'Usage: hmn serve' in out, 'serve --help')
    code, out, _ = run(['export', '--help'], env)
    check(code == 0 and 'Usage: hmn export --textfile' in out, 'export --help')
    if not HTTP:
        code, _, err = run(['serve'], env, timeout=10)
        check(code == 1, 'serve without libmicrohttpd: exit %d' % code)
        check('apt-get install libmicrohttpd-dev' in err and 'hmn export --textfile' in err,
              'serve without libmicrohttpd says what to install: %r' % err)
        os.makedirs(os.path.join(work, 'tf'))
        code, _, err = run(['export', '--textfile', os.path.join(work, 'tf'), '--once'], env)
        check(code == 0 and os.path.exists(os.path.join(work, 'tf', 'hmn.prom')),
              'export works without libmicrohttpd: %d %s' % (code, err))
        return
    # A port somebody else holds: a clear message at once, exit 1.
    holder = socket.socket()
    holder.bind(('127.0.0.1', 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    t0 = time.time()
    code, _, err = run(['serve', '--listen', '127.0.0.1:%d' % port], env, timeout=10)
    holder.close()
    check(code == 1, 'port in use: exit %d' % code)
    check('address already in use' in err and '127.0.0.1:%d' % port in err,
          'port in use message: %r' % err)
    check(time.time() - t0 < 5, 'port in use is reported at once')


def t_textfile(work):
    out = os.path.join(work, 'tf')
    os.makedirs(out)
    try:
        env = nvml_env(work, os.path.join(work, 'churn.scn'), reload=True)
        churn = True
    except Skip:
        env, churn = base_env(work), False  # every GPU backend compiled out
    scn = os.path.join(work, 'churn.scn')
    h100 = open(os.path.join(DATA, 'nvml', 'h100-3procs.scn')).read() if churn else ''
    if churn:
        write_atomic(scn, h100)
    # --once: one write, exit 0, nothing else in DIR.
    code, _, err = run(['export', '--textfile', out, '--once', '--processes'], env)
    check(code == 0, '--once exits 0 (%d: %s)' % (code, err))
    check(os.listdir(out) == ['hmn.prom'], '--once leaves only hmn.prom: %s' % os.listdir(out))
    check(oct(os.stat(os.path.join(out, 'hmn.prom')).st_mode & 0o777) == '0o644',
          'hmn.prom is world-readable (node_exporter runs as another user)')
    # The loop: a reader never sees a partial file while it is rewritten.
    p = subprocess.Popen([HMN, 'export', '--textfile', out, '--interval', '100ms', '--processes'],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reads, partial, inodes = 0, 0, set()
    end = time.time() + 3
    k = 0
    while time.time() < end:
        if churn and reads % 50 == 0:
            k += 1  # processes come and go: the file changes size
            write_atomic(scn, h100 + ''.join('proc pid=%d used=%dMiB kinds=compute\n' % (40000 + i, 1 + i)
                                             for i in range(k % 30)))
        try:
            with open(os.path.join(out, 'hmn.prom'), 'rb') as f:
                st = os.fstat(f.fileno())
                inodes.add((st.st_ino, st.st_mtime_ns))  # inode numbers get reused
                data = f.read()
        except FileNotFoundError:
            partial += 1  # the file must never be missing either
            continue
        reads += 1
        if not scrape_ok(data) or b'\nhmn_processes_omitted ' not in data:
            partial += 1
    p.send_signal(signal.SIGTERM)
    code = p.wait(10)
    err = p.stderr.read().decode()
    check(code == 0, 'export loop exits 0 on SIGTERM (%s)' % err)
    check(reads > 100 and partial == 0, '%d reads, %d partial or missing' % (reads, partial))
    check(len(inodes) >= 10, 'the file was replaced %d times in 3 s at 100ms' % len(inodes))
    check(os.listdir(out) == ['hmn.prom'], 'no temporary file left: %s' % os.listdir(out))
    # Errors: a missing DIR, a file instead of a DIR, a DIR nobody may write.
    code, _, err = run(['export', '--textfile', os.path.join(work, 'missing'), '--once'], env)
    check(code == 1 and 'No such file or directory' in err and 'create it first' in err,
          'missing DIR: %d %r' % (code, err))
    code, _, err = run(['export', '--textfile', os.path.join(out, 'hmn.prom'), '--once'], env)
    check(code == 1 and 'is not a directory' in err, 'DIR is a file: %d %r' % (code, err))
    code, _, err = run(['export', '--textfile', '/proc', '--once'], env)
    check(code == 1 and 'cannot create a file in /proc' in err, 'unwritable DIR: %d %r' % (code, err))
    if os.geteuid() != 0:
        ro = os.path.join(work, 'ro')
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        code, _, err = run(['export', '--textfile', ro, '--once'], env)
        check(code == 1 and 'Permission denied' in err, 'read-only DIR: %r' % err)
        os.chmod(ro, 0o755)
    code, _, err = run(['export', '--textfile', '/proc', '--interval', '1s'], env, timeout=10)
    check(code == 1, 'a first write that fails ends the loop with exit 1: %d' % code)


def t_endpoints(work):
    scn = os.path.join(DATA, 'nvml', 'h100-3procs.scn')
    env = nvml_env(work, scn)
    os.makedirs(os.path.join(work, 'tf'))
    code, _, _ = run(['export', '--textfile', os.path.join(work, 'tf'), '--once', '--processes'], env)
    exported = open(os.path.join(work, 'tf', 'hmn.prom')).read()
    s = Server(env, '--processes', '--interval', '200ms')
    try:
        check(s.wait_ready(), '/-/ready turns 200')
        status, headers, body = s.get('/metrics')
        check(status == 200, '/metrics 200')
        check(headers.get('Content-Type') == 'text/plain; version=0.0.4; charset=utf-8',
              'content type %r' % headers.get('Content-Type'))
        check(scrape_ok(body), '/metrics is a whole exposition')
        check(mask_duration(body.decode()) == mask_duration(exported),
              '/metrics has the bytes `hmn export` writes')
        status, headers, body = s.get('/metrics', method='HEAD')
        check(status == 200 and body == b'' and int(headers.get('Content-Length', '0')) > 1000,
              'HEAD /metrics: %d %r %r' % (status, headers, body[:40]))
        check(s.get('/metrics?debug=1')[0] == 200, 'a query string is ignored')
        check(s.get('/-/healthy')[0] == 200, '/-/healthy 200')
        for path in ('/', '/metric', '/metrics/', '/-/reload', '/../etc/passwd'):
            check(s.get(path)[0] == 404, '%s 404' % path)
        for method in ('POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'):
            status, headers, _ = s.get('/metrics', method=method)
            check(status == 405 and headers.get('Allow') == 'GET, HEAD',
                  '%s 405 with Allow: %d %r' % (method, status, headers.get('Allow')))
        check(s.stop() == 0, 'SIGTERM: exit 0')
        check(any('stopped' in l for l in s.log), 'says it stopped')
    finally:
        s.stop()
    # SIGINT too, and IPv6 loopback when the machine has it.
    s = Server(env)
    check(s.wait_ready() and s.stop(signal.SIGINT) == 0, 'SIGINT: exit 0')
    if socket.has_ipv6 and os.path.exists('/proc/net/if_inet6'):
        try:
            s = Server(env, listen='[::1]:0')
        except AssertionError as e:
            check(False, 'IPv6 listen: %s' % e)
        else:
            check(s.host == '::1' and s.wait_ready(), 'serves on [::1]')
            check(s.get('/metrics')[0] == 200, '/metrics over IPv6')
            check(s.stop() == 0, 'IPv6 server exits 0')
    # 503 until the first sample: the only source hangs for 1.5 s.
    hang = os.path.join(work, 'hang.scn')
    write_atomic(hang, 'mode = hang\nhang_ms = 30000\n')
    env = smi_env(work, hang)
    env['HMN_SMI_TIMEOUT_MS'] = '1500'
    t0 = time.time()
    s = Server(env)
    try:
        check(s.get('/-/ready')[0] == 503, '/-/ready 503 before the first sample')
        check(s.get('/metrics')[0] == 503, '/metrics 503 before the first sample')
        check(time.time() - t0 < 1.4, 'and answered at once')
        check(s.wait_ready(10), '/-/ready 200 once the first collection ended')
        body = s.get('/metrics')[2].decode()
        check('\nhmn_up 0\n' in body and 'hmn_collect_success{source="nvidia-smi"} 0' in body,
              'a failed first collection reads hmn_up 0')
        check(s.stop() == 0, 'exit 0')
    finally:
        s.stop()


def rewrite_drm(tree, k):
    """Processes come and go in a DRM tree: pid dirs 7000+ added and removed."""
    proc = os.path.join(tree, 'proc')
    for name in os.listdir(proc):
        if name.isdigit() and int(name) >= 7000 and (int(name) - 7000) >= k % 12:
            shutil.rmtree(os.path.join(proc, name), ignore_errors=True)
    src = os.path.join(proc, '100')
    for i in range(k % 12):
        dst = os.path.join(proc, str(7000 + i))
        if not os.path.exists(dst):
            shutil.copytree(src, dst, symlinks=True)


def t_load(work):
    scn = os.path.join(work, 'churn.scn')
    h100 = open(os.path.join(DATA, 'nvml', 'h100-3procs.scn')).read()
    write_atomic(scn, h100)
    tree = os.path.join(work, 'drm')
    shutil.copytree(os.path.join(DATA, 'drm', 'multi'), tree, symlinks=True)
    env = nvml_env(work, scn, reload=True)
    env['HMN_SYSFS'] = os.path.join(tree, 'sys')  # NVML and DRM devices in one exporter
    env['HMN_PROCFS'] = os.path.join(tree, 'proc')
    s = Server(env, '--processes', '--interval', '100ms')
    stop = threading.Event()
    results = {'ok': 0, 'bad': 0, 'pids': set()}
    lock = threading.Lock()

    def churn():
        k = 0
        while not stop.is_set():
            k += 1
            extra = ''.join('proc pid=%d used=%dMiB kinds=compute\n' % (50000 + i, 5 + i)
                            for i in range(k % 25))
            write_atomic(scn, h100 + extra)
            rewrite_drm(tree, k)
            time.sleep(0.03)

    def scraper():
        c = None
        while not stop.is_set():
            try:
                if c is None:
                    c = http.client.HTTPConnection(s.host, s.port, timeout=5)
                c.request('GET', '/metrics')
                r = c.getresponse()
                body = r.read()
                good = r.status == 200 and scrape_ok(body)
                pids = set(re.findall(rb'pid="([0-9]+)"', body))
                with lock:
                    results['ok' if good else 'bad'] += 1
                    results['pids'] |= pids
                if r.getheader('Connection', '').lower() == 'close':
                    c.close()
                    c = None
            except (OSError, http.client.HTTPException):
                with lock:
                    results['bad'] += 1
                if c:
                    c.close()
                c = None
        if c:
            c.close()

    try:
        check(s.wait_ready(), 'ready')
        for _ in range(200):  # warm up: allocator pools, connection slots
            s.get('/metrics')
        fds0, rss0 = settle_fds(s, 10**6), s.rss_kib()
        threads = [threading.Thread(target=churn)] + [threading.Thread(target=scraper) for _ in range(16)]
        for t in threads:
            t.start()
        time.sleep(6)
        stop.set()
        for t in threads:
            t.join(10)
        fds1 = settle_fds(s, fds0)
        rss1 = s.rss_kib()
        print('%d scrapes ok, %d bad; %d distinct PIDs seen; fds %d -> %d; RSS %d -> %d KiB' % (
            results['ok'], results['bad'], len(results['pids']), fds0, fds1, rss0, rss1), flush=True)
        check(results['ok'] >= 300 and results['bad'] == 0, 'every concurrent scrape answered whole')
        check(len(results['pids']) > 20, 'processes came and went under the scrapes')
        check(fds1 <= fds0, 'fd count flat (%d -> %d)' % (fds0, fds1))
        if not SANITIZED:
            check(rss1 - rss0 < 4096, 'RSS flat within 4 MiB (%d -> %d KiB)' % (rss0, rss1))
        check(s.stop() == 0, 'exit 0 after the load')
    finally:
        stop.set()
        s.stop()


def connect_from(src, host, port):
    c = socket.socket()
    c.bind((src, 0))
    c.settimeout(5)
    c.connect((host, port))
    return c


HTTP_DEADLINE_S = 10  # HTTP_REQUEST_DEADLINE_MS in cli/serve.h


def raw_request(s, data, timeout=5):
    """Send raw bytes, return what the server answers before closing (b'' on a reset,
    b'TIMEOUT' when it neither answers nor closes in time)."""
    c = socket.create_connection((s.host, s.port), timeout=timeout)
    try:
        c.sendall(data)
        out = b''
        while True:
            try:
                b = c.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            out += b
            if len(out) > 1 << 20:
                break
        return out
    except socket.timeout:
        return b'TIMEOUT'
    except (BrokenPipeError, ConnectionResetError):
        return b''
    finally:
        c.close()


def closed_by_server(c):
    c.settimeout(0.5)
    try:
        return c.recv(1) == b''
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def t_slow(work):
    env = nvml_env(work, os.path.join(DATA, 'nvml', 'h100-3procs.scn'))
    s = Server(env, '--processes')
    held = []
    try:
        check(s.wait_ready(), 'ready')
        for _ in range(50):
            s.get('/metrics')
        fds0, rss0 = settle_fds(s, 10**6), s.rss_kib()
        # Silent clients and a trickle of one byte a second, from another loopback address.
        silent = [connect_from('127.0.0.2', s.host, s.port) for _ in range(8)]
        trickle = [connect_from('127.0.0.2', s.host, s.port) for _ in range(6)]
        held = silent + trickle
        # A per-address cap: of 40 more connections from 127.0.0.3, at most 16 are kept.
        flood = []
        for _ in range(40):
            try:
                flood.append(connect_from('127.0.0.3', s.host, s.port))
            except OSError:
                pass
        held += flood
        time.sleep(0.5)
        kept = sum(1 for c in flood if not closed_by_server(c))
        check(kept <= 16, 'per-address cap: %d of 40 connections kept' % kept)
        # Malformed and oversized requests get an error answer or a close (at the latest at
        # the request deadline), never a crash; sent in parallel with the slow phase below.
        answers = {}

        def malformed(data):
            answers[data] = raw_request(s, data, timeout=HTTP_DEADLINE_S + 3)

        bad_requests = (
            b'\x00\x01\x02garbage\r\n\r\n', b'GET /metrics HTTP/9.9\r\n\r\n', b'GET\r\n\r\n',
            b'BREW /pot HTCPCP/1.0\r\n\r\n',
            b'GET /' + b'a' * 100000 + b' HTTP/1.1\r\nHost: x\r\n\r\n',
            b'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'b' * 65536 + b'\r\n\r\n',
            b'GET /metrics HTTP/1.1\r\n' + b'X-H: v\r\n' * 5000 + b'\r\n',
            b'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
            b'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')
        bad_threads = [threading.Thread(target=malformed, args=(d,)) for d in bad_requests]
        for t in bad_threads:
            t.start()
        # Scrapes stay fast while the slow clients hold their slots.
        lat = []
        t_end = time.time() + 12
        tick = 0
        while time.time() < t_end:
            for c in trickle:
                try:
                    c.send(b'GET /metrics HTTP/1.1\r\nHost: x\r\n'[tick % 30:tick % 30 + 1])
                except OSError:
                    pass
            tick += 1
            for _ in range(5):
                t0 = time.time()
                status, _, body = s.get('/metrics')
                lat.append(time.time() - t0)
                check(status == 200 and scrape_ok(body), 'scrape during the slow clients')
            time.sleep(0.8)
        for t in bad_threads:
            t.join(HTTP_DEADLINE_S + 5)
        for data in bad_requests:
            answer = answers.get(data, b'TIMEOUT')
            check(answer == b'' or re.match(rb'HTTP/1\.[01] [45][0-9][0-9] ', answer),
                  'malformed %r -> %r' % (data[:30], answer[:60]))
        check(s.proc.poll() is None, 'still running after the malformed requests')
        lat.sort()
        print('scrape latency with slow clients: median %.2f ms, max %.2f ms over %d' % (
            lat[len(lat) // 2] * 1e3, lat[-1] * 1e3, len(lat)), flush=True)
        check(lat[len(lat) // 2] < 0.05, 'median scrape under 50 ms with slow clients')
        # After the request deadline (10 s) every slow connection was cut by the server.
        cut = sum(1 for c in silent + trickle if closed_by_server(c))
        check(cut == len(silent + trickle), '%d of %d slow connections cut by the deadline' % (
            cut, len(silent + trickle)))
        for c in held:
            c.close()
        held = []
        fds1 = settle_fds(s, fds0)
        rss1 = s.rss_kib()
        print('fds %d -> %d; RSS %d -> %d KiB' % (fds0, fds1, rss0, rss1), flush=True)
        check(fds1 <= fds0, 'fd count flat after slow and malformed clients')
        if not SANITIZED:
            check(rss1 - rss0 < 4096, 'RSS flat within 4 MiB (%d -> %d KiB)' % (rss0, rss1))
        check(s.stop() == 0, 'exit 0')
    finally:
        for c in held:
            c.close()
        s.stop()


def children_running(smi_path, marker):
    """Processes of the fake nvidia-smi that belong to this test (by its scenario path)."""
    found = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            if os.readlink('/proc/%s/exe' % pid) != os.path.realpath(smi_path):
                continue
            with open('/proc/%s/environ' % pid, 'rb') as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def t_hang(work):
    scn = os.path.join(work, 'smi.scn')
    good = open(os.path.join(DATA, 'smi', 'h100-3procs.scn')).read()
    write_atomic(scn, good)
    env = smi_env(work, scn)
    env['HMN_SMI_TIMEOUT_MS'] = '4000'
    s = Server(env, '--processes', '--interval', '200ms')
    try:
        check(s.wait_ready(), 'ready')
        body = s.get('/metrics')[2].decode()
        check('\nhmn_up 1\n' in body and 'pid="11345"' in body, 'first samples from nvidia-smi')
        write_atomic(scn, 'mode = hang\nhang_ms = 60000\n')  # the next nvidia-smi hangs
        time.sleep(0.6)  # a collection is now stuck in nvidia-smi
        lat = []
        t_end = time.time() + 2.5
        while time.time() < t_end:
            t0 = time.time()
            status, _, body = s.get('/metrics', timeout=2)
            lat.append(time.time() - t0)
            check(status == 200 and b'hmn_gpu_memory_used_bytes' in body,
                  'answered from the cache during the hang')
        lat.sort()
        print('scrapes during the hang: %d, median %.3f ms, max %.3f ms' % (
            len(lat), lat[len(lat) // 2] * 1e3, lat[-1] * 1e3), flush=True)
        check(len(lat) > 50 and lat[len(lat) // 2] < 0.01, 'median under 10 ms while the backend hangs')
        check(children_running(env['HMN_NVIDIA_SMI'], scn), 'nvidia-smi is really hanging now')
        # SIGTERM during the hang: the collection is cut by the library's timeout; exit 0.
        t0 = time.time()
        code = s.stop(timeout=20)
        check(code == 0, 'exit 0 on SIGTERM during a hung collection (got %s)' % code)
        check(time.time() - t0 < 6, 'within the nvidia-smi timeout (%.1f s)' % (time.time() - t0))
        time.sleep(0.2)
        check(not children_running(env['HMN_NVIDIA_SMI'], scn), 'no nvidia-smi left behind')
    finally:
        s.stop()


# ------------------------------------------------------------------ Prometheus

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def which(*names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def prom_query(port, q):
    import json
    import urllib.parse
    import urllib.request
    url = 'http://127.0.0.1:%d/api/v1/query?query=%s' % (port, urllib.parse.quote(q))
    with urllib.request.urlopen(url, timeout=5) as r:
        data = json.load(r)
    return data['data']['result'] if data.get('status') == 'success' else None


def start_daemon(argv, port_flag_fn, log):
    """Start a daemon on a free port (retried if the port was taken meanwhile)."""
    for _ in range(3):
        port = free_port()
        p = subprocess.Popen(argv + port_flag_fn(port), stdout=log, stderr=subprocess.STDOUT)
        time.sleep(0.3)
        if p.poll() is None:
            return p, port
    raise AssertionError('%s did not start' % argv[0])


def stop_daemon(p):
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def poll(fn, timeout=20):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = fn()
            if last is not None and last is not False:
                return last
        except OSError:
            pass
        time.sleep(0.25)
    return last


def t_prometheus(work):
    prometheus = which('prometheus')
    node = which('prometheus-node-exporter', 'node_exporter')
    if not prometheus or not node:
        raise Skip('prometheus and prometheus-node-exporter are not installed')
    if not HTTP:
        raise Skip('hmn built without libmicrohttpd')
    h100 = os.path.join(DATA, 'nvml', 'h100-3procs.scn')
    titan = os.path.join(DATA, 'nvml', 'titanx-8gpu.scn')
    mig = os.path.join(DATA, 'nvml', 'mig.scn')
    tree = os.path.join(DATA, 'drm', 'multi')
    # Three hosts, three scenarios: an H100 (modern driver), 8 TITAN X (R535.43), AMD/Intel DRM.
    owned = nvml_env(work, h100)
    owned['HMN_PROCFS'] = os.path.join(DATA, 'owner', 'proc')  # its processes in containers, a pod
    hosts = [Server(owned, '--processes'),
             Server(nvml_env(work, titan, 'r535_43'), '--processes'),
             Server(drm_env(work, tree), '--processes')]
    # A fourth host through node_exporter's textfile collector: the MIG H100.
    tf = os.path.join(work, 'textfile')
    os.makedirs(tf)
    code, _, err = run(['export', '--textfile', tf, '--once', '--processes'], nvml_env(work, mig))
    check(code == 0, 'export for node_exporter: %s' % err)
    log = open(os.path.join(work, 'daemons.log'), 'wb')
    nodep = prom = None
    try:
        nodep, nport = start_daemon(
            [node, '--collector.disable-defaults', '--collector.textfile',
             '--collector.textfile.directory=' + tf],
            lambda p: ['--web.listen-address=127.0.0.1:%d' % p], log)
        cfg = os.path.join(work, 'prometheus.yml')
        with open(cfg, 'w') as f:
            f.write('global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n'
                    'scrape_configs:\n'
                    '  - job_name: hmn\n    static_configs:\n      - targets: [%s]\n'
                    '  - job_name: node\n    static_configs:\n      - targets: ["127.0.0.1:%d"]\n'
                    % (', '.join('"127.0.0.1:%d"' % h.port for h in hosts), nport))
        prom, pport = start_daemon(
            [prometheus, '--config.file=' + cfg, '--storage.tsdb.path=' + os.path.join(work, 'tsdb'),
             '--log.level=warn'],
            lambda p: ['--web.listen-address=127.0.0.1:%d' % p], log)
        # Targets sync about 5 s after start: poll up to 20 s for all four up.
        up = poll(lambda: (lambda r: r if r and len(r) == 4 and all(x['value'][1] == '1' for x in r)
                           else None)(prom_query(pport, 'up')))
        check(up, 'all four targets up: %s' % up)
        poll(lambda: (lambda r: r if r and len(r) == 4 else None)(
            prom_query(pport, 'count by (instance) (hmn_up)')))
        # Expected figures from the scenario files themselves.
        exp_a = check_values.nvml_expect(h100, 'modern', True, 100)
        exp_b = check_values.nvml_expect(titan, 'r535_43', True, 100)
        exp_c = check_values.drm_expect(tree)
        exp_mig = check_values.nvml_expect(mig, 'modern', True, 100)

        def whole_gpus(exp):
            return sum(v for k, v in exp['hmn_gpu_memory_used_bytes'].items()
                       if 'gpu_instance_id' not in dict(k))

        want = whole_gpus(exp_a) + whole_gpus(exp_b) + whole_gpus(exp_c)
        got = poll(lambda: (lambda r: r if r and float(r[0]['value'][1]) == want else None)(
            prom_query(pport, 'sum(hmn_gpu_memory_used_bytes{job="hmn"})')))
        print('Prometheus: sum(hmn_gpu_memory_used_bytes{job="hmn"}) = %s (scenarios: %d)' % (
            got and got[0]['value'][1], want), flush=True)
        check(got and float(got[0]['value'][1]) == want,
              'sum(hmn_gpu_memory_used_bytes) over three hosts = %d: %s' % (want, got))
        # Per process: the largest process of the fleet, and on which host it runs.
        r = prom_query(pport, 'topk(1, hmn_process_gpu_memory_bytes{job="hmn"})')
        print('Prometheus: topk(1, hmn_process_gpu_memory_bytes) = %s' % r, flush=True)
        check(r and r[0]['metric'].get('pid') == '11345' and
              r[0]['metric'].get('instance') == '127.0.0.1:%d' % hosts[0].port and
              float(r[0]['value'][1]) == 15690 * MIB, 'largest process of the fleet: %s' % r)
        # DRM rows: what that exporter itself serves (the golden test checks those bytes)
        drm_rows = hosts[2].get('/metrics')[2].count(b'\nhmn_process_gpu_memory_bytes{')
        nproc = sum(len(e.get('hmn_process_gpu_memory_bytes', {})) for e in (exp_a, exp_b)) + drm_rows
        r = prom_query(pport, 'count(hmn_process_gpu_memory_bytes{job="hmn"})')
        check(r and int(float(r[0]['value'][1])) == nproc, 'process series %d: %s' % (nproc, r))
        r = prom_query(pport, 'sum by (instance) (hmn_process_gpu_memory_bytes{job="hmn",name="memhog"})')
        check(r and len(r) == 1 and float(r[0]['value'][1]) == (2566 + 1542) * MIB,
              'per-process query by name: %s' % r)
        # Per pod and per container (labels from the processes' cgroups).
        r = prom_query(pport, 'sum by (pod_uid) (hmn_process_gpu_memory_bytes{pod_uid!=""})')
        check(r and len(r) == 1 and r[0]['metric'].get('pod_uid') == '1e597579-417e-482f-bf65-5fe170c3aebd'
              and float(r[0]['value'][1]) == 2566 * MIB, 'memory per pod: %s' % r)
        r = prom_query(pport, 'count(hmn_process_gpu_memory_bytes{container_id!=""})')
        check(r and r[0]['value'][1] == '3', 'processes in containers: %s' % r)
        # What no process accounts for, fleet-wide (whole GPUs).
        want_un = sum(v for e in (exp_a, exp_b) for k, v in
                      e.get('hmn_gpu_memory_unattributed_bytes', {}).items()
                      if 'gpu_instance_id' not in dict(k))
        drm_un = sum(float(l.rsplit(' ', 1)[1]) for l in hosts[2].get('/metrics')[2].decode().splitlines()
                     if l.startswith('hmn_gpu_memory_unattributed_bytes{'))
        r = prom_query(pport, 'sum(hmn_gpu_memory_unattributed_bytes{job="hmn",gpu_instance_id=""})')
        check(r and float(r[0]['value'][1]) == want_un + drm_un,
              'unattributed over three hosts = %d: %s' % (want_un + drm_un, r))
        # node_exporter served the textfile: the MIG host, whole GPU and instances apart.
        r = poll(lambda: prom_query(pport, 'sum(hmn_gpu_memory_used_bytes{job="node",gpu_instance_id=""})'))
        check(r and float(r[0]['value'][1]) == whole_gpus(exp_mig), 'textfile host, whole GPU: %s' % r)
        r = prom_query(pport, 'sum(hmn_gpu_memory_used_bytes{job="node",gpu_instance_id!=""})')
        mig_sum = sum(v for k, v in exp_mig['hmn_gpu_memory_used_bytes'].items()
                      if 'gpu_instance_id' in dict(k))
        check(r and float(r[0]['value'][1]) == mig_sum, 'textfile host, MIG instances: %s' % r)
        r = prom_query(pport, 'node_textfile_scrape_error')
        check(r and r[0]['value'][1] == '0', 'node_exporter read the file without error: %s' % r)
    finally:
        stop_daemon(prom)
        stop_daemon(nodep)
        for h in hosts:
            check(h.stop() == 0, 'hmn serve exits 0')
        log.close()
    if FAILS:
        sys.stdout.write(open(os.path.join(work, 'daemons.log'), errors='replace').read()[-4000:])


TESTS = {'cli': t_cli, 'textfile': t_textfile, 'endpoints': t_endpoints, 'load': t_load,
         'slow': t_slow, 'hang': t_hang, 'prometheus': t_prometheus}


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else ''
    if name not in TESTS:
        print('usage: serve_test.py {%s}' % '|'.join(TESTS))
        return 2
    if not HMN or not os.path.exists(HMN):
        print('skipped: HMN_CLI not set')
        return 77
    work = tempfile.mkdtemp(prefix='serve-%s.' % name, dir=os.environ.get('HMN_EX_WORK'))
    try:
        TESTS[name](work)
    except Skip as e:
        print('skipped:', e)
        return 77
    except AssertionError as e:
        FAILS.append(str(e))
        print('FAIL', e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('%d passed, %d failed' % (0 if FAILS else 1, 1 if FAILS else 0))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
