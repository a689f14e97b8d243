#!/usr/bin/env python3
"""A/B comparison of mimic configurations on one bare-metal kernel, by the
CPU time of mimic's CPU thread, interleaved.

What: runs each configuration RUNS times on KERNEL (an ELF that
bench/run_bench.py built, e.g. build/bench/dhrystone_like-el.elf), in
alternating order (forward on even rounds, backward on odd ones), and
prints per configuration the median, lower quartile and minimum of the
"CPU thread: X s" line mimic prints at exit (MIMIC_STATS=1; the guest's own cost: the hot tier's
compiler thread left out), with every run's figure.

A configuration is BINARY:TIER[:NAME=VALUE[,NAME=VALUE...]], e.g.

    bench/ab_cpu.py build/bench/branchy-el.elf 10 \\
        build/mimic:baseline build/mimic:auto \\
        build/mimic:auto:MIMIC_HOT_MAX_BLOCKS=24

Why: on the shared hosts this project runs on, the same binary's time
varies by tens of percent from minute to minute (docs/performance.md,
session 11); interleaving spreads that over all configurations, and a
change is a result only where medians and quartiles agree and the gap is
larger than the runs' spread. bench/host_instructions.py gives counts that
repeat exactly, for changes that a count can show.

Python 3.11 standard library only; exits non-zero if a run fails.
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The kernels run exactly as run_bench.py runs them; its regex reads the
# CPU thread's line.
from run_bench import THREAD_CPU_RE, machine_args  # noqa: E402


def parse_config(text):
    parts = text.split(":", 2)
    if len(parts) < 2:
        raise argparse.ArgumentTypeError("configuration %r is not BINARY:TIER[:NAME=VALUE,...]" % text)
    env = {}
    if len(parts) == 3 and parts[2]:
        for item in parts[2].split(","):
            name, sep, value = item.partition("=")
            if not sep:
                raise argparse.ArgumentTypeError("%r in %r is not NAME=VALUE" % (item, text))
            env[name] = value
    return {"text": text, "binary": parts[0], "tier": parts[1], "env": env}


def cpu_thread_seconds(cfg, kernel, timeout):
    env = dict(os.environ)
    env.update(cfg["env"])
    env["MIMIC_STATS"] = "1"   # the CPU thread's time at exit, as run_bench.py asks for it
    cmd = [cfg["binary"], "-accel", "tcg,tier=" + cfg["tier"]] + machine_args(kernel)
    try:
        p = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        sys.exit("ab_cpu: %s: %s" % (" ".join(cmd), e))
    m = THREAD_CPU_RE.search(p.stderr)
    if p.returncode != 0 or not m:
        sys.exit("ab_cpu: %s failed (exit %d): %s" % (" ".join(cmd), p.returncode, p.stderr[-300:].decode(errors="replace")))
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kernel", help="bare-metal ELF (build/bench/NAME-el.elf)")
    ap.add_argument("runs", type=int, help="runs per configuration")
    ap.add_argument("configs", nargs="+", type=parse_config, help="BINARY:TIER[:NAME=VALUE,...]")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per run (default 300)")
    args = ap.parse_args()
    times = {c["text"]: [] for c in args.configs}
    for r in range(args.runs):
        order = args.configs if r % 2 == 0 else args.configs[::-1]
        for cfg in order:
            times[cfg["text"]].append(cpu_thread_seconds(cfg, args.kernel, args.timeout))
    width = max(len(t) for t in times)
    for text, v in times.items():
        q1 = sorted(v)[len(v) // 4]
        print("%-*s  median %.3f  q1 %.3f  min %.3f  runs %s" %
              (width, text, statistics.median(v), q1, min(v), " ".join("%.2f" % x for x in v)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
