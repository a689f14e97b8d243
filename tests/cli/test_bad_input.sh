#!/usr/bin/env bash
# Runs mimic with bad command lines and inputs. Each must end within a
# timeout with exit code 1 (not a crash or a core dump) and print exactly
# one line, starting with "mimic: error: ", on stderr and nothing on stdout.
# A few good informational commands must exit 0.
#
# usage: tests/cli/test_bad_input.sh [path/to/mimic]   (default: build/mimic)
# Prints "cli: N passed, M failed"; exits 1 if any failed.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mimic=${1:-$here/../../build/mimic}
if [[ ! -x $mimic ]]; then
  echo "cli: $mimic is not an executable (build it first)" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "cli: python3 is needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mimic-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0  # a crash must show in the exit code, not litter core files

# Small ELF files written by hand: NAME ENDIAN CLASS MACHINE VADDR MEMSZ
make_elf() {
  python3 - "$@" <<'EOF'
import struct, sys
path, endian, cls, machine, vaddr, memsz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5], 0), int(sys.argv[6], 0)
e = '>' if endian == 'be' else '<'
code = struct.pack(e + 'II', 0x1000ffff, 0)  # 1: b 1b; nop
if cls == 2:
    ident = b'\x7fELF' + bytes([2, 2 if endian == 'be' else 1, 1]) + bytes(9)
    hdr = ident + struct.pack(e + 'HHIQQQIHHHHHH', 2, machine, 1, vaddr, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    ph = struct.pack(e + 'IIQQQQQQ', 1, 7, 120, vaddr, vaddr, len(code), memsz, 4)
else:
    ident = b'\x7fELF' + bytes([1, 2 if endian == 'be' else 1, 1]) + bytes(9)
    hdr = ident + struct.pack(e + 'HHIIIIIHHHHHH', 2, machine, 1, vaddr, 52, 0, 0, 52, 32, 1, 0, 0, 0)
    ph = struct.pack(e + 'IIIIIIII', 1, 84, vaddr, vaddr, len(code), memsz, 7, 4)
open(path, 'wb').write(hdr + ph + code)
EOF
}

make_elf "$tmp/le.elf" le 1 8 0x80100000 8
make_elf "$tmp/be.elf" be 1 8 0x80100000 8
make_elf "$tmp/arm.elf" le 1 40 0x80100000 8
make_elf "$tmp/x86_64.elf" le 2 62 0x400000 8
make_elf "$tmp/mips64.elf" be 2 8 0x80100000 8
make_elf "$tmp/outside.elf" le 1 8 0x8ff00000 8
make_elf "$tmp/bigbss.elf" le 1 8 0x80100000 0x10000000
make_elf "$tmp/useg.elf" le 1 8 0x00100000 8
head -c 40 "$tmp/le.elf" > "$tmp/truncated.elf"
printf 'this is not an ELF file\n' > "$tmp/text.txt"
: > "$tmp/empty"
mkdir "$tmp/dir"
cp "$tmp/le.elf" "$tmp/unreadable.elf"; chmod 000 "$tmp/unreadable.elf"
truncate -s 300M "$tmp/huge.img"      # sparse: larger than any Malta RAM
truncate -s 1M "$tmp/disk.img"
cp "$tmp/disk.img" "$tmp/ro.img"; chmod 444 "$tmp/ro.img"

# A TCP port held open for the "port taken" case (the holder is killed on exit).
python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(300)' "$tmp/held_port" </dev/null >/dev/null 2>&1 &
holder=$!
trap 'kill $holder 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [[ -s $tmp/held_port ]] && break; sleep 0.05; done
held_port=$(cat "$tmp/held_port")

passed=0
failed=0

# expect_error NAME ARGS...: exit 1, one "mimic: error:" line, no stdout.
expect_error() {
  local name=$1; shift
  local out="$tmp/out" err="$tmp/err" rc
  timeout 10 "$mimic" "$@" </dev/null >"$out" 2>"$err"
  rc=$?
  local lines problem=""
  lines=$(wc -l <"$err")
  if [[ $rc -eq 124 ]]; then
    problem="timed out"
  elif [[ $rc -ge 128 ]]; then
    problem="killed by signal $((rc - 128))"
  elif [[ $rc -ne 1 ]]; then
    problem="exit code $rc, expected 1"
  elif [[ $lines -ne 1 ]]; then
    problem="$lines lines on stderr, expected 1"
  elif ! grep -q '^mimic: error: ' "$err"; then
    problem="stderr does not start with 'mimic: error: '"
  elif [[ -s $out ]]; then
    problem="unexpected output on stdout"
  fi
  if [[ -z $problem ]]; then
    passed=$((passed + 1))
    [[ -n ${VERBOSE:-} ]] && echo "ok   $name: $(cat "$err")"
  else
    failed=$((failed + 1))
    echo "FAIL $name: $problem"
    sed 's/^/     stderr: /' "$err" | head -5
    sed 's/^/     stdout: /' "$out" | head -5
  fi
}

