#!/usr/bin/python3
"""Integration test of the component runtime on a private bus.

Starts its own dbus-daemon, the C test server (and a second one as a relay target), then
drives the generated C proxy (vireo-test-client) and python3-dbus against the same objects:
both must see the same values; introspection must list every member with its documentation;
relayed calls must reach the second process; bad input must get proper D-Bus errors, and the
servers must survive it and exit cleanly (the test build runs them under ASan, whose leak
check fails the exit status).
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

BUS = "org.vireo.Test1"
IFACE = "org.vireo.Test1.Everything"
EXTRA = "org.vireo.Test1.Extra"
PROPS = "org.freedesktop.DBus.Properties"
DOC = "org.gtk.GDBus.DocString"
UUID1 = "0a1b2c3d-0000-4000-8000-000000000001"
PATH1 = "/org/vireo/Test1/everything/" + UUID1.replace("-", "_")
PATH2 = PATH1[:-1] + "2"
RELAYED1 = "/org/vireo/Test1/console/" + UUID1.replace("-", "_")
COLORS = {1: "Red", 2: "Green", 4: "Blue"}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def expect_error(name, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except dbus.DBusException as e:
        check(e.get_dbus_name() == name, "%s: got %s (%s)" % (name, e.get_dbus_name(),
                                                               e.get_dbus_message()))
        return e
    check(False, "%s expected, call succeeded" % name)
    return None


# ---- processes ----

CONFIG = """<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=%s</listen>
  <auth>EXTERNAL</auth>
  <limit name="max_message_size">134217728</limit>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def read_line(proc, timeout=10.0):
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError("process %d printed nothing in %ss" % (proc.pid, timeout))
    return proc.stdout.readline().decode().strip()


def start_bus(daemon, tmp):
    conf = os.path.join(tmp, "bus.conf")
    with open(conf, "w") as f:
        f.write(CONFIG % tmp)
    proc = subprocess.Popen([daemon, "--config-file", conf, "--print-address=1", "--nofork"],
                            stdout=subprocess.PIPE)
    return proc, read_line(proc)


def start_server(exe, *args):
    proc = subprocess.Popen([exe] + list(args), stdout=subprocess.PIPE)
    line = read_line(proc)
    if not line.startswith("READY "):
        raise RuntimeError("server said %r" % line)
    return proc, line.split()[1]


def stop(proc, what):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, "%s exited with %s (ASan/UBSan report above?)" % (what, rc))


def run_client(exe, path, mode, dest=BUS):
    res = subprocess.run([exe, dest, path, mode], stdout=subprocess.PIPE, timeout=60)
    check(res.returncode == 0, "C client %s %s exited %d" % (mode, path, res.returncode))
    return res.stdout.decode().splitlines()


# ---- what python sees, in the C client's dump format ----

def fmt_list(v, f=str):
    return "[" + ",".join(f(x) for x in v) + "]"


def dump(obj):
    p = obj.GetAll(IFACE, dbus_interface=PROPS)
    return [
        "flag=%s" % ("true" if p["Flag"] else "false"),
        "byteValue=%d" % p["ByteValue"],
        "shortValue=%d" % p["ShortValue"],
        "ushortValue=%d" % p["UshortValue"],
        "longValue=%d" % p["LongValue"],
        "ulongValue=%d" % p["UlongValue"],
        "hugeValue=%d" % p["HugeValue"],
        "uhugeValue=%d" % p["UhugeValue"],
        "ratio=%.17g" % p["Ratio"],
        "label=%s" % p["Label"],
        "id=%s" % p["Id"],
        "color=%s" % COLORS[int(p["Color"])],
        "peer=%s" % p["Peer"],
        "blob=" + fmt_list(p["Blob"], lambda b: str(int(b))),
        "names=" + fmt_list(p["Names"]),
        "colors=" + fmt_list(p["Colors"], lambda c: COLORS[int(c)]),
    ]


# ---- the checks ----

