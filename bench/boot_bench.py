#!/usr/bin/env python3
"""Boot benchmark: Debian's MIPS Malta Linux on mimic (one or more tiers) vs QEMU.

What: in one run, boots the same guests on qemu-system-mipsel and on mimic,
once per --tiers entry (mimic's code generator, as -accel tcg,tier=NAME),
with the same command line

    EMU -M malta -m 256 -kernel VMLINUZ -initrd INITRD
        -append "console=ttyS0" -nographic -no-reboot

(VMLINUZ: Debian 12's 4kc-malta kernel; INITRD: the busybox initramfs of
tests/linux/busybox_shell.py followed by a second archive with Debian 12's
xz-utils and its libraries (guest_cache.busybox_xz_initramfs(); every busybox
boot uses it, so the boot steps do not depend on --only), or the Debian
installer's initrd.gz), --runs times each, rotating which configuration
(QEMU or a tier) goes first, and reports per step the median of QEMU and of
each tier and the ratio QEMU/tier (> 1: mimic's tier is faster) of

  init       process start to the console line "Run /init as init process"
  shell      process start to the busybox shell prompt ("mimic-bb# ")
  boot_work  the same less the kernel's CPU-frequency calibration, which
             waits for two edges of the RTC's update-in-progress flag
             (from "NR_IRQS" to "CPU frequency" on the console): 1 to 2 s
             of wall time on any emulator, set by where in the host's
             second the wait begins, so the largest noise in `shell`
  installer  process start to the installer's "Select a language" screen
  gzip       `time gzip -9 -c /tmp/b > /tmp/b.gz` in the booted busybox
             guest, /tmp/b being the first 16 MiB of 8 copies of
             /bin/busybox (the pinned busybox-static: MIPS code and data,
             compresses about 2:1; made beforehand, not timed; `seq` would
             take a minute to print 16 MiB); host time from typing the
             line to the end marker.
  xz         `time xz -6 -T1 -c /tmp/bx > /tmp/b.xz` in the same guest
             after gzip, /tmp/bx being the first 1.5 MiB of /tmp/b (all
             of it distinct busybox bytes; made beforehand, not timed): on
             QEMU 7.2 the whole 16 MiB takes xz 2.5 minutes, 4 MiB 47 s,
             2 MiB 19-25 s, 1 MiB 8 s; 1.5 MiB keeps a run under ~20 s.
             -T1: single-threaded, so the output cannot depend on a thread
             count.  xz is Debian's xz-utils 5.4.1, dynamically linked
             (glibc's ld.so, libc and liblzma from the second archive).
  idle       the booted busybox guest left at its shell prompt for 10 s:
             the emulator's CPU time over that interval (as a share of
             one host core in the notes; the issue's budget is 5%).

For gzip and xz, the size and sha256 of the compressed file are compared
across all runs of all configurations (MISMATCH in the notes otherwise).

Why: boot time is what a user of an emulated Linux notices first; the
gzip and xz steps add CPU-bound user-mode workloads (xz: a dynamically
linked glibc program with a large working set) measured in the same guest.

Usage: bench/boot_bench.py [--mimic PATH] [--qemu PATH] [--runs N]
                           [--tiers baseline,auto,llvm,interp]
                           [--only init,shell,boot_work,installer,gzip,xz,idle]
                           [--timeout S] [--mimic-arg ARG ...]
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

STEPS = ["init", "shell", "boot_work", "installer", "gzip", "xz", "idle"]
BUSYBOX_STEPS = ["init", "shell", "boot_work", "gzip", "xz", "idle"]
# mimic's code generators (-accel tcg,tier=NAME).
TIERS = ["baseline", "auto", "llvm", "interp"]
DEFAULT_TIERS = "baseline"
QEMU = "qemu"   # the configuration key of QEMU; the tiers' keys are their names
IDLE_SECONDS = 10.0
XZ_INPUT_BYTES = 3 << 19   # 1.5 MiB: see the docstring
TITLES = {"init": "kernel start to `Run /init`", "shell": "kernel start to busybox shell prompt",
          "boot_work": "the same less the kernel's wait for RTC edges",
          "installer": "kernel start to installer `Select a language`",
          "gzip": "`gzip -9` of 16 MiB in the guest",
          "xz": "`xz -6` of %g MiB in the guest" % (XZ_INPUT_BYTES / (1 << 20)),
          "idle": "idle at the shell prompt, %.0f s (CPU time used)" % IDLE_SECONDS}
GEN = ("for i in 1 2 3 4 5 6 7 8; do cat /bin/busybox; done | head -c 16777216 > /tmp/b; "
       "head -c %d /tmp/b > /tmp/bx; wc -c < /tmp/b; wc -c < /tmp/bx" % XZ_INPUT_BYTES)
GEN_OUTPUT = ["16777216", str(XZ_INPUT_BYTES)]
# The timed compressions: step -> (command, the file it writes).  xz by its
# full path: busybox's applets (unxz, xzcat) must not stand in for it.
XZ = "/usr/bin/xz"
COMPRESS = {"gzip": ("time gzip -9 -c /tmp/b > /tmp/b.gz", "/tmp/b.gz"),
            "xz": ("time %s -6 -T1 -c /tmp/bx > /tmp/b.xz" % XZ, "/tmp/b.xz")}
CHECK = "wc -c < {0}; sha256sum < {0}"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def label(key):
    return key if key == QEMU else "mimic " + key


class Results:
    def __init__(self):
        self.times = {}    # (config, step) -> [seconds]
        self.cpu = {}      # (config, step) -> [CPU seconds of the emulator]
        self.thread = {}   # (config, step) -> [CPU seconds without mimic's compiler thread]
        self.errors = {}   # (config, step) -> [reason]
        self.outputs = {}  # step -> config -> set of "size sha256" of the compressed file
        self.versions = {}  # step -> the program's version line, as the guest printed it

    def add(self, key, step, seconds, cpu, thread=None):
        self.times.setdefault((key, step), []).append(seconds)
        if cpu is not None:
            self.cpu.setdefault((key, step), []).append(cpu)
        if thread is not None:
            self.thread.setdefault((key, step), []).append(thread)
        log("  %-14s %-9s %.2f s (CPU %s)" % (label(key), step, seconds, "%.2f s" % cpu if cpu is not None else "?"))

    def fail(self, key, step, reason):
        self.errors.setdefault((key, step), []).append(reason)
        log("  %-14s %-9s n/a: %s" % (label(key), step, reason))


def cpu_delta(cpu0, cpu1):
    return cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None


# ---- one busybox boot ----------------------------------------------------------

def boot_steps(con, key, steps, res, args):
    """Waits for `Run /init` and the shell prompt, recording init and shell.
    Returns False (the remaining steps marked n/a) when the boot failed."""
    done = set()
    try:
        # The kernel times its CPU against two edges of the RTC's
        # update-in-progress flag (estimate_frequencies, between these two
        # lines): 1 to 2 s of wall time on every emulator, set by where in
        # the host's second the wait begins. boot_work leaves it out.
        rtc = None
        if "boot_work" in steps:
            _, ta = con.expect("NR_IRQS", args.timeout)
            ca, wa = con.cpu_seconds(), con.cpu_seconds_without()
            _, tb = con.expect("CPU frequency", args.timeout)
            cb, wb = con.cpu_seconds(), con.cpu_seconds_without()
            rtc = (tb - ta, cb - ca if None not in (ca, cb) else None, wb - wa if None not in (wa, wb) else None)
        _, t = con.expect("Run /init", args.timeout)
        done.add("init")
        if "init" in steps:
            res.add(key, "init", t - con.t0, con.cpu_seconds(), con.cpu_seconds_without())
        _, t = con.expect(gc.SHELL_PROMPT, args.timeout)
        done.add("shell")
        cpu, thread = con.cpu_seconds(), con.cpu_seconds_without()
        if "shell" in steps:
            res.add(key, "shell", t - con.t0, cpu, thread)
        if rtc:
            done.add("boot_work")
            res.add(key, "boot_work", t - con.t0 - rtc[0], cpu - rtc[1] if None not in (cpu, rtc[1]) else None,
                    thread - rtc[2] if None not in (thread, rtc[2]) else None)
        return True
    except gc.ConsoleTimeout as e:
        for s in BUSYBOX_STEPS:
            if s in steps and s not in done:
                res.fail(key, s, "boot: " + str(e))
        return False


def idle_step(con, key, res):
    time.sleep(2)   # let the boot's last output settle
    cpu0 = con.cpu_seconds()
    time.sleep(IDLE_SECONDS)
    cpu1 = con.cpu_seconds()
    if cpu0 is None or cpu1 is None:
        res.fail(key, "idle", "no CPU time from /proc")
    else:
        res.add(key, "idle", IDLE_SECONDS, cpu1 - cpu0)


def make_input(con, args):
    """Writes /tmp/b and /tmp/bx (not timed); returns None or the reason it failed."""
    status, out, _ = con.run(GEN, args.timeout)
    if status != 0 or out.split() != GEN_OUTPUT:
        return "generating the input failed: %r" % out[-200:]
    return None


def xz_version(con, res):
    """Checks that the dynamically linked xz runs; returns None or why not."""
    status, out, _ = con.run(XZ + " --version", 60)
    if status != 0 or "XZ Utils" not in out:
        return "%s --version: exit status %d: %r" % (XZ, status, out[-200:])
    res.versions.setdefault("xz", out.splitlines()[0].strip())
    return None


def compress_step(con, key, step, res, args):
    """Times one compression of COMPRESS and records its output's size and
    sha256.  Raises ConsoleTimeout."""
    if step == "xz":
        why = xz_version(con, res)
        if why:
            res.fail(key, step, why)
            return
    command, output = COMPRESS[step]
    cpu0, thread0 = con.cpu_seconds(), con.cpu_seconds_without()
    status, out, secs = con.run(command, args.timeout)
    cpu1, thread1 = con.cpu_seconds(), con.cpu_seconds_without()
    if status != 0:
        res.fail(key, step, "%s exit status %d: %r" % (step, status, out[-200:]))
        return
    res.add(key, step, secs, cpu_delta(cpu0, cpu1), cpu_delta(thread0, thread1))
    _, out, _ = con.run(CHECK.format(output), 120)
    res.outputs.setdefault(step, {}).setdefault(key, set()).add(" ".join(out.split()[:2]))


def recover_prompt(con):
    """After a command timed out: Ctrl-C and wait for the prompt.  Returns
    whether the shell answers again."""
    con.send("\x03")
    try:
        con.expect(gc.SHELL_PROMPT, 15)
        return True
    except gc.ConsoleTimeout:
        return False


def compress_steps(con, key, steps, res, args):
    """Makes the input once, then runs gzip and/or xz (in COMPRESS's order)."""
    todo = [s for s in COMPRESS if s in steps]
    if not todo:
        return
    try:
        why = make_input(con, args)
    except gc.ConsoleTimeout as e:
        why = "generating the input: " + str(e)
    if why:
        for s in todo:
            res.fail(key, s, why)
        return
    for i, step in enumerate(todo):
        try:
            compress_step(con, key, step, res, args)
        except gc.ConsoleTimeout as e:
            res.fail(key, step, str(e))
            if not recover_prompt(con):
                for s in todo[i + 1:]:
                    res.fail(key, s, "the console stopped answering after %s timed out" % step)
                return


def busybox_run(key, cmd, steps, res, args):
    """One boot to the busybox shell; records init, shell, idle, gzip, xz."""
    with gc.GuestConsole(cmd) as con:
        if not boot_steps(con, key, steps, res, args):
            return
        if "idle" in steps:
            idle_step(con, key, res)
        compress_steps(con, key, steps, res, args)


def installer_run(key, cmd, res, args):
    with gc.GuestConsole(cmd) as con:
        try:
            _, t = con.expect("Select a language", args.timeout)
            res.add(key, "installer", t - con.t0, con.cpu_seconds())
        except gc.ConsoleTimeout as e:
            res.fail(key, "installer", str(e))


# ---- the report -----------------------------------------------------------------

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


def ratio(num, den):
    return "%.2f" % (num / den) if num and den else "n/a"


def median(values):
    return statistics.median(values) if values else None


def table_header(tiers):
    cols = ["step", "QEMU median"]
    for t in tiers:
        cols += ["%s median" % t, "QEMU/%s" % t]
    cols += ["QEMU runs (s)"] + ["%s runs (s)" % t for t in tiers]
    cols.append("QEMU CPU")
    for t in tiers:
        cols += ["%s CPU" % t, "CPU QEMU/%s" % t]
    cols += ["CPU QEMU/%s w/o compiler" % t for t in tiers]
    return ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]


