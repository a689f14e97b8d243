#!/usr/bin/env python3
"""The GDB stub against the real client: Debian's gdb-multiarch, batch mode.

What, in four parts (each an emulator started with -S and a -gdb socket):

  bare metal  tests/gdb/target.c (built here with the guest runtime, for
              both byte orders):
              break on a label, stepi across a branch and its delay slot
              (pc lands on the target, the slot ran: $t0 = 42), set $t0,
              break on a function, read $a0, a variable and a string,
              write a variable, a read watchpoint (rwatch: "Value = 10"),
              a write watchpoint (Old value = 0, New value = 105), continue
              to the end: the program prints what the changes imply
              ("result 105 watched 105 t0 7") and mimic exits 0.
  raw RSP     the same program through a socket of our own: qSupported,
              the target description, 'g', 'p', 'm', 'M', Ctrl-C while the
              guest spins (stop reply T02 with the PC in main), the time
              standing still while stopped (the CP0 Count, read twice with
              'p' through the monitor... via memory: the spin counter does
              not move), Qqemu.PhyMemMode physical reads, detach.
  fuzz        random, truncated and malformed packets (fixed seeds), then
              '?' must still be answered.
  linux       Debian's 4kc-malta kernel: a breakpoint at start_kernel (its
              address read from /proc/kallsyms in a first boot: Debian's
              linux-image has only a placeholder System.map),
              then linux_banner read from memory ("Linux version 6.1...").
              The kernel is compressed, so the breakpoint is set before
              the code it names exists (it must apply once written).

Why: people debug kernels and firmware with gdb; only the real client
proves the stub speaks its protocol.

Usage: test_gdb.py --mimic PATH [--only bare,raw,fuzz,linux]
Ends with 'gdb: N passed, M failed'.
"""
import argparse
import glob
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUNTIME = os.path.join(REPO, "tests", "guest", "mips", "runtime")
sys.path.insert(0, os.path.join(REPO, "tests", "linux"))

CFLAGS = ["-march=24kf", "-mabi=32", "-mno-abicalls", "-fno-pic", "-G0", "-ffreestanding", "-nostdlib", "-O2",
          "-g", "-static", "-no-pie", "-Wall", "-Wl,--build-id=none", "-Wa,-mno-fix-loongson3-llsc", "-msoft-float"]

results = []


def check(ok, what, detail=""):
    results.append(ok)
    print("%s %s%s" % ("PASS" if ok else "FAIL", what, "" if ok or not detail else "\n    " + detail.replace("\n", "\n    ")))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_target(tmp, big_endian=False):
    elf = os.path.join(tmp, "target-%s.elf" % ("be" if big_endian else "el"))
    cmd = (["mips-linux-gnu-gcc" if big_endian else "mipsel-linux-gnu-gcc"] + CFLAGS + ["-I", RUNTIME, "-T", os.path.join(RUNTIME, "link.ld"), "-o", elf,
            os.path.join(HERE, "target.c"), os.path.join(RUNTIME, "crt0.S")] + sorted(glob.glob(os.path.join(RUNTIME, "*.c"))))
    subprocess.run(cmd, check=True)
    return elf


