#!/usr/bin/env python3
"""CPU benchmark: mimic (one or more tiers) vs QEMU vs native, side by side.

Builds the bare-metal MIPS32 benchmark kernels in bench/mips/ (one C file
each, linked with the guest runtime in tests/guest/mips/runtime/), then runs
every kernel on mimic (once per --tiers entry, as -accel tcg,tier=NAME) and
on qemu-system-mipsel (qemu-system-mips for the big-endian builds) with the
same command line

    -M malta -kernel KERNEL.elf -nographic -no-reboot

and, unless --no-native, as a host program built with gcc -O2 against the
shim bench/native/runtime.h.  All configurations are interleaved, rotating
which one goes first, --runs times each.  For every run it records the
wall-clock time (time.perf_counter around subprocess.run) and the CPU time
the child used (user + sys, from getrusage(RUSAGE_CHILDREN)), and checks that
every configuration prints exactly the same output as QEMU.

    bench/run_bench.py [--runs N] [--filter REGEX] [--markdown FILE]
                       [--tiers LIST] [--mimic PATH] [--mimic-arg ARG ...]
                       [--qemu-el PATH] [--qemu-be PATH] [--be LIST]
                       [--cc-native CC | --no-native]
                       [--build-dir DIR] [--timeout SECONDS]

Prints a description of the machine and a Markdown table (medians,
QEMU/mimic and native/mimic ratios per tier, a CPU-time ratio, spread,
geometric means).  Exit status 1 if a kernel failed to build or run, or the
emulators disagreed (a kernel that cannot be built natively, or whose native
output differs, is only reported as such).

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
KERNEL_ORDER = ["int_alu", "memory", "branchy", "fpu", "smc", "dhrystone_like", "lz_match"]

# Kernels that are also built and run big-endian by default.
DEFAULT_BE = "memory"

# mimic's code generators (-accel tcg,tier=NAME).
TIERS = ["baseline", "auto", "llvm", "interp"]
DEFAULT_TIERS = "baseline"

# Configuration keys besides the tier names.
QEMU = "QEMU"
NATIVE = "native"

# Native builds: the kernel alone, with the host stand-in for runtime.h.
# The kernels' guest-cflags (e.g. -mhard-float) are MIPS-only and ignored.
NATIVE_DIR = BENCH_DIR / "native"
NATIVE_CFLAGS = ["-O2"]

# Kernels that build for the host but cannot run there, with the reason.
NATIVE_SKIP = {"smc": "executes MIPS code it writes"}

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
        self.native = None          # host executable, if one could be built
        self.native_na = None       # otherwise: why not (None: --no-native)


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


def build_cached(cmd, inputs, out):
    """Runs the compiler command cmd, which writes out, unless an up-to-date
    build exists (a stamp file next to out holds a hash of the command and
    of all input files).  Returns None or an error text."""
    digest = hashlib.sha256("\0".join(cmd).encode())
    for p in inputs:
        digest.update(str(p).encode() + b"\0" + p.read_bytes())
    key = digest.hexdigest()
    stamp = out.with_suffix(".stamp")
    if out.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return None
    stamp.unlink(missing_ok=True)
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        return f"cannot run {cmd[0]}: {e}"
    if r.returncode != 0:
        return r.stdout.decode(errors="replace")
    stamp.write_text(key + "\n")
    return None


def build_elf(cc, src, elf):
    """Compiles src with the guest runtime into elf (cached)."""
    sources = [src] + [RUNTIME_DIR / s for s in RUNTIME_SOURCES]
    cmd = [cc] + CFLAGS + kernel_cflags(src) + [
        "-I", str(RUNTIME_DIR), "-T", str(RUNTIME_DIR / "link.ld"),
        "-o", str(elf)] + [str(s) for s in sources]
    return build_cached(
        cmd, sources + [RUNTIME_DIR / d for d in RUNTIME_DEPENDS], elf)


def build_native(cc, src, exe):
    """Compiles src for the host into exe (cached).  The kernel's
    #include "runtime.h" finds bench/native/runtime.h through -I."""
    cmd = [cc] + NATIVE_CFLAGS + ["-I", str(NATIVE_DIR), "-o", str(exe),
                                  str(src)]
    return build_cached(cmd, [src, NATIVE_DIR / "runtime.h"], exe)


# ---- running ---------------------------------------------------------------

