#!/usr/bin/python3
"""`vireo list vms` with many registered machines, whole process, beside python3 -c making
the same D-Bus calls (docs/performance.md, "CLI").

Starts a private dbus-daemon with the build tree's activation file, registers N machines
through the API, checks that both clients print the same list, then times R runs of each
(wall clock from fork to exit, median and best) and a warm `vireo list vms --json`."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

import dbus

NAME = "org.vireo.Vireo1"
ROOT = "/org/vireo/Vireo1"

# The same calls `vireo list vms` makes: IVireo.machines, then each machine's name
# (the uuid is in the object path). A plain dbus-python script, one call after another.
PYTHON_LIST = textwrap.dedent("""\
    import dbus
    b = dbus.SessionBus()
    root = b.get_object("org.vireo.Vireo1", "/org/vireo/Vireo1")
    P = "org.freedesktop.DBus.Properties"
    out = []
    for p in root.Get("org.vireo.Vireo1.Vireo", "Machines", dbus_interface=P):
        n = b.get_object("org.vireo.Vireo1", p).Get("org.vireo.Vireo1.Machine", "Name",
                                                    dbus_interface=P)
        out.append('"%s" {%s}' % (n, p.rsplit("/", 1)[1].replace("_", "-")))
    print("\\n".join(out))
    """)


def start_bus(daemon, tmp, service_dir, env):
    conf = os.path.join(tmp, "bus.conf")
    with open(conf, "w") as f:
        f.write("<busconfig><type>session</type><listen>unix:dir=%s</listen>"
                "<servicedir>%s</servicedir><policy context=\"default\">"
                "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>"
                % (tmp, service_dir))
    p = subprocess.Popen([daemon, "--config-file=" + conf, "--nofork", "--print-address=1"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    return p, p.stdout.readline().strip()


def register(address, n):
    bus = dbus.bus.BusConnection(address)
    root = bus.get_object(NAME, ROOT)
    have = len(root.Get(NAME + ".Vireo", "Machines", dbus_interface=dbus.PROPERTIES_IFACE))
    for i in range(have, n):
        path = root.CreateMachine("", "bench-%04d" % i, "", dbus_interface=NAME + ".Vireo")
        root.RegisterMachine(path, dbus_interface=NAME + ".Vireo")
    bus.close()


def timed(cmd, env, runs):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - t0) * 1000)
        if p.returncode != 0:
            sys.exit("%s failed: %s" % (cmd[:2], p.stderr.decode()))
        out = p.stdout.decode()
    return times, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo", required=True)
    ap.add_argument("--service-dir", required=True)
    ap.add_argument("--dbus-daemon", default="dbus-daemon")
    ap.add_argument("--machines", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vireo-bench-cli-") as tmp:
        env = dict(os.environ, VIREO_USER_HOME=os.path.join(tmp, "home"),
                   VIREO_SVC_IDLE_TIMEOUT="600")
        bus, address = start_bus(a.dbus_daemon, tmp, os.path.abspath(a.service_dir), env)
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        try:
            t0 = time.perf_counter()
            register(address, a.machines)
            print("registered %d machines in %.1f s" % (a.machines, time.perf_counter() - t0))
            vt, vout = timed([a.vireo, "list", "vms"], env, a.runs)
            pt, pout = timed(["/usr/bin/python3", "-c", PYTHON_LIST], env, a.runs)
            jt, _ = timed([a.vireo, "list", "vms", "--json"], env, a.runs)
            st, _ = timed(["/usr/bin/python3", "-c", "pass"], env, a.runs)
            vl, pl = vout.splitlines(), pout.splitlines()
            if len(vl) != a.machines or vl != pl:
                sys.exit("outputs differ: vireo %d lines, python %d lines" % (len(vl), len(pl)))
            print("machines: %d, runs: %d (wall clock per process, ms)" % (a.machines, a.runs))
            for what, t in (("vireo list vms", vt), ("vireo list vms --json", jt),
                            ("python3 -c (same D-Bus calls)", pt),
                            ("python3 -c pass (interpreter start only)", st)):
                print("  %-42s median %7.1f  best %7.1f" % (what, statistics.median(t), min(t)))
            print("  python / vireo (medians): %.1fx" % (statistics.median(pt) /
                                                       statistics.median(vt)))
        finally:
            bus.terminate()
            bus.wait(20)


if __name__ == "__main__":
    main()
