#!/usr/bin/python3
"""The default guest started through the service (docs/service.md, "VM processes"), as a
user does with the CLI on a private session bus: startvm waits for the progress, the busybox
prompt answers `uname -a` on the serial unix socket, `poweroff` in the guest ends the VM
process (PoweredOff); a second launch ends with `controlvm poweroff` (PoweredOff), a third
killed with SIGKILL becomes Aborted with its lock released, and a missing kernel file fails
the launch progress naming the file while the machine stays PoweredOff.
One full guest boot per run: the later launches do not wait for the guest.
usage: test_vm_launch.py --vireo V --service-dir D --dbus-daemon B --prepare SCRIPT"""
import argparse
import os
import signal
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "guest", "linux"))
import clitest  # noqa: E402
from clitest import check, expect, finish, run  # noqa: E402
import guestconsole as gc  # noqa: E402

BOOT_TIMEOUT = float(os.environ.get("VIREO_BOOT_TIMEOUT", "700"))
sys.path.insert(0, HERE)


def mr(v, env, vm):
    r = run(v, ["showvminfo", vm, "--machinereadable"], env)
    out = {}
    for line in r.out.splitlines():
        k, _, val = line.partition("=")
        out[k] = val.strip('"')
    return out


def wait_state(v, env, vm, want, timeout=60):
    deadline = time.monotonic() + timeout
    info = {}
    while time.monotonic() < deadline:
        info = mr(v, env, vm)
        if info.get("VMState") == want:
            return info
        time.sleep(0.2)
    return info


