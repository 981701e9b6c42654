"""A private session bus whose activation directory holds the build tree's vireo-svc."""
import os
import subprocess
import textwrap


class Bus:
    def __init__(self, daemon, tmp, service_dir, env):
        conf = os.path.join(tmp, "bus.conf")
        with open(conf, "w") as f:
            f.write(textwrap.dedent("""\
                <busconfig>
                  <type>session</type>
                  <listen>unix:dir=%s</listen>
                  <servicedir>%s</servicedir>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>""") % (tmp, service_dir))
        self.proc = subprocess.Popen([daemon, "--config-file=" + conf, "--nofork",
                                      "--print-address=1"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, text=True)
        self.address = self.proc.stdout.readline().strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
