#!/usr/bin/env python3
"""Boot benchmark: Debian's MIPS Malta Linux on mimic vs QEMU, side by side.

What: in one run, boots the same guests on mimic and on qemu-system-mipsel
with the same command line

    EMU -M malta -m 256 -kernel VMLINUZ -initrd INITRD
        -append "console=ttyS0" -nographic -no-reboot

(VMLINUZ: Debian 12's 4kc-malta kernel; INITRD: the busybox initramfs of
tests/linux/busybox_shell.py, or the Debian installer's initrd.gz), --runs
times each, alternating which emulator goes first, and reports medians and
the ratio QEMU/mimic (> 1: mimic is faster) of

  init       process start to the console line "Run /init as init process"
  shell      process start to the busybox shell prompt ("mimic-bb# ")
  installer  process start to the installer's "Select a language" screen
  gzip       `time gzip -9 -c /tmp/b > /tmp/b.gz` in the booted busybox
             guest, /tmp/b being the first 16 MiB of 8 copies of
             /bin/busybox (the pinned busybox-static: MIPS code and data,
             compresses about 2:1; made beforehand, not timed; `seq` would
             take a minute to print 16 MiB); host time from typing the
             line to the end marker.  The size and sha256 of the .gz are
             compared between emulators (MISMATCH in the notes otherwise).
  idle       the booted busybox guest left at its shell prompt for 10 s:
             the emulator's CPU time over that interval (as a share of
             one host core in the notes; the issue's budget is 5%).

Why: boot time is what a user of an emulated Linux notices first; the
gzip step adds a CPU-bound user-mode workload measured in the same guest.

Usage: bench/boot_bench.py [--mimic PATH] [--qemu PATH] [--runs N]
                           [--only init,shell,installer,gzip] [--timeout S]
                           [--markdown FILE]
Besides host wall-clock time, the table gives the emulator's CPU time
(user + system, all threads, read from /proc/PID/stat) over the same
interval, the steadier number when the host is shared.
Progress goes to stderr, the report (machine line, Markdown table, notes)
to stdout.  A step that cannot complete on an emulator is "n/a" with the
reason; the benchmark itself does not fail.  Guest files come from
tests/linux/guest_cache.py (cached under ~/.cache/mimic).
Python 3.11 standard library only.
"""
import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "linux"))
import guest_cache as gc  # noqa: E402

STEPS = ["init", "shell", "installer", "gzip", "idle"]
IDLE_SECONDS = 10.0
TITLES = {"init": "kernel start to `Run /init`", "shell": "kernel start to busybox shell prompt",
          "installer": "kernel start to installer `Select a language`",
          "gzip": "`gzip -9` of 16 MiB in the guest",
          "idle": "idle at the shell prompt, %.0f s (CPU time used)" % IDLE_SECONDS}
GEN = "for i in 1 2 3 4 5 6 7 8; do cat /bin/busybox; done | head -c 16777216 > /tmp/b; wc -c < /tmp/b"
GZIP = "time gzip -9 -c /tmp/b > /tmp/b.gz"
CHECK = "wc -c < /tmp/b.gz; sha256sum < /tmp/b.gz"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Results:
    def __init__(self):
        self.times = {}    # (emu, step) -> [seconds]
        self.cpu = {}      # (emu, step) -> [CPU seconds of the emulator]
        self.errors = {}   # (emu, step) -> [reason]
        self.outputs = {}  # emu -> set of gzip check outputs

    def add(self, emu, step, seconds, cpu):
        self.times.setdefault((emu, step), []).append(seconds)
        if cpu is not None:
            self.cpu.setdefault((emu, step), []).append(cpu)
        log("  %-5s %-9s %.2f s (CPU %s)" % (emu, step, seconds, "%.2f s" % cpu if cpu is not None else "?"))

    def fail(self, emu, step, reason):
        self.errors.setdefault((emu, step), []).append(reason)
        log("  %-5s %-9s n/a: %s" % (emu, step, reason))


