#!/usr/bin/env bash
# The main job: boot Debian 12's MIPS Malta Linux kernel in mimic to a
# busybox shell on this terminal (the kernel, Debian's busybox-static and
# three kernel modules are fetched from Debian's archive once and cached in
# ~/.cache/mimic). Try `uname -a`, `cat /proc/cpuinfo`; `poweroff -f` ends
# mimic, as does Ctrl-A x.
#
#   scripts/run-demo.sh            the Linux shell (with an IDE disk image
#                                  in build/demo-disk.img and user-mode
#                                  networking: try `udhcpc -i eth0 -s /etc/udhcpc.script`
#                                  after `insmod /lib/modules/pcnet32.ko`)
#   scripts/run-demo.sh --bare     the bare-metal MIPS demo instead
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [[ ${1:-} == --bare ]]; then
  exec build/mimic -M malta -kernel build/demo/mips/hello-el.elf -nographic -no-reboot
fi
paths=$(python3 - <<'PY'
import sys
sys.path.insert(0, "tests/linux")
import guest_cache as gc
kernel = gc.fetch_kernel()
print(kernel)
print(gc.busybox_initramfs(kernel))
PY
)
kernel=$(sed -n 1p <<<"$paths")
initrd=$(sed -n 2p <<<"$paths")
[[ -f build/demo-disk.img ]] || truncate -s 64M build/demo-disk.img
echo "mimic: booting $(basename "$kernel") to a busybox shell (poweroff -f or Ctrl-A x to quit)" >&2
exec build/mimic -M malta -m 256 -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0" \
  -drive file=build/demo-disk.img,format=raw,if=ide -nic user,model=pcnet -nographic -no-reboot
