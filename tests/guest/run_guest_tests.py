#!/usr/bin/env python3
"""Bare-metal guest test runner for mimic.

Builds every guest program in tests/guest/mips/ (each *.c / *.S file is one
program, linked with the runtime in tests/guest/mips/runtime/) for both
endians, runs each ELF on QEMU (the reference) and on mimic with the same
command line, and compares their console output byte for byte.

    run_guest_tests.py --mimic PATH [--qemu-only] [--build-dir DIR]
                       [--filter REGEX] [-j N] [--timeout SECONDS]

Output: one line per test, "PASS name-el" or "FAIL name-be: reason" (a
unified diff of the first lines follows an output mismatch), then exactly
"guest: N passed, M failed".  Exit status 1 if anything failed.

With --qemu-only, mimic is not run; every program must still run to its
final "DONE" line on QEMU (checks the programs themselves).

A program may request extra compiler flags with a line such as
    /* guest-cflags: -mhard-float */
within its first 30 lines (the default float ABI is -msoft-float).

Only the Python standard library is used.
"""

import argparse
import concurrent.futures
import difflib
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC_DIR = HERE / "mips"
RUNTIME_DIR = SRC_DIR / "runtime"
REPO_ROOT = HERE.parent.parent
DEFAULT_BUILD_DIR = REPO_ROOT / "build" / "guest-tests"

ENDIANS = {
    # suffix: (compiler, QEMU binary)
    "el": (os.environ.get("MIPSEL_GCC", "mipsel-linux-gnu-gcc"),
           os.environ.get("QEMU_MIPSEL", "qemu-system-mipsel")),
    "be": (os.environ.get("MIPS_GCC", "mips-linux-gnu-gcc"),
           os.environ.get("QEMU_MIPS", "qemu-system-mips")),
}

BASE_CFLAGS = [
    "-march=24kf", "-mabi=32", "-mno-abicalls", "-fno-pic", "-G0",
    "-ffreestanding", "-nostdlib", "-O2", "-static", "-no-pie",
    "-Wall", "-Wextra", "-Wl,--build-id=none",
    # Debian's binutils insert a "sync" before every ll by default (a
    # Loongson 3 erratum workaround); we want exactly the instructions written.
    "-Wa,-mno-fix-loongson3-llsc",
]



def machine_args(elf):
    """The command line both emulators get (after the binary name)."""
    return ["-M", "malta", "-kernel", str(elf), "-nographic", "-no-reboot"]


# Both emulators get exactly the same arguments. (QEMU needs the option ROMs
# of Malta's default NIC and VGA, from Debian's ipxe-qemu and seabios, which
# scripts/install-deps.sh installs.)
QEMU_EXTRA_ARGS = []

DONE_LINE = b"DONE\n"
DIFF_LINES = 40


def runtime_sources():
    return [RUNTIME_DIR / "crt0.S"] + sorted(RUNTIME_DIR.glob("*.c"))


def runtime_headers():
    return sorted(RUNTIME_DIR.glob("*.h")) + [RUNTIME_DIR / "link.ld"]


def discover_programs():
    progs = []
    for p in sorted(SRC_DIR.iterdir()):
        if p.is_file() and p.suffix in (".c", ".S"):
            progs.append(p)
    return progs


def program_cflags(src):
    flags = []
    with open(src, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            if i >= 30:
                break
            m = re.search(r"guest-cflags:\s*(.*?)\s*(\*/)?\s*$", line)
            if m:
                flags += shlex.split(m.group(1))
    if "-mhard-float" not in flags:
        flags.append("-msoft-float")
    return flags


class Test:
    def __init__(self, src, endian):
        self.src = src
        self.endian = endian
        self.name = f"{src.stem}-{endian}"
        self.cc, self.qemu = ENDIANS[endian]


def build(test, build_dir):
    """Builds test's ELF if its inputs changed.  Returns (elf, error)."""
    elf = build_dir / f"{test.name}.elf"
    stamp = build_dir / f"{test.name}.stamp"
    sources = [test.src] + runtime_sources()
    cmd = [test.cc] + BASE_CFLAGS + program_cflags(test.src) + [
        "-I", str(RUNTIME_DIR), "-T", str(RUNTIME_DIR / "link.ld"),
        "-o", str(elf)] + [str(s) for s in sources]
    h = hashlib.sha256()
    h.update("\0".join(cmd).encode())
    for p in sources + runtime_headers():
        h.update(p.name.encode() + b"\0")
        h.update(p.read_bytes())
    key = h.hexdigest()
    if elf.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return elf, None
    if stamp.exists():
        stamp.unlink()
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        return None, f"cannot run {test.cc}: {e}"
    if r.returncode != 0:
        return None, r.stdout.decode(errors="replace")
    stamp.write_text(key + "\n")
    return elf, None


def run_emulator(cmd, timeout):
    """Runs cmd; returns (stdout bytes, exit status or None, note)."""
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as e:
        return b"", None, f"cannot run {cmd[0]}: {e}"
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return out, None, f"timed out after {timeout:g} s"
    note = ""
    if err.strip():
        note = err.decode(errors="replace").strip().splitlines()[-1]
    return out, proc.returncode, note


def has_done(out):
    return out == DONE_LINE or out.endswith(b"\n" + DONE_LINE)


def describe_exit(status, note):
    s = "killed" if status is None else f"exit status {status}"
    return f"{s} ({note})" if note else s


def output_diff(ref, got):
    a = ref.decode("latin-1").splitlines(keepends=True)
    b = got.decode("latin-1").splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, fromfile="qemu", tofile="mimic",
                                      n=2))
    text = []
    for line in lines[:DIFF_LINES]:
        line = line.rstrip("\n")
        text.append("    " + "".join(
            c if " " <= c <= "~" else f"\\x{ord(c):02x}" for c in line))
    if len(lines) > DIFF_LINES:
        text.append(f"    ... ({len(lines) - DIFF_LINES} more diff lines)")
    return "\n".join(text)


