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
import glob
import hashlib
import os
import subprocess
import sys
import time

PACKAGE = "debian-installer-12-netboot-mipsel"
# The version this test was written against; a newer one from Debian is
# used (with a note) when this one has left the archive: QEMU is the oracle.
KNOWN_SHA256 = "6bb17f27b36cbc98e81c1e4df60028b4ffeb13881d02c73f7e55f9e4c6f45838"
KERNEL_GLOB = "usr/lib/debian-installer/images/12/mipsel/malta/vmlinuz-*-4kc-malta"
DEFAULT_MARKER = "rcu: srcu_init:"


def cache_dir():
    d = os.environ.get("MIMIC_CACHE") or os.path.expanduser("~/.cache/mimic")
    d = os.path.join(d, "debian")
    os.makedirs(d, exist_ok=True)
    return d


def fetch_kernel():
    d = cache_dir()
    debs = sorted(glob.glob(os.path.join(d, PACKAGE + "_*.deb")))
    if not debs:
        r = subprocess.run(["apt-get", "download", PACKAGE], cwd=d, capture_output=True, text=True)
        debs = sorted(glob.glob(os.path.join(d, PACKAGE + "_*.deb")))
        if not debs:
            raise RuntimeError("apt-get download %s failed: %s" % (PACKAGE, r.stderr.strip()[-300:]))
    deb = debs[-1]
    sha = hashlib.sha256(open(deb, "rb").read()).hexdigest()
    if sha != KNOWN_SHA256:
        print("note: %s has SHA-256 %s (test written for %s)" % (os.path.basename(deb), sha, KNOWN_SHA256))
    root = os.path.join(d, "netboot-" + sha[:12])
    if not glob.glob(os.path.join(root, KERNEL_GLOB)):
        subprocess.run(["dpkg", "-x", deb, root], check=True)
    return glob.glob(os.path.join(root, KERNEL_GLOB))[0]


def console_until(cmd, marker, timeout, whole_line=True):
    """Runs cmd, returns its output up to and including the marker (and the
    rest of its line when whole_line: a full-screen UI may never end one)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    out = b""
    deadline = time.monotonic() + timeout
    os.set_blocking(p.stdout.fileno(), False)
    try:
        while time.monotonic() < deadline:
            chunk = p.stdout.read()
            if chunk:
                out += chunk
                i = out.find(marker.encode())
                if i >= 0 and not whole_line:
                    return out[: i + len(marker)], True
                if i >= 0:
                    j = out.find(b"\n", i)
                    if j >= 0:
                        return out[: j + 1], True
            elif p.poll() is not None:
                break
            else:
                time.sleep(0.05)
        return out, False
    finally:
        try:
            os.killpg(p.pid, 9)
        except ProcessLookupError:
            pass
        p.wait()


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
