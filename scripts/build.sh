#!/usr/bin/env bash
# Configures (once) and builds mimic into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release --native-file scripts/native.ini >/dev/null
fi
ninja -C build >/dev/null
