"""Shared helpers for the Linux guest tests and the boot benchmark.

What: downloads (once) and caches the guest software under ~/.cache/mimic
(or $MIMIC_CACHE), builds the busybox initramfs, and drives an emulator's
serial console (-nographic: the console is the process's stdin/stdout).
Why: tests/linux/early_boot.py, tests/linux/busybox_shell.py and
bench/boot_bench.py boot the same Debian guest on mimic and on QEMU, so
the downloads, the SHA-256 pins and the console handling live here once.

  * fetch_kernel(): Debian 12's debian-installer-12-netboot-mipsel package
    (the 4kc-malta vmlinuz and the installer's initrd.gz next to it);
  * fetch_busybox(): Debian 12's busybox-static for mipsel, fetched with
    apt-get using a private mipsel package list under the cache directory;
  * busybox_initramfs(): a gzip'd newc cpio with /bin/busybox and an /init
    that mounts proc, sysfs and devtmpfs and starts a shell on the console;
    written once per content hash;
  * busybox_xz_initramfs(): the same followed by a second archive with
    Debian 12's xz-utils and its libraries (for bench/boot_bench.py's xz
    step: busybox has no xz compressor);
  * console_until(): run an emulator until a marker appears on its console;
  * GuestConsole: an interactive session: wait for patterns (recording
    when they arrived), run shell commands framed by unique end markers,
    hard timeouts everywhere, the emulator's process group always killed.

A pinned .deb whose SHA-256 changed (the archive moved on) is used with a
note rather than failing: QEMU, run on the same files, is the oracle.
Python 3.11 standard library only.
"""
import glob
import gzip
import hashlib
import io
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

PACKAGE = "debian-installer-12-netboot-mipsel"
# The version this test was written against; a newer one from Debian is
# used (with a note) when this one has left the archive: QEMU is the oracle.
KNOWN_SHA256 = "6bb17f27b36cbc98e81c1e4df60028b4ffeb13881d02c73f7e55f9e4c6f45838"
KERNEL_GLOB = "usr/lib/debian-installer/images/12/mipsel/malta/vmlinuz-*-4kc-malta"

BUSYBOX_PACKAGE = "busybox-static"
# busybox-static 1:1.35.0-4+deb12u1+b1 (bookworm, mipsel).
BUSYBOX_SHA256 = "3d154a0681a75938b7c27f2bd40625852d37471fb768c98ea3c98019111d1352"

# Kernel modules the busybox guest loads (the 4kc-malta kernel has libata,
# SCSI disks and ext4's dependencies built in, these drivers as modules),
# from the linux-image package of the very kernel fetch_kernel() returns.
# linux-image-6.1.0-50-4kc-malta 6.1.176-1 (bookworm, mipsel).
MODULES_SHA256 = "7814a3e09dcd75835963be7beeea8e01d8b7db5edcd4dc91e6a2fc1e1b380168"
MODULES = ["drivers/ata/ata_piix.ko", "drivers/net/mii.ko", "drivers/net/ethernet/amd/pcnet32.ko"]

# /usr/bin/xz and what it needs at run time, from Debian 12's mipsel
# packages (bookworm): package, SHA-256 of the .deb, paths taken from it (a
# symlink brings its target along).  Found with mipsel-linux-gnu-readelf:
# xz's program interpreter is /lib/ld.so.1 (a symlink into
# /lib/mipsel-linux-gnu), its NEEDED entries liblzma.so.5, libc.so.6 and
# ld.so.1; liblzma's libc.so.6 and ld.so.1; libc's ld.so.1.  Debian's
# ld.so searches /lib/mipsel-linux-gnu without an /etc/ld.so.cache.
XZ_DEBS = [
    # xz-utils 5.4.1-1+deb12u1
    ("xz-utils", "b38c0363618e9bb9fcb9d25cd7c42ca6cae7cb214edaacd7b020cdd8f4b7e44f", ["usr/bin/xz"]),
    # liblzma5 5.4.1-1+deb12u1
    ("liblzma5", "def8eaf600e41c7051076a2099b89964644e49fbc615d13433501b7fa1076f2f",
     ["lib/mipsel-linux-gnu/liblzma.so.5"]),
    # libc6 2.36-9+deb12u14
    ("libc6", "c1857cd91fd59d63c8fbd75b7a64397af81153d5a9972dfd2872e6764fbbb6a1",
     ["lib/ld.so.1", "lib/mipsel-linux-gnu/libc.so.6"]),
]

# The busybox shell's prompt (set by /init; unique enough to wait for).
SHELL_PROMPT = "mimic-bb# "
# Printed by /init just before it starts the shell.
INIT_READY = "busybox-init: ready"
# A kernel console message ("[   12.345678] text").
KMSG = re.compile(r"^\[\s*\d+\.\d+\] ")


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


