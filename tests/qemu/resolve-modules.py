#!/usr/bin/env python3
"""The kernel modules (paths under MODULES_DIR) that the named modules need,
dependencies first, read from each module's .modinfo `depends=` (no kmod on
the host is needed).

    resolve-modules.py MODULES_DIR NAME...
"""
import os
import re
import sys

root, wanted = sys.argv[1], sys.argv[2:]
index = {}
for directory, _, files in os.walk(os.path.join(root, "kernel")):
    for name in files:
        if name.endswith(".ko"):
            index[name[:-3].replace("-", "_")] = os.path.join(directory, name)


def depends(path):
    found = re.search(rb"depends=([^\0]*)\0", open(path, "rb").read())
    return [d.decode() for d in found.group(1).split(b",") if d] if found else []


order, seen = [], set()


def visit(name):
    name = name.replace("-", "_")
    if name in seen:
        return
    seen.add(name)
    path = index.get(name)
    if path is None:
        return  # built into the kernel
    for dependency in depends(path):
        visit(dependency)
    order.append(os.path.relpath(path, root))


for module in wanted:
    visit(module)
print("\n".join(order))
