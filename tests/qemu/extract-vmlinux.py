#!/usr/bin/env python3
"""Writes the uncompressed ELF kernel inside a Debian (XZ-compressed) bzImage,
which QEMU boots directly through PVH: no firmware, no in-guest decompression.

    extract-vmlinux.py VMLINUZ VMLINUX
"""
import lzma
import sys

source, target = sys.argv[1], sys.argv[2]
image = open(source, "rb").read()
start = image.find(b"\xfd7zXZ\x00")
if start < 0:
    sys.exit(f"{source}: no XZ stream in the image")
kernel = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(image[start:])
if kernel[:4] != b"\x7fELF":
    sys.exit(f"{source}: the XZ stream is not an ELF kernel")
with open(target + ".tmp", "wb") as out:
    out.write(kernel)
import os
os.replace(target + ".tmp", target)
print(f"{target}: {len(kernel)} bytes")