def installer_initrd(kernel):
    """The debian-installer initrd shipped next to fetch_kernel()'s vmlinuz."""
    return os.path.join(os.path.dirname(kernel), "initrd.gz")


def fetch_mipsel_deb(package, known_sha256):
    """Downloads (once) the mipsel .deb of `package`, unpacks it under the
    cache directory and returns the unpacked root.

    The host is not mipsel, so apt-get gets its own package lists (mipsel
    only) and package cache under the cache directory; the system's lists
    and dpkg state are not touched."""
    d = cache_dir()
    debs = sorted(glob.glob(os.path.join(d, package + "_*_mipsel.deb")))
    if not debs:
        apt = os.path.join(d, "apt-mipsel")
        for sub in ("lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(apt, sub), exist_ok=True)
        opts = ["-q", "-oAPT::Architecture=mipsel", "-oAPT::Architectures=mipsel",
                "-oDir::State::Lists=" + os.path.join(apt, "lists"),
                "-oDir::Cache=" + os.path.join(apt, "cache")]
        r = subprocess.run(["apt-get"] + opts + ["update"], cwd=d, capture_output=True, text=True)
        if r.returncode == 0:
            r = subprocess.run(["apt-get"] + opts + ["download", package + ":mipsel"],
                               cwd=d, capture_output=True, text=True)
        debs = sorted(glob.glob(os.path.join(d, package + "_*_mipsel.deb")))
        if not debs:
            raise RuntimeError("apt-get download %s:mipsel failed: %s"
                               % (package, (r.stderr or r.stdout).strip()[-300:]))
    deb = debs[-1]
    sha = hashlib.sha256(open(deb, "rb").read()).hexdigest()
    if sha != known_sha256:
        print("note: %s has SHA-256 %s (test written for %s)" % (os.path.basename(deb), sha, known_sha256))
    root = os.path.join(d, "%s-%s" % (package, sha[:12]))
    stamp = os.path.join(root, ".unpacked")
    if not os.path.exists(stamp):
        subprocess.run(["dpkg", "-x", deb, root], check=True)
        open(stamp, "w").close()
    return root


def fetch_busybox():
    """Returns the path of the mipsel /bin/busybox from busybox-static."""
    return os.path.join(fetch_mipsel_deb(BUSYBOX_PACKAGE, BUSYBOX_SHA256), "bin", "busybox")


def fetch_modules(kernel):
    """{name.ko: bytes} of MODULES, from the linux-image package of `kernel`
    (its file name gives the version: vmlinuz-6.1.0-50-4kc-malta)."""
    release = os.path.basename(kernel)[len("vmlinuz-"):]
    root = fetch_mipsel_deb("linux-image-" + release, MODULES_SHA256)
    mods = {}
    for rel in MODULES:
        path = os.path.join(root, "lib", "modules", release, "kernel", rel)
        if not os.path.exists(path):
            raise RuntimeError("linux-image-%s has no %s" % (release, rel))
        mods[os.path.basename(rel)] = open(path, "rb").read()
    return mods


# /init of the busybox initramfs.  The applet symlinks are made at boot
# (the host cannot run a mipsel busybox to list them).  The console log
# level is lowered so that kernel messages do not land in the middle of the
# commands' output; the kernel's own "Run /init as init process" line comes
# before /init runs.
INIT_SCRIPT = """#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo 4 > /proc/sys/kernel/printk
export HOME=/root
export PS1='%s'
cd /root
echo "%s"
exec setsid cttyhack sh
""" % (SHELL_PROMPT, INIT_READY)


def _cpio_newc(entries):
    """entries: (name, mode, data, rdev_major, rdev_minor); returns bytes."""
    out = io.BytesIO()

    def pad():
        out.write(b"\0" * (-out.tell() % 4))

    for ino, (name, mode, data, rmaj, rmin) in enumerate(entries + [("TRAILER!!!", 0, b"", 0, 0)], 1):
        nameb = name.encode() + b"\0"
        nlink = 2 if (mode & 0o170000) == 0o040000 else 1
        fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rmaj, rmin, len(nameb), 0)
        out.write(b"070701" + b"".join(b"%08x" % f for f in fields))
        out.write(nameb)
        pad()
        out.write(data)
        pad()
    return out.getvalue()


# udhcpc's hook: configures the interface with the lease (busybox's own
# default script is not in busybox-static).
UDHCPC_SCRIPT = """#!/bin/sh
case "$1" in
  deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done ;;
esac
exit 0
"""