def table_row(res, step, tiers):
    keys = [QEMU] + tiers
    med = {k: median(res.times.get((k, step), [])) for k in keys}
    cpu = {k: median(res.cpu.get((k, step), [])) for k in keys}
    cells = [TITLES[step], fmt(med[QEMU])]
    for t in tiers:
        cells += [fmt(med[t]), ratio(med[QEMU], med[t])]
    cells += [" ".join("%.2f" % x for x in res.times.get((k, step), [])) or "-" for k in keys]
    cells.append(fmt(cpu[QEMU]))
    for t in tiers:
        cells += [fmt(cpu[t]), ratio(cpu[QEMU], cpu[t])]
    thread = {k: median(res.thread.get((k, step), [])) for k in keys}
    cells += [ratio(thread[QEMU], thread[t]) for t in tiers]
    return "| " + " | ".join(cells) + " |"


def output_note(res, step):
    """Whether the compressed file was the same on every run (None: no output)."""
    outs = res.outputs.get(step, {})
    seen = set().union(*outs.values()) if outs else set()
    if len(seen) > 1:
        return "%s: MISMATCH, compressed size/sha256 differ: %s" % (
            step, {label(k): sorted(v) for k, v in outs.items()})
    if seen:
        return "%s: output (size sha256) identical on all runs of %s: %s" % (
            step, ", ".join(label(k) for k in outs), seen.pop()[:40])
    return None