# expect_ok NAME ARGS...: exit 0 and something on stdout.
expect_ok() {
  local name=$1; shift
  local out="$tmp/out" rc
  timeout 10 "$mimic" "$@" </dev/null >"$out" 2>"$tmp/err"
  rc=$?
  if [[ $rc -eq 0 && -s $out ]]; then
    passed=$((passed + 1))
    [[ -n ${VERBOSE:-} ]] && echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit code $rc"
    sed 's/^/     stderr: /' "$tmp/err" | head -5
  fi
}

# Command line.
expect_error "unknown option"            -foo
expect_error "unknown long option"       --frobnicate
expect_error "missing option value"      -kernel
expect_error "flag with a value"         -nographic=yes -kernel "$tmp/le.elf"
expect_error "positional disk missing"   "$tmp/no-disk.img" -kernel "$tmp/le.elf"
expect_error "no -kernel"                -M malta -nographic
expect_error "empty -kernel"             -kernel ""
expect_error "unknown machine"           -M foo -kernel "$tmp/le.elf"
expect_error "unknown machine property"  -M malta,color=red -kernel "$tmp/le.elf"
expect_error "bad endianness value"      -M malta,endianness=middle -kernel "$tmp/le.elf"
expect_error "unknown CPU"               -cpu pentium -kernel "$tmp/le.elf"
expect_error "bad -m"                    -m abc -kernel "$tmp/le.elf"
expect_error "bad -m suffix"             -m 12Q -kernel "$tmp/le.elf"
expect_error "zero -m"                   -m 0 -kernel "$tmp/le.elf"
expect_error "-m too big for malta"      -m 512 -kernel "$tmp/le.elf"
expect_error "-m 1G too big for malta"   -m 1G -kernel "$tmp/le.elf"
expect_error "unknown -d item"           -d in_asm,bogus -kernel "$tmp/le.elf"
expect_error "unwritable -D"             -D "$tmp/dir/nodir/log.txt" -kernel "$tmp/le.elf"
expect_error "unsupported -display"      -display sdl -kernel "$tmp/le.elf"
expect_error "unsupported -serial"       -serial tcp:localhost:4444 -kernel "$tmp/le.elf"
expect_error "unwritable -serial file"   -serial "file:$tmp/dir/nodir/out" -kernel "$tmp/le.elf"
expect_error "stdio twice"               -serial stdio -serial stdio -kernel "$tmp/le.elf"
expect_error "too many -serial"          -serial null -serial null -serial null -serial null -serial null -kernel "$tmp/le.elf"
expect_error "-gdb without a device"     -gdb "" -kernel "$tmp/le.elf"
expect_error "-gdb of unknown kind"      -gdb serial:/dev/ttyS0 -kernel "$tmp/le.elf"
expect_error "-gdb bad port"             -gdb tcp::notaport -kernel "$tmp/le.elf"
expect_error "-gdb port taken"           -gdb tcp:127.0.0.1:$held_port -kernel "$tmp/le.elf"
expect_error "-gdb unix socket in no dir" -gdb "unix:$tmp/dir/nodir/gdb.sock" -kernel "$tmp/le.elf"

# Kernel files.
expect_error "missing kernel file"       -kernel "$tmp/does-not-exist.elf"
expect_error "kernel is a directory"     -kernel "$tmp/dir"
if [[ $(id -u) -ne 0 ]]; then
  expect_error "unreadable kernel"       -kernel "$tmp/unreadable.elf"
fi
expect_error "not an ELF"                -kernel "$tmp/text.txt"
expect_error "empty file"                -kernel "$tmp/empty"
expect_error "truncated ELF"             -kernel "$tmp/truncated.elf"
expect_error "ELF for ARM"               -kernel "$tmp/arm.elf"
expect_error "ELF for x86-64"            -kernel "$tmp/x86_64.elf"
expect_error "64-bit MIPS ELF"           -kernel "$tmp/mips64.elf"
expect_error "forced big, ELF little"    -M malta,endianness=big -kernel "$tmp/le.elf"
expect_error "forced little, ELF big"    -M malta,endianness=little -kernel "$tmp/be.elf"
expect_error "segment outside RAM"       -kernel "$tmp/outside.elf"
expect_error "bss outside RAM"           -m 64 -kernel "$tmp/bigbss.elf"
expect_error "entry in useg"             -kernel "$tmp/useg.elf"
expect_error "missing initrd"            -kernel "$tmp/le.elf" -initrd "$tmp/does-not-exist.img"
expect_error "initrd is a directory"     -kernel "$tmp/le.elf" -initrd "$tmp/dir"
expect_error "initrd larger than RAM"    -m 64 -kernel "$tmp/le.elf" -initrd "$tmp/huge.img"

