#!/usr/bin/env python3
"""Acceptance test: Debian's MIPS Malta kernel boots a busybox initramfs to
a shell, on mimic and on QEMU (the oracle), and the shell works.

What: boots Debian 12's 4kc-malta kernel with an initramfs made of Debian's
busybox-static (built by guest_cache.busybox_initramfs(), cached by content
hash under ~/.cache/mimic) on

    EMU -M malta -m 256 -kernel VMLINUZ -initrd INITRAMFS
        -append "console=ttyS0" -nographic -no-reboot

waits for the shell prompt, then types commands on the serial console
(the emulator's stdin) one at a time, each framed as

    echo "__B""EGIN_n__"; COMMAND; echo "__E""ND_n__ $?"

so the markers in the output ("__BEGIN_n__", "__END_n__ STATUS") cannot
be confused with the echo of the typed line.  Steps:

  boot       "Run /init", then the prompt (SHELL_PROMPT in guest_cache.py)
  uname      uname -a mentions mips
  cpuinfo    a "cpu model : MIPS 24Kc/24Kf" line
  interrupts the MIPS timer's and ttyS0's interrupt counts are > 0
  lspci      the GT-64120 host bridge (11ab:4620) and PIIX4 functions
             8086:7110/7111/7113, read from /sys/bus/pci/devices (Debian's
             busybox-static has no lspci applet)
  gzip       `seq 1 500000` (3.2 MiB, sha256 checked against the host's),
             gzip -c | gunzip -c gives the same sha256
  sleep      `date +%s; sleep 2; date +%s`: 1.8-4 s of host time, the
             guest's clock advances 2 or 3 s
  disk-read  insmod ata_piix; /dev/sda (-drive file=IMG,format=raw,if=ide,
             a 16 MiB image made by the test) holds at 1 MiB the 1 MiB
             pattern the host wrote there (sha256 of a dd read)
  disk-write the guest writes `seq 1 100000` at 4 MiB with dd conv=fsync,
             syncs, drops its caches and reads it back
  net-dhcp   insmod mii, pcnet32; udhcpc on eth0 gets 10.0.2.15 from slirp
             (-nic user,model=pcnet,hostfwd=tcp:127.0.0.1:PORT-:8080)
  net-fetch  wget of a 1 MiB file from an HTTP server the test runs on the
             host's loopback, through slirp's gateway 10.0.2.2: sha256
  hostfwd    the guest starts busybox httpd on port 8080; the host fetches
             a page from it through the forwarded port
  poweroff   `poweroff -f` makes the emulator exit with status 0
  disk-file  after the emulator exited, the image file holds the guest's
             pattern at 4 MiB (guest writes reach the host file)

When both emulators ran, "same as QEMU" steps compare outputs that must be
identical: uname -a, the cpuinfo lines but BogoMIPS, /proc/interrupts with
the counts left out, the PCI lines of the host bridge and the PIIX4
(00:00.0, 00:0a.*), and the sha256 of the gzip output.  Allowed to differ:
BogoMIPS, interrupt counts, timings, PCI devices other than those
(QEMU's VGA), and the two known differences of tests/linux/KNOWN_DIVERGENCES.md
(the PIIX4's USB function 00:0a.2, which mimic does not model, and the
"userlocal" option in /proc/cpuinfo: mimic's 24Kf implements UserLocal).

Why: it is the acceptance test of "a real Linux userland runs on mimic":
timer and UART interrupts, the PCI bus, the power-off register, and a few
seconds of CPU-bound user code whose result is checked bit for bit.

Usage: busybox_shell.py [--mimic PATH] [--qemu | --no-qemu] [--qemu-binary PATH]
                        [--boot-timeout S] [--timeout S]
  default: both emulators (QEMU first); --qemu: QEMU only; --no-qemu: mimic only.
Every hang becomes a FAIL (hard timeouts; emulators are always killed).
Ends with 'linux busybox: N passed, M failed'; exit status 1 on any failure.
"""
import argparse
import contextlib
import hashlib
import http.server
import os
import random
import re
import socket
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest_cache as gc  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SEQ_N = 500000
LSPCI = ('for d in /sys/bus/pci/devices/*; do [ -e $d ] || { echo "no PCI devices in sysfs"; break; }; '
         'echo "${d##*/} $(cat $d/vendor):$(cat $d/device) $(cat $d/class)"; done')
