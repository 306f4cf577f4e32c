#!/usr/bin/env bash
# Installs the Debian packages hilcap needs to build and test, and nothing else.
# As root: apt-get installs whatever is missing (no other downloads).
# Not root: prints the exact apt-get line to run and exits 1.
# Everything present: does nothing, quietly.
set -euo pipefail

packages=(
  # toolchain
  g++ clang libclang-rt-14-dev meson ninja-build pkg-config clang-format
  # libraries
  libboost-dev libgtest-dev libgmock-dev nlohmann-json3-dev libusb-1.0-0-dev
  libcli11-dev libfmt-dev libvalijson-dev libbenchmark-dev
  # the HTML report's charts (inlined at build time) and the browser that tests the pages
  libjs-chart.js chromium
  # USB tests without hardware
  umockdev libumockdev-dev
  # bench/usb_cpu_bench: host-side CPU per frame against libuvc (issue 15)
  libuvc-dev
  # hilcap serve (usbredir) and its MJPEG encoder
  libusbredirparser-dev libturbojpeg0-dev
  # the qemu suite: a guest kernel (fetched with apt-get download) booted in
  # QEMU with a busybox initramfs and v4l-utils, unpacked and checked with these
  qemu-system-x86 busybox-static v4l-utils usbutils python3
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "hilcap: missing Debian packages: ${missing[*]}" >&2
  echo "hilcap: run this as root, then try again:" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "hilcap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