def report(res, steps, args):
    tiers = args.tiers
    mimic = " ".join([args.mimic, "-accel", "tcg,tier=T"] + args.mimic_arg)
    lines = [machine_line(args.qemu, args.load_at_start),
             "mimic: %s; T = %s" % (mimic, ", ".join(tiers)), ""]
    lines += table_header(tiers)
    notes = []
    for s in steps:
        lines.append(table_row(res, s, tiers))
        for k in [QEMU] + tiers:
            errs = res.errors.get((k, s), [])
            if errs:
                notes.append("%s, %s: %d of %d runs n/a: %s" % (s, label(k), len(errs), args.runs, errs[0]))
    for s in COMPRESS:
        note = output_note(res, s) if s in steps else None
        if note:
            notes.append(note)
    if "xz" in steps:
        notes.append("xz: %s; input the first %g MiB of /tmp/b" % (
            res.versions.get("xz", "version unknown"), XZ_INPUT_BYTES / (1 << 20)))
    if "idle" in steps:
        share = {k: median(res.cpu.get((k, "idle"), [])) for k in [QEMU] + tiers}
        notes.append("idle: %s of one host core" % ", ".join(
            "%s %s" % (label(k), "%.1f%%" % (v / IDLE_SECONDS * 100) if v is not None else "n/a")
            for k, v in share.items()))
    lines.append("")
    lines.append("QEMU/T > 1 means mimic's tier T is faster. Times are host wall-clock seconds (time.monotonic); "
                 "CPU is the emulator process's user + system time over the same interval (all threads, "
                 "from /proc; steadier on a loaded host). w/o compiler: mimic's CPU less its LLVM compiler "
                 "thread's (\"mimic-llvm\"): the guest's own cost, which a second core would leave alone.")
    lines += ["- " + n for n in notes]
    return "\n".join(lines)


