#!/usr/bin/python3
"""vireo-svc under load and under SIGKILL, on a private bus (see test_svc_dbus.py).

1. 20 clients at once create, change, rename and unregister machines: nothing is lost and
   every settings file is valid afterwards.
2. Crash consistency: while a client saves settings in a loop, the service is killed with
   SIGKILL at a random instant, 200 times; after each kill every settings file loads and the
   registry matches the files (checked with the settings library: test_svc_crash --check).

Usage: test_svc_dbus_stress.py SERVICE_DIR CHECKER [KILLS]
"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import xml.etree.ElementTree as ET

import dbus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
SERVICE_DIR, CHECKER = sys.argv[1], sys.argv[2]
KILLS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
del sys.argv[1:]

NAME = 'org.vireo.Vireo1'
ROOT = '/org/vireo/Vireo1'
P = 'org.freedesktop.DBus.Properties'
I_MACHINE = 'org.vireo.Vireo1.Machine'


def start_bus(home, tmp):
    conf = os.path.join(tmp, 'bus.conf')
    with open(conf, 'w') as f:
        f.write(f"""<busconfig><type>session</type><listen>unix:dir={tmp}</listen>
<servicedir>{SERVICE_DIR}</servicedir><policy context="default">
<allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
</policy></busconfig>""")
    env = dict(os.environ, VIREO_USER_HOME=home, VIREO_SVC_IDLE_TIMEOUT='0')
    proc = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork',
                             '--print-address=1'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, text=True)
    address = proc.stdout.readline().strip()
    return proc, dict(env, DBUS_SESSION_BUS_ADDRESS=address)


CLIENT = textwrap.dedent("""
    import dbus, sys
    bus = dbus.SessionBus()
    N, R, P, M = 'org.vireo.Vireo1', '/org/vireo/Vireo1', 'org.freedesktop.DBus.Properties', \\
        'org.vireo.Vireo1.Machine'
    root = dbus.Interface(bus.get_object(N, R), 'org.vireo.Vireo1.Vireo')
    me = int(sys.argv[1])
    kept = []
    for i in range(6):
        path = root.CreateMachine('', 'c%d-%d' % (me, i), 'Linux')
        m = bus.get_object(N, path)
        m.Set(M, 'MemorySize', dbus.UInt32(100 + me), dbus_interface=P)
        root.RegisterMachine(path)
        s = dbus.Interface(m, M).LockMachine(dbus.UInt32(2), dbus.UInt32(10000), timeout=60)
        so = bus.get_object(N, s)
        copy = bus.get_object(N, so.Get('org.vireo.Vireo1.Session', 'Machine', dbus_interface=P))
        copy.Set(M, 'Description', 'client %d' % me, dbus_interface=P)
        if i % 3 == 1:
            copy.Set(M, 'Name', 'r%d-%d' % (me, i), dbus_interface=P)
        dbus.Interface(copy, M).SaveSettings()
        dbus.Interface(so, 'org.vireo.Vireo1.Session').UnlockMachine()
        if i % 3 == 2:
            dbus.Interface(m, M).Unregister(dbus.UInt32(1))
        else:
            kept.append(('r%d-%d' if i % 3 == 1 else 'c%d-%d') % (me, i))
    print(' '.join(kept))
    """)

WRITER = textwrap.dedent("""
    import dbus, random, sys
    random.seed(int(sys.argv[1]))
    N, R, P, M = 'org.vireo.Vireo1', '/org/vireo/Vireo1', 'org.freedesktop.DBus.Properties', \\
        'org.vireo.Vireo1.Machine'
    while True:
        try:
            bus = dbus.SessionBus(private=True)
            root = dbus.Interface(bus.get_object(N, R), 'org.vireo.Vireo1.Vireo')
            paths = root.Get('org.vireo.Vireo1.Vireo', 'Machines', dbus_interface=P)
            if len(paths) < 5:
                p = root.CreateMachine('', 'w%d' % random.randrange(10**6), 'Linux')
                root.RegisterMachine(p)
                continue
            m = dbus.Interface(bus.get_object(N, random.choice(paths)), M)
            s = m.LockMachine(dbus.UInt32(2), dbus.UInt32(0))
            so = bus.get_object(N, s)
            copy = bus.get_object(N, so.Get('org.vireo.Vireo1.Session', 'Machine',
                                             dbus_interface=P))
            copy.Set(M, 'MemorySize', dbus.UInt32(random.randrange(4, 3000)), dbus_interface=P)
            if random.random() < 0.3:
                copy.Set(M, 'Name', 'w%d' % random.randrange(10**6), dbus_interface=P)
            dbus.Interface(copy, M).SaveSettings()
            print('saved', flush=True)
            dbus.Interface(so, 'org.vireo.Vireo1.Session').UnlockMachine()
            bus.close()
        except dbus.DBusException:
            pass  # the service was killed under us; the next call starts it again
    """)


class StressTest(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix='vireo-home-')
        self.tmp = tempfile.mkdtemp(prefix='vireo-bus-')
        self.bus_proc, self.env = start_bus(self.home, self.tmp)
        self.bus = dbus.bus.BusConnection(self.env['DBUS_SESSION_BUS_ADDRESS'])
        self.dbus = dbus.Interface(self.bus.get_object('org.freedesktop.DBus',
                                                       '/org/freedesktop/DBus'),
                                   'org.freedesktop.DBus')

    def tearDown(self):
        self.kill_service()
        self.bus.close()
        self.bus_proc.terminate()
        self.bus_proc.wait()
        subprocess.run(['rm', '-rf', self.home, self.tmp])

    def root(self):
        return dbus.Interface(self.bus.get_object(NAME, ROOT), 'org.vireo.Vireo1.Vireo')

    def service_pid(self):
        try:
            return int(self.dbus.GetConnectionUnixProcessID(NAME))
        except dbus.DBusException:
            return None

    def kill_service(self):
        for _ in range(50):
            pid = self.service_pid()
            if pid is None:
                return
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)

    def python(self, code, *args):
        return subprocess.Popen([sys.executable, '-c', code] + [str(a) for a in args],
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def test_twenty_concurrent_clients(self):
        self.root().FindMachine  # start the service before the crowd arrives
        self.bus.get_object(NAME, ROOT).Get('org.vireo.Vireo1.Vireo', 'Version',
                                            dbus_interface=P)
        clients = [self.python(CLIENT, i) for i in range(20)]
        expected = set()
        for c in clients:
            out, err = c.communicate(timeout=240)
            self.assertEqual(c.returncode, 0, err)
            expected.update(out.split())
        root = self.root()
        paths = root.Get('org.vireo.Vireo1.Vireo', 'Machines', dbus_interface=P)
        names = {}
        for p in paths:
            m = self.bus.get_object(NAME, p)
            self.assertTrue(m.Get(I_MACHINE, 'Accessible', dbus_interface=P))
            names[str(m.Get(I_MACHINE, 'Name', dbus_interface=P))] = m
        self.assertEqual(set(names), expected)
        self.assertEqual(len(expected), 20 * 4)
        for name, m in names.items():
            me = int(name[1:].split('-')[0])
            tree = ET.parse(str(m.Get(I_MACHINE, 'SettingsFilePath', dbus_interface=P)))
            self.assertEqual(tree.getroot().get('name'), name)
            self.assertEqual(tree.find('Hardware/Memory').get('size'), str(100 + me))
            self.assertEqual(tree.find('Description').text, 'client %d' % me)
        reg = ET.parse(os.path.join(self.home, 'Vireo.xml'))
        self.assertEqual(len(reg.findall('MachineRegistry/MachineEntry')), len(expected))

    def test_sigkill_during_saves(self):
        rng = random.Random()
        writer = None
        saves = 0
        for i in range(KILLS):
            writer = self.python(WRITER, i)
            deadline = time.time() + 10  # let the writer start the service
            while self.service_pid() is None and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.02, 0.15))
            pid = self.service_pid()
            if pid:
                os.kill(pid, signal.SIGKILL)
            writer.kill()
            out, _ = writer.communicate()
            saves += out.count('saved')
            self.kill_service()  # one the writer may have started again meanwhile
            check = subprocess.run([CHECKER, '--check'], env=self.env, capture_output=True,
                                   text=True, timeout=60)
            self.assertEqual(check.returncode, 0,
                             'after kill %d: %s%s' % (i + 1, check.stdout, check.stderr))
        print('%d kills of the service, %d saves completed between them; last check: %s'
              % (KILLS, saves, check.stdout.strip()))
        self.assertGreater(saves, KILLS // 2, 'the writer hardly saved: the kills tested little')
        # and the service starts again on the repaired files
        self.assertTrue(len(self.root().Get('org.vireo.Vireo1.Vireo', 'Machines',
                                            dbus_interface=P)) >= 1)


if __name__ == '__main__':
    unittest.main(verbosity=2)
