#!/usr/bin/python3
"""Generator tests of vireo-idlc.

  test_idlc.py IDLC bad FILE.xidl     the compiler fails with exactly FILE.err on stderr
  test_idlc.py IDLC stable FILE.xidl  generating twice gives identical files; regenerating
                                      leaves unchanged files untouched; an edit to the
                                      library's <desc> rewrites only the files that carry it
"""
import os
import shutil
import subprocess
import sys
import tempfile

OUTPUTS = (".h", "-skeleton.c", "-proxy.c", ".xml", ".md")


def run(idlc, *args, cwd=None):
    return subprocess.run([idlc] + list(args), cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)


def bad(idlc, path):
    folder, name = os.path.split(path)
    with open(path[:-len(".xidl")] + ".err") as f:
        want = f.read()
    res = run(idlc, "--check", name, cwd=folder)
    got = res.stderr.decode()
    if res.returncode != 1 or got != want:
        print("exit %d\n--- expected\n%s--- got\n%s" % (res.returncode, want, got))
        return 1
    # Generation refuses the same file and writes nothing.
    with tempfile.TemporaryDirectory() as out:
        res = run(idlc, "--out", out, name, cwd=folder)
        if res.returncode != 1 or os.listdir(out):
            print("generation of a broken IDL did not fail cleanly")
            return 1
    return 0


def generate(idlc, idl, out):
    res = run(idlc, "--out", out, "--name", "api", idl)
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode())
    return {s: open(os.path.join(out, "api" + s), "rb").read() for s in OUTPUTS}


def stable(idlc, idl):
    failures = 0
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        first, second = generate(idlc, idl, a), generate(idlc, idl, b)
        for s in OUTPUTS:
            if first[s] != second[s]:
                print("api%s differs between two runs" % s)
                failures += 1
            if not first[s].startswith(b"/*") and not first[s].startswith(b"<"):
                print("api%s has no banner" % s)
                failures += 1
        for s in OUTPUTS:  # make any rewrite visible in mtime
            os.utime(os.path.join(a, "api" + s), ns=(1, 1))
        generate(idlc, idl, a)
        for s in OUTPUTS:
            if os.stat(os.path.join(a, "api" + s)).st_mtime_ns != 1:
                print("unchanged api%s was rewritten" % s)
                failures += 1
        os.mkdir(os.path.join(b, "edit"))
        edited = os.path.join(b, "edit", os.path.basename(idl))  # same name: same banner
        with open(idl) as f:
            text = f.read()
        first_desc = text.index("<desc>") + len("<desc>")
        with open(edited, "w") as f:
            f.write(text[:first_desc] + "Edited. " + text[first_desc:])
        generate(idlc, edited, a)
        changed = sorted(s for s in OUTPUTS if os.stat(os.path.join(a, "api" + s)).st_mtime_ns != 1)
        if changed != sorted([".h", ".md"]):  # the library's <desc> is only in these
            print("a library <desc> edit rewrote %s" % changed)
            failures += 1
    return failures


def main():
    idlc, mode, path = sys.argv[1:4]
    return 1 if (bad if mode == "bad" else stable)(idlc, path) else 0


if __name__ == "__main__":
    sys.exit(main())