GZIP = ("seq 1 %d > /tmp/d && sha256sum < /tmp/d && gzip -c /tmp/d > /tmp/d.gz && "
        "gunzip -c /tmp/d.gz | sha256sum && sha256sum < /tmp/d.gz && wc -c < /tmp/d.gz" % SEQ_N)
SLEEP = "date +%s; sleep 2; date +%s"
# The disk: a 16 MiB raw image; the host's pattern at 1 MiB, the guest's at 4 MiB.
DISK_SIZE = 16 << 20
HOST_PATTERN_AT = 1 << 20
HOST_PATTERN = random.Random(2).randbytes(1 << 20)
GUEST_PATTERN_AT = 4 << 20
GUEST_PATTERN = "".join("%d\n" % i for i in range(1, 100001)).encode()
WAIT_SDA = "for i in $(seq 100); do [ -b /dev/sda ] && break; sleep 0.1; done"
DISK_READ = ("insmod /lib/modules/ata_piix.ko && %s && dd if=/dev/sda bs=512 skip=%d count=%d 2>/dev/null | sha256sum"
             % (WAIT_SDA, HOST_PATTERN_AT // 512, len(HOST_PATTERN) // 512))
DISK_WRITE = ("seq 1 100000 > /tmp/p && dd if=/tmp/p of=/dev/sda bs=4096 seek=%d conv=fsync 2>/dev/null && sync && "
              "echo 3 > /proc/sys/vm/drop_caches && dd if=/dev/sda bs=4096 skip=%d 2>/dev/null | head -c %d | sha256sum"
              % (GUEST_PATTERN_AT // 4096, GUEST_PATTERN_AT // 4096, len(GUEST_PATTERN)))
NET_DHCP = ("insmod /lib/modules/mii.ko && insmod /lib/modules/pcnet32.ko && ip link set eth0 up && "
            "udhcpc -i eth0 -n -q -t 5 -s /etc/udhcpc.script >/dev/null 2>&1 && ip -4 addr show dev eth0 | grep inet")
# The file the host serves (1 MiB, fixed) and the page the guest serves.
BLOB = random.Random(3).randbytes(1 << 20)
HOSTFWD_PAGE = "mimic-hostfwd-page"
HTTPD = "mkdir -p /www && echo %s > /www/index.html && httpd -p 8080 -h /www && echo httpd started" % HOSTFWD_PAGE
REQUIRED_PCI = {"0x11ab:0x4620": "GT-64120 host bridge", "0x8086:0x7110": "PIIX4 ISA",
                "0x8086:0x7111": "PIIX4 IDE", "0x8086:0x7113": "PIIX4 power management"}


class Step:
    def __init__(self, ok, detail="", output="", seconds=None):
        self.ok, self.detail, self.output, self.seconds = ok, detail, output, seconds


# ---- checks: each takes the command's output, returns (ok, detail) ----

def check_uname(out):
    ok = out.startswith("Linux ") and re.search(r"\bmips\b", out) is not None
    return ok, out.strip() if ok else "expected 'Linux ... mips'"


def check_cpuinfo(out):
    m = re.search(r"^cpu model\s*:\s*(.*)$", out, re.M)
    if not m:
        return False, "no 'cpu model' line"
    return re.match(r"MIPS 24K[cf]\b", m.group(1)) is not None, "cpu model: " + m.group(1)


def irq_counts(out):
    """{name: count} of /proc/interrupts; name is the rest of the line."""
    res = {}
    for line in out.splitlines()[1:]:
        f = line.split()
        if len(f) >= 2 and f[1].isdigit():
            res[" ".join([f[0]] + f[2:])] = int(f[1])
    return res


def check_interrupts(out):
    c = irq_counts(out)
    timer = {k: v for k, v in c.items() if k.endswith(" timer")}
    tty = {k: v for k, v in c.items() if k.endswith(" ttyS0")}
    ok = any(v > 0 for v in timer.values()) and any(v > 0 for v in tty.values())
    return ok, "timer lines %s, ttyS0 lines %s" % (timer or "missing", tty or "missing")


def pci_lines(out):
    return [line for line in out.splitlines() if re.match(r"[0-9a-f]{4}:[0-9a-f]{2}:", line)]


def check_lspci(out):
    ids = {line.split()[1] for line in pci_lines(out) if len(line.split()) > 1}
    missing = ["%s (%s)" % (i, n) for i, n in REQUIRED_PCI.items() if i not in ids]
    return not missing, ("missing " + ", ".join(missing)) if missing else "%d devices" % len(ids)


def expected_seq_sha():
    return hashlib.sha256("".join("%d\n" % i for i in range(1, SEQ_N + 1)).encode()).hexdigest()


def check_gzip(out):
    hashes = re.findall(r"^([0-9a-f]{64})\s+-$", out, re.M)
    if len(hashes) != 3:
        return False, "expected 3 sha256 lines"
    want = expected_seq_sha()
    if hashes[0] != want:
        return False, "seq output sha256 %s, the host's is %s" % (hashes[0], want)
    if hashes[1] != hashes[0]:
        return False, "gunzip gave sha256 %s, not the original's %s" % (hashes[1], hashes[0])
    return True, "round trip ok, .gz sha256 %s" % hashes[2][:16]


def check_sleep(out, seconds):
    nums = [int(x) for x in re.findall(r"^(\d+)$", out, re.M)]
    if len(nums) != 2:
        return False, "expected two 'date +%s' lines"
    d = nums[1] - nums[0]
    ok = 1.8 <= seconds <= 4.0 and d in (2, 3)
    return ok, "host %.2f s (want 1.8-4.0), guest date advanced %d s (want 2 or 3)" % (seconds, d)


def sha_lines(out):
    return re.findall(r"^([0-9a-f]{64})\s+-$", out, re.M)


def check_sha(want, what):
    def check(out):
        got = sha_lines(out)
        if got != [want]:
            return False, "%s sha256 %s, want %s" % (what, got[0][:16] if got else "missing", want[:16])
        return True, "%s sha256 %s matches" % (what, want[:16])
    return check


def check_dhcp(out):
    ok = re.search(r"inet 10\.0\.2\.15/24\b", out) is not None
    return ok, out.strip() if ok else "no 'inet 10.0.2.15/24' on eth0"


def check_httpd(out):
    return "httpd started" in out, "busybox httpd on :8080"


COMMANDS = [  # step, command, check, timeout factor
    ("uname", "uname -a", check_uname, 1),
    ("cpuinfo", "cat /proc/cpuinfo", check_cpuinfo, 1),
    ("interrupts", "cat /proc/interrupts", check_interrupts, 1),
    ("lspci", LSPCI, check_lspci, 1),
    ("gzip", GZIP, check_gzip, 5),
    ("sleep", SLEEP, None, 1),
    ("disk-read", DISK_READ, check_sha(hashlib.sha256(HOST_PATTERN).hexdigest(), "host pattern"), 1),
    ("disk-write", DISK_WRITE, check_sha(hashlib.sha256(GUEST_PATTERN).hexdigest(), "read-back"), 1),
    ("net-dhcp", NET_DHCP, check_dhcp, 1),
    ("net-fetch", None, check_sha(hashlib.sha256(BLOB).hexdigest(), "fetched file"), 1),
    ("hostfwd", HTTPD, check_httpd, 1),
]
STEP_NAMES = ["boot"] + [c[0] for c in COMMANDS] + ["poweroff", "disk-file"]


class Fixture:
    """What one emulator run needs from the host: a fresh disk image, an
    HTTP server on the loopback (the file the guest fetches) and a free
    port for hostfwd."""

    def __init__(self, tmp):
        self.image = os.path.join(tmp, "disk.img")
        with open(self.image, "wb") as f:
            f.truncate(DISK_SIZE)
            f.seek(HOST_PATTERN_AT)
            f.write(HOST_PATTERN)
        root = os.path.join(tmp, "www")
        os.makedirs(root)
        with open(os.path.join(root, "blob"), "wb") as f:
            f.write(BLOB)

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=root, **kw)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        self.http_port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        with socket.socket() as so:
            so.bind(("127.0.0.1", 0))
            self.fwd_port = so.getsockname()[1]

    def args(self):
        return ["-drive", "file=%s,format=raw,if=ide" % self.image,
                "-nic", "user,model=pcnet,hostfwd=tcp:127.0.0.1:%d-:8080" % self.fwd_port]

    def fetch_command(self):
        return "wget -q -O - http://10.0.2.2:%d/blob | sha256sum" % self.http_port

    def fetch_forwarded(self, timeout):
        """The guest's page through the forwarded port (several tries: the
        guest's httpd may need a moment)."""
        deadline = time.monotonic() + timeout
        err = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/index.html" % self.fwd_port, timeout=5) as r:
                    return r.read().decode("latin-1").strip(), None
            except OSError as e:
                err = e
                time.sleep(0.5)
        return None, "no answer on 127.0.0.1:%d: %s" % (self.fwd_port, err)

    def check_image(self):
        with open(self.image, "rb") as f:
            f.seek(GUEST_PATTERN_AT)
            got = f.read(len(GUEST_PATTERN))
        if got == GUEST_PATTERN:
            return True, "the image holds the guest's %d-byte pattern at %d" % (len(got), GUEST_PATTERN_AT)
        return False, "the image at %d differs from the guest's pattern (first bytes %r)" % (GUEST_PATTERN_AT, got[:16])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def run_guest(cmd, args):
    """Boots one emulator with a fresh fixture; returns {step: Step}."""
    with tempfile.TemporaryDirectory(prefix="mimic-bb-") as tmp:
        fx = Fixture(tmp)
        try:
            res = run_steps(cmd + fx.args(), fx, args)
        finally:
            fx.close()
        if res.get("poweroff") and res["poweroff"].ok:
            res["disk-file"] = Step(*fx.check_image())
        else:
            res.setdefault("disk-file", Step(False, "not run: the emulator did not power off"))
        return res


def run_steps(cmd, fx, args):
    """Boots one emulator and runs every step; returns {step: Step}."""
    res = {}
    with gc.GuestConsole(cmd) as con:
        def fail_rest(why):
            for s in STEP_NAMES:
                res.setdefault(s, Step(False, "not run: " + why))
            return res

        try:
            _, t_init = con.expect("Run /init", args.boot_timeout)
            con.expect(gc.INIT_READY, 60)
            _, t_prompt = con.expect(gc.SHELL_PROMPT, 60)
            res["boot"] = Step(True, "'Run /init' at %.1f s, prompt at %.1f s" % (t_init - con.t0, t_prompt - con.t0))
        except gc.ConsoleTimeout as e:
            res["boot"] = Step(False, str(e), con.tail(1500) + "\n[stderr] " + con.stderr_text())
            return fail_rest("boot failed")
        for name, command, check, factor in COMMANDS:
            if command is None:
                command = fx.fetch_command()
            try:
                status, out, secs = con.run(command, args.timeout * factor)
            except gc.ConsoleTimeout as e:
                res[name] = Step(False, str(e), con.tail(1500) + "\n[stderr] " + con.stderr_text())
                # Try to get the shell back (Ctrl-C); give up on this guest if not.
                con.send("\x03")
                try:
                    con.expect(gc.SHELL_PROMPT, 15)
                    continue
                except gc.ConsoleTimeout:
                    return fail_rest("the console stopped answering")
            if name == "sleep":
                ok, detail = check_sleep(out, secs)
            else:
                ok, detail = check(out)
            if status != 0:
                ok, detail = False, "exit status %d; %s" % (status, detail)
            if name == "hostfwd" and ok:
                page, why = fx.fetch_forwarded(20)
                ok = page == HOSTFWD_PAGE
                detail = "host got %r through 127.0.0.1:%d" % (page, fx.fwd_port) if page is not None else why
            res[name] = Step(ok, detail, out, secs)
            if con.kmsg:
                print("  note: kernel messages during %s: %s" % (name, con.kmsg))
                con.kmsg = []
        con.send("poweroff -f\n")
        t0 = time.monotonic()
        rc = con.wait_exit(args.poweroff_timeout)
        if rc is None:
            res["poweroff"] = Step(False, "still running %.0f s after 'poweroff -f'" % args.poweroff_timeout,
                                   con.tail(800))
        else:
            res["poweroff"] = Step(rc == 0, "exit status %d after %.1f s" % (rc, time.monotonic() - t0),
                                   con.tail(300))
    return res


# ---- QEMU vs mimic: outputs that must be identical ----

def interrupts_cmp(out):
    return sorted(irq_counts(out))


def cpuinfo_cmp(out):
    # KNOWN_DIVERGENCES.md: mimic's 24Kf has UserLocal (QEMU 7.2's does not).
    return [re.sub(r" userlocal\b", "", line) for line in out.splitlines() if not line.startswith("BogoMIPS")]


def lspci_cmp(out):
    # KNOWN_DIVERGENCES.md: the PIIX4's USB function (00:0a.2) is not modelled.
    return [line for line in pci_lines(out) if re.match(r"0000:00:(00\.0|0a\.[013]) ", line)]


def gzip_cmp(out):
    return re.findall(r"^([0-9a-f]{64})\s+-$", out, re.M)[2:] + re.findall(r"^(\d+)$", out, re.M)


SAME = [("uname", lambda out: out.splitlines()), ("cpuinfo", cpuinfo_cmp),
        ("interrupts", interrupts_cmp), ("lspci", lspci_cmp), ("gzip", gzip_cmp),
        ("disk-read", sha_lines), ("disk-write", sha_lines), ("net-dhcp", lambda out: out.split()[:2]),
        ("net-fetch", sha_lines)]


def indent(text, prefix="      "):
    return "\n".join(prefix + line for line in text.splitlines()) if text else prefix + "(no output)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mimic", default=os.path.join(REPO, "build", "mimic"))
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--qemu", action="store_true", help="run QEMU only")
    g.add_argument("--no-qemu", action="store_true", help="run mimic only")
    ap.add_argument("--qemu-binary", default="qemu-system-mipsel")
    ap.add_argument("--boot-timeout", type=float, default=300, help="seconds to the shell prompt")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per command (gzip: 5x)")
    ap.add_argument("--poweroff-timeout", type=float, default=30)
    args = ap.parse_args()
    gc.exit_on_sigterm()

    try:
        kernel = gc.fetch_kernel()
        initrd = gc.busybox_initramfs(kernel)
    except Exception as e:  # noqa: BLE001 - one clear line for the log
        print("FAIL fetch: %s" % e)
        print("linux busybox: 0 passed, 1 failed")
        return 1
    machine = ["-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", initrd,
               "-append", "console=ttyS0", "-nographic", "-no-reboot"]
    emus = []
    if not args.no_qemu:
        emus.append(("qemu", args.qemu_binary))
    if not args.qemu:
        emus.append(("mimic", args.mimic))
    print("initramfs: %s" % initrd)
    results = {}
    for name, binary in emus:
        print("== %s: %s %s" % (name, binary, " ".join(machine)), flush=True)
        try:
            results[name] = run_guest([binary] + machine, args)
        except OSError as e:
            results[name] = {s: Step(False, "cannot start %s: %s" % (binary, e)) for s in STEP_NAMES}

    passed = failed = 0
    for step in STEP_NAMES:
        for name, _ in emus:
            r = results[name][step]
            passed += r.ok
            failed += not r.ok
            extra = " (%.2f s)" % r.seconds if r.seconds is not None else ""
            print("%s %-5s %-10s %s%s" % ("PASS" if r.ok else "FAIL", name, step, r.detail, extra))
            if not r.ok:
                print("    %s output:\n%s" % (name, indent(r.output)))
                other = "qemu" if name == "mimic" else None
                if other in results and results[other][step].output:
                    print("    qemu output:\n%s" % indent(results[other][step].output))
    if len(results) == 2:
        q, m = results["qemu"], results["mimic"]
        for step, key in SAME:
            if not (q[step].output and m[step].output):
                print("FAIL same  %-10s cannot compare: %s did not produce it"
                      % (step, "QEMU" if not q[step].output else "mimic"))
                failed += 1
                continue
            a, b = key(q[step].output), key(m[step].output)
            if a == b:
                print("PASS same  %-10s mimic's output matches QEMU's" % step)
                passed += 1
            else:
                failed += 1
                print("FAIL same  %-10s mimic's output differs from QEMU's" % step)
                print("    qemu:\n%s\n    mimic:\n%s" % (indent("\n".join(map(str, a))), indent("\n".join(map(str, b)))))
        print("note: allowed to differ: BogoMIPS, interrupt counts, timings, PCI devices other than "
              "00:00.0 and 00:0a.[013] (QEMU's VGA), 'userlocal' (tests/linux/KNOWN_DIVERGENCES.md)")
    print("linux busybox: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