KNOWN_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mips", "KNOWN_DIVERGENCES.md")


def load_known_divergences():
    """Rules 'divergence | program | qemu line | mimic line | reason'."""
    rules = {}
    with open(KNOWN_FILE) as f:
        for line in f:
            if not line.startswith("divergence | "):
                continue
            _, prog, qline, mline, _reason = [p.strip() for p in line.split(" | ", 4)]
            rules.setdefault(prog, []).append((qline.encode(), mline.encode()))
    return rules


def apply_known(test, qout, rules):
    """QEMU's output with its known-wrong lines replaced by the architecture's.
    Returns (expected output, rules that matched nothing)."""
    prog = test.name.rsplit("-", 1)[0]
    lines = qout.split(b"\n")
    unused = []
    for qline, mline in rules.get(prog, []):
        hits = [i for i, l in enumerate(lines) if l == qline]
        if not hits:
            unused.append(qline.decode())
        for i in hits:
            lines[i] = mline
    return b"\n".join(lines), unused


def run_test(test, args, build_dir):
    """Returns (passed, report text)."""
    elf, err = build(test, build_dir)
    if elf is None:
        detail = "\n".join("    " + l for l in err.strip().splitlines()[:20])
        return False, f"FAIL {test.name}: build failed\n{detail}"

    qcmd = [test.qemu] + machine_args(elf) + QEMU_EXTRA_ARGS
    qout, qstatus, qnote = run_emulator(qcmd, args.timeout)
    if qstatus != 0 or not has_done(qout):
        why = "no DONE line" if qstatus == 0 else describe_exit(qstatus, qnote)
        tail = qout.decode("latin-1").splitlines()[-5:]
        detail = "\n".join("    | " + l for l in tail)
        return False, (f"FAIL {test.name}: reference QEMU run broken: {why}"
                       + (f"\n{detail}" if detail else ""))
    if args.qemu_only:
        return True, f"PASS {test.name}"

    qout, unused = apply_known(test, qout, args.known)
    mcmd = [args.mimic] + machine_args(elf) + args.mimic_arg
    mout, mstatus, mnote = run_emulator(mcmd, args.timeout)
    reasons = []
    if unused:
        reasons.append("known divergence no longer seen on QEMU: " + "; ".join(unused))
    if mstatus is None:
        reasons.append(mnote)
    elif mstatus != qstatus:
        reasons.append(f"mimic {describe_exit(mstatus, mnote)}, "
                       f"QEMU exit status {qstatus}")
    if mout != qout:
        reasons.append("output differs")
    if not has_done(mout):
        reasons.append("no DONE line")
    if not reasons:
        return True, f"PASS {test.name}"
    text = f"FAIL {test.name}: " + "; ".join(reasons)
    if mout != qout:
        text += "\n" + output_diff(qout, mout)
    return False, text


def main():
    ap = argparse.ArgumentParser(
        description="Run the bare-metal MIPS guest programs on QEMU and "
                    "mimic and compare their console output.")
    ap.add_argument("--mimic", metavar="PATH",
                    help="path of the mimic binary")
    ap.add_argument("--qemu-only", action="store_true",
                    help="only run QEMU and check every program reaches DONE")
    ap.add_argument("--build-dir", metavar="DIR", type=Path,
                    default=DEFAULT_BUILD_DIR,
                    help="where the ELF files go (default: %(default)s)")
    ap.add_argument("--filter", metavar="REGEX", default="",
                    help="only tests whose name (e.g. alu-el) matches REGEX")
    ap.add_argument("-j", "--jobs", metavar="N", type=int, default=1,
                    help="tests run in parallel (default: 1)")
    ap.add_argument("--timeout", metavar="SECONDS", type=float, default=20.0,
                    help="per emulator run, in seconds (default: 20)")
    ap.add_argument("--mimic-arg", action="append", default=[],
                    help="extra argument for mimic only (repeatable), e.g. --mimic-arg=-accel")
    args = ap.parse_args()
    args.known = load_known_divergences()

    if not args.qemu_only:
        if not args.mimic:
            ap.error("--mimic PATH is required unless --qemu-only is given")
        mimic = Path(args.mimic)
        if not mimic.is_file() and os.sep not in args.mimic:
            found = shutil.which(args.mimic)      # a bare name from PATH
            mimic = Path(found) if found else mimic
        if not mimic.is_file() or not os.access(mimic, os.X_OK):
            ap.error(f"mimic binary not found or not executable: {mimic}")
        args.mimic = str(mimic.resolve())
    try:
        flt = re.compile(args.filter)
    except re.error as e:
        ap.error(f"bad --filter: {e}")

    build_dir = args.build_dir.resolve()
    build_dir.mkdir(parents=True, exist_ok=True)

    tests = [Test(src, e) for src in discover_programs() for e in ENDIANS]
    tests = [t for t in tests if flt.search(t.name)]

    passed = failed = 0
    jobs = max(1, args.jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_test, t, args, build_dir) for t in tests]
        for fut in futures:
            ok, text = fut.result()
            print(text, flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
    print(f"guest: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
