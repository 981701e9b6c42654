#!/usr/bin/python3
"""vireo-svc on a private session bus, driven from Python (dbus-python).

Starts its own dbus-daemon whose service directory points at the build tree, so the first
call starts vireo-svc by D-Bus activation. Checks the machine lifecycle, bad input, locks
across connections (conflicts, a client that dies holding a lock, waiting for a lock),
events, broken and deleted settings files, a second instance and the idle exit.

Usage: test_svc_dbus.py SERVICE_DIR VIREO_SVC C_CLIENT
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

NAME = 'org.vireo.Vireo1'
ROOT = '/org/vireo/Vireo1'
P = 'org.freedesktop.DBus.Properties'
I_VIREO = 'org.vireo.Vireo1.Vireo'
I_MACHINE = 'org.vireo.Vireo1.Machine'
I_SESSION = 'org.vireo.Vireo1.Session'
ERR = 'org.vireo.Vireo1.Error.'
WRITE, SHARED = 2, 1

SERVICE_DIR, VIREO_SVC, C_CLIENT = sys.argv[1], sys.argv[2], sys.argv[3]
del sys.argv[1:4]


class Bus:
    """A private dbus-daemon; the service it activates inherits our environment."""

    def __init__(self, home):
        self.tmp = tempfile.mkdtemp(prefix='vireo-bus-')
        conf = os.path.join(self.tmp, 'bus.conf')
        with open(conf, 'w') as f:
            f.write(textwrap.dedent(f"""\
                <busconfig>
                  <type>session</type>
                  <listen>unix:dir={self.tmp}</listen>
                  <servicedir>{SERVICE_DIR}</servicedir>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>"""))
        env = dict(os.environ, VIREO_USER_HOME=home, VIREO_SVC_IDLE_TIMEOUT='2')
        self.proc = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork',
                                      '--print-address=1'], stdout=subprocess.PIPE, env=env,
                                     text=True)
        self.address = self.proc.stdout.readline().strip()
        self.env = dict(env, DBUS_SESSION_BUS_ADDRESS=self.address)

    def connect(self):
        return dbus.bus.BusConnection(self.address)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def prop(obj, iface, name):
    return obj.Get(iface, name, dbus_interface=P)


def set_prop(obj, iface, name, value):
    obj.Set(iface, name, value, dbus_interface=P)


class ServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        cls.home = tempfile.mkdtemp(prefix='vireo-home-')
        cls.bus_daemon = Bus(cls.home)
        cls.bus = cls.bus_daemon.connect()

    @classmethod
    def tearDownClass(cls):
        cls.bus.close()
        cls.bus_daemon.stop()
        subprocess.run(['rm', '-rf', cls.home, cls.bus_daemon.tmp])

    def root(self, bus=None):
        return dbus.Interface((bus or self.bus).get_object(NAME, ROOT), I_VIREO)

    def obj(self, path, bus=None):
        return (bus or self.bus).get_object(NAME, path)

    def new_machine(self, name, memory=None):
        root = self.root()
        path = root.CreateMachine('', name, 'Linux')
        if memory:
            set_prop(self.obj(path), I_MACHINE, 'MemorySize', dbus.UInt32(memory))
        root.RegisterMachine(path)
        return path

    def assert_error(self, name, fn, *args, contains=None):
        with self.assertRaises(dbus.DBusException) as cm:
            fn(*args)
        self.assertEqual(cm.exception.get_dbus_name(), ERR + name, cm.exception.get_dbus_message())
        if contains:
            self.assertIn(contains, cm.exception.get_dbus_message())
        return cm.exception.get_dbus_message()

    def test_activation_and_root(self):
        r = self.obj(ROOT)
        self.assertEqual(prop(r, I_VIREO, 'Version'), '0.1.0')
        self.assertEqual(prop(r, I_VIREO, 'HomeFolder'), self.home)
        self.assertIn('Debian', prop(r, I_VIREO, 'GuestOSTypes'))
        desc, family, ram, vram, hdd = self.root().GetGuestOSType('Debian')
        self.assertEqual((family, ram), ('Linux', 512))
        sp = self.obj(prop(r, I_VIREO, 'SystemProperties'))
        self.assertEqual(prop(sp, 'org.vireo.Vireo1.SystemProperties', 'MaxGuestRAM'), 3072)

    def test_lifecycle(self):
        root = self.root()
        path = root.CreateMachine('', 'life', 'Debian')
        m = self.obj(path)
        self.assertFalse(prop(m, I_MACHINE, 'Registered'))
        set_prop(m, I_MACHINE, 'MemorySize', dbus.UInt32(200))
        set_prop(m, I_MACHINE, 'Description', 'from python')
        root.RegisterMachine(path)
        self.assertTrue(prop(m, I_MACHINE, 'Registered'))
        self.assertEqual(root.FindMachine('life'), path)
        self.assertEqual(root.FindMachine('{%s}' % prop(m, I_MACHINE, 'Id').upper()), path)
        self.assertIn(path, prop(self.obj(ROOT), I_VIREO, 'Machines'))
        # a registered machine is read-only; its session's copy is not
        self.assert_error('InvalidSessionState', set_prop, m, I_MACHINE, 'MemorySize',
                          dbus.UInt32(300))
        spath = dbus.Interface(m, I_MACHINE).LockMachine(dbus.UInt32(WRITE), dbus.UInt32(0))
        s = self.obj(spath)
        self.assertEqual(prop(m, I_MACHINE, 'SessionState'), 2)  # Locked
        self.assertEqual(prop(m, I_MACHINE, 'SessionOwner'), self.bus.get_unique_name())
        self.assertEqual(prop(m, I_MACHINE, 'SessionPID'), os.getpid())
        self.assertEqual(prop(m, I_MACHINE, 'SessionType'), 1)  # WriteLock
        copy = self.obj(prop(s, I_SESSION, 'Machine'))
        set_prop(copy, I_MACHINE, 'MemorySize', dbus.UInt32(1024))
        self.assertTrue(prop(copy, I_MACHINE, 'SettingsModified'))
        self.assertEqual(prop(m, I_MACHINE, 'MemorySize'), 200)
        dbus.Interface(copy, I_MACHINE).SaveSettings()
        dbus.Interface(s, I_SESSION).UnlockMachine()
        self.assertEqual(prop(m, I_MACHINE, 'MemorySize'), 1024)
        self.assertEqual(prop(m, I_MACHINE, 'SessionState'), 1)  # Unlocked
        with open(prop(m, I_MACHINE, 'SettingsFilePath')) as f:
            self.assertIn('<Memory size="1024"/>', f.read())
        dbus.Interface(m, I_MACHINE).Unregister(dbus.UInt32(1))
        self.assert_error('ObjectNotFound', root.FindMachine, 'life')

    def test_bad_names_and_values(self):
        root = self.root()
        for bad, why in [('a/b', "contains '/'"), ('..', 'reserved'), ('x\x01', 'control'),
                         ('x' * 10000, '10000 characters'), (' lead', 'leading'), ('', 'empty')]:
            msg = self.assert_error('InvalidArg', root.CreateMachine, '', bad, 'Linux')
            self.assertIn('name:', msg)
            self.assertIn(why, msg)
        self.assert_error('InvalidArg', root.CreateMachine, '', 'x', 'Plan9', contains='OSTypeId')
        # a new machine belongs to its connection, and goes away with it
        other = self.bus_daemon.connect()
        path = self.root(other).CreateMachine('', 'values', 'Linux')
        m = self.obj(path, other)
        msg = self.assert_error('InvalidArg', set_prop, m, I_MACHINE, 'MemorySize',
                                dbus.UInt32(3073))
        self.assertIn('allowed 4..3072', msg)
        self.assert_error('InvalidArg', set_prop, m, I_MACHINE, 'KernelPath', '/no/such/bzImage',
                          contains='kernelPath')
        self.assert_error('InvalidArg', set_prop, m, I_MACHINE, 'VNCPort', dbus.UInt16(80),
                          contains='1024..65535')
        self.assertEqual(prop(m, I_MACHINE, 'MemorySize'), 256)
        other.close()
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                prop(self.obj(path), I_MACHINE, 'Id')
            except dbus.DBusException as e:
                self.assertIn('UnknownObject', e.get_dbus_name())
                break
            time.sleep(0.1)
        else:
            self.fail('the new machine outlived its connection')

    def test_lock_conflict_names_the_holder(self):
        path = self.new_machine('conflict')
        other = self.bus_daemon.connect()
        try:
            mine = dbus.Interface(self.obj(path), I_MACHINE)
            spath = mine.LockMachine(dbus.UInt32(WRITE), dbus.UInt32(0))
            theirs = dbus.Interface(self.obj(path, other), I_MACHINE)
            self.assert_error('ObjectInUse', theirs.LockMachine, dbus.UInt32(WRITE),
                              dbus.UInt32(0),
                              contains='%s (pid %d)' % (self.bus.get_unique_name(), os.getpid()))
            # only the owner may unlock
            self.assert_error('AccessDenied',
                              dbus.Interface(self.obj(spath, other), I_SESSION).UnlockMachine)
            self.assert_error('InvalidVMState', theirs.LockMachine, dbus.UInt32(SHARED),
                              dbus.UInt32(0), contains='needed Running, Paused or Stuck')
            dbus.Interface(self.obj(spath), I_SESSION).UnlockMachine()
        finally:
            other.close()

    def helper(self, code):
        """Run Python code in another process (another bus connection)."""
        script = 'import dbus, os, sys, time\nbus = dbus.SessionBus()\n' + textwrap.dedent(code)
        return subprocess.Popen([sys.executable, '-c', script], env=self.bus_daemon.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_client_dying_with_a_lock_releases_it(self):
        path = self.new_machine('dying')
        p = self.helper(f"""
            m = dbus.Interface(bus.get_object('{NAME}', '{path}'), '{I_MACHINE}')
            m.LockMachine(dbus.UInt32({WRITE}), dbus.UInt32(0))
            print('locked', flush=True)
            os._exit(0)
            """)
        out, err = p.communicate(timeout=30)
        self.assertIn('locked', out, err)
        # no retry loop: wait up to 5 s for the lock to be released
        m = dbus.Interface(self.obj(path), I_MACHINE)
        spath = m.LockMachine(dbus.UInt32(WRITE), dbus.UInt32(5000))
        dbus.Interface(self.obj(spath), I_SESSION).UnlockMachine()

    def test_waiting_for_a_lock(self):
        path = self.new_machine('waiting')
        m = dbus.Interface(self.obj(path), I_MACHINE)
        spath = m.LockMachine(dbus.UInt32(WRITE), dbus.UInt32(0))
        p = self.helper(f"""
            m = dbus.Interface(bus.get_object('{NAME}', '{path}'), '{I_MACHINE}')
            t = time.time()
            s = m.LockMachine(dbus.UInt32({WRITE}), dbus.UInt32(20000), timeout=60)
            print('got it after %.1f s' % (time.time() - t), flush=True)
            """)
        time.sleep(1.0)
        dbus.Interface(self.obj(spath), I_SESSION).UnlockMachine()
        out, err = p.communicate(timeout=30)
        self.assertIn('got it after', out, err)
        # and a short wait that nobody satisfies ends with Timeout
        other = self.bus_daemon.connect()
        try:
            spath = m.LockMachine(dbus.UInt32(WRITE), dbus.UInt32(0))
            theirs = dbus.Interface(self.obj(path, other), I_MACHINE)
            self.assert_error('Timeout', theirs.LockMachine, dbus.UInt32(WRITE), dbus.UInt32(300))
            dbus.Interface(self.obj(spath), I_SESSION).UnlockMachine()
        finally:
            other.close()

    def test_events(self):
        seen = []
        loop = GLib.MainLoop()

        def on_registered(machine_id, registered):
            seen.append((str(machine_id), bool(registered)))
            loop.quit()

        self.bus.add_signal_receiver(on_registered, 'MachineRegistered',
                                     'org.vireo.Vireo1.EventSource', NAME, ROOT)
        path = self.new_machine('evented')
        GLib.timeout_add(5000, loop.quit)
        loop.run()
        self.assertIn((str(prop(self.obj(path), I_MACHINE, 'Id')), True), seen)

    def test_deleted_and_broken_files(self):
        path = self.new_machine('victim')
        m = self.obj(path)
        os.remove(prop(m, I_MACHINE, 'SettingsFilePath'))
        self.assertFalse(prop(m, I_MACHINE, 'Accessible'))
        self.assertEqual(prop(m, I_MACHINE, 'State'), 14)  # Inaccessible
        self.assertIn('deleted or moved', prop(m, I_MACHINE, 'AccessError'))
        self.assert_error('InvalidObjectState', dbus.Interface(m, I_MACHINE).LockMachine,
                          dbus.UInt32(WRITE), dbus.UInt32(0))
        # everything else keeps working
        self.assertEqual(prop(self.obj(self.new_machine('bystander')), I_MACHINE, 'Accessible'),
                         True)
        broken = os.path.join(self.home, 'broken.vireo')
        with open(broken, 'w') as f:
            f.write('<VireoMachine version="1">\n<Hardware>\n</VireoMachine>\n')
        msg = self.assert_error('XMLError', self.root().OpenMachine, broken)
        self.assertIn(broken + ':3:', msg)

    def test_lifecycle_from_c(self):
        r = subprocess.run([C_CLIENT], env=self.bus_daemon.env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('C lifecycle: ok', r.stdout)

    def test_second_instance_exits_cleanly(self):
        self.root().FindMachine  # make sure the service runs
        prop(self.obj(ROOT), I_VIREO, 'Version')
        r = subprocess.run([VIREO_SVC], env=self.bus_daemon.env, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('already owned', r.stderr)

    def test_zz_idle_exit_and_restart(self):
        dbus_obj = self.bus.get_object('org.freedesktop.DBus', '/org/freedesktop/DBus')
        has_owner = dbus.Interface(dbus_obj, 'org.freedesktop.DBus').NameHasOwner
        deadline = time.time() + 15
        while has_owner(NAME) and time.time() < deadline:
            time.sleep(0.2)
        self.assertFalse(has_owner(NAME), 'the service did not exit when idle')
        # the next call starts it again, with every registered machine
        self.assertEqual(self.root().FindMachine('bystander'),
                         self.root().FindMachine('bystander'))


if __name__ == '__main__':
    unittest.main(verbosity=2)
