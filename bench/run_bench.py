#!/usr/bin/env python3
"""CPU benchmark: mimic vs QEMU, side by side.

Builds the bare-metal MIPS32 benchmark kernels in bench/mips/ (one C file
each, linked with the guest runtime in tests/guest/mips/runtime/), then runs
every kernel on mimic and on qemu-system-mipsel (qemu-system-mips for the
big-endian builds) with the same command line

    -M malta -kernel KERNEL.elf -nographic -no-reboot

alternating between the two emulators, --runs times each.  For every run it
records the wall-clock time (time.perf_counter around subprocess.run) and
the CPU time the child used (user + sys, from getrusage(RUSAGE_CHILDREN)),
and checks that both emulators print exactly the same console output.

    bench/run_bench.py [--runs N] [--filter REGEX] [--markdown FILE]
                       [--mimic PATH] [--mimic-arg ARG ...]
                       [--qemu-el PATH] [--qemu-be PATH] [--be LIST]
                       [--build-dir DIR] [--timeout SECONDS]

Prints a description of the machine and a Markdown table (medians, QEMU/mimic
ratios, min-max spread, CPU-time ratios, geometric means).  Exit status 1 if
a kernel failed to build or run, or the two emulators disagreed.

Only the Python standard library is used.
"""

import argparse
import hashlib
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
KERNEL_DIR = BENCH_DIR / "mips"
RUNTIME_DIR = REPO_ROOT / "tests" / "guest" / "mips" / "runtime"
RUNTIME_SOURCES = ["crt0.S", "uart.c", "printf.c", "lib.c", "exc.c"]
RUNTIME_DEPENDS = ["runtime.h", "uart.h", "regdef.h", "link.ld"]

# Table order; kernels found in bench/mips/ but not listed here come last.
KERNEL_ORDER = ["int_alu", "memory", "branchy", "fpu", "smc", "dhrystone_like"]

# Kernels that are also built and run big-endian by default.
DEFAULT_BE = "memory"

CFLAGS = [
    "-march=24kf", "-mabi=32", "-mno-abicalls", "-fno-pic", "-G0",
    "-ffreestanding", "-nostdlib", "-O2", "-static", "-no-pie",
    "-Wall", "-Wextra", "-Wl,--build-id=none",
    # Debian's binutils put a "sync" before every ll unless told otherwise.
    "-Wa,-mno-fix-loongson3-llsc",
]

# Added to QEMU's command line (only) if it cannot start Malta without them:
# Malta's default NIC and VGA need option ROMs from the Debian packages
# ipxe-qemu and seabios.  The kernels never touch PCI.
QEMU_FALLBACK_ARGS = ["-nic", "none", "-vga", "none"]

PROBE_SOURCE = "/* start-up probe: prints nothing but DONE */\n" \
               "int main(void) { return 0; }\n"

DONE_LINE = b"DONE\n"


