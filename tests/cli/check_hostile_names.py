#!/usr/bin/python3
"""Hostile process and device names through every output of hmn.

check_hostile_names.py HMN WORK_DIR

Real processes run as copies of sleep whose file names hold an OSC 52
clipboard write, a CSI sequence, the 8-bit CSI U+009B, a right-to-left
override, isolates and zero-width characters, a newline and an invalid
UTF-8 byte; the fake NVML (HMN_NVML_LIBRARY, HMN_FAKE_NVML_SCENARIO written
here) lists them on a device whose name is hostile too, and /proc names
them.  The fake nvidia-smi (HMN_CLI_FAKE_SMI) carries the --follow-new
breadcrumbs, the "name changed" line and a parse error quoting raw output.

Every command and format runs; text outputs (tables, watch rows and
summaries, stderr lines, CSV) must hold no raw control character, C1
control, bidi or other invisible format character, nor invalid UTF-8, and
must show the escapes; JSON must parse and keep the exact names.  One "ok"
line per check; exit 1 on the first failure.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

NAMES = [
    b"\x1b]52;c;aGk=\x07",             # OSC 52: write the watcher's clipboard
    b"\x1b[2J\x1b[31mred",             # CSI: clear the screen, colour
    b"x\xc2\x9b31m",                   # U+009B: the 8-bit CSI
    "evil\u202etxt.exe".encode(),      # right-to-left override
    "iso\u2066late\u2069\u200bz".encode(),  # isolates, zero-width space
    b"two\nlines",                     # a forged table row
    b"bad\xffbyte",                    # invalid UTF-8
]
DEVICE = "GPU \x1b]52;c;aGk=\x07\u202eX".encode()
# Code points that must never reach a terminal raw.
FORBIDDEN = [0x1B, 0x07, 0x9B, 0x202E, 0x2066, 0x2069, 0x200B]


# The PIDs of the processes this test started: the report shows them as "PID"
# (they differ from run to run, and may be any number, even a small one).
STARTED_PIDS = set()


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def terminal_safe(data, what, allow_bidi=False):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("%s: invalid UTF-8 reached the output: %s" % (what, e))
    for ch in text:
        cp = ord(ch)
        if cp < 0x20 and ch != "\n":
            fail("%s: raw control U+%04X in %r" % (what, cp, text[:400]))
        if 0x7F <= cp <= 0x9F:
            fail("%s: raw DEL/C1 U+%04X in %r" % (what, cp, text[:400]))
        if not allow_bidi and cp in FORBIDDEN:
            fail("%s: raw U+%04X in %r" % (what, cp, text[:400]))
    return text


def label(args):
    """The command line as the report shows it: no PIDs (they vary), escapes visible."""
    words = ["PID" if a in STARTED_PIDS else a.encode("unicode_escape").decode() for a in args]
    out = []
    for w in words:
        if w != "PID" or not out or out[-1] != "PID...":
            out.append("PID..." if w == "PID" else w)
    return "hmn " + " ".join(out)


def run(hmn, args, env, timeout=20):
    p = subprocess.run([hmn] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def start_processes(work):
    d = os.path.join(work, b"names")
    os.makedirs(d, exist_ok=True)
    procs = []
    for n in NAMES:
        path = os.path.join(d, n)
        shutil.copy("/bin/sleep", path)
        procs.append(subprocess.Popen([path, "300"], executable=path))
        STARTED_PIDS.add(str(procs[-1].pid))
    time.sleep(0.2)
    return procs


def nvml_scenario(work, procs):
    path = os.path.join(work, b"hostile.scn")
    with open(path, "wb") as f:
        f.write(b"driver 590.48.01\nnvml 13.590.48.01\ncuda 13010\n")
        f.write(b'device name="' + DEVICE + b'" uuid=GPU-1 pci=0000:00:09.0 '
                b"pci_id=0x233010de total=81559MiB reserved=529MiB used=19818MiB mig=off\n")
        for i, p in enumerate(procs):
            f.write(b"proc pid=%d used=%dMiB kinds=compute\n" % (p.pid, 1000 + i))
    return path


def smi_app(pid, name, used):
    return b"[app]\ngpu = 0\npid = %d\nprocess_name = %s\nused_memory = %d\n" % (pid, name, used)


def smi_scenario(path, apps):
    with open(os.path.join(os.environ["DATA"], "smi", "h100-idle.scn"), "rb") as f:
        base = f.read()
    tmp = path + b".tmp"
    with open(tmp, "wb") as f:
        f.write(base + b"".join(apps))
    os.replace(tmp, path)


def check_text(hmn, env, args, expect_escape=True):
    rc, out, err = run(hmn, args, env)
    what = label(args)
    text = terminal_safe(out, what + " (stdout)") + terminal_safe(err, what + " (stderr)")
    if rc not in (0, 1):
        fail("%s: exit %d: %s" % (what, rc, err.decode("utf-8", "replace")))
    if expect_escape and "\\u{1b}" not in text and "\\u{202e}" not in text:
        fail("%s: no escape shown: %r" % (what, text[:400]))
    print("ok   " + what)
    return text


def check_json(hmn, env, args, lines=False):
    rc, out, err = run(hmn, args, env)
    what = label(args)
    terminal_safe(err, what + " (stderr)")
    # JSON keeps the exact text: bidi characters stay, controls are \u escapes.
    text = terminal_safe(out, what + " (stdout)", allow_bidi=True)
    docs = [json.loads(l) for l in text.splitlines()] if lines else [json.loads(text)]
    names = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("name", "device_name") and isinstance(x, str):
                    names.add(x)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    for d in docs:
        walk(d)
    want = {n.decode("utf-8", "replace") for n in NAMES[:2]} | {DEVICE.decode()}
    if not want & names:
        fail("%s: exact names missing from JSON: %r" % (what, sorted(names)[:8]))
    print("ok   " + what)


def main():
    hmn, work = sys.argv[1], os.fsencode(sys.argv[2])
    env = dict(os.environ)
    procs = start_processes(work)
    try:
        env["HMN_FAKE_NVML_SCENARIO"] = os.fsdecode(nvml_scenario(work, procs))
        env["HMN_PROCFS"] = "/proc"
        pids = [str(p.pid) for p in procs]
        short = ["--interval", "200ms", "--duration", "300ms"]
        check_text(hmn, env, [])
        check_json(hmn, env, ["--json"])
        check_text(hmn, env, ["ps"])
        check_text(hmn, env, ["ps", "-f"])
        check_text(hmn, env, ["ps", "--csv"])
        check_json(hmn, env, ["ps", "--json"])
        check_text(hmn, env, ["ps", "--filter", "red", "--filter", "\x1b"])
        check_text(hmn, env, ["explain"])
        check_json(hmn, env, ["explain", "--json"])
        check_text(hmn, env, ["fits", "1"])
        check_text(hmn, env, ["watch"] + pids + short)
        check_text(hmn, env, ["watch", "--top", "9"] + short)
        check_text(hmn, env, ["watch", "--csv"] + pids + short)
        check_json(hmn, env, ["watch", "--json"] + pids + short, lines=True)
        check_smi(hmn, env, work, procs)
    finally:
        for p in procs:
            p.kill()
            p.wait()


def check_smi(hmn, env, work, procs):
    """--follow-new breadcrumbs, a name change and a parse error, through nvidia-smi."""
    env = dict(env)
    scn = os.path.join(work, b"smi.scn")
    env["HMN_NVML_LIBRARY"] = "/nonexistent/libnvidia-ml.so.1"
    env["HMN_NVIDIA_SMI"] = os.environ["HMN_CLI_FAKE_SMI"]
    env["HMN_FAKE_SMI_SCENARIO"] = os.fsdecode(scn)
    # nvidia-smi gives no name ([N/A]): /proc names the real processes.
    a, b = procs[0], procs[3]
    smi_scenario(scn, [smi_app(a.pid, b"[N/A]", 2000)])
    w = subprocess.Popen([hmn, "watch", "--follow-new", "--interval", "300ms", "--duration",
                          "1400ms"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.45)
    smi_scenario(scn, [smi_app(a.pid, b"[N/A]", 2000), smi_app(b.pid, b"[N/A]", 3000)])
    time.sleep(0.6)
    smi_scenario(scn, [smi_app(b.pid, b"[N/A]", 3000)])
    out, err = w.communicate(timeout=20)
    text = terminal_safe(out, "watch --follow-new (stdout)") + \
        terminal_safe(err, "watch --follow-new (stderr)")
    if "entered pid=%d (evil\\u{202e}txt.exe)" % b.pid not in text or "left pid=%d" % a.pid not in text:
        fail("watch --follow-new: breadcrumbs missing: %r" % text)
    print("ok   hmn watch --follow-new (entered / left breadcrumbs)")
    # Names from nvidia-smi itself: one PID, renamed between samples (C1, then bidi).
    smi_scenario(scn, [smi_app(30001, b"x\xc2\x9b31m", 2000)])
    w = subprocess.Popen([hmn, "watch", "30001", "--interval", "300ms", "--duration", "900ms"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.45)
    smi_scenario(scn, [smi_app(30001, "evil\u202etxt".encode(), 2000)])
    out, err = w.communicate(timeout=20)
    text = terminal_safe(out, "watch name change (stdout)") + \
        terminal_safe(err, "watch name change (stderr)")
    if "name changed (x\\u{9b}31m \u2192 evil\\u{202e}txt)" not in text:
        fail("watch: the name-change line is missing or raw: %r" % text)
    print("ok   hmn watch (name changed line)")
    # A parse error quotes nvidia-smi's raw line.
    smi_scenario(scn, [smi_app(30002, b"x", 0).replace(b"used_memory = 0",
                                                      b"used_memory = \x1b]52;c;aGk=\x07")])
    rc, out, err = run(hmn, ["ps", "--device", "0"], env)
    text = terminal_safe(out, "ps parse error (stdout)") + terminal_safe(err, "ps parse error")
    if rc != 2 or "unexpected --query-compute-apps output" not in text or "\\u{1b}" not in text:
        fail("ps: parse error not shown safely (exit %d): %r" % (rc, text))
    print("ok   hmn ps (nvidia-smi parse error quoting raw output)")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
