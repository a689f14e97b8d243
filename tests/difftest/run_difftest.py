#!/usr/bin/env python3
"""Random-program differential tester for mimic's MIPS32 emulation.

Generates random straight-line MIPS32r2 programs with difftest-gen-mips (for
both endians, with FR=0 and FR=1), builds them with the cross compilers, runs
every program on QEMU (the reference) and on mimic, and compares the machine
state each sequence dumps on the console.

    run_difftest.py --mimic PATH [--sequences 20000] [--per-file 500]
                    [--seed S] [--jobs 2] [--qemu-only] [--keep DIR]
                    [--gen PATH] [--variants el-fr0,el-fr1,be-fr0,be-fr1]
                    [--timeout SECONDS] [--max-report N] [--known FILE]
                    [--qemu-arg ARG]... [--mimic-arg ARG]...

For each diverging sequence it prints the sequence number, how to regenerate
its program, the differing registers/exceptions/memory words, and the
sequence's instructions (generator description + objdump disassembly).
Divergences matching a rule in KNOWN_DIVERGENCES.md are reported as KNOWN and
do not fail.  The last line is exactly "difftest: N passed, M failed" (N, M
count sequences); the exit status is 1 if any sequence failed.

--qemu-only runs only QEMU, twice per program, and checks that every program
completes all its sequences (last dump present, then the reset) and that both
runs print identical output (the programs must be deterministic).

Programs: sequence k of the run is in program k // per-file; programs cycle
through the variants.  Program i is generated with seed S*100003+i, so one
program can be rebuilt by hand with the command printed in its reports (the
generator writes FILE.S and FILE.seqs, the list of each sequence's words).
The generator is taken from --gen, $DIFFTEST_GEN, <dir of mimic>/tests/
difftest/difftest-gen-mips, build/tests/difftest/difftest-gen-mips, or else
compiled from gen_mips.cpp with $CXX (default c++).  Both emulators get
"-M malta -kernel PROG.elf -nographic -no-reboot" (QEMU needs the option
ROMs from Debian's ipxe-qemu and seabios, which install-deps.sh installs).

Only the Python standard library is used.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
LINKER_SCRIPT = HERE / "difftest.ld"
KNOWN_FILE = HERE / "KNOWN_DIVERGENCES.md"

TOOLS = {
    # endian: (compiler, objdump, QEMU binary)
    "el": (os.environ.get("MIPSEL_GCC", "mipsel-linux-gnu-gcc"),
           os.environ.get("MIPSEL_OBJDUMP", "mipsel-linux-gnu-objdump"),
           os.environ.get("QEMU_MIPSEL", "qemu-system-mipsel")),
    "be": (os.environ.get("MIPS_GCC", "mips-linux-gnu-gcc"),
           os.environ.get("MIPS_OBJDUMP", "mips-linux-gnu-objdump"),
           os.environ.get("QEMU_MIPS", "qemu-system-mips")),
}

CFLAGS = [
    "-march=24kf", "-mabi=32", "-mno-abicalls", "-fno-pic", "-nostdlib",
    "-static", "-no-pie", "-Wl,--build-id=none",
    "-Wa,-mno-fix-loongson3-llsc",
]


def machine_args(elf):
    """The command line both emulators get (after the binary name)."""
    return ["-M", "malta", "-kernel", str(elf), "-nographic", "-no-reboot"]


# Both emulators get the same arguments (see the module docstring).
QEMU_EXTRA_ARGS = []

VARIANTS = ["el-fr0", "el-fr1", "be-fr0", "be-fr1"]

GPR_NAMES = ["zero", "at", "v0", "v1", "a0", "a1", "a2", "a3",
             "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7",
             "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
             "t8", "t9", "k0", "k1", "gp", "sp", "s8", "ra"]
DUMPED_GPRS = [r for r in range(32) if r not in (26, 27)]

EXC_NAMES = {0: "Int", 1: "Mod", 2: "TLBL", 3: "TLBS", 4: "AdEL", 5: "AdES",
             6: "IBE", 7: "DBE", 8: "Sys", 9: "Bp", 10: "RI", 11: "CpU",
             12: "Ov", 13: "Tr", 15: "FPE", 23: "WATCH", 24: "MCheck"}


# ---------------------------------------------------------------------------
# Known divergences

class Rule:
    def __init__(self, ident, fields, insns, variant, line):
        self.ident = ident
        self.fields = re.compile(fields)
        self.insns = insns          # None: any
        self.variant = re.compile(variant) if variant else None
        self.line = line

    def matches(self, variant, names, diff_fields):
        if self.variant and not self.variant.fullmatch(variant):
            return False
        if self.insns is not None and not (self.insns & names):
            return False
        return all(self.fields.fullmatch(f) for f in diff_fields)


def load_rules(path):
    """Rules are the lines of ```tolerate fenced blocks:
         <id> fields=<regex> [insn=<NAME,...>] [variant=<regex>]"""
    rules = []
    if not path.exists():
        return rules
    in_block = False
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if line.startswith("```"):
            in_block = (line[3:].strip() == "tolerate") if not in_block else False
            continue
        if not in_block or not line or line.startswith("#"):
            continue
        parts = line.split()
        kv = {}
        for p in parts[1:]:
            if "=" not in p:
                sys.exit(f"{path}:{n}: bad tolerate rule token {p!r}")
            k, v = p.split("=", 1)
            kv[k] = v
        if "fields" not in kv or set(kv) - {"fields", "insn", "variant"}:
            sys.exit(f"{path}:{n}: a tolerate rule needs fields= (and only insn=, variant=)")
        insns = None if kv.get("insn", "*") == "*" else set(kv["insn"].split(","))
        rules.append(Rule(parts[0], kv["fields"], insns, kv.get("variant"), n))
    return rules