def check_same_values(bus, client):
    obj = bus.get_object(BUS, PATH1)
    c_view = run_client(client, PATH1, "check")
    check(c_view == dump(obj), "C and Python see different state:\n%s\n%s" % (c_view, dump(obj)))
    c_view = run_client(client, PATH2, "check-glib")
    check(c_view == dump(bus.get_object(BUS, PATH2)), "C (GLib loop) and Python differ")
    # Python changes the object; the C proxy must read back exactly that.
    s = obj.Set
    s(IFACE, "Flag", dbus.Boolean(False), dbus_interface=PROPS)
    s(IFACE, "ByteValue", dbus.Byte(7), dbus_interface=PROPS)
    s(IFACE, "ShortValue", dbus.Int16(-7), dbus_interface=PROPS)
    s(IFACE, "UshortValue", dbus.UInt16(7), dbus_interface=PROPS)
    s(IFACE, "LongValue", dbus.Int32(-2**31), dbus_interface=PROPS)
    s(IFACE, "UlongValue", dbus.UInt32(2**32 - 1), dbus_interface=PROPS)
    s(IFACE, "HugeValue", dbus.Int64(-2**63), dbus_interface=PROPS)
    s(IFACE, "UhugeValue", dbus.UInt64(2**64 - 1), dbus_interface=PROPS)
    s(IFACE, "Ratio", dbus.Double(-0.125), dbus_interface=PROPS)
    s(IFACE, "Label", "from python \u00e9", dbus_interface=PROPS)
    s(IFACE, "Color", dbus.UInt32(1), dbus_interface=PROPS)
    s(IFACE, "Peer", dbus.ObjectPath("/"), dbus_interface=PROPS)
    s(IFACE, "Blob", dbus.ByteArray(b"\x00\x10\xff"), dbus_interface=PROPS)
    s(IFACE, "Names", dbus.Array(["x", "", "z z"], signature="s"), dbus_interface=PROPS)
    s(IFACE, "Colors", dbus.Array([4, 4, 1], signature="u"), dbus_interface=PROPS)
    c_view = run_client(client, PATH1, "dump")
    check(c_view == dump(obj), "after Python's Set, C sees:\n%s\nPython:\n%s" % (c_view, dump(obj)))
    ev = dbus.Interface(obj, IFACE)
    check(ev.Add(40, 2) == 42, "Add from Python")
    out = ev.EchoScalars(True, dbus.Byte(255), dbus.Int16(-32768), dbus.UInt16(65535),
                         dbus.Int32(-2**31), dbus.UInt32(2**32 - 1), dbus.Int64(-2**63),
                         dbus.UInt64(2**64 - 1), -1.5e300, "h\u00e9llo", UUID1.upper(),
                         dbus.UInt32(4), dbus.ObjectPath(PATH2))
    check(list(out) == [True, 255, -32768, 65535, -2**31, 2**32 - 1, -2**63, 2**64 - 1, -1.5e300,
                        "h\u00e9llo", UUID1, 4, PATH2], "EchoScalars from Python: %r" % (out,))
    check(dbus.Interface(obj, EXTRA).Whoami() == "server", "IExtra on the same object")


def check_introspection(bus, xml_file):
    want = ET.parse(xml_file).getroot()
    live = ET.fromstring(bus.get_object(BUS, PATH1).Introspect(
        dbus_interface="org.freedesktop.DBus.Introspectable"))
    live_ifaces = {i.get("name"): i for i in live.findall("interface")}
    for iface in want.findall("interface"):
        name = iface.get("name")
        got = live_ifaces.get(name)
        check(got is not None, "introspection lacks " + name)
        if got is None:
            continue
        for kind in ("method", "property", "signal"):
            for m in iface.findall(kind):
                g = got.find("%s[@name='%s']" % (kind, m.get("name")))
                check(g is not None, "introspection lacks %s %s.%s" % (kind, name, m.get("name")))
                if g is None:
                    continue
                docs = [a.get("value") for a in g.findall("annotation") if a.get("name") == DOC]
                check(docs and docs[0], "%s %s has no documentation" % (kind, m.get("name")))
                for arg in g.findall("arg"):
                    docs = [a.get("value") for a in arg.findall("annotation")
                            if a.get("name") == DOC]
                    check(docs and docs[0], "arg %s of %s has no documentation"
                          % (arg.get("name"), m.get("name")))
        count = len(iface.findall("method")) + len(iface.findall("property")) + \
            len(iface.findall("signal"))
        check(count > 0 and count == len(got.findall("method")) + len(got.findall("property")) +
              len(got.findall("signal")), "member count of " + name)
    for std in ("org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable"):
        check(std in live_ifaces, "introspection lacks " + std)
    parent = ET.fromstring(bus.get_object(BUS, "/org/vireo/Test1/everything").Introspect(
        dbus_interface="org.freedesktop.DBus.Introspectable"))
    kids = sorted(n.get("name") for n in parent.findall("node"))
    check(kids == [PATH1.rsplit("/", 1)[1], PATH2.rsplit("/", 1)[1]], "child nodes %r" % kids)