def busybox_initramfs(kernel=None):
    """Builds (once per content hash) and returns the initramfs path: busybox
    and /init, plus /lib/modules/*.ko of fetch_modules(kernel) and
    /etc/udhcpc.script when a kernel is given."""
    busybox = open(fetch_busybox(), "rb").read()
    init = INIT_SCRIPT.encode()
    mods = fetch_modules(kernel) if kernel else {}
    h = hashlib.sha256(b"newc-v2\0" + hashlib.sha256(busybox).digest() + init)
    for name in sorted(mods):
        h.update(name.encode() + b"\0" + hashlib.sha256(mods[name]).digest())
    if mods:
        h.update(UDHCPC_SCRIPT.encode())
    key = h.hexdigest()[:16]
    path = os.path.join(cache_dir(), "busybox-initramfs-%s.cpio.gz" % key)
    if os.path.exists(path):
        return path
    d, f, c = 0o040755, 0o100755, 0o020600
    entries = [(n, d, b"", 0, 0) for n in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc",
                                           "sys", "tmp", "root", "etc")]
    entries[entries.index(("tmp", d, b"", 0, 0))] = ("tmp", 0o041777, b"", 0, 0)
    # The kernel opens /dev/console for /init before devtmpfs is mounted.
    entries += [("dev/console", c, b"", 5, 1), ("bin/busybox", f, busybox, 0, 0), ("init", f, init, 0, 0)]
    if mods:
        entries += [("lib", d, b"", 0, 0), ("lib/modules", d, b"", 0, 0)]
        entries += [("lib/modules/" + name, 0o100644, data, 0, 0) for name, data in sorted(mods.items())]
        entries += [("etc/udhcpc.script", f, UDHCPC_SCRIPT.encode(), 0, 0)]
    data = gzip.compress(_cpio_newc(entries), compresslevel=9, mtime=0)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path


def _package_files(root, paths):
    """{path: (mode, data)} of `paths` in an unpacked package.  A symlink
    stays a symlink (data: its target) and its target is taken too."""
    files = {}
    todo = list(paths)
    while todo:
        rel = todo.pop()
        if rel in files:
            continue
        full = os.path.join(root, rel)
        if os.path.islink(full):
            target = os.readlink(full)
            files[rel] = (0o120777, target.encode())
            # Relative to the link's directory, or absolute in the package.
            todo.append(os.path.normpath(target.lstrip("/") if target.startswith("/")
                                         else os.path.join(os.path.dirname(rel), target)))
        elif os.path.isfile(full):
            mode = 0o100755 if os.access(full, os.X_OK) else 0o100644
            files[rel] = (mode, open(full, "rb").read())
        else:
            raise RuntimeError("%s has no %s" % (os.path.basename(root), rel))
    return files


def fetch_xz():
    """{guest path: (mode, data)}: /usr/bin/xz and its runtime (XZ_DEBS)."""
    files = {}
    for package, sha, paths in XZ_DEBS:
        files.update(_package_files(fetch_mipsel_deb(package, sha), paths))
    return files


def _parent_dirs(paths):
    """Every directory above `paths`, parents first (cpio order)."""
    dirs = set()
    for p in paths:
        d = os.path.dirname(p)
        while d:
            dirs.add(d)
            d = os.path.dirname(d)
    return sorted(dirs, key=lambda d: (d.count("/"), d))


def busybox_xz_initramfs():
    """Builds (once per content hash) and returns an initrd made of
    busybox_initramfs() followed by a second gzip'd newc archive with
    fetch_xz()'s files.  The kernel unpacks concatenated archives one after
    the other into the same rootfs, and -initrd takes a single file; the
    first archive stays byte for byte what the tests in tests/linux boot
    (they do not see xz and its libraries)."""
    base = open(busybox_initramfs(), "rb").read()
    files = fetch_xz()
    h = hashlib.sha256(b"xz-v1\0" + hashlib.sha256(base).digest())
    for name in sorted(files):
        h.update(name.encode() + b"\0%o\0" % files[name][0] + hashlib.sha256(files[name][1]).digest())
    path = os.path.join(cache_dir(), "busybox-xz-initramfs-%s.cpio.gz" % h.hexdigest()[:16])
    if os.path.exists(path):
        return path
    # Directories that are in the first archive already are made again;
    # the kernel ignores mkdir's EEXIST there.
    entries = [(d, 0o040755, b"", 0, 0) for d in _parent_dirs(files)]
    entries += [(name, mode, data, 0, 0) for name, (mode, data) in sorted(files.items())]
    extra = gzip.compress(_cpio_newc(entries), compresslevel=9, mtime=0)
    # Zero padding to a 4-byte boundary between the archives, as the
    # kernel's initramfs buffer format allows (it skips the zeros).
    data = base + b"\0" * (-len(base) % 4) + extra
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path


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


