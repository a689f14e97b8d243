#!/usr/bin/env python3
"""Repeated gzip or xz runs inside one booted Malta Linux, on mimic alone.

What: boots the guest of boot_bench.py (Debian's 4kc-malta kernel, the
busybox + xz initramfs) on mimic with the given arguments, makes
boot_bench's input files, runs the compression --runs times in the same
boot and prints each run's host time. Optionally:

  --perf FILE --perf-run K   `perf record -e cpu-clock` of the emulator
                             around run K only (add `-d perfmap` to the
                             mimic arguments to name generated code), for
                             `perf report -i FILE --sort sym`
  --log-lines REGEX          mimic's stderr lines written during each run
                             that match REGEX (e.g. with `-d hot`: which
                             regions were built, installed, dropped while
                             that run went on)

Then the emulator gets SIGTERM and the tail of its stderr is printed
(`-d stats` prints the JIT's statistics there).

Why: boot_bench.py times one compression per boot; the first run after a
boot also pays for compiling the hot tier's regions, and the later runs
show what the compiled code does (session 13: the first gzip on tier=auto
took 3.5 s against the baseline's 2.9 s, a warm one the same 2.9 s).

Usage: bench/linux_runs.py [--step gzip|xz] [--runs N] [--perf FILE
                           [--perf-run K]] [--log-lines REGEX]
                           -- MIMIC_ARGS...
e.g.   bench/linux_runs.py --runs 3 --log-lines 'installed|dropped' -- \\
           -accel tcg,tier=auto -d hot,stats
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "linux"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import guest_cache as gc  # noqa: E402
import boot_bench as bb  # noqa: E402


def stderr_since(con, offset):
    """The emulator's stderr written since `offset`, and the new offset."""
    con.err.flush()
    end = os.fstat(con.err.fileno()).st_size
    con.err.seek(offset)
    return con.err.read(end - offset).decode(errors="replace"), end


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    ap.add_argument("--step", choices=sorted(bb.COMPRESS), default="gzip")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--perf", metavar="FILE", help="perf record one run into FILE")
    ap.add_argument("--perf-run", type=int, default=None, help="which run (0-based; default the last)")
    ap.add_argument("--log-lines", metavar="REGEX", help="print mimic's stderr lines matching REGEX per run")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("mimic_args", nargs="*", help="after --: arguments for mimic")
    args = ap.parse_args()
    perf_run = args.runs - 1 if args.perf_run is None else args.perf_run
    lines = re.compile(args.log_lines) if args.log_lines else None

    kernel = gc.fetch_kernel()
    cmd = [args.mimic] + args.mimic_args + [
        "-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", gc.busybox_xz_initramfs(),
        "-append", "console=ttyS0", "-nographic", "-no-reboot"]
    command = bb.COMPRESS[args.step][0]
    with gc.GuestConsole(cmd) as con:
        con.expect(gc.SHELL_PROMPT, args.timeout)
        why = bb.make_input(con, args)
        if why:
            sys.exit("linux_runs: " + why)
        offset = 0
        _, offset = stderr_since(con, offset)
        for k in range(args.runs):
            perf = None
            if args.perf and k == perf_run:
                perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000",
                                         "-p", str(con.proc.pid), "-o", args.perf],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.5)   # perf attaches
            status, out, secs = con.run(command, args.timeout)
            if perf:
                perf.send_signal(signal.SIGINT)
                perf.wait(30)
            if status != 0:
                sys.exit("linux_runs: %s exit status %d: %r" % (args.step, status, out[-200:]))
            print("%s run %d: %.3f s%s" % (args.step, k, secs, " (perf)" if perf else ""), flush=True)
            text, offset = stderr_since(con, offset)
            if lines:
                for line in text.splitlines():
                    if lines.search(line):
                        print("    " + line[:300])
        os.kill(con.proc.pid, signal.SIGTERM)
        try:
            con.proc.wait(20)
        except subprocess.TimeoutExpired:
            pass
        text, _ = stderr_since(con, offset)
        tail = [line for line in text.splitlines() if line.startswith("mimic:")]
        print("\n".join(tail[-8:]))


if __name__ == "__main__":
    main()