class Emulator:
    """mimic with -S and a gdb socket; serial output to a file."""

    def __init__(self, mimic, args, tmp, port):
        self.out = os.path.join(tmp, "serial-%d.txt" % port)
        self.proc = subprocess.Popen([mimic, "-M", "malta", "-nographic", "-no-reboot", "-S", "-gdb", "tcp::%d" % port,
                                      "-serial", "file:" + self.out] + args,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:   # wait for the listener
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                # That connection attached and detached at once; fine.
                break
            except OSError:
                time.sleep(0.05)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def serial(self):
        try:
            return open(self.out, errors="replace").read()
        except OSError:
            return ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stderr.close()


def gdb(commands, timeout=60):
    cmd = ["gdb-multiarch", "-q", "-nx", "-batch"]
    for c in commands:
        cmd += ["-ex", c]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        return r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode(errors="replace") + "\n[gdb timed out]"


def symbol(elf, name):
    out = subprocess.run(["mips-linux-gnu-nm" if elf.endswith("-be.elf") else "mipsel-linux-gnu-nm", elf], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^([0-9a-f]+) \w %s$" % re.escape(name), out, re.M)
    return int(m.group(1), 16) & 0xffffffff   # nm sign-extends MIPS32 addresses


def part_bare(args, tmp, elf, tag="bare"):
    port = free_port()
    emu = Emulator(args.mimic, ["-kernel", elf], tmp, port)
    try:
        out = gdb(["file " + elf, "target remote :%d" % port,
                   "break step_here", "continue",
                   "stepi", "stepi",
                   'printf "STEP pc=%x t0=%d\\n", $pc, $t0',
                   "set $t0 = 7",
                   "delete", "break compute", "continue",
                   'printf "ARGS a0=%d scale=%d\\n", $a0, scale',
                   'printf "BANNER %s\\n", banner',
                   "set var scale = 10",
                   "delete", "rwatch scale", "continue",
                   "delete", "watch watched", "continue",
                   "delete", "continue"])
        step_target = symbol(elf, "step_target")
        m = re.search(r"STEP pc=([0-9a-f]+) t0=(-?\d+)", out)
        check("Breakpoint 1, stepper" in out or "Breakpoint 1, " in out, tag + ": breakpoint on a label", out[-1500:])
        check(m is not None and int(m.group(1), 16) == step_target and m.group(2) == "42",
              tag + ": stepi over a branch runs its delay slot and lands on the target (%#x, t0 = 42)" % step_target,
              m.group(0) if m else out[-1500:])
        check("ARGS a0=0 scale=3" in out, tag + ": breakpoint on a function; $a0 and a variable read", out[-1500:])
        check("BANNER mimic gdb target" in out, tag + ": a string read from memory", out[-1500:])
        check(re.search(r"read watchpoint \d+: scale\s+Value = 10", out) is not None,
              tag + ": read watchpoint sees the value gdb wrote", out[-1500:])
        check(re.search(r"watchpoint \d+: watched\s+Old value = 0\s+New value = 105", out) is not None,
              tag + ": write watchpoint reports old and new value", out[-1500:])
        check("exited normally" in out, tag + ": continue to the end", out[-800:])
        rc = emu.wait(15)
        serial = emu.serial()
        check(rc == 0 and "result 105 watched 105 t0 7" in serial,
              tag + ": the program's output shows the register and memory writes (exit %s)" % rc, serial[-400:])
    finally:
        emu.close()


class Rsp:
    """A minimal RSP client (acks on)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send_raw(self, data):
        self.s.sendall(data)

    def packet(self, body):
        data = body.encode("latin-1") if isinstance(body, str) else body
        self.s.sendall(b"$" + data + b"#%02x" % (sum(data) & 0xff))
        return self.reply()

    def reply(self, timeout=10):
        self.s.settimeout(timeout)
        while True:
            m = re.search(rb"\$([^#]*)#([0-9a-f]{2})", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                self.s.sendall(b"+")
                return m.group(1).decode("latin-1")
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def close(self):
        self.s.close()


def le32(hexstr):
    return int.from_bytes(bytes.fromhex(hexstr), "little")


def part_raw(args, tmp, elf):
    port = free_port()
    emu = Emulator(args.mimic, ["-kernel", elf], tmp, port)
    try:
        r = Rsp(port)
        sup = r.packet("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=mips")
        check("qXfer:features:read+" in sup and "PacketSize=" in sup, "raw: qSupported", sup)
        xml, off = "", 0
        while True:
            part = r.packet("qXfer:features:read:target.xml:%x,400" % off)
            xml += part[1:]
            off += len(part) - 1
            if part[:1] != "m":
                break
        check("org.gnu.gdb.mips.cpu" in xml and "org.gnu.gdb.mips.fpu" in xml and "<architecture>mips" in xml,
              "raw: target description (%d bytes)" % len(xml))
        check(r.packet("?").startswith("T05"), "raw: '?' after attach")
        regs = r.packet("g")
        check(len(regs) == 72 * 8 and le32(regs[37 * 8:38 * 8]) == 0xbfc00000, "raw: 'g' (72 registers, pc at reset)",
              regs[:80])
        check(le32(r.packet("p25")) == 0xbfc00000, "raw: 'p' of pc")
        spin = symbol(elf, "spin")
        counter = symbol(elf, "counter")
        check(r.packet("M%x,4:01000000" % spin) == "OK", "raw: 'M' writes memory")
        check(r.packet("m%x,4" % spin) == "01000000", "raw: 'm' reads it back")
        r.send_raw(b"$c#63")
        time.sleep(1.0)   # the guest runs its loop
        r.send_raw(b"\x03")
        stop = r.reply(10)
        check(stop.startswith("T02"), "raw: Ctrl-C stops a running guest (T02)", stop)
        pc = le32(r.packet("p25"))
        main, end = symbol(elf, "main"), symbol(elf, "install_vector")
        check(main <= pc < end, "raw: stopped in main's loop (pc %#x)" % pc)
        c1 = le32(r.packet("m%x,4" % counter))
        time.sleep(0.5)
        c2 = le32(r.packet("m%x,4" % counter))
        check(c1 == c2 and c1 > 0, "raw: nothing runs while stopped (counter %d, %d)" % (c1, c2))
        # Time stands still while stopped: Count (100 MHz) sampled by the
        # guest just before the stop and just after 0.1 s of running again
        # must not include the 1 s spent stopped.
        last_count = symbol(elf, "last_count")
        k1 = le32(r.packet("m%x,4" % last_count))
        time.sleep(1.0)
        r.send_raw(b"$c#63")
        time.sleep(0.1)
        r.send_raw(b"\x03")
        r.reply(10)
        k2 = le32(r.packet("m%x,4" % last_count))
        elapsed = ((k2 - k1) & 0xffffffff) / 100e6
        check(0 < elapsed < 0.6, "raw: time stood still while stopped (guest saw %.2f s across 1 s stopped + 0.1 s)"
              % elapsed)
        c1 = le32(r.packet("m%x,4" % counter))
        phys = counter & 0x1fffffff
        check(r.packet("Qqemu.PhyMemMode:1") == "OK" and le32(r.packet("m%x,4" % phys)) == c1,
              "raw: physical memory mode reads the same word at %#x" % phys)
        r.packet("Qqemu.PhyMemMode:0")
        check(r.packet("m0,4").startswith("E"), "raw: an unmapped virtual address is an error")
        check(r.packet("D") == "OK", "raw: detach")
        r.close()
        time.sleep(0.5)
        check(emu.proc.poll() is None, "raw: the guest runs on after detach")
        # A second debugger may attach and kill.
        r = Rsp(port)
        again = r.packet("?")
        check(again.startswith("T05"), "raw: a second connection attaches", again)
        r.send_raw(b"$k#6b")
        check(emu.wait(10) == 0, "raw: 'k' ends mimic with exit code 0")
    finally:
        emu.close()


def part_fuzz(args, tmp, elf):
    port = free_port()
    emu = Emulator(args.mimic, ["-kernel", elf], tmp, port)
    rng = random.Random(1234)
    cmds = "?gGpPmMXzZcsCSHTDkqQv"
    try:
        r = Rsp(port)
        r.packet("QStartNoAckMode")
        r.s.settimeout(0.2)
        for i in range(3000):
            kind = rng.randrange(4)
            if kind == 0:
                body = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
                r.send_raw(body)   # raw noise, maybe with '$' and '#'
            else:
                c = rng.choice(cmds)
                if c in "kDcsCS":
                    c = "m"   # keep the session attached and the guest stopped
                body = (c + "".join(rng.choice("0123456789abcdef,:;=xyz#$}*") for _ in range(rng.randrange(30)))).encode()
                if kind == 1:
                    body = body[: rng.randrange(len(body) + 1)]
                    r.send_raw(b"$" + body + b"#%02x" % (sum(body) & 0xff))
                elif kind == 2:
                    r.send_raw(b"$" + body + b"#zz")   # bad checksum
                else:
                    r.send_raw(b"$" + body)            # truncated: no end
            if i % 200 == 0:
                try:
                    while r.s.recv(65536):
                        pass
                except OSError:
                    pass
        r.send_raw(b"#00")   # end a truncated packet
        r.buf = b""
        r.s.settimeout(10)
        time.sleep(0.2)
        try:
            while True:
                r.s.settimeout(0.3)
                if not r.s.recv(65536):
                    break
        except OSError:
            pass
        r.s.settimeout(10)
        ans = r.packet("?")
        check(ans.startswith("T") or ans.startswith("S"), "fuzz: 3000 random/truncated/bad packets, then '?' answers",
              ans)
        check(emu.proc.poll() is None, "fuzz: mimic is still running")
    except (OSError, EOFError) as e:
        check(False, "fuzz: the stub survived", str(e))
    finally:
        emu.close()


def kernel_symbols(args, kernel, names):
    """Addresses from the booted kernel's /proc/kallsyms (Debian ships the
    real System.map only in the huge -dbg package): one busybox boot, with
    nokaslr as the debugged boot."""
    import guest_cache as gc
    cmd = [args.mimic, "-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", gc.busybox_initramfs(),
           "-append", "console=ttyS0 nokaslr", "-nographic", "-no-reboot"]
    with gc.GuestConsole(cmd) as con:
        con.expect(gc.SHELL_PROMPT, 120)
        _, out, _ = con.run("grep -E ' (%s)$' /proc/kallsyms" % "|".join(names), 30)
        con.send("poweroff -f\n")
        con.wait_exit(10)
    addr = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] in names:
            addr[f[2]] = int(f[0], 16)
    missing = [n for n in names if not addr.get(n)]
    if missing:
        raise RuntimeError("no address for %s in /proc/kallsyms: %r" % (missing, out[-300:]))
    return addr


def part_linux(args, tmp):
    import guest_cache as gc
    kernel = gc.fetch_kernel()
    addr = kernel_symbols(args, kernel, ["start_kernel", "_etext"])
    port = free_port()
    # nokaslr: the kernel relocates itself at random otherwise (RANDOMIZE_BASE).
    emu = Emulator(args.mimic, ["-kernel", kernel, "-append", "console=ttyS0 nokaslr"], tmp, port)
    try:
        out = gdb(["set architecture mips:isa32r2", "set endian little", "target remote :%d" % port,
                   "break *%#x" % addr["start_kernel"], "continue",
                   'printf "PC %x\\n", $pc',
                   # linux_banner is data (not in kallsyms): find it after the text.
                   'find /b1 %#x, +0x800000, %s' % (addr["_etext"], ", ".join("'%s'" % c for c in "Linux version ")), "x/s $_", "kill"], timeout=120)
        m = re.search(r"PC ([0-9a-f]+)", out)
        check(m is not None and int(m.group(1), 16) == addr["start_kernel"],
              "linux: breakpoint at start_kernel (%#x) after decompression" % addr["start_kernel"], out[-1200:])
        check(re.search(r'"Linux version 6\.1', out) is not None, "linux: linux_banner read from memory", out[-1200:])
    finally:
        emu.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mimic", default=os.path.join(REPO, "build", "mimic"))
    ap.add_argument("--only", default="bare,raw,fuzz,linux")
    args = ap.parse_args()
    parts = args.only.split(",")
    with tempfile.TemporaryDirectory(prefix="mimic-gdb-") as tmp:
        elf = build_target(tmp)
        if "bare" in parts:
            # The big-endian build too: registers and memory in the guest's byte order.
            try:
                part_bare(args, tmp, build_target(tmp, big_endian=True), "bare-be")
            except Exception as e:  # noqa: BLE001
                check(False, "bare-be: %s: %s" % (type(e).__name__, e))
        for name, fn in (("bare", part_bare), ("raw", part_raw), ("fuzz", part_fuzz)):
            if name in parts:
                try:
                    fn(args, tmp, elf)
                except Exception as e:  # noqa: BLE001 - one FAIL line, then the other parts
                    check(False, "%s: %s: %s" % (name, type(e).__name__, e))
        if "linux" in parts:
            try:
                part_linux(args, tmp)
            except Exception as e:  # noqa: BLE001
                check(False, "linux: %s: %s" % (type(e).__name__, e))
    print("gdb: %d passed, %d failed" % (sum(results), len(results) - sum(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
