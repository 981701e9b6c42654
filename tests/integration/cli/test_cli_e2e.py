#!/usr/bin/python3
"""Every `vireo` command end to end against the real vireo-svc on a private bus, checking
what a user sees: text output, --json parsed field by field, --machinereadable parsed, exit
codes, and the error lines for a missing machine, an out-of-range value and a locked machine.

The service is started by D-Bus activation (the build tree's activation file), and once by
the CLI itself (a bus without activation, VIREO_SVC pointing at the program)."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time

import dbus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import check, expect, finish, run  # noqa: E402

NAME = "org.vireo.Vireo1"
ROOT = "/org/vireo/Vireo1"
ERR = "org.vireo.Vireo1.Error."
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Bus:
    def __init__(self, daemon, tmp, service_dir, env):
        conf = os.path.join(tmp, "bus.conf")
        sd = "<servicedir>%s</servicedir>" % service_dir if service_dir else ""
        with open(conf, "w") as f:
            f.write(textwrap.dedent("""\
                <busconfig>
                  <type>session</type>
                  <listen>unix:dir=%s</listen>
                  %s
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>""") % (tmp, sd))
        self.proc = subprocess.Popen([daemon, "--config-file=" + conf, "--nofork",
                                      "--print-address=1"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, text=True)
        self.address = self.proc.stdout.readline().strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


def parse_mr(text):
    """VBoxManage's key="value" lines (docs/cli.md) into a dict."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_]+)=(.*)$', line)
        if not check(m is not None, "machine-readable line %r" % line):
            continue
        key, val = m.group(1), m.group(2)
        if key.startswith('"'):
            key = key[1:-1]
        if val.startswith('"'):
            check(val.endswith('"') and len(val) >= 2, "quoted value %r" % line)
            val = re.sub(r"\\(.)", lambda x: "\n" if x.group(1) == "n" else x.group(1),
                         val[1:-1])
        else:
            check(re.match(r"^-?[0-9]+$", val) is not None, "bare value is a number: %r" % line)
            val = int(val)
        check(key not in out, "key %s appears once" % key)
        out[key] = val
    return out


def jrun(vireo, args, env, what):
    r = run(vireo, args, env)
    if not expect(r, 0, what):
        return None
    try:
        return json.loads(r.out)
    except ValueError as e:
        check(False, "%s: not JSON (%s): %r" % (what, e, r.out[:300]))
        return None


def expect_api_error(r, what, name, call, msg=None):
    """Exit 1, 'vireo: error: ...' then the detail line naming call and error."""
    if not expect(r, 1, what):
        return
    lines = r.err.splitlines()
    check(len(lines) >= 2 and lines[0].startswith("vireo: error: "), what + ": error line")
    check("vireo: detail: %s failed with %s" % (call, name) in r.err,
          "%s: detail naming %s and %s in %r" % (what, call, name, r.err))
    if msg:
        check(msg in lines[0], "%s: %r in %r" % (what, msg, lines[0]))
    check(r.out == "", what + ": nothing on stdout")


def test_empty(v, env):
    r = run(v, ["list", "vms"], env)
    expect(r, 0, "list vms, empty registry")
    check(r.out == "", "list vms prints nothing with no machines: %r" % r.out)
    check(jrun(v, ["list", "vms", "--json"], env, "list vms --json (empty)") == [],
          "list vms --json is [] with no machines")
    for kind in ("hdds", "dvds", "runningvms"):
        check(jrun(v, ["list", kind, "--json"], env, "list %s --json" % kind) == [],
              "list %s --json is []" % kind)


def test_create(v, env, tmp):
    r = run(v, ["createvm", "--name", "alpha", "--ostype", "Linux", "--register"], env)
    expect(r, 0, "createvm --register", out="Virtual machine 'alpha' is created and registered.")
    m = re.search(r"^UUID: (\S+)$", r.out, re.M)
    check(m and UUID_RE.match(m.group(1)), "createvm prints the uuid: %r" % r.out)
    alpha = m.group(1) if m else None
    # --basefolder, not registered, then registervm with a relative path.
    d = jrun(v, ["createvm", "--name", "beta", "--basefolder", os.path.join(tmp, "vms"),
                 "--json"], env, "createvm --json")
    if d:
        check(d["name"] == "beta" and d["registered"] is False, "createvm --json fields %r" % d)
        check(d["settingsFile"] == os.path.join(tmp, "vms", "beta", "beta.vireo"),
              "createvm --basefolder puts the file in DIR/NAME/NAME.vireo: %r" % d)
        check(os.path.exists(d["settingsFile"]), "createvm wrote the settings file")
        check(UUID_RE.match(d["uuid"]) is not None, "uuid in createvm --json")
    names = [x["name"] for x in jrun(v, ["list", "vms", "--json"], env, "list vms") or []]
    check(names == ["alpha"], "only alpha is registered before registervm: %r" % names)
    rel = os.path.relpath(os.path.join(tmp, "vms", "beta", "beta.vireo"))
    expect(run(v, ["registervm", rel], env), 0, "registervm with a relative path")
    r = run(v, ["list", "vms"], env)
    lines = r.out.splitlines()
    check(len(lines) == 2 and lines[0] == '"alpha" {%s}' % alpha,
          "list vms text form: %r" % r.out)
    check(re.match(r'^"beta" \{[0-9a-f-]{36}\}$', lines[1] if len(lines) > 1 else ""),
          "list vms second line %r" % lines)
    r = run(v, ["createvm", "--name", "alpha"], env)
    expect_api_error(r, "createvm with a taken name", ERR + "ObjectInUse",
                     "IVireo.createMachine")
    return alpha