def check_bad_input(bus):
    raw = bus.call_blocking
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", raw, BUS, PATH1, IFACE, "Add", "ss",
                 ("a", "b"))
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", raw, BUS, PATH1, IFACE, "Add", "i",
                 (1,))
    expect_error("org.freedesktop.DBus.Error.UnknownMethod", raw, BUS, PATH1, IFACE, "Nope", "",
                 ())
    expect_error("org.freedesktop.DBus.Error.UnknownInterface", raw, BUS, PATH1,
                 "org.vireo.Test1.Nope", "Add", "ii", (1, 2))
    expect_error("org.freedesktop.DBus.Error.UnknownObject", raw, BUS, PATH1 + "x", IFACE, "Add",
                 "ii", (1, 2))
    expect_error("org.freedesktop.DBus.Error.UnknownObject", raw, BUS, "/nowhere", IFACE, "Add",
                 "ii", (1, 2))
    obj = bus.get_object(BUS, PATH1)
    ev = dbus.Interface(obj, IFACE)
    big = dbus.Array(range(65537), signature="u")
    empty = dict(b=[], y=[], n=[], q=[], i=[], u=[], x=[], t=[], d=[], s=[], id=[], c=[], o=[])

    def echo_arrays(**over):
        a = dict(empty, **over)
        return raw(BUS, PATH1, IFACE, "EchoArrays", "abayanaqaiauaxatadasasauao",
                   tuple(a[k] for k in ("b", "y", "n", "q", "i", "u", "x", "t", "d", "s", "id",
                                        "c", "o")))
    check(len(echo_arrays(u=dbus.Array(range(65536), signature="u"))[5]) == 65536,
          "array at the limit passes")
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", echo_arrays, u=big)
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", echo_arrays,
                 s=dbus.Array(["s"] * 65537, signature="s"))
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", echo_arrays,
                 id=dbus.Array(["not-a-uuid"], signature="s"))
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", echo_arrays,
                 c=dbus.Array([1, 3], signature="u"))
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", obj.Set, IFACE, "Blob",
                 dbus.ByteArray(b"\0" * (32 * 1024 * 1024 + 1)), dbus_interface=PROPS)
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", obj.Set, IFACE, "Color",
                 dbus.UInt32(3), dbus_interface=PROPS)
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", obj.Set, IFACE, "Color", "Red",
                 dbus_interface=PROPS)
    expect_error("org.freedesktop.DBus.Error.PropertyReadOnly", obj.Set, IFACE, "Id", UUID1,
                 dbus_interface=PROPS)
    expect_error("org.freedesktop.DBus.Error.UnknownProperty", obj.Get, IFACE, "Nope",
                 dbus_interface=PROPS)
    expect_error("org.freedesktop.DBus.Error.UnknownInterface", obj.GetAll, "org.x.Y",
                 dbus_interface=PROPS)
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", raw, BUS, PATH1, PROPS, "Get", "s",
                 (IFACE,))
    expect_error("org.freedesktop.DBus.Error.InvalidArgs", raw, BUS, PATH1, IFACE,
                 "EchoScalars", "bynqiuxtdssuo",
                 (True, 1, 1, 1, 1, 1, 1, 1, 1.0, "s", "nope", 1, "/"))
    e = expect_error("org.vireo.Test1.Error.NotFound", ev.Fail, "NotFound", "the message")
    check(e is not None and e.get_dbus_message() == "the message", "error message travels")
    expect_error("org.freedesktop.DBus.Error.NotSupported", ev.Unimplemented)
    expect_error("org.freedesktop.DBus.Error.Failed", ev.Forget)
    # A call that wants no reply must not get one, nor crash anything.
    ev.Add(1, 2, ignore_reply=True)
    check(ev.Add(2, 2) == 4, "server alive after bad input")


DISCONNECTER = """
import dbus, os, sys
bus = dbus.bus.BusConnection(sys.argv[1])
msg = dbus.lowlevel.MethodCallMessage(%r, sys.argv[2], %r, "DelayedEcho")
msg.append(dbus.UInt32(300), "bye", signature="us")
bus.send_message(msg)
bus.flush()
os._exit(0)
""" % (BUS, IFACE)


WATCHED = """
import dbus, sys
bus = dbus.bus.BusConnection(sys.argv[1])
dbus.Interface(bus.get_object(%r, sys.argv[2]), %r).WatchCaller()
""" % (BUS, IFACE)


def check_name_watch(bus, address):
    obj = bus.get_object(BUS, PATH1)
    before = int(obj.Get(IFACE, "Vanished", dbus_interface=PROPS))
    for _ in range(2):
        subprocess.run([sys.executable, "-c", WATCHED, address, PATH1], check=True, timeout=30)
    deadline = time.time() + 5
    while int(obj.Get(IFACE, "Vanished", dbus_interface=PROPS)) < before + 2 and \
            time.time() < deadline:
        time.sleep(0.02)
    check(int(obj.Get(IFACE, "Vanished", dbus_interface=PROPS)) == before + 2,
          "the service saw both watched callers disconnect")