# ---- main -----------------------------------------------------------------------

def parse_list(text, valid, what, ap):
    """The names in `text` (comma-separated), repeats dropped, order kept."""
    items = list(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    bad = [s for s in items if s.split("+")[0] not in valid]
    if bad or not items:
        ap.error("%s takes a comma-separated subset of %s" % (what, ",".join(valid)))
    return items


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog="steps: " + "; ".join(
        "%s: %s" % (s, TITLES[s]) for s in STEPS) + ". Details: the docstring of this file.")
    ap.add_argument("--mimic", default=os.path.join(REPO, "build", "mimic"), help="mimic (default build/mimic)")
    ap.add_argument("--qemu", default="qemu-system-mipsel", help="QEMU (default qemu-system-mipsel)")
    ap.add_argument("--runs", type=int, default=3, help="boots per configuration and guest (default 3)")
    ap.add_argument("--tiers", default=DEFAULT_TIERS, metavar="LIST",
                    help="comma-separated mimic tiers, each run as -accel tcg,tier=NAME (%s; default %s); "
                    "NAME+PROP+... adds -accel properties, e.g. baseline+fastmem=off"
                    % (", ".join(TIERS), DEFAULT_TIERS))
    ap.add_argument("--only", default=",".join(STEPS), metavar="LIST",
                    help="comma-separated subset of %s (default: all)" % ",".join(STEPS))
    ap.add_argument("--timeout", type=float, default=600, help="seconds per boot or per guest command (default 600)")
    ap.add_argument("--markdown", metavar="FILE", help="also write the report to this file")
    ap.add_argument("--mimic-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for every mimic run (repeatable), e.g. --mimic-arg=-icount "
                    "--mimic-arg=shift=0")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.tiers = parse_list(args.tiers, TIERS, "--tiers", ap)
    only = parse_list(args.only, STEPS, "--only", ap)
    args.steps = [s for s in STEPS if s in only]
    if "-accel" in args.mimic_arg or "--accel" in args.mimic_arg:
        log("warning: --mimic-arg contains -accel; the tier comes from --tiers")
    return args