class Result:
    def __init__(self, wall, cpu, out, rc, err, thread_cpu=None):
        self.wall = wall        # seconds, wall clock
        self.cpu = cpu          # seconds, user + sys of the child
        self.out = out          # stdout bytes
        self.rc = rc            # exit status, None after a timeout
        self.err = err          # last stderr line (or a note)
        # mimic's CPU thread alone (its -d stats line, MIMIC_STATS=1):
        # the guest's CPU without the hot tier's compiler thread; for
        # other programs the whole process's
        self.thread_cpu = cpu if thread_cpu is None else thread_cpu


THREAD_CPU_RE = re.compile(rb"mimic: jit: CPU thread: ([0-9.]+) s of CPU")


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
    m = THREAD_CPU_RE.search(err or b"")
    err = THREAD_CPU_RE.sub(b"", err or b"")
    lines = [l for l in err.decode(errors="replace").strip().splitlines()
             if not l.startswith("mimic: jit:")]
    return Result(wall, cpu, out, rc, lines[-1] if lines else "",
                  float(m.group(1)) if m else None)


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


def machine_description(qemu, mimic, cc_native):
    cores = os.cpu_count() or 0
    qemu_version = first_line([qemu, "-version"]) or f"{qemu}: version unknown"
    commit = first_line(["git", "-C", str(REPO_ROOT), "rev-parse", "--short",
                         "HEAD"]) or "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    native = ""
    if cc_native:
        native = "; native: " + (first_line([cc_native, "--version"]) or
                                 f"{cc_native}: version unknown")
    return (f"Host: {cpu_model()}, {cores} cores (load average {load}); "
            f"{qemu_version}; mimic git commit {commit} "
            f"(binary built {describe_stamp(binary_stamp(mimic))}){native}")


# ---- report --------------------------------------------------------------------

def fmt_s(x):
    return f"{x:.3f}" if x is not None else "-"


def fmt_ratio(x):
    return f"{x:.2f}" if x is not None else "-"


def fmt_fraction(x):
    # native/mimic can be far below 0.01 (e.g. the interpreter tier), so
    # three significant digits rather than two decimals
    return f"{x:.3g}" if x is not None else "-"


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def median_of(row, key, what="wall"):
    runs = row["results"].get(key)
    if not runs:
        return None
    return statistics.median(getattr(r, what) for r in runs)


def ratio_of(row, num, den, what="wall"):
    """median(num) / median(den): QEMU/tier > 1 means mimic is faster,
    native/tier is the fraction of native speed mimic reaches."""
    n, d = median_of(row, num, what), median_of(row, den, what)
    return n / d if n is not None and d else None


def spread_of(row):
    """Largest (max - min) / median over the row's configurations, in %."""
    worst = None
    for runs in row["results"].values():
        if len(runs) < 2:
            continue
        walls = [r.wall for r in runs]
        med = statistics.median(walls)
        if med > 0:
            s = (max(walls) - min(walls)) / med * 100
            worst = s if worst is None else max(worst, s)
    return f"{worst:.0f}" if worst is not None else "-"


