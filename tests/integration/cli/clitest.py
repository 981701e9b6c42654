"""Shared helpers of the CLI integration tests: a private session bus, running `vireo` as a
user would, and collecting failures."""
import os
import select
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return cond


def finish():
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


CONFIG = """<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def start_bus(daemon, tmp):
    """A private bus with no activation directory: nothing is started on demand."""
    conf = os.path.join(tmp, "bus.conf")
    with open(conf, "w") as f:
        f.write(CONFIG % tmp)
    proc = subprocess.Popen([daemon, "--config-file", conf, "--print-address=1", "--nofork"],
                            stdout=subprocess.PIPE)
    ready, _, _ = select.select([proc.stdout], [], [], 10)
    if not ready:
        raise RuntimeError("dbus-daemon printed no address")
    return proc, proc.stdout.readline().decode().strip()


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __repr__(self):
        return "rc=%d stdout=%r stderr=%r" % (self.rc, self.out[:400], self.err[:400])


def run(vireo, args, env, timeout=60):
    p = subprocess.run([vireo] + list(args), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return Result(p.returncode, p.stdout.decode(), p.stderr.decode())


def expect(res, rc, what, out=None, err=None):
    """Exit code `rc`, and the given substrings in stdout / stderr."""
    ok = check(res.rc == rc, "%s: exit %d expected, %r" % (what, rc, res))
    if out is not None:
        ok &= check(out in res.out, "%s: %r not in stdout %r" % (what, out, res.out[:600]))
    if err is not None:
        ok &= check(err in res.err, "%s: %r not in stderr %r" % (what, err, res.err[:600]))
    return ok
