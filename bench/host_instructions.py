#!/usr/bin/env python3
"""Host instructions per bare-metal kernel, counted by valgrind (cachegrind).

This host is shared and noisy: the same binary's times vary by tens of
percent from run to run, so a change of a few percent in generated code
cannot be seen in run_bench.py's times. Instruction counts are exact and
repeatable: this script runs each kernel under cachegrind (about 40x
slower than native, so one kernel takes 30-60 s) and splits the count
into generated code (cachegrind's "???:???": code with no symbol, i.e.
the JIT's), the LLVM compiler, and the rest (mimic itself, start-up).

The hot tier runs in its deterministic mode: blocks count their runs
(MIMIC_HOT_THRESHOLD, default 200000 here) and regions compile on the CPU
thread (MIMIC_HOT_SYNC=1), so every run builds the same regions at the
same points. Fewer instructions is not always less time (a load that
misses costs more than many that hit), but for the same algorithm on the
same data it is a good guide, and it is what A/B comparisons of the
lowering here were made with (docs/performance.md).

    bench/host_instructions.py                      # all kernels, baseline and auto
    bench/host_instructions.py --filter 'lz|dhry' --tiers auto --mimic /tmp/old/mimic --mimic build/mimic
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNELS = os.path.join(ROOT, "bench", "mips")


def count(mimic, elf, tier, threshold, extra_env):
    """Returns (total, jit, llvm) instructions of one run, or raises."""
    env = dict(os.environ)
    env.update({"MIMIC_HOT_THRESHOLD": str(threshold), "MIMIC_HOT_SYNC": "1"})
    env.update(extra_env)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--smc-check=all-non-file",
               "--cachegrind-out-file=" + out, mimic, "-M", "malta", "-kernel", elf, "-nographic",
               "-no-reboot", "-accel", "tcg,tier=" + tier]
        run = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0 or "DONE" not in run.stdout:
            raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd), run.returncode, run.stderr[-300:]))
        report = subprocess.run(["cg_annotate", out], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, check=True).stdout
    total = jit = llvm = 0
    for line in report.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        what = m.group(2)
        if what.startswith("PROGRAM TOTALS"):
            total = n
        elif what == "???:???":
            jit = n
        elif "llvm::" in what:
            llvm += n   # the functions cg_annotate lists (above its 0.1% threshold)
    return total, jit, llvm


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mimic", action="append", help="mimic binary (repeatable, to compare; default build/mimic)")
    ap.add_argument("--tiers", default="baseline,auto", help="comma-separated tiers (default baseline,auto)")
    ap.add_argument("--filter", default="", help="only kernels whose name matches this regular expression")
    ap.add_argument("--threshold", type=int, default=200000, help="MIMIC_HOT_THRESHOLD (runs before a block is hot)")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for every run (repeatable)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"),
                    help="where run_bench.py left the kernels' ELF files")
    args = ap.parse_args()
    mimics = args.mimic or [os.path.join(ROOT, "build", "mimic")]
    extra = dict(kv.split("=", 1) for kv in args.env)
    names = sorted(f[:-2] for f in os.listdir(KERNELS) if f.endswith(".c"))
    names = [n for n in names if re.search(args.filter, n)]
    print("| kernel | mimic | tier | generated code | LLVM | total |")
    print("|---|---|---|---|---|---|")
    failed = False
    for name in names:
        elf = os.path.join(args.build_dir, name + "-el.elf")
        if not os.path.exists(elf):
            print("%s: %s missing (run bench/run_bench.py once to build it)" % (name, elf), file=sys.stderr)
            failed = True
            continue
        for mimic in mimics:
            for tier in args.tiers.split(","):
                try:
                    total, jit, llvm = count(mimic, elf, tier, args.threshold, extra)
                except RuntimeError as e:
                    print(str(e), file=sys.stderr)
                    failed = True
                    continue
                print("| %s | %s | %s | %.3fG | %.3fG | %.3fG |" % (name, mimic, tier, jit / 1e9, llvm / 1e9, total / 1e9),
                      flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