def busybox_run(emu, cmd, steps, res, args):
    """One boot to the busybox shell; records init, shell and gzip."""
    with gc.GuestConsole(cmd) as con:
        done = set()
        try:
            _, t = con.expect("Run /init", args.timeout)
            done.add("init")
            if "init" in steps:
                res.add(emu, "init", t - con.t0, con.cpu_seconds())
            _, t = con.expect(gc.SHELL_PROMPT, args.timeout)
            done.add("shell")
            if "shell" in steps:
                res.add(emu, "shell", t - con.t0, con.cpu_seconds())
        except gc.ConsoleTimeout as e:
            for s in ("init", "shell", "gzip", "idle"):
                if s in steps and s not in done:
                    res.fail(emu, s, "boot: " + str(e))
            return
        if "idle" in steps:
            time.sleep(2)   # let the boot's last output settle
            cpu0 = con.cpu_seconds()
            time.sleep(IDLE_SECONDS)
            cpu1 = con.cpu_seconds()
            if cpu0 is None or cpu1 is None:
                res.fail(emu, "idle", "no CPU time from /proc")
            else:
                res.add(emu, "idle", IDLE_SECONDS, cpu1 - cpu0)
        if "gzip" not in steps:
            return
        try:
            status, out, _ = con.run(GEN, args.timeout)
            if status != 0 or out.strip() != "16777216":
                res.fail(emu, "gzip", "generating the input failed: %r" % out[-200:])
                return
            cpu0 = con.cpu_seconds()
            status, out, secs = con.run(GZIP, args.timeout)
            cpu1 = con.cpu_seconds()
            if status != 0:
                res.fail(emu, "gzip", "gzip exit status %d: %r" % (status, out[-200:]))
                return
            res.add(emu, "gzip", secs, cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None)
            _, out, _ = con.run(CHECK, 120)
            res.outputs.setdefault(emu, set()).add(" ".join(out.split()[:2]))
        except gc.ConsoleTimeout as e:
            res.fail(emu, "gzip", str(e))


def installer_run(emu, cmd, res, args):
    with gc.GuestConsole(cmd) as con:
        try:
            _, t = con.expect("Select a language", args.timeout)
            res.add(emu, "installer", t - con.t0, con.cpu_seconds())
        except gc.ConsoleTimeout as e:
            res.fail(emu, "installer", str(e))


def fmt(v):
    return "%.2f s" % v if v is not None else "n/a"


