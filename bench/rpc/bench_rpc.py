#!/usr/bin/python3
"""RPC round-trip benchmark: the same calls through the generated C proxy and through
python3-dbus, against the C test server on a private dbus-daemon.

  bench_rpc.py --dbus-daemon D --server S --client C [--calls N]

Prints a Markdown table of median and 90th-percentile round trips in microseconds.
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

import dbus

BUS = "org.vireo.Test1"
IFACE = "org.vireo.Test1.Everything"
PATH = "/org/vireo/Test1/everything/0a1b2c3d_0000_4000_8000_000000000001"
CONFIG = """<busconfig><type>session</type><listen>unix:tmpdir=%s</listen>
<auth>EXTERNAL</auth><policy context="default"><allow send_destination="*" eavesdrop="true"/>
<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>"""


def read_line(proc):
    ready, _, _ = select.select([proc.stdout], [], [], 10)
    if not ready:
        raise RuntimeError("no output from %d" % proc.pid)
    return proc.stdout.readline().decode().strip()


def time_python(bus, n):
    obj = bus.get_object(BUS, PATH, introspect=False)
    ev = dbus.Interface(obj, IFACE)
    blob = dbus.ByteArray(bytes(4096))
    empty = dbus.Array([], signature="u")
    kinds = {
        "add": lambda i: ev.Add(i, 1),
        "get": lambda i: obj.Get(IFACE, "Label", dbus_interface="org.freedesktop.DBus.Properties"),
        "echo4k": lambda i: ev.EchoArrays(dbus.Array([], signature="b"), blob,
                                          dbus.Array([], signature="n"),
                                          dbus.Array([], signature="q"),
                                          dbus.Array([], signature="i"), empty,
                                          dbus.Array([], signature="x"),
                                          dbus.Array([], signature="t"),
                                          dbus.Array([], signature="d"),
                                          dbus.Array([], signature="s"),
                                          dbus.Array([], signature="s"), empty,
                                          dbus.Array([], signature="o")),
    }
    out = {}
    for kind, fn in kinds.items():
        for i in range(n // 10 + 10):
            fn(i)
        times = []
        start = time.perf_counter()
        for i in range(n):
            t0 = time.perf_counter()
            fn(i)
            times.append((time.perf_counter() - t0) * 1e6)
        total = time.perf_counter() - start
        times.sort()
        out[kind] = (times[n // 2], times[n * 9 // 10], n / total)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dbus-daemon", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--calls", type=int, default=20000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "bus.conf")
        with open(conf, "w") as f:
            f.write(CONFIG % tmp)
        daemon = subprocess.Popen([a.dbus_daemon, "--config-file", conf, "--print-address=1",
                                   "--nofork"], stdout=subprocess.PIPE)
        address = read_line(daemon)
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        server = subprocess.Popen([a.server, "--name", BUS], stdout=subprocess.PIPE)
        try:
            if not read_line(server).startswith("READY"):
                raise RuntimeError("server did not start")
            res = subprocess.run([a.client, BUS, PATH, str(a.calls)], stdout=subprocess.PIPE,
                                 check=True, timeout=600)
            c = {}
            for line in res.stdout.decode().splitlines():
                kind, med, p90, rate = line.split()
                c[kind] = (float(med), float(p90), float(rate))
            py = time_python(dbus.bus.BusConnection(address), a.calls)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(20)
            daemon.kill()
            daemon.wait()
    print("| call | C proxy median µs | C p90 µs | C calls/s | python3-dbus median µs "
          "| python p90 µs | python calls/s |")
    print("|---|---|---|---|---|---|---|")
    names = {"add": "Add(ii)→i", "get": "Properties.Get (string)",
             "echo4k": "EchoArrays, 4 KiB octet array each way"}
    for kind in ("add", "get", "echo4k"):
        print("| %s | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f |"
              % ((names[kind],) + c[kind] + py[kind]))
    print("| Add(ii)→i over a private peer connection, no dbus-daemon | %.1f | %.1f | %.0f "
          "| – | – | – |" % c["add-peer"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
