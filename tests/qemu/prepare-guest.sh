#!/usr/bin/env bash
# Prepares the guest of the qemu suite, cached in CACHE_DIR:
#   - the kernel: the linux-image-6.1.0-NN-amd64 package that
#     `apt-cache policy linux-image-amd64` names, fetched with `apt-get
#     download` (never installed), unpacked with dpkg-deb, and its
#     uncompressed vmlinux extracted for a fast PVH boot;
#   - an initramfs: busybox (static), the modules xhci-pci, ehci-pci and
#     uvcvideo need, v4l2-ctl and v4l2-compliance (and lsusb when usbutils is
#     installed) with their libraries, the guest scripts of GUEST_DIR and the
#     helper binaries given.
# Both are keyed by what they are made of: the kernel by its package version,
# the initramfs by a hash of its inputs.
#
#   prepare-guest.sh CACHE_DIR GUEST_DIR [HELPER...]
# prints KERNEL=... and INITRD=... on success; exits 77 with the reason when
# the guest cannot be made here (no package lists, no network to Debian's
# mirror), 1 on any other failure.
set -euo pipefail
cache=$(realpath -m "$1"); guest=$(realpath "$2"); shift 2
helpers=("$@")
here=$(dirname "$(realpath "$0")")
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9   # tests of the suite run in parallel and share the cache

skip() { echo "qemu suite skipped: $*" >&2; exit 77; }
log() { echo "prepare-guest: $*" >&2; }

for tool in apt-cache apt-get dpkg-deb python3 busybox ldd sha256sum; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
busybox_bin=$(command -v busybox)
for tool in v4l2-ctl v4l2-compliance; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (Debian package v4l-utils)"
done

# --- the kernel package ---
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }
meta_version=$(candidate linux-image-amd64)
if [[ -z "$meta_version" || "$meta_version" == "(none)" ]] && [[ $(id -u) -eq 0 ]]; then
  log "no candidate for linux-image-amd64: apt-get update"
  apt-get update -qq >&2 || true
  meta_version=$(candidate linux-image-amd64)
fi
[[ -n "$meta_version" && "$meta_version" != "(none)" ]] ||
  skip "apt-cache knows no linux-image-amd64 (no package lists: run apt-get update as root)"
package=$(apt-cache depends "linux-image-amd64=$meta_version" 2>/dev/null |
          awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[[ -n "$package" ]] || skip "linux-image-amd64 $meta_version depends on no linux-image-6.x package"
version=$(candidate "$package")
kver=${package#linux-image-}
kdir="$cache/kernel-$package-$version"

if [[ ! -f "$kdir/.ready" ]]; then
  rm -rf "$kdir"; mkdir -p "$kdir/download"
  log "fetching $package $version (apt-get download)"
  (cd "$kdir/download" && apt-get download -q "$package=$version" >&2) ||
    skip "apt-get download $package=$version failed (no network to Debian's mirror?)"
  deb=$(ls "$kdir"/download/*.deb)
  log "unpacking $(basename "$deb")"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" --wildcards \
    "./boot/vmlinuz-$kver" \
    "./lib/modules/$kver/kernel/drivers/usb/*" \
    "./lib/modules/$kver/kernel/drivers/media/*" \
    "./lib/modules/$kver/modules.builtin" \
    "./lib/modules/$kver/modules.order"
  python3 "$here/extract-vmlinux.py" "$kdir/boot/vmlinuz-$kver" "$kdir/vmlinux" >&2
  rm -rf "$kdir/download"
  touch "$kdir/.ready"
fi

# --- the initramfs ---
inputs=$( { echo "$package $version"; sha256sum "$busybox_bin" "$(command -v v4l2-ctl)" \
              "$(command -v v4l2-compliance)" $(command -v lsusb) "${helpers[@]}" \
              "$here/resolve-modules.py" "$0";
            (cd "$guest" && find . -type f | sort | xargs sha256sum); } | sha256sum | cut -c1-16)
initrd="$cache/initramfs-$inputs.cpio.gz"
if [[ ! -f "$initrd" ]]; then
  log "building the initramfs ($inputs)"
  root=$(mktemp -d "$cache/root.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,usr/bin,lib64,lib/x86_64-linux-gnu,"lib/modules/$kver"}
  cp "$busybox_bin" "$root/bin/busybox"
  for applet in $("$busybox_bin" --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  mods="$kdir/lib/modules/$kver"
  for m in $(python3 "$here/resolve-modules.py" "$mods" xhci-pci ehci-pci uvcvideo); do
    mkdir -p "$root/lib/modules/$kver/$(dirname "$m")"
    cp "$mods/$m" "$root/lib/modules/$kver/$m"
  done
  cp "$mods/modules.order" "$mods/modules.builtin" "$root/lib/modules/$kver/"
  "$busybox_bin" depmod -b "$root" "$kver"
  for b in "$(command -v v4l2-ctl)" "$(command -v v4l2-compliance)" $(command -v lsusb) "${helpers[@]}"; do
    cp "$b" "$root/usr/bin/"
    for lib in $(ldd "$b" 2>/dev/null | awk '/=> \// {print $3} /^[ \t]*\/lib64\// {print $1}'); do
      [[ -e "$root$lib" ]] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
    done
  done
  cp -a "$guest/." "$root/"
  chmod +x "$root/init" "$root"/tests/*
  (cd "$root" && find . | "$busybox_bin" cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  # Older initramfs images of other inputs are of no more use.
  find "$cache" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -name "$(basename "$initrd")" -delete
fi
echo "KERNEL=$kdir/vmlinux"
echo "INITRD=$initrd"
echo "KERNEL_PACKAGE=\"$package $version\""
