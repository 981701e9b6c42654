#!/usr/bin/python3
"""launchVMProcess, IProgress and IConsole over D-Bus, with a VM process that runs SeaBIOS
(no guest OS is booted): argument and state checks, the Finished signal,
waitForCompletion (poll, wait, bad timeout), cancel (of a completed progress, of a launch),
the console's powerDown, a VM process killed with SIGKILL (Aborted, unlocked, the event),
VM.log and its rotation, the environment passed to the VM process.
usage: test_vm_progress.py --service-dir D --dbus-daemon B"""
import argparse
import os
import sys
import tempfile
import time
import unittest

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_bus import Bus  # noqa: E402

NAME = "org.vireo.Vireo1"
ROOT = "/org/vireo/Vireo1"
ERR = "org.vireo.Vireo1.Error."
I_M = NAME + ".Machine"
I_P = NAME + ".Progress"
I_S = NAME + ".Session"
I_C = NAME + ".Console"
P = "org.freedesktop.DBus.Properties"
POWERED_OFF, ABORTED, RUNNING = 1, 3, 4
BIOS = "/usr/share/seabios/bios.bin"
ARGS = None


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class VmProgressTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="vireo-vmp-")
        env = dict(os.environ, VIREO_USER_HOME=os.path.join(cls.tmp.name, "home"),
                   VIREO_SVC_IDLE_TIMEOUT="600")
        cls.bus_daemon = Bus(ARGS.dbus_daemon, cls.tmp.name, ARGS.service_dir, env)
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        cls.bus = dbus.bus.BusConnection(cls.bus_daemon.address)
        cls.root = dbus.Interface(cls.bus.get_object(NAME, ROOT), NAME + ".Vireo")
        cls.pids = []

    @classmethod
    def tearDownClass(cls):
        for pid in cls.pids:
            if alive(pid):
                os.kill(pid, 9)
        cls.bus_daemon.stop()
        cls.tmp.cleanup()

    def obj(self, path):
        return self.bus.get_object(NAME, path)

    def get(self, path, iface, name):
        return self.obj(path).Get(iface, name, dbus_interface=P)

    def machine(self, name):
        path = self.root.CreateMachine("", name, "Other")
        self.root.RegisterMachine(path)
        return path

    def launch(self, path, env=()):
        return dbus.Interface(self.obj(path), I_M).LaunchVMProcess(
            "headless", dbus.Array(env, signature="s"))

    def wait(self, progress, ms=120000):
        return bool(dbus.Interface(self.obj(progress), I_P).WaitForCompletion(
            dbus.Int32(ms), timeout=ms / 1000 + 30))

    def vm_pid(self, path):
        pid = int(self.get(path, I_M, "SessionPID"))
        self.pids.append(pid)
        return pid

    def log_of(self, path):
        cfg = str(self.get(path, I_M, "SettingsFilePath"))
        return os.path.join(os.path.dirname(cfg), "Logs", "VM.log")

    def assert_error(self, name, fn, *args, contains=None):
        with self.assertRaises(dbus.DBusException) as cm:
            fn(*args)
        self.assertEqual(cm.exception.get_dbus_name(), ERR + name, cm.exception)
        if contains:
            self.assertIn(contains, cm.exception.get_dbus_message())

    def power_down(self, path):
        session = dbus.Interface(self.obj(path), I_M).LockMachine(dbus.UInt32(1),
                                                                  dbus.UInt32(5000))
        console = self.get(session, I_S, "Console")
        self.assertNotEqual(str(console), "/")
        self.assertEqual(int(self.get(console, I_C, "State")), RUNNING)
        self.assertEqual(str(self.get(console, I_C, "Machine")), path)
        progress = dbus.Interface(self.obj(console), I_C).PowerDown()
        self.assertTrue(self.wait(progress, 60000))
        self.assertEqual(int(self.get(progress, I_P, "ResultCode")), 0)
        return progress

    @unittest.skipUnless(os.path.exists(BIOS), "no SeaBIOS image")
    def test_launch_signal_wait_powerdown(self):
        path = self.machine("bios")
        self.assert_error("InvalidArg", dbus.Interface(self.obj(path), I_M).LaunchVMProcess,
                          "gui", dbus.Array([], signature="s"), contains="gui")
        finished = []
        loop = GLib.MainLoop()

        def on_finished(code, path=None):
            finished.append((str(path), int(code)))
            loop.quit()

        self.bus.add_signal_receiver(on_finished, "Finished", I_P, NAME, path_keyword="path")
        t0 = time.monotonic()
        progress = self.launch(path, ["VIREO_TEST_MARK=hello", "HOME"])
        self.assertTrue(str(progress).startswith(ROOT + "/progress/"))
        GLib.timeout_add(120000, loop.quit)
        if not finished:
            loop.run()
        print("launch to Running: %.2fs" % (time.monotonic() - t0))
        self.assertIn((str(progress), 0), finished)
        self.assertTrue(self.wait(progress, 0))  # a poll of a completed progress
        for attr, want in (("Completed", True), ("Percent", 100), ("ResultCode", 0),
                           ("ErrorName", ""), ("Canceled", False), ("Cancelable", False)):
            self.assertEqual(self.get(progress, I_P, attr), want, attr)
        self.assertIn("bios", str(self.get(progress, I_P, "Description")))
        self.assertEqual(int(self.get(path, I_M, "State")), RUNNING)
        pid = self.vm_pid(path)
        self.assertTrue(alive(pid))
        with open("/proc/%d/environ" % pid, "rb") as f:
            environ = f.read().split(b"\0")
        self.assertIn(b"VIREO_TEST_MARK=hello", environ)
        self.assertFalse([e for e in environ if e.startswith(b"HOME=")], "HOME removed")
        # a second launch, a bad timeout, canceling a completed progress
        self.assert_error("InvalidVMState", self.launch, path, contains="Running")
        self.assert_error("InvalidArg", dbus.Interface(self.obj(progress), I_P).WaitForCompletion,
                          dbus.Int32(-2))
        self.assert_error("InvalidObjectState", dbus.Interface(self.obj(progress), I_P).Cancel)
        # the VM lock is the VM process's: nobody else takes it
        self.assert_error("AccessDenied", dbus.Interface(self.obj(path), I_M).LockMachine,
                          dbus.UInt32(3), dbus.UInt32(0), contains="VM process")
        self.assert_error("ObjectInUse", dbus.Interface(self.obj(path), I_M).LockMachine,
                          dbus.UInt32(2), dbus.UInt32(0), contains="VMProcess session")
        self.power_down(path)
        self.assertEqual(int(self.get(path, I_M, "State")), POWERED_OFF)
        self.assertEqual(str(self.get(path, I_M, "SessionState")), "1")  # Unlocked
        time.sleep(0.3)
        self.assertFalse(alive(pid), "VM process gone after powerDown")
        with open(self.log_of(path)) as f:
            self.assertIn("machine %s, pid %d" % (self.get(path, I_M, "Id"), pid), f.read())

    @unittest.skipUnless(os.path.exists(BIOS), "no SeaBIOS image")
    def test_cancel_launch(self):
        path = self.machine("cancel")
        progress = self.launch(path)
        try:
            dbus.Interface(self.obj(progress), I_P).Cancel()
            canceled = True
        except dbus.DBusException as e:  # it was Running already
            self.assertEqual(e.get_dbus_name(), ERR + "InvalidObjectState")
            canceled = False
        self.assertTrue(self.wait(progress, 60000))
        if canceled:
            self.assertEqual(str(self.get(progress, I_P, "ErrorName")), ERR + "Canceled")
            self.assertTrue(bool(self.get(progress, I_P, "Canceled")))
            self.assertEqual(int(self.get(path, I_M, "State")), POWERED_OFF)
        else:
            self.vm_pid(path)
            self.power_down(path)
        print("launch canceled before Running:", canceled)
        # a later launch works and rotates the log
        progress = self.launch(path)
        self.assertTrue(self.wait(progress))
        self.vm_pid(path)
        self.assertTrue(os.path.exists(self.log_of(path) + ".1"))
        self.power_down(path)

    @unittest.skipUnless(os.path.exists(BIOS), "no SeaBIOS image")
    def test_killed_vm_process(self):
        path = self.machine("killed")
        mid = str(self.get(path, I_M, "Id"))
        states = []
        loop = GLib.MainLoop()

        def on_state(machine_id, state):
            if str(machine_id) == mid:
                states.append(int(state))
                if int(state) == ABORTED:
                    loop.quit()

        self.bus.add_signal_receiver(on_state, "MachineStateChanged", NAME + ".EventSource",
                                     NAME, ROOT)
        self.assertTrue(self.wait(self.launch(path)))
        pid = self.vm_pid(path)
        os.kill(pid, 9)
        GLib.timeout_add(30000, loop.quit)
        loop.run()
        self.assertEqual(states[-1:], [ABORTED], states)
        self.assertIn(RUNNING, states)
        self.assertEqual(int(self.get(path, I_M, "State")), ABORTED)
        self.assertEqual(str(self.get(path, I_M, "SessionState")), "1")
        # the console left with the process; the machine can be started again
        session = dbus.Interface(self.obj(path), I_M).LockMachine(dbus.UInt32(2),
                                                                  dbus.UInt32(5000))
        self.assertEqual(str(self.get(session, I_S, "Console")), "/")
        dbus.Interface(self.obj(session), I_S).UnlockMachine()
        self.assertTrue(self.wait(self.launch(path)))
        self.vm_pid(path)
        self.power_down(path)
        self.assertEqual(int(self.get(path, I_M, "State")), POWERED_OFF)

    def test_missing_bios(self):
        path = self.machine("nobios")
        session = dbus.Interface(self.obj(path), I_M).LockMachine(dbus.UInt32(2),
                                                                  dbus.UInt32(5000))
        copy = self.get(session, I_S, "Machine")
        fake = os.path.join(self.tmp.name, "gone-bios.bin")
        with open(fake, "wb") as f:
            f.write(b"\0" * (128 << 10))
        self.obj(copy).Set(I_M, "BIOSPath", fake, dbus_interface=P)
        dbus.Interface(self.obj(copy), I_M).SaveSettings()
        dbus.Interface(self.obj(session), I_S).UnlockMachine()
        os.unlink(fake)
        progress = self.launch(path)
        self.assertTrue(self.wait(progress))
        self.assertEqual(str(self.get(progress, I_P, "ErrorName")), ERR + "VMError")
        msg = str(self.get(progress, I_P, "ErrorMessage"))
        print("missing BIOS:", msg)
        self.assertIn(fake, msg)
        self.assertEqual(int(self.get(progress, I_P, "ResultCode")), 0x80BE000B)
        self.assertEqual(int(self.get(path, I_M, "State")), POWERED_OFF)
        self.assertEqual(str(self.get(path, I_M, "SessionState")), "1")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--service-dir", required=True)
    ap.add_argument("--dbus-daemon", required=True)
    ARGS, rest = ap.parse_known_args()
    ARGS.service_dir = os.path.abspath(ARGS.service_dir)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