def emulator_cmd(key, args):
    """The emulator part of a configuration's command line."""
    if key == QEMU:
        return [args.qemu]
    return [args.mimic, "-accel", "tcg,tier=" + key.replace("+", ",")] + args.mimic_arg


def guests(steps):
    """[(what, machine arguments)] of the guests the steps need."""
    kernel = gc.fetch_kernel()
    machine = ["-M", "malta", "-m", "256", "-kernel", kernel, "-append", "console=ttyS0", "-nographic", "-no-reboot"]
    out = []
    if set(steps) & set(BUSYBOX_STEPS):
        out.append(("busybox", machine[:6] + ["-initrd", gc.busybox_xz_initramfs()] + machine[6:]))
    if "installer" in steps:
        out.append(("installer", machine[:6] + ["-initrd", gc.installer_initrd(kernel)] + machine[6:]))
    return out


def run_config(key, what, machine, res, args):
    cmd = emulator_cmd(key, args) + machine
    t0 = time.monotonic()
    try:
        if what == "busybox":
            busybox_run(key, cmd, args.steps, res, args)
        else:
            installer_run(key, cmd, res, args)
    except OSError as e:
        for s in args.steps:
            if (what == "installer") == (s == "installer"):
                res.fail(key, s, "cannot start %s: %s" % (cmd[0], e))
    log("  %-14s %s boot took %.1f s in all" % (label(key), what, time.monotonic() - t0))


def main():
    args = parse_args()
    gc.exit_on_sigterm()
    boots = guests(args.steps)
    keys = [QEMU] + args.tiers
    res = Results()
    args.load_at_start = "%.2f %.2f %.2f" % os.getloadavg()
    for run in range(args.runs):
        # Rotate who goes first, so no configuration always runs right after
        # the same other one has warmed (or heated) the machine.
        order = keys[run % len(keys):] + keys[:run % len(keys)]
        log("run %d of %d (%s first)" % (run + 1, args.runs, label(order[0])))
        for key in order:
            for what, machine in boots:
                run_config(key, what, machine, res, args)
    text = report(res, args.steps, args)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
