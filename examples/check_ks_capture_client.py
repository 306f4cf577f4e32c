#!/usr/bin/env python3
"""Runs the KS capture client (examples/ks_capture_client.c) against a
scenario and checks every frame it prints against what the scenario sets.

    check_ks_capture_client.py SCENARIO CLIENT [FRAMES]

The client runs with HILCAP_DEVICES=SCENARIO. From the scenario's device
section (fps, drop_frames, stalls at_frame, error faults at_frame) follow the
frames the device drops and the one it reports as an error; a frame numbered
k from the pin's entry into RUN has PictureNumber k + 1. Each printed frame
must then have:
  - a PictureNumber above the previous one, never one the scenario drops;
  - DropCount = PictureNumber - (frames printed so far), i.e. every picture
    is either delivered or counted as dropped (PictureNumber = captured +
    dropped);
  - DATADISCONTINUITY exactly when pictures are missing just before it;
  - the error flag and DataUsed 0 exactly on the scenario's error frames, the
    whole frame (width x height x 2 for YUY2) on the others;
  - TIMEVALID and DURATIONVALID, and a PresentationTime within 10 ms of the
    frame's grid time k / fps.
Frames the client itself dropped (no read waiting, a late client on a loaded
machine) are allowed and reported; the scenario's own drops must all show.
The dropped-frames line must agree with the last frame, and STOP must end
the reads still pending with ERROR_OPERATION_ABORTED. Exit status 0 when all
holds; the client's output is printed either way."""

import json
import os
import re
import subprocess
import sys
from fractions import Fraction

FRAME_LINE = re.compile(
    r"^frame +(?P<index>\d+): PictureNumber +(?P<picture>\d+) DropCount +(?P<drops>\d+) "
    r"flags 0x(?P<flags>[0-9a-f]{8})[A-Z ]* DataUsed (?P<used>\d+) time (?P<time>[0-9.]+) ms$")
DROPPED_LINE = re.compile(r"^dropped frames: PictureNumber (\d+) DropCount (\d+)")
STOP_LINE = re.compile(r"^STOP: (\d+) pending read\(s\) ended with ERROR_OPERATION_ABORTED$")

TIMEVALID = 0x10
DURATIONVALID = 0x100
DISCONTINUITY = 0x4
HILCAP_ERROR = 0x40000000
TIME_TOLERANCE_MS = 10.0
BYTES_PER_PIXEL = {"YUY2": Fraction(2), "NV12": Fraction(3, 2), "GREY": Fraction(1)}


def frame_interval_ms(timing):
    if "interval_us" in timing:
        return Fraction(timing["interval_us"]) / 1000
    fps = timing.get("fps", 30)
    if isinstance(fps, str):
        num, _, den = fps.partition("/")
        fps = Fraction(int(num), int(den or 1))
    return 1000 / Fraction(fps)


def scenario_frames(path):
    """(interval in ms, frames the device drops, error frames, bytes a frame)."""
    with open(path, encoding="utf-8") as file:
        device = json.load(file).get("device", {})
    timing = device.get("timing", {})
    interval = frame_interval_ms(timing)
    unsupported = [key for key in ("jitter", "bursts", "replay", "drop_probability")
                   if key in timing]
    if unsupported:
        sys.exit(f"{path}: this check does not model device.timing.{unsupported[0]}")
    dropped = set(timing.get("drop_frames", []))
    for stall in timing.get("stalls", []):
        if "at_frame" not in stall:
            sys.exit(f"{path}: this check models stalls given by at_frame only")
        start = stall["at_frame"] * interval
        end = start + Fraction(stall["duration_ms"])
        frame = stall["at_frame"]
        while frame * interval < end:
            dropped.add(frame)
            frame += 1
    errors = set()
    for fault in device.get("faults", []):
        if fault.get("kind") != "error" or "at_frame" not in fault:
            sys.exit(f"{path}: this check models error faults given by at_frame only")
        errors.add(fault["at_frame"])
    frame_bytes = (device.get("width", 640) * device.get("height", 480) *
                   BYTES_PER_PIXEL[device.get("format", "YUY2")])
    return interval, dropped, errors, int(frame_bytes)


