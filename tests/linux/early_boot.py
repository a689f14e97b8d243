#!/usr/bin/env python3
"""Boots Debian 12's 4kc-malta kernel on mimic and on QEMU and compares the
serial console byte for byte up to a marker line of the early boot (before
the kernel needs the Malta board's timers and interrupt controller, which
the full-system issue adds). Every line up to the marker carries the
timestamp 0.000000, so the text is deterministic.

The kernel comes from Debian's debian-installer-12-netboot-mipsel package,
downloaded once with apt-get into ~/.cache/mimic/debian (or $MIMIC_CACHE).

Usage: early_boot.py --mimic PATH [--marker TEXT] [--timeout S]
Ends with 'linux: N passed, M failed'.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The download, the SHA-256 pin and the console reader are shared with
# busybox_shell.py and bench/boot_bench.py.
from guest_cache import cache_dir, console_until, fetch_kernel  # noqa: E402,F401

DEFAULT_MARKER = "rcu: srcu_init:"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--marker", default=DEFAULT_MARKER)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--installer", action="store_true",
                    help="also boot the installer initrd to 'Select a language' on both, timing each")
    args = ap.parse_args()
    try:
        kernel = fetch_kernel()
    except Exception as e:  # noqa: BLE001 - one clear line for the log
        print("FAIL fetch: %s" % e)
        print("linux: 0 passed, 1 failed")
        return 1
    machine = ["-M", "malta", "-m", "256", "-kernel", kernel, "-append", "console=ttyS0", "-nographic", "-no-reboot"]
    qout, qok = console_until(["qemu-system-mipsel"] + machine, args.marker, args.timeout)
    mout, mok = console_until([args.mimic] + machine, args.marker, args.timeout)
    if not qok:
        print("FAIL QEMU did not reach '%s'" % args.marker)
        print("linux: 0 passed, 1 failed")
        return 1
    if not mok or mout != qout:
        print("FAIL early boot console differs from QEMU's%s" % ("" if mok else " (marker not reached)"))
        ql, ml = qout.decode("latin-1").splitlines(), mout.decode("latin-1").splitlines()
        for n, (a, b) in enumerate(zip(ql, ml)):
            if a != b:
                print("  line %d\n    qemu:  %s\n    mimic: %s" % (n + 1, a, b))
                break
        else:
            print("  qemu %d lines, mimic %d lines; last mimic line: %s" % (len(ql), len(ml), ml[-1] if ml else ""))
        print("linux: 0 passed, 1 failed")
        return 1
    print("PASS early boot: %d lines identical up to '%s'" % (qout.count(b"\n"), args.marker))
    if not args.installer:
        print("linux: 1 passed, 0 failed")
        return 0
    # The installer's first screen: past the early boot the consoles differ
    # in timestamps, so this checks the screen appears, and times both.
    initrd = os.path.join(os.path.dirname(kernel), "initrd.gz")
    inst = machine[:6] + ["-initrd", initrd] + machine[6:]
    times = {}
    for name, cmd in (("qemu", ["qemu-system-mipsel"] + inst), ("mimic", [args.mimic] + inst)):
        t0 = time.monotonic()
        _, ok = console_until(cmd, "Select a language", args.timeout, whole_line=False)
        times[name] = time.monotonic() - t0 if ok else None
    print("installer 'Select a language': qemu %s, mimic %s" % tuple(
        "%.1f s" % times[n] if times[n] is not None else "not reached" for n in ("qemu", "mimic")))
    if times["mimic"] is None:
        print("FAIL the installer's first screen did not appear on mimic")
        print("linux: 1 passed, 1 failed")
        return 1
    print("PASS installer reaches 'Select a language'")
    print("linux: 2 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