def check_disconnect_mid_call(bus, address, path):
    subprocess.run([sys.executable, "-c", DISCONNECTER, address, path], check=True, timeout=30)
    time.sleep(0.5)  # the server answers a caller that is gone
    check(dbus.Interface(bus.get_object(BUS, path), IFACE).Add(3, 4) == 7,
          "alive after a caller vanished mid-call (%s)" % path)


def run_loop_until(cond, seconds):
    loop = GLib.MainLoop()
    ctx = loop.get_context()
    end = time.time() + seconds
    while not cond() and time.time() < end:
        ctx.iteration(False)
        time.sleep(0.005)


def check_signals(bus, path):
    obj = bus.get_object(BUS, path)
    pings, changed = [], []
    m1 = bus.add_signal_receiver(lambda c, l, cols: pings.append((int(c), str(l))), "Ping", IFACE,
                                 BUS, path)
    m2 = bus.add_signal_receiver(lambda i, ch, inv: changed.append(dict(ch)), "PropertiesChanged",
                                 PROPS, BUS, path)
    obj.Set(IFACE, "Label", "signalled", dbus_interface=PROPS)
    dbus.Interface(obj, IFACE).FirePings(2)
    run_loop_until(lambda: len(pings) >= 2 and len(changed) >= 2, 5)
    check(pings == [(1, "signalled"), (2, "signalled")], "Ping signals on %s: %r" % (path, pings))
    # One from the runtime after Set, one from the object's own notify after FirePings.
    check(len(changed) == 2 and changed[0] == {"Label": "signalled"} and
          list(changed[1].keys()) == ["Calls"] and
          int(changed[1]["Calls"]) == int(obj.Get(IFACE, "Calls", dbus_interface=PROPS)),
          "PropertiesChanged on %s: %r" % (path, changed))
    m1.remove()
    m2.remove()


def check_relay(bus, client, target):
    who = run_client(client, RELAYED1, "whoami")
    check(who == ["relay-target"], "relayed call reached %r" % who)
    run_client(client, RELAYED1, "check")  # every type, fds, deferred reply, signals
    obj = bus.get_object(BUS, RELAYED1)
    check(dbus.Interface(obj, IFACE).Add(5, 6) == 11, "relayed Add from Python")
    xml = obj.Introspect(dbus_interface="org.freedesktop.DBus.Introspectable")
    check(IFACE in xml, "relayed introspection")
    parent = bus.get_object(BUS, "/org/vireo/Test1").Introspect(
        dbus_interface="org.freedesktop.DBus.Introspectable")
    check('<node name="console"/>' in parent and '<node name="everything"/>' in parent,
          "relay prefix listed as a child node")
    check_signals(bus, RELAYED1)
    check_disconnect_mid_call(bus, os.environ["DBUS_SESSION_BUS_ADDRESS"], RELAYED1)
    # The target dies while a relayed call is pending: the caller gets an error, not a hang.
    result = []
    dbus.Interface(obj, IFACE).DelayedEcho(3000, "never", reply_handler=result.append,
                                           error_handler=lambda e: result.append(e))
    run_loop_until(lambda: False, 0.3)
    target.kill()
    target.wait()
    run_loop_until(lambda: result, 10)
    check(result and isinstance(result[0], dbus.DBusException) and
          result[0].get_dbus_name() == "org.freedesktop.DBus.Error.NoReply",
          "pending relayed call when the target died: %r" % result)
    e = expect_error("org.freedesktop.DBus.Error.ServiceUnknown", dbus.Interface(obj, IFACE).Add,
                     1, 1)
    check(dbus.Interface(bus.get_object(BUS, PATH1), IFACE).Add(1, 1) == 2,
          "service alive after its relay target died")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dbus-daemon", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--introspection", required=True)
    a = ap.parse_args()
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    with tempfile.TemporaryDirectory() as tmp:
        daemon, address = start_bus(a.dbus_daemon, tmp)
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        try:
            target, target_name = start_server(a.server, "--who", "relay-target")
            server, _ = start_server(a.server, "--name", BUS, "--relay",
                                     "/org/vireo/Test1/console=%s:/org/vireo/Test1/everything"
                                     % target_name)
            bus = dbus.bus.BusConnection(address)
            check_same_values(bus, a.client)
            check_introspection(bus, a.introspection)
            check_bad_input(bus)
            check_signals(bus, PATH1)
            check_disconnect_mid_call(bus, address, PATH1)
            check_name_watch(bus, address)
            check_relay(bus, a.client, target)
            bus.close()
            stop(server, "test server")
        finally:
            for p in ("target", "server"):
                proc = locals().get(p)
                if proc and proc.poll() is None:
                    proc.kill()
            daemon.kill()
            daemon.wait()
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    print("all bus checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