def make_table(rows, tiers, native):
    header = ["kernel"]
    for t in tiers:
        header += [f"{t} s", f"QEMU/{t}"]
    header.append("QEMU s")
    if native:
        header.append("native s")
        header += [f"native/{t}" for t in tiers]
    header += [f"CPU QEMU/{tiers[0]}"]
    header += [f"CPU QEMU/{t} thread" for t in tiers]
    header += ["spread %", "output"]

    # column index -> (formatter, ratios that count for its geometric mean)
    ratio_cols = {}
    lines = ["| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for row in rows:
        cells = [row["name"]]
        clean = row["clean"]

        def add_ratio(num, den, what, fmt):
            r = ratio_of(row, num, den, what)
            _, values = ratio_cols.setdefault(len(cells), (fmt, []))
            # only configurations that ran cleanly and agreed count
            if r is not None and clean.get(num) and clean.get(den):
                values.append(r)
            cells.append(fmt(r))

        for t in tiers:
            cells.append(fmt_s(median_of(row, t)))
            add_ratio(QEMU, t, "wall", fmt_ratio)
        cells.append(fmt_s(median_of(row, QEMU)))
        if native:
            if row["native_na"]:
                cells.append("n/a")
                for t in tiers:
                    ratio_cols.setdefault(len(cells), (fmt_fraction, []))
                    cells.append("n/a")
            else:
                cells.append(fmt_s(median_of(row, NATIVE)))
                for t in tiers:
                    add_ratio(NATIVE, t, "wall", fmt_fraction)
        add_ratio(QEMU, tiers[0], "cpu", fmt_ratio)
        for t in tiers:
            add_ratio(QEMU, t, "thread_cpu", fmt_ratio)
        cells += [spread_of(row), row["status"]]
        lines.append("| " + " | ".join(cells) + " |")

    means = ["**geometric mean**"] + [""] * (len(header) - 1)
    for col, (fmt, values) in ratio_cols.items():
        g = geomean(values)
        means[col] = f"**{fmt(g)}**" if g is not None else "-"
    lines.append("| " + " | ".join(means) + " |")
    return "\n".join(lines)


# ---- main ----------------------------------------------------------------------

def discover_kernels():
    found = {p.stem: p for p in KERNEL_DIR.glob("*.c") if p.is_file()}
    order = [k for k in KERNEL_ORDER if k in found]
    order += sorted(k for k in found if k not in KERNEL_ORDER)
    return [found[k] for k in order]


def parse_args():
    ap = argparse.ArgumentParser(
        description="CPU benchmark of mimic against QEMU and native code on "
                    "bare-metal MIPS32 kernels (bench/mips/*.c).")
    ap.add_argument("--mimic", default=str(REPO_ROOT / "build" / "mimic"),
                    help="mimic binary (default: build/mimic)")
    ap.add_argument("--tiers", default=DEFAULT_TIERS, metavar="LIST",
                    help="comma-separated mimic tiers, each run as -accel "
                    f"tcg,tier=NAME ({', '.join(TIERS)}; "
                    f"default: {DEFAULT_TIERS})")
    ap.add_argument("--mimic-arg", action="append", default=[],
                    metavar="ARG", help="extra argument for every mimic run "
                    "(repeatable), e.g. --mimic-arg=-icount "
                    "--mimic-arg=shift=0")
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
    ap.add_argument("--cc-native", default="gcc", metavar="CC",
                    help="host compiler for the native runs (default gcc; "
                    "flags: -O2)")
    ap.add_argument("--no-native", action="store_true",
                    help="skip the native runs and columns")
    ap.add_argument("--be", default=DEFAULT_BE, metavar="LIST",
                    help="comma-separated kernels also run big-endian "
                    f"(default: {DEFAULT_BE}; '' for none)")
    ap.add_argument("--runs", type=int, default=5,
                    help="timed runs per kernel and configuration (default 5)")
    ap.add_argument("--filter", metavar="REGEX",
                    help="only kernels whose name (e.g. memory-be) matches")
    ap.add_argument("--markdown", metavar="FILE",
                    help="also write the machine line and table to FILE")
    ap.add_argument("--build-dir", default=str(REPO_ROOT / "build" / "bench"),
                    help="where the ELFs and native programs go "
                    "(default: build/bench)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before a run is killed (default 300)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.tiers = [t.strip() for t in args.tiers.split(",") if t.strip()]
    if not args.tiers:
        ap.error("--tiers needs at least one tier")
    bad = [t for t in args.tiers if t not in TIERS]
    if bad:
        ap.error(f"unknown tier(s) {', '.join(bad)}; valid: {', '.join(TIERS)}")
    if len(set(args.tiers)) != len(args.tiers):
        ap.error("--tiers lists a tier twice")
    if "-accel" in args.mimic_arg:
        log("warning: --mimic-arg contains -accel; the tier now comes "
            "from --tiers")
    return args


def measure(name, cmds, runs, timeout):
    """Runs every configuration (key -> command line) `runs` times,
    interleaved.  Returns key -> results of the clean runs and key ->
    descriptions of the failed ones."""
    results = {k: [] for k in cmds}
    failures = {k: [] for k in cmds}
    keys = list(cmds)
    for i in range(runs):
        # rotate who goes first, so no configuration always runs right
        # after the same other one has warmed (or heated) the machine
        order = keys[i % len(keys):] + keys[:i % len(keys)]
        for k in order:
            res = run_once(cmds[k], timeout)
            log(f"  {name:<16} run {i + 1}/{runs} {label(k):<15} "
                f"wall {res.wall:7.3f} s  cpu {res.cpu:7.3f} s")
            if run_ok(res):
                results[k].append(res)
            else:
                failures[k].append(describe_failure(res))
    return results, failures


def label(key):
    return key if key in (QEMU, NATIVE) else f"mimic {key}"


def main():
    args = parse_args()
    # mimic prints its CPU thread's own CPU time at exit (the thread
    # columns); nothing else reads this variable
    os.environ["MIMIC_STATS"] = "1"
    build_dir = Path(args.build_dir).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    cc_native = None if args.no_native else args.cc_native

    def mimic_cmd(tier):
        return [args.mimic, "-accel", f"tcg,tier={tier}"] + args.mimic_arg

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
        if not cc_native:
            continue
        # The host is little-endian, and some kernels need MIPS itself:
        # those get "n/a" in the native columns, which is not a failure.
        if t.endian != "el":
            t.native_na = "big-endian"
        elif t.kernel in NATIVE_SKIP:
            t.native_na = NATIVE_SKIP[t.kernel]
        else:
            exe = build_dir / f"{t.kernel}-native"
            err = build_native(cc_native, t.src, exe)
            if err:
                log(f"native build of {t.name} failed (reported as n/a):\n"
                    f"{err}")
                t.native_na = "does not build for the host"
            else:
                t.native = exe

    # start-up probe: can each emulator (and every tier) boot a trivial
    # program?
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
        for tier in args.tiers:
            res = run_once(mimic_cmd(tier) + machine_args(probe), 60)
            if not run_ok(res):
                log(f"{args.mimic} (tier {tier}) cannot run the probe: "
                    f"{describe_failure(res)}")
                return 1
    for n in notes:
        log(n)

    description = machine_description(args.qemu_el, args.mimic, cc_native)
    log(description)
    mimic_stamp = binary_stamp(args.mimic)

    rows = []
    for t in targets:
        row = {"name": t.name, "results": {}, "clean": {}, "status": "ok",
               "native_na": t.native_na}
        rows.append(row)
        if not t.elf:
            row["status"] = "BUILD FAILED"
            continue
        # table order: the tiers, QEMU, native
        cmds = {tier: mimic_cmd(tier) + machine_args(t.elf)
                for tier in args.tiers}
        cmds[QEMU] = ([qemu_for[t.endian]] + machine_args(t.elf) +
                      qemu_extra[t.endian])
        if t.native:
            cmds[NATIVE] = [str(t.native)]
        stamp_before = binary_stamp(args.mimic)
        results, failures = measure(t.name, cmds, args.runs, args.timeout)
        row["results"] = results

        # QEMU's output is the reference every other configuration must
        # reproduce (the first mimic tier's if QEMU never finished)
        reference = next((results[k][0].out for k in [QEMU] + args.tiers
                          if results[k]), None)
        problems, remarks = [], []
        any_differs = False
        for k in cmds:
            if failures[k]:
                problems.append(f"FAIL ({label(k)}: {failures[k][0]})")
            differs = reference is not None and \
                any(r.out != reference for r in results[k])
            any_differs |= differs
            if differs and k == NATIVE:
                # e.g. host libc formatting: worth a look, but it says
                # nothing about the emulators
                remarks.append("native output differs")
            elif differs:
                problems.append(f"MISMATCH ({label(k)})")
            row["clean"][k] = bool(results[k]) and not failures[k] \
                and not differs
        if binary_stamp(args.mimic) != stamp_before:
            problems.append("mimic binary changed during these runs")
        if t.native_na:
            remarks.append(f"native n/a: {t.native_na}")
        if problems:
            failed = True
        # keep the first problem of each sort, in order
        row["status"] = "; ".join(dict.fromkeys(problems or ["ok"])) + \
            "".join(f"; {r}" for r in remarks)

        if any_differs:
            outs = {}
            for k in cmds:
                for r in results[k]:
                    outs.setdefault(r.out, set()).add(label(k))
            for out, who in outs.items():
                log(f"  {t.name} output from {', '.join(sorted(who))}:\n"
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

    table = make_table(rows, args.tiers, bool(cc_native))
    mimic_line = " ".join([Path(args.mimic).name, "-accel", "tcg,tier=T"] +
                          args.mimic_arg)
    config = (f"{args.runs} runs per configuration, interleaved in rotating "
              f"order; wall-clock medians in s; QEMU/T > 1: mimic tier T is "
              f"faster than QEMU; native/T: fraction of native speed; CPU = "
              f"user+sys of the process; CPU QEMU/T thread: QEMU's process "
              f"CPU over mimic's CPU thread alone (the guest, without the "
              f"hot tier's compiler thread, which another core may carry); "
              f"spread = largest (max-min)/median "
              f"of a row; mimic: {mimic_line} for T in "
              f"{', '.join(args.tiers)}")
    if cc_native:
        config += (f"; native: {Path(cc_native).name} "
                   f"{' '.join(NATIVE_CFLAGS)}, bench/native/runtime.h")
    text = "\n".join([description, "", config] + notes + ["", table]) + "\n"
    print(text, end="")
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
