#!/bin/sh
# The isochronous soak: `hilcap capture` from the fake isochronous camera
# (hilcap-fake-cameras --model iso, under umockdev) for SECONDS, its resident
# memory sampled every 5 s. Fails when the memory grows by more than
# GROWTH_KB after the first 20 s (the fake camera once grew ~34.5 KB per
# transfer, gigabytes over a few minutes), when frames are lost or damaged,
# (more than 1 %: a loaded machine may delay a client) or when a transfer fails. Suite 'soak': not part of `meson test` or `make
# test`; run it with `make soak` or `meson test -C build --suite soak`.
#
# usage: iso_soak.sh UMOCKDEV_WRAPPER HILCAP_FAKE_CAMERAS [SECONDS] [GROWTH_KB]
set -eu
wrapper=$1
cameras=$2
seconds=${3:-180}
growth_kb=${4:-8192}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$wrapper" "$cameras" --model iso -- capture --device cafe:4012 --duration "$seconds" \
  --report "$dir/report.json" >"$dir/out" 2>"$dir/err" &
pid=$!

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true; }

sleep 20
first=$(rss_kb)
highest=${first:-0}
while kill -0 "$pid" 2>/dev/null; do
  now=$(rss_kb)
  if [ -n "$now" ] && [ "$now" -gt "$highest" ]; then highest=$now; fi
  sleep 5
done
status=0
wait "$pid" || status=$?
cat "$dir/err" >&2
echo "iso soak: ${seconds} s, resident memory ${first:-?} KB after 20 s, at most ${highest} KB"
if [ "$status" -ne 0 ]; then
  echo "iso soak: capture exited with status $status" >&2
  exit 1
fi
if [ -z "$first" ] || [ $((highest - first)) -gt "$growth_kb" ]; then
  echo "iso soak: resident memory grew by more than $growth_kb KB" >&2
  exit 1
fi
python3 - "$dir/report.json" "$seconds" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
seconds = float(sys.argv[2])
frames, usb = report["frames"], report["usb"]
print(f"iso soak: {frames['delivered']} frames delivered, {frames['dropped']['total']} dropped, "
      f"{usb['transfers']['completed']} transfers")
problems = []
if frames["delivered"] < 0.95 * 30 * seconds:
    problems.append(f"expected about {30 * seconds:.0f} frames at 30 fps")
if frames["dropped"]["total"] > 0.01 * frames["delivered"]:
    problems.append("more than 1 % of the frames were dropped")
if any(v != 0 for v in frames["damaged"].values()):
    problems.append("frames were damaged")
if usb["transfers"]["failed"] != 0:
    problems.append("transfers failed")
for p in problems:
    print("iso soak:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
