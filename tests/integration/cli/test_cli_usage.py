#!/usr/bin/python3
"""What a user sees from `vireo` before any service answers: help, usage errors (exit 2, a
message naming the problem and a hint), and a clear failure (exit 1) when no session bus or
no service can be reached. The service-backed commands are covered by test_cli_e2e.py."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, expect, finish, run, start_bus  # noqa: E402

COMMANDS = ["list", "showvminfo", "createvm", "registervm", "unregistervm", "modifyvm",
            "startvm", "controlvm", "discardstate", "setproperty"]


def test_help(vireo, env):
    r = run(vireo, [], env)
    expect(r, 2, "no arguments", err="Usage: vireo COMMAND")
    r = run(vireo, ["help"], env)
    expect(r, 0, "help", out="Usage: vireo COMMAND")
    for c in COMMANDS:
        check(("  " + c) in r.out, "help lists %s" % c)
    check("0 success, 1 failure, 2 usage error" in r.out, "help documents exit codes")
    for c in COMMANDS:
        r = run(vireo, [c, "--help"], env)
        expect(r, 0, c + " --help", out="Usage: vireo " + c)
        r2 = run(vireo, ["help", c], env)
        check(r2.rc == 0 and r2.out == r.out, "help %s equals %s --help" % (c, c))
    r = run(vireo, ["modifyvm", "--help"], env)
    for opt in ["--memory", "--cpus", "--bootN", "--firmware", "--kernel", "--initrd",
                "--cmdline", "--vram", "--vnc", "--vnc-port", "--vnc-password", "--uartN",
                "--uart-modeN", "--description", "--name"]:
        check(opt + " " in r.out, "modifyvm --help lists %s" % opt)
    expect(run(vireo, ["--version"], env), 0, "--version", out="vireo ")


def test_usage_errors(vireo, env):
    cases = [
        (["frobnicate"], "vireo: error: unknown command 'frobnicate'", "Try 'vireo help'."),
        (["help", "frobnicate"], "vireo: error: unknown command 'frobnicate'", None),
        (["list"], "vireo: error: missing argument", "Try 'vireo list --help'."),
        (["list", "cats"], "vireo: error: unknown list 'cats'", None),
        (["list", "vms", "--jsn"], "vireo: error: unknown option '--jsn'", None),
        (["showvminfo"], "missing argument", None),
        (["showvminfo", "a", "b"], "unexpected argument 'b'", None),
        (["showvminfo", "vm", "--json", "--machinereadable"], "exclude each other", None),
        (["createvm"], "vireo: error: --name is required", "Try 'vireo createvm --help'."),
        (["createvm", "--name"], "option '--name' needs a value (NAME)", None),
        (["modifyvm", "vm"], "nothing to change", None),
        (["modifyvm", "vm", "--memroy", "64"], "unknown option '--memroy'", None),
        (["modifyvm", "vm", "--memory", "lots"], "--memory: 'lots' is not a number", None),
        (["modifyvm", "vm", "--vnc-port", "70000"], "--vnc-port: 70000 is out of range 0..65535",
         None),
        (["modifyvm", "vm", "--boot5", "disk"], "'--boot5': index 5 is out of range 1..4", None),
        (["modifyvm", "vm", "--boot1", "floppy"], "'floppy' is not one of none|disk|dvd", None),
        (["modifyvm", "vm", "--firmware", "uefi"], "'uefi' is not one of bios|kernel|multiboot",
         None),
        (["modifyvm", "vm", "--vnc", "maybe"], "--vnc: 'maybe' is not on or off", None),
        (["modifyvm", "vm", "--uart1", "0x3f8", "16"], "uart IRQ: 16 is out of range 0..15",
         None),
        (["modifyvm", "vm", "--uart1", "0x3f8"], "needs 2 values", None),
        (["modifyvm", "vm", "--uart-mode2", "tcpserver", "80"],
         "uart tcpserver port: 80 is out of range 1024..65535", None),
        (["modifyvm", "vm", "--uart-mode2", "carrier-pigeon"], "uart mode: 'carrier-pigeon'",
         None),
        (["startvm", "vm", "--type", "sdl"], "--type: 'sdl' is not one of headless|gui", None),
        (["controlvm", "vm", "explode"], "unknown action 'explode'", None),
        (["controlvm", "vm"], "missing argument", None),
        (["setproperty", "colour", "blue"], "unknown property 'colour'", None),
        (["setproperty", "vncportmin", "99999"], "vncportmin: 99999 is out of range 0..65535",
         None),
        (["unregistervm", "vm", "--purge"], "unknown option '--purge'", None),
    ]
    for args, msg, hint in cases:
        r = run(vireo, args, env)
        what = "vireo " + " ".join(args)
        if expect(r, 2, what, err=msg):
            check(r.out == "", "%s: nothing on stdout, got %r" % (what, r.out))
            check(r.err.startswith("vireo: error: "), "%s: stderr starts with the prefix" % what)
            if hint:
                check(hint in r.err, "%s: hint %r in %r" % (what, hint, r.err))


def test_unreachable(vireo, env, daemon, tmp):
    # No session bus at all.
    nobus = dict(env)
    nobus.pop("DBUS_SESSION_BUS_ADDRESS", None)
    nobus.pop("DISPLAY", None)
    nobus["XDG_RUNTIME_DIR"] = tmp  # no "bus" socket there: no fallback bus either
    r = run(vireo, ["list", "vms"], nobus)
    expect(r, 1, "no session bus", err="vireo: error: cannot connect to the D-Bus session bus")
    check("vireo: detail: " in r.err, "no session bus: a detail line, got %r" % r.err)
    # A bus, but no service, no activation file, and no vireo-svc to start.
    bus, addr = start_bus(daemon, tmp)
    try:
        e = dict(env, DBUS_SESSION_BUS_ADDRESS=addr, VIREO_SVC=os.path.join(tmp, "missing"))
        for args in (["list", "vms"], ["showvminfo", "demo"], ["list", "systemproperties"],
                     ["modifyvm", "demo", "--memory", "64"]):
            r = run(vireo, args, e)
            what = "no service: vireo " + " ".join(args)
            expect(r, 1, what,
                   err="vireo: error: the Vireo service (org.vireo.Vireo1) is not running and "
                       "cannot be started")
            check("vireo: detail: no D-Bus activation file" in r.err, what + ": detail line")
            check(r.out == "", what + ": nothing on stdout")
        # A "service" that starts but never takes the name: the CLI gives up and says so.
        e["VIREO_SVC"] = shutil.which("true") or "/bin/true"
        e["VIREO_SVC_START_TIMEOUT_MS"] = "500"
        r = run(vireo, ["list", "vms"], e)
        expect(r, 1, "service that never appears",
               err="vireo: error: the Vireo service (org.vireo.Vireo1) did not start")
    finally:
        bus.terminate()
        bus.wait(10)


def complete(script, words, env):
    """COMPREPLY of the installed completion for the words typed so far."""
    cmd = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
           '_vireo; printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["/bin/bash", "-c", cmd, "bash", script] + words, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    check(p.returncode == 0, "completion %r ran: %r" % (words, p.stderr))
    return sorted(x for x in p.stdout.decode().split("\n") if x)


def test_completion(script, env):
    e = dict(env)
    e.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no service: no machine names, no start
    cases = [
        (["vireo", "mod"], ["modifyvm"]),
        (["vireo", "list", "r"], ["runningvms"]),
        (["vireo", "modifyvm", "vm", "--uart-m"],
         ["--uart-mode1", "--uart-mode2", "--uart-mode3", "--uart-mode4"]),
        (["vireo", "modifyvm", "vm", "--boot2", ""], ["disk", "dvd", "none"]),
        (["vireo", "controlvm", "vm", "p"], ["pause", "poweroff"]),
        (["vireo", "showvminfo", "vm", "--j"], ["--json"]),
        (["vireo", "startvm", "vm", "--type", "h"], ["headless"]),
    ]
    for words, want in cases:
        got = complete(script, words, e)
        check(got == want, "completion of %r: %r, expected %r" % (words, got, want))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--dbus-daemon", required=True)
    ap.add_argument("--completion", required=True)
    a = ap.parse_args()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="vireo-cli-") as tmp:
        env["VIREO_USER_HOME"] = os.path.join(tmp, "home")
        test_help(a.vireo, env)
        test_usage_errors(a.vireo, env)
        test_unreachable(a.vireo, env, a.dbus_daemon, tmp)
        test_completion(a.completion, env)
    finish()


if __name__ == "__main__":
    main()
