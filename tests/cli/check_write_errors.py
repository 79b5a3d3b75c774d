#!/usr/bin/python3
"""Every command of hmn when its stdout cannot be written.

check_write_errors.py HMN

For each command and format: stdout on /dev/full, stdout closed, and a pipe
whose reader has already gone, with SIGPIPE ignored (as under systemd) and
with SIGPIPE at its default.  A command that writes to stdout must exit 1
with exactly one "hmn: write error: <reason>" line on stderr (or die of
SIGPIPE when that is the default); `hmn fits`, whose answer is its exit
status, keeps its answer.  `hmn watch` with no --duration must stop promptly
when its reader goes away mid-run.  Runs with the fake NVML of the case
(HMN_NVML_LIBRARY, HMN_FAKE_NVML_SCENARIO).  One "ok" line per check.
"""
import os
import signal
import subprocess
import sys

SHORT = ["--interval", "100ms", "--duration", "250ms"]
COMMANDS = [
    ["--help"], ["--version"], ["help", "ps"], ["ps", "--help"], ["serve", "--help"],
    ["export", "--help"],
    [], ["--json"],
    ["ps"], ["ps", "--json"], ["ps", "--csv"], ["ps", "-f"],
    ["explain"], ["explain", "--json"],
    ["watch"] + SHORT, ["watch", "--json"] + SHORT, ["watch", "--csv"] + SHORT,
    ["watch", "--follow-new"] + SHORT,
    ["spill", "--json", "--", "true"],
]
REASONS = {"full": "No space left on device", "closed": "Bad file descriptor",
           "pipe": "Broken pipe"}


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def closed_reader():
    r, w = os.pipe()
    os.close(r)  # nobody will ever read: every write fails with EPIPE
    return w


def run(hmn, args, how, sigpipe_default=False):
    """Run hmn with stdout broken in way `how`; (exit status, stderr text)."""
    out = None
    if how == "full":
        out = open("/dev/full", "wb")
    elif how == "pipe":
        out = closed_reader()
    pre = None
    if how == "closed":
        def pre():
            os.close(1)
    elif sigpipe_default:
        def pre():
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # restore_signals=False: the child keeps SIGPIPE ignored, as this interpreter has it.
    p = subprocess.run([hmn] + args, stdout=out if out is not None else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, preexec_fn=pre, restore_signals=False,
                       timeout=30)
    if how == "full":
        out.close()
    elif how == "pipe":
        os.close(out)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def check_command(hmn, args):
    name = "hmn " + " ".join(args)
    for how in ("full", "closed", "pipe"):
        rc, err = run(hmn, args, how)
        want = "hmn: write error: %s\n" % REASONS[how]
        if rc != 1 or not err.endswith(want) or err.count("write error") != 1:
            fail("%s, stdout %s: exit %d, stderr %r" % (name, how, rc, err[-300:]))
    rc, err = run(hmn, args, "pipe", sigpipe_default=True)
    if rc != -signal.SIGPIPE:
        fail("%s, SIGPIPE default: exit %d, stderr %r" % (name, rc, err[-300:]))
    print("ok   %s: /dev/full, closed, broken pipe (SIGPIPE ignored and default)" % name)


def check_fits(hmn):
    for how in ("full", "closed", "pipe"):
        rc, err = run(hmn, ["fits", "1GiB"], how)
        if rc != 0 or "write error" in err or "fits" not in err:
            fail("hmn fits, stdout %s: exit %d, stderr %r" % (how, rc, err))
    print("ok   hmn fits 1GiB: nothing on stdout, its answer kept")


def check_watch_reader_leaves(hmn, sigpipe_default):
    """watch without --duration: the reader takes two lines and goes away."""
    pre = (lambda: signal.signal(signal.SIGPIPE, signal.SIG_DFL)) if sigpipe_default else None
    p = subprocess.Popen([hmn, "watch", "--json", "--interval", "100ms"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=pre, restore_signals=False)
    p.stdout.readline()
    p.stdout.readline()
    p.stdout.close()
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("hmn watch kept running after its reader went away")
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    if sigpipe_default:
        ok = p.returncode == -signal.SIGPIPE
    else:
        ok = p.returncode == 1 and err.endswith("hmn: write error: Broken pipe\n")
    if not ok:
        fail("hmn watch, reader gone (SIGPIPE %s): exit %d, stderr %r"
             % ("default" if sigpipe_default else "ignored", p.returncode, err[-300:]))
    print("ok   hmn watch --json: stops when its reader goes away (SIGPIPE %s)"
          % ("default" if sigpipe_default else "ignored"))


def main():
    hmn = sys.argv[1]
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    for args in COMMANDS:
        check_command(hmn, args)
    check_fits(hmn)
    check_watch_reader_leaves(hmn, sigpipe_default=False)
    check_watch_reader_leaves(hmn, sigpipe_default=True)


if __name__ == "__main__":
    main()