# Time.
expect_error "-icount auto"              -kernel "$tmp/le.elf" -icount auto
expect_error "-icount shift too big"     -kernel "$tmp/le.elf" -icount shift=11
expect_error "-icount bad sleep"         -kernel "$tmp/le.elf" -icount 3,sleep=sometimes
expect_error "-rtc bad base"             -kernel "$tmp/le.elf" -rtc base=yesterday
expect_error "-rtc bad date"             -kernel "$tmp/le.elf" -rtc base=2023-02-29

# Disks.
expect_error "missing -hda"              -kernel "$tmp/le.elf" -hda "$tmp/does-not-exist.img"
expect_error "-hda is a directory"       -kernel "$tmp/le.elf" -hda "$tmp/dir"
expect_error "-drive without file"       -kernel "$tmp/le.elf" -drive format=raw,if=ide
expect_error "-drive qcow2"              -kernel "$tmp/le.elf" -drive "file=$tmp/disk.img,format=qcow2"
expect_error "-drive if=scsi"            -kernel "$tmp/le.elf" -drive "file=$tmp/disk.img,if=scsi"
expect_error "-drive index out of range" -kernel "$tmp/le.elf" -drive "file=$tmp/disk.img,index=4"
expect_error "-drive unknown key"        -kernel "$tmp/le.elf" -drive "file=$tmp/disk.img,speed=fast"
expect_error "two disks at one index"    -kernel "$tmp/le.elf" -hda "$tmp/disk.img" -drive "file=$tmp/ro.img,index=0"
expect_error "five disks"                -kernel "$tmp/le.elf" -hda "$tmp/disk.img" -hdb "$tmp/disk.img" \
                                         -hdc "$tmp/disk.img" -hdd "$tmp/disk.img" -drive "file=$tmp/disk.img"
# Root may write a mode-444 file, so this case only means something for others.
if [[ $(id -u) -ne 0 ]]; then
  expect_error "read-only image, writable" -kernel "$tmp/le.elf" -hda "$tmp/ro.img"
fi

# Network.
expect_error "-netdev of unknown type"   -kernel "$tmp/le.elf" -netdev tap,id=n0 -device pcnet,netdev=n0
expect_error "-netdev without id"        -kernel "$tmp/le.elf" -netdev user
expect_error "-device to no netdev"      -kernel "$tmp/le.elf" -device pcnet,netdev=nowhere
expect_error "-device unknown"           -kernel "$tmp/le.elf" -device virtio-net-pci
expect_error "two network cards"         -kernel "$tmp/le.elf" -nic user -nic user
expect_error "bad hostfwd rule"          -kernel "$tmp/le.elf" -nic user,hostfwd=tcp::notaport-:22
expect_error "hostfwd port taken"        -kernel "$tmp/le.elf" \
                                         -nic user,hostfwd=tcp:127.0.0.1:47613-:22,hostfwd=tcp:127.0.0.1:47613-:23
expect_error "bad mac"                   -kernel "$tmp/le.elf" -nic user,mac=52:54:00:12:34

# SIGTERM and SIGINT end a running guest cleanly (disks flushed and closed,
# exit code 0, one line on stderr), within a few seconds.
for sig in TERM INT; do
  timeout 20 "$mimic" -kernel "$tmp/le.elf" -hda "$tmp/disk.img" -nographic </dev/null >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  sleep 1
  kill -s $sig $pid
  start=$SECONDS
  wait $pid
  rc=$?
  if [[ $rc -eq 0 && $((SECONDS - start)) -le 5 ]] && grep -q "terminating on signal" "$tmp/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL SIG$sig with a disk: exit code $rc after $((SECONDS - start)) s"
    sed 's/^/     stderr: /' "$tmp/err" | head -5
  fi
done

# Informational commands.
expect_ok "-version"                     -version
expect_ok "-help"                        -help
expect_ok "-h"                           -h
expect_ok "--help"                       --help
expect_ok "-d help"                      -d help
expect_ok "-M help"                      -M help
expect_ok "-cpu help"                    -cpu help

echo "cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