def test_show(v, env, alpha):
    d = jrun(v, ["showvminfo", "alpha", "--json"], env, "showvminfo --json")
    if d:
        check(d["name"] == "alpha" and d["uuid"] == alpha, "json identity %r" % d)
        check(d["ostype"] == "Linux", "json ostype")
        check(d["state"] == "PoweredOff", "json state")
        check(d["registered"] is True and d["accessible"] is True, "json flags")
        check(d["session"]["state"] == "Unlocked" and d["session"]["pid"] == 0, "json session")
        check(d["firmware"] == "bios", "json firmware default")
        check(d["bootOrder"] == ["dvd", "disk"], "json default boot order %r" % d["bootOrder"])
        check(isinstance(d["memory"], int) and d["memory"] > 0, "json memory is a number")
        check(d["vnc"]["enabled"] is False, "json vnc off by default")
        check(isinstance(d["serialPorts"], list), "json serialPorts is a list")
        check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", d["stateSince"]),
              "json stateSince ISO 8601: %r" % d["stateSince"])
    r = run(v, ["showvminfo", alpha.upper()], env)  # by uuid, any case
    expect(r, 0, "showvminfo by uuid", out="Name:                 alpha\n")
    check("State:                PoweredOff (since " in r.out, "text state line")
    mr = parse_mr(run(v, ["showvminfo", "alpha", "--machinereadable"], env).out)
    check(mr.get("name") == "alpha" and mr.get("UUID") == alpha, "mr identity")
    check(mr.get("VMState") == "poweroff", "mr VMState poweroff: %r" % mr.get("VMState"))
    check(mr.get("boot1") == "dvd" and mr.get("boot2") == "disk" and mr.get("boot3") == "none",
          "mr boot order")
    if d:
        check(mr.get("memory") == d["memory"], "mr memory equals json memory")
    r = run(v, ["showvminfo", "nosuch"], env)
    expect_api_error(r, "showvminfo of a missing machine", ERR + "ObjectNotFound",
                     "IVireo.findMachine", "nosuch")


def test_modify(v, env, tmp, alpha):
    kernel = os.path.join(tmp, "bzImage")
    initrd = os.path.join(tmp, "initrd.img")
    for p in (kernel, initrd):
        with open(p, "wb") as f:
            f.write(b"\0" * 512)
    desc = 'line one\nsays "hi" \\ bye'
    r = run(v, ["modifyvm", "alpha", "--memory", "96", "--vram", "8", "--boot1", "disk",
                "--boot2", "none", "--firmware", "kernel", "--kernel", kernel, "--initrd",
                os.path.relpath(initrd), "--cmdline", "console=ttyS0 quiet", "--vnc", "on",
                "--vnc-port", "5931", "--vnc-password", "s3cret", "--description", desc,
                "--ostype", "Other"], env)
    expect(r, 0, "modifyvm with many options")
    check(r.out == "" and r.err == "", "modifyvm is silent on success: %r" % r)
    d = jrun(v, ["showvminfo", "alpha", "--json"], env, "showvminfo after modifyvm")
    if d:
        check(d["memory"] == 96, "memory 96: %r" % d["memory"])
        check(d["vram"] == 8, "vram 8")
        check(d["bootOrder"] == ["disk"], "boot order disk only: %r" % d["bootOrder"])
        check(d["firmware"] == "kernel", "firmware kernel")
        check(d["kernel"] == kernel, "kernel path")
        check(d["initrd"] == initrd, "relative initrd made absolute: %r" % d["initrd"])
        check(d["cmdline"] == "console=ttyS0 quiet", "cmdline")
        check(d["vnc"] == dict(d["vnc"], enabled=True, port=5931, passwordSet=True),
              "vnc %r" % d["vnc"])
        check(d["description"] == desc, "description round trip %r" % d["description"])
        check(d["ostype"] == "Other", "ostype changed")
    mr = parse_mr(run(v, ["showvminfo", "alpha", "--machinereadable"], env).out)
    check(mr.get("description") == desc, "mr unescapes to the same description")
    check(mr.get("vnc") == "on" and mr.get("vncport") == 5931, "mr vnc")
    check(mr.get("boot1") == "disk" and mr.get("boot2") == "none", "mr boot after --boot2 none")
    # Out of range, caught by the service: nothing changes.
    r = run(v, ["modifyvm", "alpha", "--cpus", "1", "--memory", "999999"], env)
    expect_api_error(r, "modifyvm --memory 999999", ERR + "InvalidArg",
                     "IMachine.memorySize (set)", "999999")
    d = jrun(v, ["showvminfo", "alpha", "--json"], env, "showvminfo after a failed modifyvm")
    check(d and d["memory"] == 96 and d["session"]["state"] == "Unlocked",
          "failed modifyvm left memory and released the lock")
    # Rename; the old name is gone.
    expect(run(v, ["modifyvm", "alpha", "--name", "gamma"], env), 0, "modifyvm --name")
    expect_api_error(run(v, ["modifyvm", "alpha", "--memory", "64"], env),
                     "modifyvm of the old name", ERR + "ObjectNotFound", "IVireo.findMachine")
    expect(run(v, ["showvminfo", "gamma"], env), 0, "showvminfo of the new name",
           out="UUID:                 %s" % alpha)