def exit_on_sigterm():
    """Turns SIGTERM (e.g. a test runner's timeout) into SystemExit, so the
    GuestConsole context managers still kill their emulators."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


class ConsoleTimeout(Exception):
    """A pattern did not appear in time (or the emulator exited first)."""


class GuestConsole:
    """An emulator whose serial console is this object's stdin/stdout pipes.

    expect() waits for a pattern in the output not consumed yet, with a hard
    timeout, and records the host time (time.monotonic) at which the bytes
    that completed the match arrived.  close() kills the whole process group;
    use it as a context manager so a failing or interrupted test never
    leaves an emulator running."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.err = tempfile.TemporaryFile()
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err,
                                     start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buf = b""   # everything read so far, \r removed
        self.pos = 0     # start of the part expect() has not consumed
        self.eof = False
        self.serial = 0  # run()'s command counter
        self.kmsg = []   # kernel messages run() took out of outputs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, wait):
        """Reads what is available, waiting at most `wait` seconds for it."""
        if self.eof:
            time.sleep(min(wait, 0.05))
            return
        r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, wait))
        if not r:
            return
        chunk = self.proc.stdout.read()
        if chunk == b"":
            self.eof = True
        elif chunk:
            self.buf += chunk.replace(b"\r", b"")

    def expect(self, pattern, timeout):
        """Waits for pattern (bytes, str or compiled bytes regex) after the
        consumed part; returns (match, arrival time).  Consumes up to the
        end of the match.  Raises ConsoleTimeout."""
        if isinstance(pattern, str):
            pattern = pattern.encode()
        what = pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern.pattern.decode("latin-1")
        if isinstance(pattern, bytes):
            pattern = re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m, time.monotonic()
            now = time.monotonic()
            if now >= deadline:
                raise ConsoleTimeout("timed out after %.0f s waiting for '%s'" % (timeout, what))
            if self.eof and self.proc.poll() is not None:
                raise ConsoleTimeout("emulator exited (status %s) while waiting for '%s'"
                                     % (self.proc.returncode, what))
            self._read(min(deadline - now, 0.5))

    def run(self, command, timeout):
        """Types one shell command at the prompt (which must have been
        consumed) framed by markers, waits for it and for the next prompt.
        Returns (exit status, output, host seconds from sending the line to
        the end marker).  Kernel console messages (lines starting with a
        "[   12.345678] " timestamp) are left out of the output and kept in
        self.kmsg.  Raises ConsoleTimeout."""
        self.serial += 1
        n = self.serial
        # The quotes keep the echo of the typed line from matching.
        self.send('echo "__B""EGIN_%d__"; %s; echo "__E""ND_%d__ $?"\n' % (n, command, n))
        t0 = time.monotonic()
        self.expect(re.compile(rb"__BEGIN_%d__\n" % n), timeout)
        start = self.pos
        m, t1 = self.expect(re.compile(rb"__END_%d__ (\d+)\n" % n), max(1.0, timeout - (time.monotonic() - t0)))
        raw = self.buf[start:m.start()].decode("latin-1").splitlines()
        self.expect(SHELL_PROMPT, 30)
        self.kmsg += [line for line in raw if KMSG.match(line)]
        out = "\n".join(line for line in raw if not KMSG.match(line))
        return int(m.group(1)), out, t1 - t0

    def cpu_seconds(self):
        """User + system CPU time the emulator (all its threads) has used so
        far, from /proc (None when unavailable); steadier than wall time on
        a loaded host."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def cpu_seconds_without(self, names=("mimic-llvm",)):
        """cpu_seconds() less the CPU time of the emulator's threads named
        in `names` (mimic's LLVM compiler thread): the guest's own cost,
        steadier when other load shares the host. None when unavailable."""
        total = self.cpu_seconds()
        if total is None:
            return None
        try:
            for tid in os.listdir("/proc/%d/task" % self.proc.pid):
                base = "/proc/%d/task/%s/" % (self.proc.pid, tid)
                with open(base + "comm") as f:
                    if f.read().strip() not in names:
                        continue
                with open(base + "stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total -= (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None
        return total

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # the emulator is gone; the next expect() says so

    def tail(self, n=600):
        """The last n bytes of the console (for error reports)."""
        return self.buf[-n:].decode("latin-1")

    def stderr_text(self, n=600):
        self.err.seek(0)
        return self.err.read().decode("latin-1")[-n:]

    def wait_exit(self, timeout):
        """Waits for the emulator to exit by itself; returns its status, or
        None after the timeout (the emulator is left running)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return self.proc.returncode
            self._read(0.1)
        return self.proc.poll()

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.err):
            try:
                f.close()
            except OSError:
                pass