def check(output, scenario, frames_wanted):
    interval, scenario_drops, error_frames, frame_bytes = scenario_frames(scenario)
    problems = []
    frames = [m.groupdict() for m in map(FRAME_LINE.match, output.splitlines()) if m]
    if len(frames) != frames_wanted:
        problems.append(f"expected {frames_wanted} frame lines, found {len(frames)}")
    previous = 0
    late_drops = []
    for position, frame in enumerate(frames, start=1):
        picture, drops = int(frame["picture"]), int(frame["drops"])
        flags, used, time_ms = int(frame["flags"], 16), int(frame["used"]), float(frame["time"])
        k = picture - 1
        where = f"frame {position} (PictureNumber {picture})"
        if picture <= previous:
            problems.append(f"{where}: PictureNumber not above the previous {previous}")
        missing = range(previous + 1, picture)
        for gone in missing:
            if gone - 1 not in scenario_drops:
                late_drops.append(gone)
        if k in scenario_drops:
            problems.append(f"{where}: the scenario drops frame {k}, yet it was delivered")
        if drops != picture - position:
            problems.append(f"{where}: expected DropCount {picture - position} "
                            f"(PictureNumber - frames delivered), found {drops}")
        if bool(flags & DISCONTINUITY) != bool(missing):
            problems.append(f"{where}: expected DATADISCONTINUITY "
                            f"{'set' if missing else 'clear'}, flags 0x{flags:08x}")
        is_error = k in error_frames
        if bool(flags & HILCAP_ERROR) != is_error:
            problems.append(f"{where}: expected the error flag {'set' if is_error else 'clear'}, "
                            f"flags 0x{flags:08x}")
        expected_used = 0 if is_error else frame_bytes
        if used != expected_used:
            problems.append(f"{where}: expected DataUsed {expected_used}, found {used}")
        if (flags & (TIMEVALID | DURATIONVALID)) != (TIMEVALID | DURATIONVALID):
            problems.append(f"{where}: expected TIMEVALID and DURATIONVALID, flags 0x{flags:08x}")
        grid = float(k * interval)
        if abs(time_ms - grid) > TIME_TOLERANCE_MS:
            problems.append(f"{where}: PresentationTime {time_ms} ms, expected {grid:.1f} ms "
                            f"(+-{TIME_TOLERANCE_MS} ms)")
        previous = picture
    dropped = [DROPPED_LINE.match(line) for line in output.splitlines()]
    dropped = [m for m in dropped if m]
    if not dropped:
        problems.append("no 'dropped frames:' line")
    elif frames:
        picture, drops = int(dropped[0].group(1)), int(dropped[0].group(2))
        last_picture, last_drops = int(frames[-1]["picture"]), int(frames[-1]["drops"])
        # Frames keep coming while the client prints: the counters only grow.
        if picture < last_picture or drops < last_drops:
            problems.append(f"KSPROPERTY_DROPPEDFRAMES_CURRENT {picture}/{drops} behind the last "
                            f"frame's {last_picture}/{last_drops}")
    if not any(STOP_LINE.match(line) for line in output.splitlines()):
        problems.append("no 'STOP: ... ERROR_OPERATION_ABORTED' line")
    if late_drops:
        print(f"note: the client was late for PictureNumber(s) {late_drops} "
              "(dropped by the pin with no read waiting; counted, not a failure)")
    return problems


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    scenario, client = sys.argv[1], sys.argv[2]
    frames_wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    env = dict(os.environ, HILCAP_DEVICES=scenario)
    run = subprocess.run([client, str(frames_wanted)], env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    problems = check(run.stdout, scenario, frames_wanted)
    if run.returncode != 0:
        problems.append(f"the client exited with status {run.returncode}")
    for problem in problems:
        print(f"MISMATCH: {problem}")
    print("check: " + ("every frame as the scenario sets" if not problems
                       else f"{len(problems)} mismatch(es)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