def connect(path, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def vm_pid(vm_log):
    with open(vm_log) as f:
        for line in f:
            if ", pid " in line:
                return int(line.rsplit(", pid ", 1)[1])
    return None


def log_tail(path):
    try:
        with open(path) as f:
            return f.read()[-3000:]
    except OSError as e:
        return str(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--service-dir", required=True)
    ap.add_argument("--dbus-daemon", required=True)
    ap.add_argument("--prepare", required=True)
    a = ap.parse_args()
    folder, release, cmdline = gc.prepare_guest(a.prepare)
    v = os.path.abspath(a.vireo)
    with tempfile.TemporaryDirectory(prefix="vireo-vm-") as tmp:
        from test_bus import Bus
        home = os.path.join(tmp, "home")
        base = dict(os.environ, VIREO_USER_HOME=home, VIREO_SVC_IDLE_TIMEOUT="600")
        base.pop("VIREO_SVC", None)
        bus = Bus(a.dbus_daemon, tmp, os.path.abspath(a.service_dir), base)
        env = dict(base, DBUS_SESSION_BUS_ADDRESS=bus.address)
        sock = os.path.join(tmp, "com1.sock")
        try:
            expect(run(v, ["createvm", "--name", "g", "--register"], env), 0, "createvm")
            expect(run(v, ["modifyvm", "g", "--memory", "128", "--firmware", "kernel",
                           "--kernel", os.path.join(folder, "vmlinuz"),
                           "--initrd", os.path.join(folder, "initrd.gz"),
                           "--cmdline", cmdline, "--uart1", "0x3f8", "4",
                           "--uart-mode1", "server", sock], env),
                   0, "modifyvm")
            info = mr(v, env, "g")
            vm_log = os.path.join(os.path.dirname(info.get("CfgFile", "")), "Logs", "VM.log")
            check(info.get("VMState") == "poweroff", "new machine powered off: %r" % info)

            # 1. start, boot, talk to the shell, power off through the console
            t0 = time.monotonic()
            r = run(v, ["startvm", "g", "--type", "headless"], env, timeout=120)
            expect(r, 0, "startvm", out="successfully started")
            print("startvm returned after %.1fs" % (time.monotonic() - t0))
            check(mr(v, env, "g").get("VMState") == "running", "running after startvm")
            pid = vm_pid(vm_log)
            check(pid and alive(pid), "VM process pid in VM.log and alive: %r" % pid)
            s = connect(sock)
            con = gc.Console(s.fileno(), s.fileno())
            try:
                con.expect(gc.MARKER, BOOT_TIMEOUT)
                con.expect(gc.PROMPT, 120)
                print("booted to the shell in %.1fs" % (time.monotonic() - t0))
                print(gc.check_uname(con, release))
            except Exception as e:
                check(False, "guest boot: %r\nVM.log:\n%s" % (e, log_tail(vm_log)))
            con.send("poweroff")  # the guest powers itself off
            info = wait_state(v, env, "g", "poweroff", 120)
            check(info.get("VMState") == "poweroff", "PoweredOff after guest poweroff: %r"
                  % info)
            time.sleep(0.5)
            check(pid and not alive(pid), "VM process gone after the guest's poweroff")
            s.close()

            # 2. powerDown through the console (the guest need not have booted)
            expect(run(v, ["startvm", "g"], env, timeout=120), 0, "second startvm")
            check(os.path.exists(vm_log + ".1"), "previous VM.log kept as VM.log.1")
            pid2 = vm_pid(vm_log)
            check(pid2 and pid2 != pid and alive(pid2), "second VM process: %r" % pid2)
            t1 = time.monotonic()
            r = run(v, ["controlvm", "g", "poweroff"], env, timeout=120)
            expect(r, 0, "controlvm poweroff")
            print("controlvm poweroff took %.2fs" % (time.monotonic() - t1))
            info = mr(v, env, "g")
            check(info.get("VMState") == "poweroff", "PoweredOff after poweroff: %r" % info)
            check(pid2 and not alive(pid2), "VM process gone when controlvm poweroff returns")

            # 3. a launch killed with SIGKILL: Aborted, lock released
            expect(run(v, ["startvm", "g"], env, timeout=120), 0, "third startvm")
            pid3 = vm_pid(vm_log)
            check(pid3 and pid3 != pid2 and alive(pid3), "third VM process: %r" % pid3)
            if pid3:
                os.kill(pid3, signal.SIGKILL)
            info = wait_state(v, env, "g", "aborted", 20)
            check(info.get("VMState") == "aborted", "Aborted after SIGKILL: %r" % info)
            check(info.get("SessionState", "").lower() == "unlocked",
                  "lock released after SIGKILL: %r" % info.get("SessionState"))
            r = run(v, ["modifyvm", "g", "--memory", "96"], env)
            expect(r, 0, "modifyvm of the aborted machine (the lock is free)")

            # 3. a missing kernel file: the progress fails naming it; still PoweredOff
            expect(run(v, ["createvm", "--name", "bad", "--register"], env), 0, "createvm bad")
            gone = os.path.join(tmp, "nosuch-vmlinuz")
            with open(gone, "wb") as f:
                f.write(b"not a kernel")
            expect(run(v, ["modifyvm", "bad", "--firmware", "kernel", "--kernel", gone], env),
                   0, "modifyvm bad")
            os.unlink(gone)  # deleted behind the service's back
            r = run(v, ["startvm", "bad"], env, timeout=120)
            check(r.rc != 0, "startvm with a missing kernel fails: %r" % r)
            check("nosuch-vmlinuz" in r.err, "the error names the file: %r" % r.err)
            check("VMError" in r.err, "the error is a VMError: %r" % r.err)
            print("failed launch:", r.err.strip().replace("\n", " / "))
            info = mr(v, env, "bad")
            check(info.get("VMState") == "poweroff", "PoweredOff after a failed launch: %r"
                  % info)
            check(info.get("SessionState", "").lower() == "unlocked",
                  "unlocked after a failed launch: %r" % info.get("SessionState"))
        finally:
            for name in ("g", "bad"):  # VM processes outlive the service: end ours
                p = vm_pid(os.path.join(home, "machines", name, "Logs", "VM.log")) \
                    if os.path.exists(os.path.join(home, "machines", name, "Logs", "VM.log")) \
                    else None
                if p and alive(p):
                    os.kill(p, signal.SIGKILL)
            bus.stop()
            time.sleep(0.5)
    finish()


if __name__ == "__main__":
    main()