def machine_args(elf):
    return ["-M", "malta", "-kernel", str(elf), "-nographic", "-no-reboot"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- building --------------------------------------------------------------

class Target:
    """One kernel in one byte order."""

    def __init__(self, src, endian):
        self.src = src
        self.kernel = src.stem
        self.endian = endian
        self.name = self.kernel if endian == "el" else f"{self.kernel}-be"
        self.elf = None


def kernel_cflags(src):
    """Extra flags from a "guest-cflags:" line in the first 30 lines (the
    same convention as tests/guest/mips); soft-float unless it asks for
    -mhard-float."""
    flags = []
    with open(src, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f):
            if lineno >= 30:
                break
            m = re.search(r"guest-cflags:\s*(.*?)\s*(?:\*/)?\s*$", line)
            if m:
                flags.extend(m.group(1).split())
    if "-mhard-float" not in flags:
        flags.append("-msoft-float")
    return flags


def build_elf(cc, src, elf):
    """Compiles src with the runtime into elf unless an up-to-date build
    exists (a stamp file holds a hash of the command and all inputs).
    Returns None or an error text."""
    sources = [src] + [RUNTIME_DIR / s for s in RUNTIME_SOURCES]
    cmd = [cc] + CFLAGS + kernel_cflags(src) + [
        "-I", str(RUNTIME_DIR), "-T", str(RUNTIME_DIR / "link.ld"),
        "-o", str(elf)] + [str(s) for s in sources]
    digest = hashlib.sha256("\0".join(cmd).encode())
    for p in sources + [RUNTIME_DIR / d for d in RUNTIME_DEPENDS]:
        digest.update(str(p).encode() + b"\0" + p.read_bytes())
    key = digest.hexdigest()
    stamp = elf.with_suffix(".stamp")
    if elf.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return None
    stamp.unlink(missing_ok=True)
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        return f"cannot run {cc}: {e}"
    if r.returncode != 0:
        return r.stdout.decode(errors="replace")
    stamp.write_text(key + "\n")
    return None


# ---- running ---------------------------------------------------------------

class Result:
    def __init__(self, wall, cpu, out, rc, err):
        self.wall = wall        # seconds, wall clock
        self.cpu = cpu          # seconds, user + sys of the child
        self.out = out          # stdout bytes
        self.rc = rc            # exit status, None after a timeout
        self.err = err          # last stderr line (or a note)


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_once(cmd, timeout):
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        wall = time.perf_counter() - t0
        out, rc, err = r.stdout, r.returncode, r.stderr
    except subprocess.TimeoutExpired as e:
        # subprocess.run has killed and reaped the child
        wall = time.perf_counter() - t0
        out, rc = e.stdout or b"", None
        err = f"timed out after {timeout:g} s".encode()
    except OSError as e:
        return Result(0.0, 0.0, b"", None, f"cannot run {cmd[0]}: {e}")
    cpu = children_cpu() - cpu0
    lines = err.decode(errors="replace").strip().splitlines()
    return Result(wall, cpu, out, rc, lines[-1] if lines else "")


def run_ok(res):
    return res.rc == 0 and (res.out == DONE_LINE or
                            res.out.endswith(b"\n" + DONE_LINE))


def describe_failure(res):
    what = "timeout" if res.rc is None else f"exit status {res.rc}"
    if not res.out.endswith(DONE_LINE):
        what += ", no DONE line"
    return f"{what}: {res.err}" if res.err else what


# ---- environment -------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def first_line(cmd):
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = r.stdout.decode(errors="replace").strip().splitlines()
    return lines[0].strip() if r.returncode == 0 and lines else None


def binary_stamp(path):
    """(mtime, size) of an executable, to notice a rebuild during the run."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def describe_stamp(stamp):
    if stamp is None:
        return "missing"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp[0] / 1e9))


def machine_description(qemu, mimic):
    cores = os.cpu_count() or 0
    qemu_version = first_line([qemu, "-version"]) or f"{qemu}: version unknown"
    commit = first_line(["git", "-C", str(REPO_ROOT), "rev-parse", "--short",
                         "HEAD"]) or "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"Host: {cpu_model()}, {cores} cores (load average {load}); "
            f"{qemu_version}; mimic git commit {commit} "
            f"(binary built {describe_stamp(binary_stamp(mimic))})")


# ---- report --------------------------------------------------------------------

def fmt_s(x):
    return f"{x:.3f}"


def fmt_ratio(x):
    return f"{x:.2f}" if x is not None else "-"


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def make_table(rows):
    header = ("| kernel | mimic median s | QEMU median s | ratio QEMU/mimic "
              "| spread min-max s (mimic / QEMU) | mimic CPU s | QEMU CPU s "
              "| CPU ratio QEMU/mimic | output |")
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    wall_ratios, cpu_ratios = [], []
    for row in rows:
        m, q = row["mimic"], row["qemu"]
        if not m or not q:
            lines.append(f"| {row['name']} | - | - | - | - | - | - | - "
                         f"| {row['status']} |")
            continue
        mw = statistics.median(r.wall for r in m)
        qw = statistics.median(r.wall for r in q)
        mc = statistics.median(r.cpu for r in m)
        qc = statistics.median(r.cpu for r in q)
        wr = qw / mw if mw > 0 else None
        cr = qc / mc if mc > 0 else None
        if row["valid"]:
            wall_ratios.append(wr)
            cpu_ratios.append(cr)
        spread = (f"{fmt_s(min(r.wall for r in m))}-"
                  f"{fmt_s(max(r.wall for r in m))} / "
                  f"{fmt_s(min(r.wall for r in q))}-"
                  f"{fmt_s(max(r.wall for r in q))}")
        lines.append(f"| {row['name']} | {fmt_s(mw)} | {fmt_s(qw)} "
                     f"| {fmt_ratio(wr)} | {spread} | {fmt_s(mc)} "
                     f"| {fmt_s(qc)} | {fmt_ratio(cr)} | {row['status']} |")
    lines.append(f"| **geometric mean** | | | **{fmt_ratio(geomean(wall_ratios))}** "
                 f"| | | | **{fmt_ratio(geomean(cpu_ratios))}** | |")
    return "\n".join(lines)


# ---- main ----------------------------------------------------------------------

def discover_kernels():
    found = {p.stem: p for p in KERNEL_DIR.glob("*.c") if p.is_file()}
    order = [k for k in KERNEL_ORDER if k in found]
    order += sorted(k for k in found if k not in KERNEL_ORDER)
    return [found[k] for k in order]


def parse_args():
    ap = argparse.ArgumentParser(
        description="CPU benchmark of mimic against QEMU on bare-metal "
                    "MIPS32 kernels (bench/mips/*.c).")
    ap.add_argument("--mimic", default=str(REPO_ROOT / "build" / "mimic"),
                    help="mimic binary (default: build/mimic)")
    ap.add_argument("--mimic-arg", action="append", default=[],
                    metavar="ARG", help="extra argument for mimic only "
                    "(repeatable), e.g. --mimic-arg=-accel "
                    "--mimic-arg=tcg,tier=interp")
    ap.add_argument("--qemu-el", default=os.environ.get(
                        "QEMU_MIPSEL", "qemu-system-mipsel"),
                    help="QEMU for the little-endian kernels")
    ap.add_argument("--qemu-be", default=os.environ.get(
                        "QEMU_MIPS", "qemu-system-mips"),
                    help="QEMU for the big-endian kernels")
    ap.add_argument("--cc-el", default=os.environ.get(
                        "MIPSEL_GCC", "mipsel-linux-gnu-gcc"))
    ap.add_argument("--cc-be", default=os.environ.get(
                        "MIPS_GCC", "mips-linux-gnu-gcc"))
    ap.add_argument("--be", default=DEFAULT_BE, metavar="LIST",
                    help="comma-separated kernels also run big-endian "
                    f"(default: {DEFAULT_BE}; '' for none)")
    ap.add_argument("--runs", type=int, default=5,
                    help="timed runs per kernel and emulator (default 5)")
    ap.add_argument("--filter", metavar="REGEX",
                    help="only kernels whose name (e.g. memory-be) matches")
    ap.add_argument("--markdown", metavar="FILE",
                    help="also write the machine line and table to FILE")
    ap.add_argument("--build-dir", default=str(REPO_ROOT / "build" / "bench"),
                    help="where the ELFs go (default: build/bench)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before a run is killed (default 300)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


def main():
    args = parse_args()
    build_dir = Path(args.build_dir).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    mimic_cmd = [args.mimic] + args.mimic_arg
    qemu_for = {"el": args.qemu_el, "be": args.qemu_be}
    cc_for = {"el": args.cc_el, "be": args.cc_be}
    be_kernels = {k.strip() for k in args.be.split(",") if k.strip()}

    targets = []
    for src in discover_kernels():
        targets.append(Target(src, "el"))
        if src.stem in be_kernels:
            targets.append(Target(src, "be"))
    unknown = be_kernels - {t.kernel for t in targets}
    if unknown:
        log(f"warning: --be names unknown kernels: {', '.join(sorted(unknown))}")
    if args.filter:
        rx = re.compile(args.filter)
        targets = [t for t in targets if rx.search(t.name)]
    if not targets:
        log("no kernels selected")
        return 1

    # build
    failed = False
    for t in targets:
        elf = build_dir / f"{t.kernel}-{t.endian}.elf"
        err = build_elf(cc_for[t.endian], t.src, elf)
        if err:
            log(f"build of {t.name} failed:\n{err}")
            failed = True
        else:
            t.elf = elf

    # start-up probe: can each emulator boot a trivial program?
    probe_src = build_dir / "probe.c"
    if not probe_src.exists() or probe_src.read_text() != PROBE_SOURCE:
        probe_src.write_text(PROBE_SOURCE)
    qemu_extra = {}
    notes = []
    for endian in sorted({t.endian for t in targets if t.elf}):
        probe = build_dir / f"probe-{endian}.elf"
        err = build_elf(cc_for[endian], probe_src, probe)
        if err:
            log(f"build of the probe failed:\n{err}")
            return 1
        qemu_extra[endian] = []
        res = run_once([qemu_for[endian]] + machine_args(probe), 60)
        if not run_ok(res):
            res2 = run_once([qemu_for[endian]] + machine_args(probe) +
                            QEMU_FALLBACK_ARGS, 60)
            if not run_ok(res2):
                log(f"{qemu_for[endian]} cannot run the probe: "
                    f"{describe_failure(res)}")
                return 1
            qemu_extra[endian] = QEMU_FALLBACK_ARGS
            notes.append(f"Note: {qemu_for[endian]} did not start Malta "
                         f"({describe_failure(res)}); it was run with "
                         f"'{' '.join(QEMU_FALLBACK_ARGS)}' (QEMU only).")
        res = run_once(mimic_cmd + machine_args(probe), 60)
        if not run_ok(res):
            log(f"{args.mimic} cannot run the probe: {describe_failure(res)}")
            return 1
    for n in notes:
        log(n)

    description = machine_description(args.qemu_el, args.mimic)
    log(description)
    mimic_stamp = binary_stamp(args.mimic)

    rows = []
    for t in targets:
        row = {"name": t.name, "mimic": [], "qemu": [], "status": "ok",
               "valid": False}
        rows.append(row)
        if not t.elf:
            row["status"] = "BUILD FAILED"
            continue
        cmds = {
            "mimic": mimic_cmd + machine_args(t.elf),
            "qemu": [qemu_for[t.endian]] + machine_args(t.elf) +
                    qemu_extra[t.endian],
        }
        reference = None
        problems = []
        stamp_before = binary_stamp(args.mimic)
        for i in range(args.runs):
            # alternate who goes first, so neither always runs right after
            # the other has warmed (or heated) the machine
            order = ("mimic", "qemu") if i % 2 == 0 else ("qemu", "mimic")
            for emu in order:
                res = run_once(cmds[emu], args.timeout)
                log(f"  {t.name:<16} run {i + 1}/{args.runs} {emu:<5} "
                    f"wall {res.wall:7.3f} s  cpu {res.cpu:7.3f} s")
                if not run_ok(res):
                    problems.append(f"FAIL ({emu}: {describe_failure(res)})")
                    continue
                row[emu].append(res)
                if reference is None:
                    reference = res.out
                elif res.out != reference:
                    problems.append("MISMATCH")
        # only kernels that ran cleanly on both count in the geometric mean
        row["valid"] = not problems
        if binary_stamp(args.mimic) != stamp_before:
            problems.append("mimic binary changed during these runs")
        if problems:
            # keep the first kind of problem of each sort, in order
            row["status"] = "; ".join(dict.fromkeys(problems))
            failed = True
        if "MISMATCH" in problems:
            outs = {}
            for emu in ("mimic", "qemu"):
                for r in row[emu]:
                    outs.setdefault(r.out, set()).add(emu)
            for out, who in outs.items():
                log(f"  {t.name} output from {'/'.join(sorted(who))}:\n"
                    + out.decode(errors="replace"))
        elif reference is not None:
            log("    " + reference.decode(errors="replace").strip()
                .replace("\n", "\n    "))

    end_stamp = binary_stamp(args.mimic)
    if end_stamp != mimic_stamp:
        notes.append(f"WARNING: {args.mimic} changed during the benchmark "
                     f"(now built {describe_stamp(end_stamp)}): the mimic "
                     "numbers mix two builds.")
        log(notes[-1])
        failed = True

    table = make_table(rows)
    config = (f"{args.runs} runs per emulator, interleaved; wall-clock "
              f"medians; CPU = user+sys of the emulator process; "
              f"mimic: {' '.join([Path(args.mimic).name] + args.mimic_arg)}")
    text = "\n".join([description, "", config] + notes + ["", table]) + "\n"
    print(text, end="")
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