def test_locked(v, env, address, alpha):
    conn = dbus.bus.BusConnection(address)
    root = conn.get_object(NAME, ROOT)
    path = root.FindMachine(alpha, dbus_interface="org.vireo.Vireo1.Vireo")
    m = conn.get_object(NAME, path)
    session = m.LockMachine(dbus.UInt32(2), dbus.UInt32(0), dbus_interface=NAME + ".Machine")
    try:
        r = run(v, ["modifyvm", "gamma", "--memory", "64"], env)
        expect_api_error(r, "modifyvm of a locked machine", ERR + "ObjectInUse",
                         "IMachine.lockMachine", "cannot lock machine 'gamma'")
        d = jrun(v, ["showvminfo", "gamma", "--json"], env, "showvminfo of a locked machine")
        check(d and d["session"]["state"] == "Locked" and d["session"]["type"] == "WriteLock" and
              d["session"]["owner"] == conn.get_unique_name() and
              d["session"]["pid"] == os.getpid(),
              "json session names the holder: %r" % (d and d["session"]))
        r = run(v, ["showvminfo", "gamma"], env)
        check("Session:              locked by %s (pid %d, WriteLock)" %
              (conn.get_unique_name(), os.getpid()) in r.out,
              "text names the lock holder: %r" % r.out)
    finally:
        conn.get_object(NAME, session).UnlockMachine(dbus_interface=NAME + ".Session")
        conn.close()
    expect(run(v, ["modifyvm", "gamma", "--memory", "64"], env), 0, "modifyvm after unlock")


def test_control(v, env):
    r = run(v, ["controlvm", "gamma", "pause"], env)
    expect_api_error(r, "controlvm of a powered-off machine", ERR + "InvalidVMState",
                     "IMachine.lockMachine", "PoweredOff")
    r = run(v, ["controlvm", "nosuch", "poweroff"], env)
    expect_api_error(r, "controlvm of a missing machine", ERR + "ObjectNotFound",
                     "IVireo.findMachine")


def test_properties(v, env, tmp):
    d = jrun(v, ["list", "systemproperties", "--json"], env, "list systemproperties --json")
    if not d:
        return
    for k in ("version", "apiVersion", "homeFolder", "machineFolder", "vncPortMin",
              "vncPortMax", "minGuestRAM", "maxGuestRAM", "maxBootPosition", "serialPortCount"):
        check(k in d, "systemproperties has %s" % k)
    check(d["homeFolder"] == env["VIREO_USER_HOME"], "homeFolder is VIREO_USER_HOME")
    check(d["minGuestRAM"] <= d["maxGuestRAM"], "RAM range ordered")
    r = run(v, ["list", "systemproperties"], env)
    check("Maximum guest RAM size:         %d Megabytes" % d["maxGuestRAM"] in r.out,
          "text systemproperties matches JSON")
    folder = os.path.join(tmp, "machines2")
    os.makedirs(folder)
    expect(run(v, ["setproperty", "machinefolder", folder], env), 0, "setproperty machinefolder")
    lo = d["vncPortMin"] + 10
    expect(run(v, ["setproperty", "vncportmin", str(lo)], env), 0, "setproperty vncportmin")
    d2 = jrun(v, ["list", "systemproperties", "--json"], env, "systemproperties after set")
    check(d2 and d2["machineFolder"] == folder and d2["vncPortMin"] == lo,
          "setproperty took effect: %r" % d2)
    r = run(v, ["setproperty", "vncportmin", str(d["vncPortMax"] + 1)], env)
    expect_api_error(r, "setproperty vncportmin above max", ERR + "InvalidArg",
                     "ISystemProperties.VNCPortMin (set)")
    types = jrun(v, ["list", "ostypes", "--json"], env, "list ostypes --json") or []
    ids = [t["id"] for t in types]
    check("Linux" in ids and "Other" in ids, "ostypes include Linux and Other: %r" % ids)
    for t in types:
        check(set(t) == {"id", "description", "family", "recommendedRAM", "recommendedVRAM",
                         "recommendedHDD"}, "ostype keys %r" % sorted(t))
    r = run(v, ["list", "ostypes"], env)
    check("ID:          Linux\n" in r.out, "ostypes text form")