# ---------------------------------------------------------------------------
# Programs

class Program:
    def __init__(self, index, variant, seed, first, count, workdir):
        self.index = index
        self.variant = variant
        self.endian, fr = variant.split("-")
        self.fr = fr[-1]
        self.seed = seed
        self.first = first
        self.count = count
        self.base = workdir / f"dt{index:04d}-{variant}"
        self.src = self.base.with_suffix(".S")
        self.side = self.base.with_suffix(".seqs")
        self.elf = self.base.with_suffix(".elf")
        self.cc, self.objdump, self.qemu = TOOLS[self.endian]

    def gen_cmd(self, gen):
        return [str(gen), "--seed", str(self.seed), "--count", str(self.count),
                "--endian", self.endian, "--fr", self.fr, "--first", str(self.first),
                "--out", str(self.src)]

    def describe(self):
        return (f"{self.variant} program {self.index} (difftest-gen-mips --seed {self.seed} "
                f"--count {self.count} --endian {self.endian} --fr {self.fr} --first {self.first})")


def run_capture(cmd, timeout):
    """Run cmd in its own process group; returns (rc, stdout bytes, stderr
    bytes, timed_out).  On timeout the whole group is killed."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err, False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return p.returncode, out, err, True


def parse_side(path):
    """sequence number -> (body address, [(offset, word, text)])"""
    seqs = {}
    cur = None
    for line in path.read_text().splitlines():
        if line.startswith("seq "):
            p = line.split()
            cur = int(p[1])
            seqs[cur] = (int(p[3], 16), [])
        elif line.startswith("i ") and cur is not None:
            p = line.split(" ", 3)
            seqs[cur][1].append((int(p[1]), p[2], p[3]))
    return seqs


def parse_output(data):
    """Console output -> (banner seen, {seq: [lines]}, end count or None,
    stray lines)."""
    text = data.decode("latin-1").replace("\r", "")
    blocks = {}
    cur = None
    end = None
    banner = False
    stray = []
    for line in text.split("\n"):
        if not line:
            continue
        if line.startswith("D mips-difftest"):
            banner = True
            continue
        if line.startswith("S "):
            try:
                cur = int(line[2:].strip(), 16)
            except ValueError:
                stray.append(line)
                continue
            blocks[cur] = []
            continue
        if line.startswith("E "):
            try:
                end = int(line[2:].strip(), 16)
            except ValueError:
                stray.append(line)
            cur = None
            continue
        if cur is None:
            stray.append(line)
        else:
            blocks[cur].append(line)
    return banner, blocks, end, stray


def block_complete(lines):
    kinds = [l[:1] for l in lines]
    return kinds[-4:] == ["R", "H", "F", "M"]


def block_fields(lines):
    """Dump block -> (exception lines, {field name: value})."""
    exc = []
    fields = {}
    for line in lines:
        p = line.split()
        if not p:
            continue
        tag, vals = p[0], p[1:]
        if tag == "X":
            exc.append(line)
        elif tag == "R":
            for r, v in zip(DUMPED_GPRS, vals):
                fields[f"r{r}"] = v
            if len(vals) != len(DUMPED_GPRS):
                fields["R-line"] = line
        elif tag == "H":
            for name, v in zip(["hi", "lo", "fcsr"], vals):
                fields[name] = v
        elif tag == "F":
            for n, v in enumerate(vals):
                fields[f"f{n}"] = v
        elif tag == "M":
            if vals:
                fields["memsum"] = vals[0]
            rest = vals[1:]
            for i in range(0, len(rest) - 1, 2):
                fields[f"mem{int(rest[i], 16)}"] = rest[i + 1]
        else:
            fields.setdefault("other", "")
            fields["other"] += line + "\n"
    return exc, fields


def field_label(name):
    m = re.fullmatch(r"r(\d+)", name)
    if m:
        return f"{name}({GPR_NAMES[int(m.group(1))]})"
    m = re.fullmatch(r"mem(\d+)", name)
    if m:
        return f"mem[{int(m.group(1)) * 4 - 128:+d}($gp)]"
    return name


def describe_exc(line):
    p = line.split()
    try:
        code = int(p[1], 16)
        s = f"{EXC_NAMES.get(code, 'exc')}({code}) bd={p[2]} ce={p[3]} at +{int(p[4], 16)} badvaddr={p[5]}"
        if len(p) > 6:
            s += f" fcsr={p[6]}"
        return s
    except (IndexError, ValueError):
        return line


def exc_offset(line):
    p = line.split()
    try:
        off = int(p[4], 16)
        return off + 4 if p[2] == "1" else off
    except (IndexError, ValueError):
        return None


def diff_sequence(qlines, mlines, insns):
    """-> (set of differing field names, [report lines])"""
    names_at = {off: text.split()[0] for off, _, text in insns}
    qexc, qf = block_fields(qlines)
    mexc, mf = block_fields(mlines)
    diff = set()
    report = []
    if qexc != mexc:
        for i in range(max(len(qexc), len(mexc))):
            qe = qexc[i] if i < len(qexc) else None
            me = mexc[i] if i < len(mexc) else None
            if qe == me:
                continue
            qo = exc_offset(qe) if qe else None
            mo = exc_offset(me) if me else None
            if qe and me and qo == mo and qo in names_at:
                diff.add(f"exc:{names_at[qo]}")
            else:
                diff.add("exc")
            report.append(f"  exception #{i}: qemu: {describe_exc(qe) if qe else '(none)'}"
                          f" | mimic: {describe_exc(me) if me else '(none)'}")
    order = (["r%d" % r for r in DUMPED_GPRS] + ["hi", "lo", "fcsr"] +
             ["f%d" % n for n in range(32)] + ["memsum"] +
             ["mem%d" % i for i in range(64)] + ["R-line", "other"])
    for name in order:
        qv, mv = qf.get(name), mf.get(name)
        if qv != mv:
            diff.add(name)
            report.append(f"  {field_label(name)}: qemu={qv if qv is not None else '(unchanged)'}"
                          f" mimic={mv if mv is not None else '(unchanged)'}")
    return diff, report


def objdump_map(prog):
    """address -> disassembly text for the .seqtext section."""
    try:
        out = subprocess.run([prog.objdump, "-d", "-j", ".seqtext", str(prog.elf)],
                             capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    m = {}
    for line in out.splitlines():
        mm = re.match(r"\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)", line)
        if mm:
            m[int(mm.group(1), 16) & 0xffffffff] = mm.group(3).replace("\t", " ").strip()
    return m


def check_layout(prog, side):
    """The generator computed every sequence's address: check the linker
    agrees (jump targets and link values depend on it)."""
    nm = prog.objdump.replace("objdump", "nm")
    try:
        out = subprocess.run([nm, str(prog.elf)], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot run {nm}: {e}"
    syms = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[2].startswith("body_"):
            syms[int(p[2][5:])] = int(p[0], 16) & 0xffffffff
    for seq, (addr, _) in side.items():
        if syms.get(seq) != addr:
            return f"sequence {seq}: linked at {syms.get(seq)!r}, generator assumed {addr:#x}"
    return None


# ---------------------------------------------------------------------------
# Per-program work

class Outcome:
    def __init__(self, prog):
        self.prog = prog
        self.passed = 0
        self.known = []       # (seq, rule id, report lines)
        self.failed = []      # (seq, reason, report lines)
        self.error = None     # whole-program problem (build failure, ...)
        self.times = {}


def emulator_problem(name, rc, timed_out, banner, end, count, stray, err):
    problems = []
    if timed_out:
        problems.append(f"{name} timed out (killed)")
    elif rc != 0:
        problems.append(f"{name} exited with status {rc}")
    if not banner:
        problems.append(f"{name} printed no banner")
    if end is None:
        problems.append(f"{name} did not reach the end of the program")
    elif end != count:
        problems.append(f"{name} ran {end} sequences, expected {count}")
    if stray:
        problems.append(f"{name} printed unexpected lines: {stray[:3]!r}")
    if problems and err:
        tail = err.decode("latin-1", "replace").strip().splitlines()[-5:]
        if tail:
            problems.append(f"{name} stderr: " + " | ".join(tail))
    return problems


def process(prog, args, gen, rules):
    o = Outcome(prog)
    t0 = time.monotonic()
    r = subprocess.run(prog.gen_cmd(gen), capture_output=True, text=True)
    if r.returncode != 0:
        o.error = f"generator failed: {r.stderr.strip()}"
        return o
    cmd = [prog.cc] + CFLAGS + ["-T", str(LINKER_SCRIPT), "-o", str(prog.elf), str(prog.src)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        o.error = f"build failed: {' '.join(cmd)}\n{r.stderr.strip()[:2000]}"
        return o
    side = parse_side(prog.side)
    bad = check_layout(prog, side)
    if bad:
        o.error = f"layout check failed: {bad}"
        return o
    o.times["build"] = time.monotonic() - t0

    seqs = range(prog.first, prog.first + prog.count)
    t0 = time.monotonic()
    qcmd = [prog.qemu] + machine_args(prog.elf) + QEMU_EXTRA_ARGS + args.qemu_args
    qrc, qout, qerr, qto = run_capture(qcmd, args.timeout)
    o.times["qemu"] = time.monotonic() - t0
    qbanner, qblocks, qend, qstray = parse_output(qout)
    qprob = emulator_problem("QEMU", qrc, qto, qbanner, qend, prog.count, qstray, qerr)
    if args.keep:
        (prog.base.with_suffix(".qemu.txt")).write_bytes(qout)

    if args.qemu_only:
        t0 = time.monotonic()
        qrc2, qout2, qerr2, qto2 = run_capture(qcmd, args.timeout)
        o.times["qemu-rerun"] = time.monotonic() - t0
        if args.keep:
            (prog.base.with_suffix(".qemu2.txt")).write_bytes(qout2)
        qbanner2, qblocks2, qend2, qstray2 = parse_output(qout2)
        qprob += emulator_problem("QEMU (second run)", qrc2, qto2, qbanner2, qend2, prog.count,
                                  qstray2, qerr2)
        for s in seqs:
            b = qblocks.get(s)
            if b is None or not block_complete(b):
                o.failed.append((s, "QEMU: sequence missing or incomplete", qprob))
            elif any(l.startswith("!") for l in b):
                o.failed.append((s, "QEMU: harness invariant broken (generator bug)",
                                 [l for l in b if l.startswith("!")]))
            elif qblocks2.get(s) != b:
                o.failed.append((s, "QEMU: two runs differ (non-deterministic sequence)",
                                 diff_sequence(b, qblocks2.get(s) or [], side.get(s, (0, []))[1])[1]))
            else:
                o.passed += 1
        end_problem(o, qprob)
        return o

    t0 = time.monotonic()
    mcmd = [args.mimic] + machine_args(prog.elf) + args.mimic_args
    mrc, mout, merr, mto = run_capture(mcmd, args.timeout)
    o.times["mimic"] = time.monotonic() - t0
    if args.keep:
        (prog.base.with_suffix(".mimic.txt")).write_bytes(mout)
    mbanner, mblocks, mend, mstray = parse_output(mout)
    mprob = emulator_problem("mimic", mrc, mto, mbanner, mend, prog.count, mstray, merr)

    dis = None
    for s in seqs:
        q = qblocks.get(s)
        m = mblocks.get(s)
        body, insns = side.get(s, (0, []))
        if q is None or not block_complete(q):
            o.failed.append((s, "QEMU: sequence missing or incomplete (reference broken?)", qprob))
            continue
        if any(l.startswith("!") for l in q):
            o.failed.append((s, "QEMU: harness invariant broken (generator bug)",
                             [l for l in q if l.startswith("!")]))
            continue
        if m == q:
            o.passed += 1
            continue
        if m is None:
            o.failed.append((s, "mimic: sequence missing", mprob))
            continue
        diff, report = diff_sequence(q, m, insns)
        if not block_complete(m):
            diff.add("incomplete")
            report.append("  mimic's dump is incomplete")
            report.extend("  " + p for p in mprob)
        names = {text.split()[0] for _, _, text in insns}
        rule = next((r for r in rules if r.matches(prog.variant, names, diff)), None)
        if dis is None:
            dis = objdump_map(prog)
        listing = ["  instructions (offset, word, generator, objdump):"]
        for off, word, text in insns:
            listing.append(f"    +{off:<4d} {word}  {text:<58s} | {dis.get(body + off, '?')}")
        if rule:
            o.known.append((s, rule.ident, report + listing))
        else:
            o.failed.append((s, "state differs", report + listing))
    end_problem(o, mprob)
    return o


def end_problem(o, problems):
    """A run that printed every sequence but did not end properly (no reset,
    non-zero exit, stray output) fails its last sequence."""
    if not problems:
        return
    last = o.prog.first + o.prog.count - 1
    if any(seq == last for seq, _, _ in o.failed):
        return
    if any(k[0] == last for k in o.known):
        o.known = [k for k in o.known if k[0] != last]
    else:
        o.passed -= 1
    o.failed.append((last, "program did not end properly: " + "; ".join(problems), []))


# ---------------------------------------------------------------------------

def find_generator(args, workdir):
    cands = []
    if args.gen:
        return Path(args.gen)
    if os.environ.get("DIFFTEST_GEN"):
        return Path(os.environ["DIFFTEST_GEN"])
    if args.mimic:
        cands.append(Path(args.mimic).resolve().parent / "tests" / "difftest" / "difftest-gen-mips")
    cands.append(REPO_ROOT / "build" / "tests" / "difftest" / "difftest-gen-mips")
    for c in cands:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    # Not built by meson (yet): compile it here.
    cxx = os.environ.get("CXX", "c++")
    out = workdir / "difftest-gen-mips"
    cmd = [cxx, "-std=c++20", "-O2", f"-I{REPO_ROOT}", str(HERE / "gen_mips.cpp"), "-o", str(out)]
    print(f"difftest: building the generator: {' '.join(cmd)}", flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"difftest: cannot build the generator:\n{r.stderr}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mimic", help="the mimic binary (not needed with --qemu-only)")
    ap.add_argument("--sequences", type=int, default=20000, help="total sequences (default 20000)")
    ap.add_argument("--per-file", type=int, default=500, help="sequences per program (default 500)")
    ap.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="programs run in parallel (default 2)")
    ap.add_argument("--qemu-only", action="store_true",
                    help="run QEMU only (twice): check completion and determinism")
    ap.add_argument("--keep", metavar="DIR", help="keep programs, ELFs and outputs in DIR")
    ap.add_argument("--gen", help="difftest-gen-mips binary (default: from the build tree, else compiled)")
    ap.add_argument("--variants", default=",".join(VARIANTS),
                    help="comma-separated subset of " + ",".join(VARIANTS))
    ap.add_argument("--timeout", type=float, default=0,
                    help="seconds per emulator run (default: 30 + 0.1 per sequence)")
    ap.add_argument("--max-report", type=int, default=20,
                    help="detailed reports printed for at most this many sequences (default 20)")
    ap.add_argument("--known", default=str(KNOWN_FILE), help="known divergences file")
    ap.add_argument("--qemu-arg", dest="qemu_args", action="append", default=[],
                    help="extra QEMU argument (repeatable)")
    ap.add_argument("--mimic-arg", dest="mimic_args", action="append", default=[],
                    help="extra mimic argument (repeatable)")
    args = ap.parse_args()

    if not args.qemu_only and not args.mimic:
        ap.error("--mimic PATH is required unless --qemu-only is given")
    if args.mimic and not args.qemu_only:
        args.mimic = str(Path(args.mimic).resolve())
        if not os.access(args.mimic, os.X_OK):
            ap.error(f"--mimic {args.mimic} is not an executable")
    variants = [v for v in args.variants.split(",") if v]
    for v in variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v}")
    if args.sequences < 1 or args.per_file < 1:
        ap.error("--sequences and --per-file must be positive")
    if not args.timeout:
        args.timeout = 30 + 0.1 * args.per_file
    needed = set()
    for v in variants:
        cc, objdump, qemu = TOOLS[v.split("-")[0]]
        needed |= {cc, objdump, objdump.replace("objdump", "nm"), qemu}
    missing = [t for t in sorted(needed) if not shutil.which(t)]
    if missing:
        sys.exit(f"difftest: missing tools: {' '.join(missing)}")
    rules = load_rules(Path(args.known))

    if args.keep:
        workdir = Path(args.keep).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="difftest-")
        workdir = Path(tmp.name)

    gen = find_generator(args, workdir)
    nfiles = (args.sequences + args.per_file - 1) // args.per_file
    progs = []
    for i in range(nfiles):
        first = i * args.per_file
        count = min(args.per_file, args.sequences - first)
        progs.append(Program(i, variants[i % len(variants)], args.seed * 100003 + i, first, count, workdir))

    print(f"difftest: {args.sequences} sequences in {nfiles} programs ({', '.join(variants)}), "
          f"seed {args.seed}, {args.jobs} jobs, generator {gen}" +
          (", QEMU only" if args.qemu_only else ""), flush=True)
    start = time.monotonic()
    lock = threading.Lock()
    passed = failed = known = 0
    reported = known_reported = 0
    totals = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(process, p, args, gen, rules) for p in progs]
        for fut in concurrent.futures.as_completed(futs):
            o = fut.result()
            with lock:
                for k, v in o.times.items():
                    totals[k] = totals.get(k, 0) + v
                if o.error and not o.passed and not o.failed and not o.known:
                    print(f"ERROR {o.prog.describe()}: {o.error}", flush=True)
                    failed += o.prog.count
                    continue
                if o.error:
                    print(f"WARNING {o.prog.describe()}: {o.error}", flush=True)
                passed += o.passed + len(o.known)
                known += len(o.known)
                failed += len(o.failed)
                for seq, ident, report in sorted(o.known):
                    if known_reported < 3:
                        print(f"KNOWN seq {seq} [{ident}] in {o.prog.describe()}")
                        print("\n".join(report))
                        known_reported += 1
                    else:
                        print(f"KNOWN seq {seq} [{ident}]")
                for seq, reason, report in sorted(o.failed, key=lambda x: x[0]):
                    if reported < args.max_report:
                        print(f"FAIL seq {seq}: {reason}, in {o.prog.describe()}")
                        print("\n".join(report))
                        reported += 1
                    else:
                        print(f"FAIL seq {seq}: {reason}")
                sys.stdout.flush()
    elapsed = time.monotonic() - start
    print(f"difftest: {elapsed:.1f}s wall; cumulative " +
          ", ".join(f"{k} {v:.1f}s" for k, v in sorted(totals.items())))
    if known:
        print(f"difftest: {known} sequences with known divergences (counted as passed, see {args.known})")
    if failed and not args.keep:
        print("difftest: rerun with --keep DIR to keep the programs and outputs")
    print(f"difftest: {passed} passed, {failed} failed")
    if tmp:
        tmp.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
