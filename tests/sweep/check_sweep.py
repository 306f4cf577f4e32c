#!/usr/bin/env python3
"""hilcap sweep end to end (issue 14), on tests/sweep/hold_pool.json, whose
answer is known by arithmetic: at 30 fps with a 2 ms DMA, a client holding
each frame h ms from its delivery needs a pool of ceil((h + 2) / 33.33)
frames to drop none (the scenario's description derives it).

  1. the sweep over pool sizes 1..8 and hold times finds that smallest pool
     for each hold time (its answer line) and the CSV agrees row by row;
  2. three shards (--shard 1/3 .. 3/3) merged with --merge give the same CSV
     and answer as the whole grid at once;
  3. a row re-run with `hilcap run` (its "rerun" command: --seed and --set)
     gives the same figure.
"""

import csv
import io
import json
import math
import os
import shlex
import shutil
import subprocess
import sys

HOLDS = [10, 31, 32, 40, 70, 100, 135]
PERIOD_MS = 1000 / 30
DMA_MS = 2


def run(command):
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        print(f"FAIL: {' '.join(command)} ended with {done.returncode}\n{done.stdout}\n{done.stderr}")
        sys.exit(1)
    return done.stdout


def main():
    hilcap, scenario, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    grid = ["--vary", "/allocator/frames=1..8",
            "--vary", "/clients/0/hold/ms=" + ",".join(map(str, HOLDS)),
            "--metric", "frames.dropped.total"]
    whole_dir = os.path.join(work, "whole")
    out = run([hilcap, "sweep", scenario] + grid + ["--jobs", "2", "--out", whole_dir])

    # 1. The known answer.
    smallest = [max(1, math.ceil((h + DMA_MS) / PERIOD_MS)) for h in HOLDS]
    expected = ("answer: /allocator/frames >= {} gives frames.dropped.total = 0 for every "
                "/clients/0/hold/ms in {}; the smallest /allocator/frames with "
                "frames.dropped.total = 0: {}").format(
        max(smallest), ", ".join(map(str, HOLDS)),
        ", ".join(f"{s} at /clients/0/hold/ms={h}" if i == 0 else f"{s} at {h}"
                  for i, (s, h) in enumerate(zip(smallest, HOLDS))))
    if expected not in out.splitlines():
        print(f"FAIL: expected the line\n{expected}\nin\n{out}")
        return 1
    whole_csv = open(os.path.join(whole_dir, "sweep.csv"), newline="").read()
    for row in csv.DictReader(io.StringIO(whole_csv)):
        frames, hold = int(row["/allocator/frames"]), int(row["/clients/0/hold/ms"])
        zero = int(row["frames.dropped.total"]) == 0
        if zero != (frames >= smallest[HOLDS.index(hold)]):
            print(f"FAIL: {frames} frames, hold {hold} ms: dropped {row['frames.dropped.total']}")
            return 1

    # 2. Shards merged = the whole.
    shard_dirs = []
    for i in (1, 2, 3):
        shard_dirs.append(os.path.join(work, f"shard{i}"))
        run([hilcap, "sweep", scenario] + grid + ["--shard", f"{i}/3", "--out", shard_dirs[-1]])
    merged_dir = os.path.join(work, "merged")
    merged_out = run([hilcap, "sweep", "--merge"] + shard_dirs + ["--out", merged_dir])
    merged_csv = open(os.path.join(merged_dir, "sweep.csv"), newline="").read()
    if merged_csv != whole_csv or expected not in merged_out.splitlines():
        print(f"FAIL: the merged shards differ from the whole grid:\n{merged_out}")
        return 1

    # 3. A row re-run alone.
    rows = json.load(open(os.path.join(whole_dir, "sweep.json")))["rows"]
    row = next(r for r in rows if r["metrics"]["frames.dropped.total"] > 0)
    report = os.path.join(work, "rerun.json")
    command = shlex.split(row["rerun"])
    run([hilcap] + command[1:] + ["--report", report, "--no-wall-time"])
    figure = json.load(open(report))["frames"]["dropped"]["total"]
    if figure != row["metrics"]["frames.dropped.total"]:
        print(f"FAIL: {row['rerun']} dropped {figure}, the sweep's row says "
              f"{row['metrics']['frames.dropped.total']}")
        return 1
    print(f"OK: {expected}\nshards 1/3..3/3 merged = the whole grid; "
          f"`{row['rerun']}` repeats row {row['row']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
