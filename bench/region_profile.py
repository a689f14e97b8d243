#!/usr/bin/env python3
"""Host instructions per generated-code instruction, counted by valgrind.

perf samples on this shared host are too noisy to tell a region's loops
apart by a few percent, and the VM has no hardware counters. This script
runs one bare-metal kernel under callgrind (--dump-instr=yes: a count for
every host instruction executed), names the generated code through
mimic's perf map (-d perfmap), and disassembles the hot tier's regions
from the objects LLVM produced in the same run (MIMIC_DUMP_OBJ), so that
every region instruction gets its exact count. The hot tier runs in its
deterministic mode (blocks count their runs, regions compile on the CPU
thread), as in host_instructions.py. A run takes about 100x the kernel's
native time.

    bench/region_profile.py build/bench/dhrystone_like-el.elf
    bench/region_profile.py build/bench/lz_match-el.elf --env MIMIC_HOT_MAX_BLOCKS=80 --top 60

Prints the host instructions of each piece of generated code (regions,
baseline blocks), the busiest region's instructions by kind (stack
accesses: LLVM's spills and reloads; register moves; branches; ...), and
its hottest instructions with their counts.
"""
import argparse
import bisect
import collections
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def self_costs(path):
    """{host address: instructions executed there} from a callgrind file
    written with --dump-instr=yes --dump-line=no; and the process's pid."""
    costs = collections.Counter()
    pid = None
    addr = 0
    after_calls = False   # the line after calls= is the call's inclusive cost
    with open(path) as f:
        for line in f:
            if line.startswith("pid:"):
                pid = int(line.split()[1])
                continue
            if line.startswith("calls="):
                after_calls = True
                continue
            parts = line.split()
            if not parts:
                continue
            pos = parts[0]
            if pos.startswith("0x"):
                addr = int(pos, 16)
            elif pos[0] in "+-" and len(pos) > 1:
                step = int(pos[1:], 0)
                addr = addr + step if pos[0] == "+" else addr - step
            elif pos != "*":
                continue
            if after_calls:
                after_calls = False
                continue
            if len(parts) > 1:
                costs[addr] += int(parts[1])
    return costs, pid


def read_perf_map(pid):
    syms = []
    with open("/tmp/perf-%d.map" % pid) as f:
        for line in f:
            start, size, name = line.split(None, 2)
            syms.append((int(start, 16), int(size, 16), name.strip()))
    syms.sort()
    return syms


def disassemble(obj):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", obj], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    lines = []
    for line in out.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\s+(.*)", line)
        if m:
            lines.append((int(m.group(1), 16), m.group(2).strip()))
    return lines


def kind(text):
    if "(%rsp)" in text or "(%rsp," in text:
        return "stack (spill, reload)"
    if text.startswith("j"):
        return "branch"
    if text.startswith(("cmp", "test")):
        return "compare"
    if re.match(r"mov\S*\s+%\w+,%\w+$", text):
        return "register move"
    if re.match(r"mov\S*\s+\$", text):
        return "constant"
    if "(" in text and text.startswith("mov"):
        return "load/store"
    return "arithmetic and other"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("elf", help="a bare-metal kernel (build/bench/NAME-el.elf)")
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    ap.add_argument("--tier", default="auto")
    ap.add_argument("--threshold", type=int, default=200000, help="MIMIC_HOT_THRESHOLD")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the run (repeatable)")
    ap.add_argument("--top", type=int, default=40, help="hottest region instructions to print")
    args = ap.parse_args()
    for tool in ("valgrind", "objdump"):
        if shutil.which(tool) is None:
            sys.exit("region_profile: %s is not installed" % tool)

    with tempfile.TemporaryDirectory() as tmp:
        objs = os.path.join(tmp, "objs")
        os.mkdir(objs)
        out = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ)
        env.update({"MIMIC_HOT_THRESHOLD": str(args.threshold), "MIMIC_HOT_SYNC": "1",
                    "MIMIC_HOT_MAX_ENTRY_RATE": "1e12", "MIMIC_DUMP_OBJ": objs})
        env.update(dict(kv.split("=", 1) for kv in args.env))
        cmd = ["valgrind", "--tool=callgrind", "--dump-instr=yes", "--dump-line=no", "--smc-check=all-non-file",
               "--callgrind-out-file=" + out, args.mimic, "-M", "malta", "-kernel", args.elf, "-nographic",
               "-no-reboot", "-accel", "tcg,tier=" + args.tier, "-d", "perfmap"]
        run = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0 or "DONE" not in run.stdout:
            sys.exit("region_profile: the run failed (exit %d): %s" % (run.returncode, run.stderr[-400:]))
        costs, pid = self_costs(out)
        perf_map = "/tmp/perf-%d.map" % pid
        try:
            syms = read_perf_map(pid)
        finally:
            if os.path.exists(perf_map):
                os.remove(perf_map)
        starts = [s[0] for s in syms]
        per_sym = collections.Counter()
        offsets = collections.defaultdict(collections.Counter)
        total = sum(costs.values())
        for addr, n in costs.items():
            i = bisect.bisect_right(starts, addr) - 1
            if i >= 0 and addr < syms[i][0] + syms[i][1]:
                per_sym[syms[i][2]] += n
                offsets[syms[i][2]][addr - syms[i][0]] += n
            else:
                per_sym["(mimic, LLVM, libraries)"] += n
        print("%.3f G host instructions in all" % (total / 1e9))
        for name, n in per_sym.most_common(20):
            print("  %8.3f G  %5.1f%%  %s" % (n / 1e9, 100.0 * n / total, name))

        regions = [name for name in per_sym if name.startswith("region:")]
        if not regions:
            print("no region ran")
            return 0
        busiest = max(regions, key=lambda r: per_sym[r])
        counts = offsets[busiest]
        # The object whose instruction offsets account for the region's counts.
        best = None
        for obj in glob.glob(os.path.join(objs, "*.o")):
            lines = disassemble(obj)
            at = {off for off, _ in lines}
            matched = sum(n for off, n in counts.items() if off in at)
            if best is None or matched > best[0]:
                best = (matched, lines)
        matched, lines = best
        if matched < sum(counts.values()):
            print("warning: %s's objects do not account for all of its counts (%.3f of %.3f G)" %
                  (busiest, matched / 1e9, sum(counts.values()) / 1e9))
        by_kind = collections.Counter()
        for off, text in lines:
            by_kind[kind(text)] += counts.get(off, 0)
        print("\n%s by kind of instruction:" % busiest)
        for k, n in by_kind.most_common():
            print("  %8.3f G  %s" % (n / 1e9, k))
        print("\nits %d hottest instructions (count, offset, instruction):" % args.top)
        hottest = sorted(((counts.get(off, 0), off, text) for off, text in lines), reverse=True)[:args.top]
        for n, off, text in sorted(hottest, key=lambda t: t[1]):
            print("  %12d  %6x  %s" % (n, off, text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