def machine_line(qemu, load_at_start):
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    qv = "QEMU: version unknown"
    try:
        p = subprocess.Popen([qemu, "--version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            qv = p.communicate(timeout=10)[0].split("\n")[0] or qv
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    except OSError:
        qv = "QEMU: not found"
    load = "%.2f %.2f %.2f" % os.getloadavg()
    return "Machine: %s, %d cores, load average %s at the start, %s at the end, %s, Python %s" % (
        cpu, os.cpu_count() or 0, load_at_start, load, qv, platform.python_version())


def ratio(med):
    return "%.2f" % (med["qemu"] / med["mimic"]) if med["qemu"] and med["mimic"] else "n/a"


def report(res, steps, args):
    lines = [machine_line(args.qemu, args.load_at_start),
             "mimic arguments: %s" % (" ".join(args.mimic_arg) or "(none: the baseline JIT)"), "",
             "| step | QEMU median | mimic median | QEMU/mimic | QEMU runs (s) | mimic runs (s) "
             "| QEMU CPU | mimic CPU | CPU QEMU/mimic |",
             "|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for s in steps:
        med, runs = {}, {}
        for emu in ("qemu", "mimic"):
            t = res.times.get((emu, s), [])
            med[emu] = statistics.median(t) if t else None
            runs[emu] = " ".join("%.2f" % x for x in t) or "-"
            errs = res.errors.get((emu, s), [])
            if errs:
                notes.append("%s, %s: %d of %d runs n/a: %s" % (s, emu, len(errs), args.runs, errs[0]))
        cpu = {e: statistics.median(res.cpu[(e, s)]) if res.cpu.get((e, s)) else None for e in ("qemu", "mimic")}
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            TITLES[s], fmt(med["qemu"]), fmt(med["mimic"]), ratio(med), runs["qemu"], runs["mimic"],
            fmt(cpu["qemu"]), fmt(cpu["mimic"]), ratio(cpu)))
    if "gzip" in steps:
        outs = set().union(*res.outputs.values()) if res.outputs else set()
        if len(outs) > 1:
            notes.append("gzip: MISMATCH, .gz size/sha256 differ: %s" % {k: sorted(v) for k, v in res.outputs.items()})
        elif outs:
            notes.append("gzip: .gz output (size sha256) identical on all runs: %s" % outs.pop()[:40])
    if "idle" in steps:
        share = {e: statistics.median(res.cpu[(e, "idle")]) / IDLE_SECONDS * 100 if res.cpu.get((e, "idle")) else None
                 for e in ("qemu", "mimic")}
        notes.append("idle: %s of one host core" % ", ".join(
            "%s %s" % (e, "%.1f%%" % v if v is not None else "n/a") for e, v in share.items()))
    lines.append("")
    lines.append("QEMU/mimic > 1 means mimic is faster. Times are host wall-clock seconds (time.monotonic); "
                 "CPU is the emulator process's user + system time over the same interval (all threads, "
                 "from /proc; steadier on a loaded host).")
    lines += ["- " + n for n in notes]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mimic", default=os.path.join(REPO, "build", "mimic"))
    ap.add_argument("--qemu", default="qemu-system-mipsel")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default=",".join(STEPS), help="comma-separated subset of " + ",".join(STEPS))
    ap.add_argument("--timeout", type=float, default=600, help="seconds per boot or per guest command")
    ap.add_argument("--markdown", help="also write the report to this file")
    ap.add_argument("--mimic-arg", action="append", default=[],
                    help="extra argument for mimic only (repeatable), e.g. --mimic-arg=-accel --mimic-arg=tcg,tier=auto")
    args = ap.parse_args()
    gc.exit_on_sigterm()
    steps = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in steps if s not in STEPS]
    if bad or not steps:
        ap.error("--only takes a comma-separated subset of %s" % ",".join(STEPS))
    steps = [s for s in STEPS if s in steps]

    kernel = gc.fetch_kernel()
    machine = ["-M", "malta", "-m", "256", "-kernel", kernel, "-append", "console=ttyS0", "-nographic", "-no-reboot"]
    busybox = installer = None
    if set(steps) & {"init", "shell", "gzip", "idle"}:
        busybox = machine[:6] + ["-initrd", gc.busybox_initramfs()] + machine[6:]
    if "installer" in steps:
        installer = machine[:6] + ["-initrd", gc.installer_initrd(kernel)] + machine[6:]
    emus = {"qemu": args.qemu, "mimic": args.mimic}
    res = Results()
    args.load_at_start = "%.2f %.2f %.2f" % os.getloadavg()
    for run in range(args.runs):
        order = ["qemu", "mimic"] if run % 2 == 0 else ["mimic", "qemu"]
        log("run %d of %d (%s first)" % (run + 1, args.runs, order[0]))
        for emu in order:
            for what, cmdline in (("busybox", busybox), ("installer", installer)):
                if cmdline is None:
                    continue
                t0 = time.monotonic()
                try:
                    extra = args.mimic_arg if emu == "mimic" else []
                    if what == "busybox":
                        busybox_run(emu, [emus[emu]] + extra + cmdline, steps, res, args)
                    else:
                        installer_run(emu, [emus[emu]] + extra + cmdline, res, args)
                except OSError as e:
                    for s in steps:
                        if (what == "installer") == (s == "installer"):
                            res.fail(emu, s, "cannot start %s: %s" % (emus[emu], e))
                log("  %-5s %s boot took %.1f s in all" % (emu, what, time.monotonic() - t0))
    text = report(res, steps, args)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
