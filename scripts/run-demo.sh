#!/usr/bin/env bash
# The main job: boot the bundled bare-metal MIPS demo on the Malta board.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/mimic -M malta -kernel build/demo/mips/hello-el.elf -nographic -no-reboot
