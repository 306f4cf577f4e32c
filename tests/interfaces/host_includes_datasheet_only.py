#!/usr/bin/env python3
"""host/ includes only the device's datasheet.

The folder rule (docs/ARCHITECTURE.md): host/ talks to the device only through
its published datasheet, firmware-model/include/hilcap/device/, exactly as a
driver talks to hardware. Two checks, each naming every offence:

1. Every #include of every file under host/ resolves either inside host/, to
   a datasheet header, to machine/'s public header, or outside the project (a
   system or library header); never to the device's implementation
   (firmware-model/src, firmware-model/uvc, firmware-model/include outside
   hilcap/device/), sim/, bus/ or tests/.
2. The compile commands meson wrote for host/'s sources (compile_commands.json)
   give no include path into the project but host/'s own, the datasheet's
   (firmware-model/include) and machine/include: the build could not find a
   device internal even if a file asked for one.

Arguments: the source root and the build directory.
"""

import json
import os
import re
import shlex
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.MULTILINE)
SOURCES = (".h", ".hpp", ".c", ".cpp", ".cc")


def main(source_root, build_dir):
    root = os.path.realpath(source_root)
    host = os.path.join(root, "host")
    datasheet = os.path.join(root, "firmware-model", "include", "hilcap", "device")
    # Where angle-bracket includes of host/ may be found, in the project.
    allowed_roots = [
        os.path.join(host, "include"),
        os.path.join(host, "include", "win32"),
        os.path.join(root, "machine", "include"),
        os.path.join(root, "firmware-model", "include"),
    ]
    # Every other place of the project a host/ include could reach.
    foreign_roots = [
        os.path.join(root, "firmware-model", "src"),
        os.path.join(root, "firmware-model", "uvc"),
        os.path.join(root, "sim", "src"),
        os.path.join(root, "bus"),
        os.path.join(root, "tests"),
    ]

    def allowed_file(path):
        return path.startswith(host + os.sep) or path.startswith(datasheet + os.sep) or (
            path == os.path.join(root, "machine", "include", "hilcap", "win32_devices.h"))

    def describe(path):
        return os.path.relpath(path, root)

    problems = []
    checked = 0
    for folder, _, files in os.walk(host):
        for name in sorted(files):
            if not name.endswith(SOURCES):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for match in INCLUDE.finditer(text):
                checked += 1
                quoted, target = match.group(1) == '"', match.group(2)
                line = text.count("\n", 0, match.start()) + 1
                close = '"' if quoted else ">"
                where = f"{describe(path)}:{line}: #include {match.group(1)}{target}{close}"
                candidates = []
                if quoted:
                    candidates.append(os.path.join(folder, target))
                    candidates.append(os.path.join(host, "src", target))
                candidates += [os.path.join(r, target) for r in allowed_roots]
                found = next((os.path.realpath(c) for c in candidates if os.path.isfile(c)), None)
                if found is not None:
                    if not allowed_file(found):
                        problems.append(f"{where}: {describe(found)} is not the device's "
                                        "datasheet (firmware-model/include/hilcap/device/)")
                    continue
                elsewhere = [os.path.join(r, target) for r in foreign_roots]
                elsewhere += [os.path.join(r, os.path.basename(target)) for r in foreign_roots]
                reached = next((c for c in elsewhere if os.path.isfile(c)), None)
                if reached is not None:
                    problems.append(f"{where}: names {describe(os.path.realpath(reached))}, "
                                    "outside host/ and the datasheet")
                elif quoted:
                    problems.append(f"{where}: not found in host/ (a quoted include names a "
                                    "file of host/ itself)")
                # An angle-bracket include found nowhere in the project: a system header.

    commands_file = os.path.join(build_dir, "compile_commands.json")
    with open(commands_file, encoding="utf-8") as f:
        commands = json.load(f)
    allowed_dirs = [host, os.path.join(root, "firmware-model", "include"),
                    os.path.join(root, "machine", "include")]
    # A unity build (the Makefile's) compiles meson's *-unity*.cpp files from
    # the build directory, each #including sources of one target: a host/
    # unit when every source it includes is host/'s.
    def unity_of_host(source):
        if "-unity" not in os.path.basename(source):
            return False
        try:
            with open(source, encoding="utf-8") as unity:
                included = re.findall(r'^#include\s*[<"]([^>"]+)[>"]', unity.read(), re.M)
        except OSError:
            return False
        resolved = [os.path.realpath(os.path.join(os.path.dirname(source), name))
                    for name in included]
        return bool(resolved) and all(path.startswith(host + os.sep) for path in resolved)

    host_units = 0
    for entry in commands:
        directory = entry.get("directory", build_dir)
        source = os.path.realpath(os.path.join(directory, entry["file"]))
        if not (source.startswith(host + os.sep) or unity_of_host(source)):
            continue
        host_units += 1
        words = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
        paths = []
        for i, word in enumerate(words):
            if word in ("-I", "-isystem", "-iquote") and i + 1 < len(words):
                paths.append(words[i + 1])
            elif word.startswith("-I") and len(word) > 2:
                paths.append(word[2:])
            elif word.startswith("-isystem") and len(word) > 8:
                paths.append(word[8:])
        for include_path in paths:
            resolved = os.path.realpath(os.path.join(directory, include_path))
            in_project = resolved == root or resolved.startswith(root + os.sep)
            in_build = resolved.startswith(os.path.realpath(build_dir) + os.sep)
            if not in_project or in_build:
                continue
            if not any(resolved == d or resolved.startswith(d + os.sep) for d in allowed_dirs):
                problems.append(f"{describe(source)}: compiled with -I{describe(resolved)}, an "
                                "include path outside host/ and the datasheet")

    if host_units == 0:
        problems.append(f"{commands_file} lists no source of host/")
    for problem in problems:
        print(problem)
    print(f"host includes: {checked} #include lines and {host_units} compile commands of host/ "
          f"checked, {len(problems)} outside the datasheet")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: host_includes_datasheet_only.py SOURCE_ROOT BUILD_DIR")
    sys.exit(main(sys.argv[1], sys.argv[2]))
