#!/usr/bin/env python3
"""-qmp and -monitor on the real emulator, with a guest that counts.

tests/monitor/counter.S (built here) writes a pattern at 0x80200010 and then
increments the word at 0x80200000 forever. The emulator starts with -S,
-nographic (serial to a file), a QMP socket and an HMP socket:

    -qmp unix:Q,server,nowait -monitor unix:H,server,nowait

Over QMP and HMP the test drives every command and watches the counter:
the greeting and negotiation; -S (status prelaunch, counter 0); cont
(RESUME, the counter moves); stop (STOP, status paused, the counter stands
still: time stops); memsave and pmemsave (the file holds the pattern and
the counter's value); human-monitor-command with info registers and x; HMP
stop/cont (events on QMP); system_reset (RESET, the guest restarts: the
counter starts again from 0 and the start count goes up); system_powerdown
(POWERDOWN); bad JSON, a non-object, an unknown command, missing, extra and
wrongly typed arguments (QEMU's errors, the connection stays); a second
client waits while one is connected; clients that disconnect mid-message
(the emulator keeps running and serves the next one); finally quit
(SHUTDOWN, exit code 0, socket files gone). Then bad -monitor/-qmp
arguments: each one line "mimic: error: ...", exit code 1.

With QEMU installed, the same x/xp commands run on qemu-system-mipsel with
the same guest, and the dumps must match byte for byte.

Every wait has a deadline and the emulator is always killed, so a broken
emulator fails the test rather than hanging it.

Usage: monitor_test.py --mimic PATH [--build-dir DIR] [--emulator-is-qemu]
Ends with 'monitor: N passed, M failed'; exit status 1 if anything failed.
(--emulator-is-qemu runs the test against QEMU itself: a check of the test.)
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTER = 0x80200000
STARTS = 0x80200004
PATTERN = 0x80200010
PATTERN_BYTES = b"MIMIC-MONITOR-OK"
TIMEOUT = 10  # seconds, for any single answer

results = []


class TestFailure(Exception):
    pass


def check(ok, what, detail=""):
    results.append(bool(ok))
    print("%s %s%s" % ("PASS" if ok else "FAIL", what, "" if ok or not detail else "\n    " + str(detail).replace("\n", "\n    ")),
          flush=True)
    return ok


def require(ok, what, detail=""):
    """A check the rest of the test depends on."""
    if not check(ok, what, detail):
        raise TestFailure(what)


def build_guest(build_dir):
    os.makedirs(build_dir, exist_ok=True)
    elf = os.path.join(build_dir, "counter.elf")
    cmd = [os.environ.get("MIPSEL_GCC", "mipsel-linux-gnu-gcc"), "-march=24kf", "-mabi=32", "-mno-abicalls", "-fno-pic",
           "-G0", "-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none", "-Wl,-Ttext=0x80100000", "-Wl,-e,_start",
           "-o", elf, os.path.join(HERE, "counter.S")]
    subprocess.run(cmd, check=True, timeout=60)
    return elf


class Emulator:
    """The emulator under test, its sockets in a short temporary directory
    (unix socket paths are limited to 107 bytes)."""

    def __init__(self, binary, elf, tmp, extra=()):
        self.tmp = tmp
        self.qmp_path = os.path.join(tmp, "qmp.sock")
        self.hmp_path = os.path.join(tmp, "hmp.sock")
        self.stderr_path = os.path.join(tmp, "stderr.txt")
        args = [binary, "-M", "malta", "-kernel", elf, "-nographic", "-serial", "file:" + os.path.join(tmp, "serial.txt"),
                "-qmp", "unix:%s,server,nowait" % self.qmp_path, "-monitor", "unix:%s,server,nowait" % self.hmp_path]
        args += list(extra)
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.stderr, stderr=self.stderr)

    def wait_for_sockets(self):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if os.path.exists(self.qmp_path) and os.path.exists(self.hmp_path):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def output(self):
        self.stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self.stderr.close()


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(path)
    return s


class Qmp:
    """A QMP client that keeps the events it reads while waiting for replies."""

    def __init__(self, path):
        self.sock = connect(path)
        self.buf = b""
        self.events = []
        self.next_id = 0

    def line(self, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TestFailure("QMP: no message within %.1f s" % timeout)
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise TestFailure("QMP: no message within %.1f s" % timeout)
            if not data:
                raise TestFailure("QMP: connection closed")
            self.buf += data
        raw, self.buf = self.buf.split(b"\n", 1)
        return json.loads(raw.decode())

    def greeting(self, timeout=TIMEOUT):
        return self.line(timeout)

    def send_raw(self, data):
        self.sock.sendall(data)

    def reply(self, want_id=None):
        """The next reply (return or error), keeping events aside."""
        while True:
            msg = self.line()
            if "event" in msg:
                self.events.append(msg)
                continue
            if want_id is None or msg.get("id") == want_id:
                return msg

    def execute(self, name, arguments=None):
        self.next_id += 1
        req = {"execute": name, "id": self.next_id}
        if arguments is not None:
            req["arguments"] = arguments
        self.send_raw(json.dumps(req).encode() + b"\n")
        return self.reply(self.next_id)

    def hmp(self, command_line):
        r = self.execute("human-monitor-command", {"command-line": command_line})
        if "return" not in r:
            raise TestFailure("human-monitor-command %r: %r" % (command_line, r))
        return r["return"]

    def wait_event(self, name, timeout=TIMEOUT):
        deadline = time.time() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            left = deadline - time.time()
            if left <= 0:
                return None
            try:
                msg = self.line(left)
            except TestFailure:
                return None
            if "event" in msg:
                self.events.append(msg)

    def close(self):
        self.sock.close()


class Hmp:
    def __init__(self, path):
        self.sock = connect(path)
        self.buf = b""

    def until_prompt(self):
        deadline = time.time() + TIMEOUT
        while b"(qemu) " not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TestFailure("HMP: no prompt within %d s; got %r" % (TIMEOUT, self.buf))
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise TestFailure("HMP: connection closed; got %r" % self.buf)
            self.buf += data
        out, self.buf = self.buf.split(b"(qemu) ", 1)
        return out.decode(errors="replace")

    def run(self, line):
        self.sock.sendall(line.encode() + b"\n")
        out = self.until_prompt()
        # QEMU's readline echoes the line with terminal escapes (mimic does
        # not echo): drop that, for --emulator-is-qemu.
        if "\x1b[K" in out:
            out = out[out.index("\r\n", out.rindex("\x1b[K")) + 2:]
        return out

    def close(self):
        self.sock.close()


def counter(q):
    """The counter's value, read through x (QMP's human-monitor-command)."""
    out = q.hmp("x /1xw 0x%x" % COUNTER)
    try:
        return int(out.split()[1], 16)
    except (IndexError, ValueError):
        raise TestFailure("x of the counter printed %r" % out)


def word_le(b):
    return struct.unpack("<I", b)[0]


def dumps_to_compare():
    """x/xp commands whose output depends only on the guest's image and
    pattern (the same on every emulator that ran the guest's first steps)."""
    return ["x /4xw 0x%x" % PATTERN, "x /16xb 0x%x" % PATTERN, "x /8xh 0x%x" % PATTERN, "x /2xg 0x%x" % PATTERN,
            "x /4dw 0x%x" % PATTERN, "x /4uw 0x%x" % PATTERN, "x /4ow 0x%x" % PATTERN, "x /16cb 0x%x" % PATTERN,
            "x /4cw 0x%x" % PATTERN, "x /5dh 0x%x" % PATTERN, "x /20xw 0x80100000", "x /3dg 0x80100000",
            "xp /4xw 0x%x" % (PATTERN & 0x1fffffff), "xp /20xb 0x100000", "x /2xw 0x80100000+4*3",
            "x /1xw 0x1000000 * 0x80"]


def run(binary, elf, is_qemu, qemu_dumps):
    tmp = tempfile.mkdtemp(prefix="mimic-mon-", dir="/tmp")
    emu = Emulator(binary, elf, tmp, extra=["-S"])
    try:
        require(emu.wait_for_sockets(), "the emulator listens on both sockets", emu.output())

        # ---- greeting and negotiation ----
        q = Qmp(emu.qmp_path)
        g = q.greeting()
        ver = g.get("QMP", {}).get("version", {})
        check(set(g.get("QMP", {})) >= {"version", "capabilities"} and set(ver.get("qemu", {})) == {"major", "minor", "micro"},
              "QMP greeting", g)
        if not is_qemu:
            check(ver.get("package", "").startswith("mimic ") and g["QMP"]["capabilities"] == [], "QMP greeting names mimic", g)
        r = q.execute("query-status")
        check(r.get("error") == {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"},
              "commands before qmp_capabilities are refused", r)
        r = q.execute("qmp_capabilities")
        require(r.get("return") == {}, "qmp_capabilities", r)

        h = Hmp(emu.hmp_path)
        banner = h.until_prompt()
        check("monitor - type 'help' for more information" in banner, "HMP banner and prompt", banner)

        # ---- -S: nothing runs yet ----
        r = q.execute("query-status")
        check(r.get("return", {}).get("running") is False and r["return"].get("status") in ("prelaunch", "paused"),
              "-S: query-status says not running", r)
        c0 = counter(q)
        time.sleep(0.2)
        check(c0 == 0 and counter(q) == 0, "-S: the counter has not started", c0)
        out = h.run("info status")
        check(out.startswith("VM status: paused"), "HMP info status while paused", out)

        # ---- cont ----
        r = q.execute("cont")
        check(r.get("return") == {}, "cont", r)
        ev = q.wait_event("RESUME")
        check(ev is not None and set(ev.get("timestamp", {})) == {"seconds", "microseconds"}, "RESUME event with a timestamp", ev)
        time.sleep(0.2)
        c1 = counter(q)
        time.sleep(0.2)
        c2 = counter(q)
        check(0 < c1 < c2, "the counter moves while running", (c1, c2))
        r = q.execute("query-status")
        check(r.get("return") == {"status": "running", "singlestep": False, "running": True}, "query-status while running", r)
        check(h.run("info status") == "VM status: running\r\n", "HMP info status while running")

        # ---- stop: time stands still ----
        r = q.execute("stop")
        check(r.get("return") == {}, "stop", r)
        check(q.wait_event("STOP") is not None, "STOP event")
        r = q.execute("query-status")
        check(r.get("return") == {"status": "paused", "singlestep": False, "running": False}, "query-status while paused", r)
        s1 = counter(q)
        time.sleep(0.3)
        s2 = counter(q)
        check(s1 == s2 and s1 >= c2, "the counter stands still while paused", (s1, s2))
        check(h.run("info status") == "VM status: paused\r\n", "HMP info status after stop")
        jit = h.run("info jit")
        m = re.search(r"baseline: (\d+) blocks translated", jit)
        check(m is not None and int(m.group(1)) > 0 and "block lookups" in jit, "HMP info jit counts translated blocks", jit)

        # ---- memory ----
        vfile, pfile, cfile = (os.path.join(tmp, n) for n in ("v.bin", "p.bin", "c.bin"))
        r = q.execute("memsave", {"val": PATTERN, "size": 16, "filename": vfile})
        check(r.get("return") == {} and open(vfile, "rb").read() == PATTERN_BYTES, "memsave (virtual) saves the pattern", r)
        r = q.execute("pmemsave", {"val": PATTERN & 0x1fffffff, "size": 16, "filename": pfile})
        check(r.get("return") == {} and open(pfile, "rb").read() == PATTERN_BYTES, "pmemsave (physical) saves the pattern", r)
        r = q.execute("memsave", {"val": COUNTER, "size": 4, "filename": cfile})
        check(r.get("return") == {} and word_le(open(cfile, "rb").read()) == s1, "memsave of the counter matches x", r)
        # mimic takes a bare absolute path after the size (QEMU would read
        # "16 /tmp" as a division and needs quotes).
        path = os.path.join(tmp, "h.bin")
        out = h.run("memsave 0x%x 16 %s" % (PATTERN, '"%s"' % path if is_qemu else path))
        check(out == "" and open(os.path.join(tmp, "h.bin"), "rb").read() == PATTERN_BYTES, "HMP memsave", out)
        out = h.run("pmemsave 0x%x 16 \"%s\"" % (PATTERN & 0x1fffffff, os.path.join(tmp, "hp.bin")))
        check(out == "" and open(os.path.join(tmp, "hp.bin"), "rb").read() == PATTERN_BYTES, "HMP pmemsave", out)
        expect = "%08x: 0x%08x 0x%08x\r\n" % (PATTERN, word_le(PATTERN_BYTES[:4]), word_le(PATTERN_BYTES[4:8]))
        out = q.hmp("x /2xw 0x%x" % PATTERN)
        check(out == expect, "human-monitor-command x /2xw", "%r, expected %r" % (out, expect))
        out = q.hmp("xp /4xb 0x%x" % (PATTERN & 0x1fffffff))
        check(out == "%016x: 0x4d 0x49 0x4d 0x49\r\n" % (PATTERN & 0x1fffffff), "human-monitor-command xp /4xb", out)
        out = h.run("x /16cb 0x%x" % PATTERN)
        check(out == "%08x: 'M' 'I' 'M' 'I' 'C' '-' 'M' 'O'\r\n%08x: 'N' 'I' 'T' 'O' 'R' '-' 'O' 'K'\r\n" % (PATTERN, PATTERN + 8),
              "HMP x /16cb", out)
        out = q.hmp("info registers")
        check(len(out) > 40 and "unknown command" not in out, "human-monitor-command info registers", out)
        for line in dumps_to_compare():
            qemu_out = qemu_dumps.get(line)
            if qemu_out is not None:
                out = q.hmp(line)
                check(out == qemu_out, "%s prints what QEMU prints" % line, "got:\n%s\nQEMU:\n%s" % (out, qemu_out))

        # ---- HMP stop/cont reach QMP as events ----
        h.run("cont")
        check(q.wait_event("RESUME") is not None, "HMP cont: RESUME on QMP")
        h.run("stop")
        check(q.wait_event("STOP") is not None, "HMP stop: STOP on QMP")
        h.run("c")
        check(q.wait_event("RESUME") is not None, "HMP c: RESUME on QMP")

        # ---- system_reset: the guest starts again ----
        time.sleep(0.3)
        before = counter(q)
        starts_before = int(q.hmp("x /1xw 0x%x" % STARTS).split()[1], 16)
        r = q.execute("system_reset")
        check(r.get("return") == {}, "system_reset", r)
        ev = q.wait_event("RESET")
        check(ev is not None and ev.get("data") == {"guest": False, "reason": "host-qmp-system-reset"}, "RESET event", ev)
        deadline = time.time() + TIMEOUT
        starts_after = starts_before
        while starts_after == starts_before and time.time() < deadline:
            starts_after = int(q.hmp("x /1xw 0x%x" % STARTS).split()[1], 16)
        after = counter(q)
        check(starts_after == starts_before + 1 and after < before, "after the reset the guest starts again",
              "starts %d -> %d, counter %d -> %d" % (starts_before, starts_after, before, after))
        r = q.execute("query-status")
        check(r.get("return", {}).get("running") is True, "still running after the reset", r)

        # ---- system_powerdown (Malta has no power button: the event only) ----
        r = q.execute("system_powerdown")
        check(r.get("return") == {} and q.wait_event("POWERDOWN") is not None, "system_powerdown and POWERDOWN", r)

        # ---- errors, each leaving the connection usable ----
        q.send_raw(b'{"execute" "query-status"}\n')
        r = q.reply()
        check(r.get("error", {}).get("class") == "GenericError", "bad JSON: GenericError", r)
        q.send_raw(b'[1, 2]\n')
        r = q.reply()
        check(r.get("error") == {"class": "GenericError", "desc": "QMP input must be a JSON object"}, "a non-object", r)
        r = q.execute("foo")
        check(r.get("error") == {"class": "CommandNotFound", "desc": "The command foo has not been found"}, "unknown command", r)
        r = q.execute("memsave", {"val": "0x80200000", "size": 4, "filename": vfile})
        check(r.get("error") == {"class": "GenericError", "desc": "Invalid parameter type for 'val', expected: integer"},
              "wrong argument type", r)
        r = q.execute("memsave", {"val": COUNTER, "size": 4})
        check(r.get("error") == {"class": "GenericError", "desc": "Parameter 'filename' is missing"}, "missing argument", r)
        r = q.execute("query-status", {"verbose": True})
        check(r.get("error") == {"class": "GenericError", "desc": "Parameter 'verbose' is unexpected"}, "extra argument", r)
        r = q.execute("memsave", {"val": 0x7ffffff0, "size": 16, "filename": vfile})
        check(r.get("error", {}).get("desc") == "Invalid addr 0x000000007ffffff0/size 16 specified", "memsave of unmapped memory", r)
        # A broken request, the QMP spec's control character, then a good one.
        q.send_raw(b'{"execute": "query-st\x01')
        r = q.reply()
        check(r.get("error", {}).get("class") == "GenericError", "a control character resets the parser", r)
        r = q.execute("query-status")
        check(r.get("return", {}).get("running") is True, "QMP still answers after the errors", r)
        out = h.run("foo")
        check(out == "unknown command: 'foo'\r\n", "HMP unknown command", out)
        out = h.run("x /4xw 1/0")
        check(out == 'division by zero\r\nTry "help x" for more information\r\n', "HMP bad argument", out)

        # ---- one client at a time; clients that leave mid-message ----
        q2 = Qmp(emu.qmp_path)
        try:
            q2.greeting(timeout=0.5)
            check(False, "a second QMP client waits while the first is connected")
        except TestFailure:
            check(True, "a second QMP client waits while the first is connected")
        q.send_raw(b'{"execute": "query-status", "argu')
        q.close()
        g = q2.greeting()
        check("QMP" in g, "the waiting client is served once the first left mid-message", g)
        check(q2.execute("qmp_capabilities").get("return") == {}, "the new client negotiates")
        r = q2.execute("query-status")
        check(r.get("return", {}).get("running") is True, "the emulator kept running", r)
        h.sock.sendall(b"info sta")
        h.close()
        h = Hmp(emu.hmp_path)
        check("monitor" in h.until_prompt(), "HMP: a new client after one left mid-line")
        check(h.run("info status") == "VM status: running\r\n", "HMP: the new client is served")
        h.close()
        q = q2

        # ---- quit ----
        r = q.execute("quit")
        check(r.get("return") == {}, "quit", r)
        ev = q.wait_event("SHUTDOWN")
        check(ev is not None and ev.get("data") == {"guest": False, "reason": "host-qmp-quit"}, "SHUTDOWN event", ev)
        try:
            code = emu.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            code = None
        check(code == 0, "the emulator exits with code 0", "exit code %r; output:\n%s" % (code, emu.output()))
        if not is_qemu:
            check(not os.path.exists(emu.qmp_path) and not os.path.exists(emu.hmp_path), "socket files removed at exit")
    except (TestFailure, OSError, ValueError, KeyError) as e:
        check(False, "the test ran to its end", "%s: %s\nemulator output:\n%s" % (type(e).__name__, e, emu.output()))
    finally:
        emu.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def bad_command_lines(binary, elf):
    """Bad -monitor/-qmp arguments: one 'mimic: error:' line on stderr, exit
    code 1, before the guest runs, and no socket file left behind."""
    tmp = tempfile.mkdtemp(prefix="mimic-monb-", dir="/tmp")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    busy_port = busy.getsockname()[1]
    left = os.path.join(tmp, "left.sock")
    cases = [
        ("a bad port", ["-qmp", "tcp::99999,server,nowait"]),
        ("an unwritable socket path", ["-qmp", "unix:/nonexistent-dir/q.sock,server,nowait"]),
        ("an address in use", ["-monitor", "tcp:127.0.0.1:%d,server,nowait" % busy_port]),
        ("client mode", ["-qmp", "unix:%s" % os.path.join(tmp, "c.sock")]),
        ("an unknown backend", ["-monitor", "pty"]),
        ("an unknown option", ["-qmp", "unix:%s,server,nowait,telnet" % os.path.join(tmp, "o.sock")]),
        ("-monitor stdio with -nographic", ["-monitor", "stdio", "-nographic"]),
        ("-qmp stdio with -serial stdio", ["-qmp", "stdio", "-serial", "stdio"]),
        ("stdio twice", ["-qmp", "stdio", "-monitor", "stdio", "-serial", "null"]),
        ("a good socket before a bad one", ["-qmp", "unix:%s,server,nowait" % left, "-monitor", "tcp::http,server"]),
    ]
    try:
        for what, extra in cases:
            try:
                if "-serial" not in extra and "-nographic" not in extra:
                    extra = extra + ["-serial", "null"]
                r = subprocess.run([binary, "-M", "malta", "-kernel", elf, "-display", "none"] + extra,
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
                err = r.stderr.decode(errors="replace")
                ok = (r.returncode == 1 and r.stdout == b"" and err.count("\n") == 1
                      and err.startswith("mimic: error: ") and not os.path.exists(left))
                check(ok, "bad input: %s" % what, "exit %d, stderr %r" % (r.returncode, err))
            except subprocess.TimeoutExpired:
                check(False, "bad input: %s" % what, "no exit within %d s" % TIMEOUT)
    finally:
        busy.close()
        shutil.rmtree(tmp, ignore_errors=True)


def qemu_reference_dumps(elf):
    """The outputs of dumps_to_compare() on QEMU with the same guest, or {}
    without QEMU."""
    qemu = shutil.which(os.environ.get("QEMU_MIPSEL", "qemu-system-mipsel"))
    if not qemu:
        print("(no qemu-system-mipsel: dumps are not compared with QEMU)")
        return {}
    tmp = tempfile.mkdtemp(prefix="mimic-monq-", dir="/tmp")
    emu = Emulator(qemu, elf, tmp)
    out = {}
    try:
        if not emu.wait_for_sockets():
            print("(QEMU did not start: %s)" % emu.output())
            return {}
        q = Qmp(emu.qmp_path)
        q.greeting()
        q.execute("qmp_capabilities")
        # Let the guest write its pattern, then freeze it.
        deadline = time.time() + TIMEOUT
        while q.hmp("x /4cb 0x%x" % PATTERN).count("'M'") < 2 and time.time() < deadline:
            time.sleep(0.02)
        q.execute("stop")
        for line in dumps_to_compare():
            out[line] = q.hmp(line)
        q.execute("quit")
    except (TestFailure, OSError) as e:
        print("(QEMU reference failed: %s)" % e)
        out = {}
    finally:
        emu.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mimic", required=True, help="the emulator binary")
    ap.add_argument("--build-dir", default=None, help="where the guest is built (default: a temporary directory)")
    ap.add_argument("--emulator-is-qemu", action="store_true", help="--mimic names a QEMU: check the test itself")
    args = ap.parse_args()

    # A hard limit on the whole test, whatever hangs.
    def on_alarm(signum, frame):
        raise TestFailure("the whole test took more than 100 s")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(100)

    build_dir = args.build_dir or tempfile.mkdtemp(prefix="mimic-mon-build-")
    try:
        elf = build_guest(build_dir)
    except (subprocess.SubprocessError, OSError) as e:
        check(False, "build the guest", e)
        elf = None
    if elf:
        dumps = qemu_reference_dumps(elf)
        run(args.mimic, elf, args.emulator_is_qemu, dumps)
        if not args.emulator_is_qemu:
            bad_command_lines(args.mimic, elf)
    signal.alarm(0)
    passed = sum(results)
    failed = len(results) - passed
    print("monitor: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
