#!/usr/bin/python3
"""Run a command N times; print the minimum wall time and the minimum CPU time (user + system
of the child and its threads) in seconds: "wall cpu". Output of the last run goes to stdout
of this script's caller through --out FILE."""
import os
import resource
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    runs = int(args.pop(0))
    out = args.pop(0)
    best_wall = best_cpu = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        with open(out, "wb") as f:
            subprocess.run(args, stdout=f, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print(f"{best_wall:.4f} {best_cpu:.4f}")


if __name__ == "__main__":
    main()
