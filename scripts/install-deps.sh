#!/usr/bin/env bash
# Installs every build and test dependency of mimic from Debian 12's packages.
# Idempotent: when everything is already present it only runs dpkg-query.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config g++ git ca-certificates
  llvm-16-dev libcapstone-dev libsdl2-dev libfmt-dev libgtest-dev libgmock-dev
  libcli11-dev libslirp-dev zlib1g-dev libzstd-dev libedit-dev libxml2-dev libffi-dev nlohmann-json3-dev
  # guest programs, built at test time
  gcc-mipsel-linux-gnu gcc-mips-linux-gnu binutils-mipsel-linux-gnu binutils-mips-linux-gnu
  # test oracle and test tools
  qemu-system-mips qemu-user ipxe-qemu seabios python3 cpio xz-utils file gdb-multiarch
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
