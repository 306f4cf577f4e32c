#!/usr/bin/env python3
"""One boot of the qemu suite: serve the device model as USB cameras with
`hilcap serve` (usbredir over unix sockets), boot a Linux guest in QEMU (TCG,
no network) whose USB controller they are plugged into, run a guest script
there, and judge the checks it prints on the serial console.

    run-guest-test.py --hilcap HILCAP --cache DIR --guest DIR --helper BIN...
                      --controller ehci|xhci --script NAME
                      --camera SCENARIO:listen|connect ... [--out DIR]

Guest lines "HILCAP-CHECK NAME PASS|FAIL DETAIL" are the checks and
"HILCAP-FIGURE NAME VALUE" the figures; each camera's `hilcap serve` report
is checked too (it served, it saw no malformed message). Exit status: 0 all
checks passed, 1 a check failed or the guest did not finish, 77 (skipped)
with the reason when QEMU or the guest cannot be had here.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

GUEST_TIMEOUT_S = 150


def skip(reason):
    print(f"qemu suite skipped: {reason}")
    sys.exit(77)


def prepare_guest(args):
    here = os.path.dirname(os.path.realpath(__file__))
    result = subprocess.run([os.path.join(here, "prepare-guest.sh"), args.cache, args.guest, *args.helper],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode == 77:
        skip(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "no guest")
    if result.returncode != 0:
        print(result.stderr)
        sys.exit(f"preparing the guest failed (exit {result.returncode})")
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return values["KERNEL"], values["INITRD"], values.get("KERNEL_PACKAGE", "?").strip('"')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hilcap", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--guest", required=True)
    parser.add_argument("--helper", action="append", default=[])
    parser.add_argument("--controller", choices=["ehci", "xhci"], required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--camera", action="append", default=[])
    parser.add_argument("--append", default="", help="more kernel arguments")
    parser.add_argument("--memory", default="1024", help="guest memory in MiB (captures live in tmpfs)")
    parser.add_argument("--out", help="keep the logs and reports here")
    args = parser.parse_args()

    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        skip("qemu-system-x86_64 is not installed (Debian package qemu-system-x86)")
    kernel, initrd, package = prepare_guest(args)

    work = tempfile.mkdtemp(prefix="hilcap-qemu-")
    out = args.out or work
    os.makedirs(out, exist_ok=True)
    started = time.monotonic()
    serves, qemu_args = [], []
    try:
        for i, spec in enumerate(args.camera):
            scenario, mode = spec.rsplit(":", 1)
            sock = os.path.join(work, f"cam{i}.sock")
            name = os.path.splitext(os.path.basename(scenario))[0]
            report = os.path.join(out, f"{args.script}-{name}.report.json")
            log = open(os.path.join(out, f"{args.script}-{name}.serve.log"), "w")
            command = [args.hilcap, "serve", scenario, "--listen" if mode == "listen" else "--connect",
                       f"unix:{sock}", "--report", report]
            serves.append((name, report, log, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)))
            if mode == "listen":
                for _ in range(100):  # QEMU connects at start: the socket must be there
                    if os.path.exists(sock):
                        break
                    time.sleep(0.05)
                qemu_args += ["-chardev", f"socket,id=cam{i},path={sock}"]
            else:
                qemu_args += ["-chardev", f"socket,id=cam{i},path={sock},server=on,wait=off"]
            qemu_args += ["-device", f"usb-redir,chardev=cam{i},id=redir{i},bus=hc.0"]

        # qemu-xhci pairs its USB 2 and USB 3 ports: 4 of each give 4 ports, and
        # QEMU puts its own full-speed hub on the last free one. 8 of each keep
        # every camera on a port of its own at its own speed.
        controller = "qemu-xhci,p2=8,p3=8" if args.controller == "xhci" else "ich9-usb-ehci1"
        command = [qemu, "-M", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", args.memory,
                   "-nodefaults", "-nographic", "-serial", "stdio", "-monitor", "none", "-nic", "none",
                   "-no-reboot", "-kernel", kernel, "-initrd", initrd,
                   "-append", f"console=ttyS0 loglevel=4 panic=-1 hil.script={args.script} {args.append}",
                   "-device", f"{controller},id=hc", *qemu_args]
        print(f"guest: {package}, {controller}, script {args.script}, {len(serves)} camera(s)")
        guest_log_path = os.path.join(out, f"{args.script}.guest.log")
        with open(guest_log_path, "w") as guest_log:
            guest = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=guest_log,
                                     stderr=subprocess.STDOUT)
            try:
                guest.wait(timeout=GUEST_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                guest.kill()
                guest.wait()
        guest_wall = time.monotonic() - started
        for _, _, _, process in serves:  # the connection closed with QEMU: each ends by itself
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGINT)
                process.wait(timeout=10)
    finally:
        for _, _, log, process in serves:
            if process.poll() is None:
                process.kill()
            log.close()
        # The sockets' folder: with --out the logs live elsewhere, so it goes
        # now, whatever ended the boot (it was once left behind by every run).
        if args.out:
            shutil.rmtree(work, ignore_errors=True)

    lines = open(guest_log_path, errors="replace").read().splitlines()
    failures = 0
    for line in lines:
        if line.startswith("HILCAP-CHECK ") or line.startswith("HILCAP-FIGURE "):
            print(line)
        if line.startswith("HILCAP-CHECK ") and " FAIL " in line:
            failures += 1
    if not any(line.startswith("HILCAP-GUEST-DONE") for line in lines):
        print(f"HILCAP-CHECK guest.finished FAIL no end marker within {GUEST_TIMEOUT_S} s")
        failures += 1
    if not any(line.startswith("HILCAP-CHECK ") for line in lines):
        print("HILCAP-CHECK guest.checks FAIL the guest script printed no check")
        failures += 1
    for name, report_path, _, process in serves:
        try:
            report = json.load(open(report_path))
        except (OSError, ValueError) as e:
            print(f"HILCAP-CHECK {name}.serve_report FAIL no report ({e}); hilcap serve exit {process.returncode}")
            failures += 1
            continue
        served = process.returncode == 0 and report.get("usb", {}).get("connects", 0) >= 1
        malformed = report.get("protocol", {}).get("malformed", 0)
        frames = report.get("frames", {})
        print(f"HILCAP-CHECK {name}.serve {'PASS' if served and malformed == 0 else 'FAIL'} "
              f"exit {process.returncode}, ended: {report.get('serve', {}).get('ended')}, "
              f"{malformed} malformed messages, frames offered {frames.get('offered')} "
              f"sent {frames.get('sent')}, lateness max {frames.get('lateness_us', {}) and frames['lateness_us'].get('max')} us")
        failures += 0 if served and malformed == 0 else 1
    if args.out and os.path.exists(work):
        print(f"HILCAP-CHECK host.cleanup FAIL {work} is still there")
        failures += 1
    print(f"HILCAP-FIGURE {args.script}.wall_s {guest_wall:.1f}")
    if failures:
        print(f"{failures} check(s) failed; guest console: {guest_log_path}")
        for line in lines[-60:]:
            print("  | " + line)
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