def test_list_long(v, env):
    short = jrun(v, ["list", "vms", "--json"], env, "list vms --json") or []
    full = jrun(v, ["list", "vms", "--long", "--json"], env, "list vms --long --json") or []
    check([(m["name"], m["uuid"]) for m in full] == [(m["name"], m["uuid"]) for m in short],
          "list --long --json has the same machines in the same order")
    one = jrun(v, ["showvminfo", short[0]["name"], "--json"], env, "showvminfo") if short else None
    check(one is not None and full and full[0] == one,
          "list --long --json elements are showvminfo --json objects")
    r = run(v, ["list", "vms", "--long"], env)
    check(r.rc == 0 and r.out.count("Name:                 ") == len(short) and
          "\n\nName:" in r.out, "list vms --long: one block per machine, blank-line separated")
    srt = run(v, ["list", "vms", "--sorted"], env).out.splitlines()
    check(srt == sorted(srt), "list vms --sorted is sorted: %r" % srt)


def test_unregister(v, env):
    d = jrun(v, ["showvminfo", "beta", "--json"], env, "showvminfo beta")
    expect(run(v, ["unregistervm", "beta"], env), 0, "unregistervm")
    names = [x["name"] for x in jrun(v, ["list", "vms", "--json"], env, "list vms") or []]
    check(names == ["gamma"], "beta is gone from list vms: %r" % names)
    check(d and os.path.exists(d["settingsFile"]), "unregistervm keeps the settings file")
    if d:
        expect(run(v, ["registervm", d["settingsFile"]], env), 0, "registervm again")
    expect_api_error(run(v, ["unregistervm", "nosuch"], env), "unregistervm of a missing vm",
                     ERR + "ObjectNotFound", "IVireo.findMachine")


def test_self_start(v, daemon, svc, base_env, tmp):
    """No activation file on the bus: the CLI starts vireo-svc itself."""
    bus = Bus(daemon, os.path.join(tmp, "bus2"), None, base_env)
    try:
        env = dict(base_env, DBUS_SESSION_BUS_ADDRESS=bus.address, VIREO_SVC=svc)
        r = run(v, ["list", "vms"], env)
        expect(r, 0, "list vms with the service started by the CLI")
        check(r.out.startswith('"gamma" {'), "the started service sees the registry: %r" % r.out)
    finally:
        bus.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--svc", required=True)
    ap.add_argument("--service-dir", required=True)
    ap.add_argument("--dbus-daemon", required=True)
    a = ap.parse_args()
    for k in ("vireo", "svc", "service_dir"):
        setattr(a, k, os.path.abspath(getattr(a, k)))
    with tempfile.TemporaryDirectory(prefix="vireo-cli-e2e-") as tmp:
        os.chdir(tmp)
        os.makedirs(os.path.join(tmp, "bus1"))
        os.makedirs(os.path.join(tmp, "bus2"))
        base = dict(os.environ, VIREO_USER_HOME=os.path.join(tmp, "home"),
                    VIREO_SVC_IDLE_TIMEOUT="120")
        base.pop("VIREO_SVC", None)
        bus = Bus(a.dbus_daemon, os.path.join(tmp, "bus1"), a.service_dir, base)
        env = dict(base, DBUS_SESSION_BUS_ADDRESS=bus.address)
        try:
            test_empty(a.vireo, env)
            alpha = test_create(a.vireo, env, tmp)
            if alpha:
                test_show(a.vireo, env, alpha)
                test_modify(a.vireo, env, tmp, alpha)
                test_locked(a.vireo, env, bus.address, alpha)
                test_control(a.vireo, env)
            test_properties(a.vireo, env, tmp)
            test_list_long(a.vireo, env)
            test_unregister(a.vireo, env)
        finally:
            bus.stop()
        time.sleep(0.5)  # the service exits when its bus goes
        test_self_start(a.vireo, a.dbus_daemon, a.svc, base, tmp)
    finish()


if __name__ == "__main__":
    main()
