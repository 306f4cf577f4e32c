#!/usr/bin/env python3
"""Where `make test`'s time went, read from the build trees it left.

    scripts/build-time-profile.py [TREE ...]    (default: build build-asan build-tsan)

For each tree: the compile CPU summed over ninja's steps (.ninja_log, the last
build of each output) and the part of it that is the tests' own code, the
largest steps, and from the last `meson test` (meson-logs/testlog.json) the
wall span of the tests, the seconds summed over tests, and the seconds in
which only one test ran (a test that runs alone, or a long one left at the
end). On 2 processors the compile CPU halved is the least wall time a cold
build of that tree can take.
"""
import json
import os
import sys


def ninja_steps(tree):
    """(seconds, output) of each output's last build."""
    latest = {}
    with open(os.path.join(tree, ".ninja_log")) as log:
        for line in log:
            if line.startswith("#"):
                continue
            start, end, _, output, _ = line.rstrip("\n").split("\t")
            latest[output] = (int(end) - int(start)) / 1000.0
    return [(seconds, output) for output, seconds in latest.items()]


def test_runs(tree):
    path = os.path.join(tree, "meson-logs", "testlog.json")
    if not os.path.exists(path):
        return []
    with open(path) as log:
        return [json.loads(line) for line in log if line.strip()]


def one_test_seconds(runs):
    """Seconds in which exactly one test was running."""
    events = sorted([(r["starttime"], 1) for r in runs] +
                    [(r["starttime"] + r["duration"], -1) for r in runs])
    running, last, alone = 0, events[0][0], 0.0
    for when, change in events:
        if running == 1:
            alone += when - last
        running += change
        last = when
    return alone


def main():
    trees = sys.argv[1:] or ["build", "build-asan", "build-tsan"]
    total_cpu = 0.0
    for tree in trees:
        if not os.path.exists(os.path.join(tree, ".ninja_log")):
            print(f"{tree}: no .ninja_log (not built)")
            continue
        steps = ninja_steps(tree)
        cpu = sum(s for s, _ in steps)
        tests_cpu = sum(s for s, o in steps if o.startswith("tests/"))
        total_cpu += cpu
        print(f"{tree}: compile {cpu:.0f} s CPU in {len(steps)} steps "
              f"(tests' own code {tests_cpu:.0f} s), at least {cpu / 2:.0f} s on 2 processors")
        for seconds, output in sorted(steps, reverse=True)[:5]:
            print(f"  {seconds:6.1f} s  {output}")
        runs = test_runs(tree)
        if runs:
            span = (max(r["starttime"] + r["duration"] for r in runs) -
                    min(r["starttime"] for r in runs))
            busy = sum(r["duration"] for r in runs)
            print(f"  tests: {len(runs)} in {span:.0f} s wall, {busy:.0f} s summed, "
                  f"{one_test_seconds(runs):.0f} s with one test running")
            for run in sorted(runs, key=lambda r: -r["duration"])[:5]:
                print(f"  {run['duration']:6.1f} s  {run['name']}")
    print(f"all trees: compile {total_cpu:.0f} s CPU, at least {total_cpu / 2:.0f} s on 2 processors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
