#!/bin/sh
# `hilcap-fake-cameras --scenario FILE` end to end, as a user runs it: the
# scenario's device model plugged as a UVC camera under umockdev, and
# `hilcap run` on a scenario whose device section names that camera
# ("device": {"usb": ...}) runs its clients, script and expectations against
# it through the KS pin:
#   1. the contract scenario's device (bulk, YUY2): every expectation met, exit 0;
#   2. the same camera, an unmet expectation and an unmet script step: exit 1,
#      naming both;
#   3. an isochronous MJPEG device with its own id, serial, a stall and an
#      error frame: found by its serial, streamed as MJPEG, the stall and the
#      error frame seen at the host;
#   4. --scenario given a camera scenario (a device to stream, not to plug):
#      refused naming the file and /device/usb, exit 2;
#   5. a device USB cannot carry as written (replay.json's 640x480 frames at
#      its replayed intervals, isochronous): refused as `hilcap serve`
#      refuses it, at /device/format, exit 2;
#   6. the device's disconnect fault: the fake camera leaves the bus after
#      frame 10; the run stops saying so (exit 1), its report written.
#
# usage: fake_camera_scenario.sh UMOCKDEV_WRAPPER HILCAP_FAKE_CAMERAS SOURCE_DIR
set -u
wrapper=$1
cameras=$2
src=$3
here="$src/tests/usb/scenarios"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0

fail() {
  echo "FAIL: $*" >&2
  echo "--- stdout" >&2; cat "$dir/out" >&2
  echo "--- stderr" >&2; cat "$dir/err" >&2
  failed=1
}
# run EXPECTED_STATUS --scenario DEVICE -- HILCAP ARGS...
run() {
  want=$1
  shift
  "$wrapper" "$cameras" "$@" >"$dir/out" 2>"$dir/err"
  status=$?
  [ "$status" -eq "$want" ] || fail "$* exited $status, expected $want"
}
has() {  # has FILE TEXT
  grep -qF -- "$2" "$dir/$1" || fail "$1 lacks: $2"
}

# 1. Every expectation met on the camera.
run 0 --scenario "$src/tests/scenarios/camera_contract_script.json" \
  -- run "$here/viewer_on_camera.json" --report "$dir/report.json"
has err "camera_contract_script.json plugged as cafe:4011 at 1:2 (bulk)"
has out "expectations: all 10 met"

# 2. Unmet: exit 1, naming the expectation and the script step.
run 1 --scenario "$src/tests/scenarios/camera_contract_script.json" \
  -- run "$here/unmet_on_camera.json"
has out "expectation not met: arrival.stalls: expected exactly 1, found 0"
has out "step expectation not met: /script/0"

# 3. Isochronous MJPEG with the scenario's ids, serial, stall and error frame.
run 0 --scenario "$here/mjpeg_iso_device.json" -- run "$here/mjpeg_iso_on_camera.json"
has err "plugged as 1d6b:0102#SCENARIO-7 at 1:2 (isochronous, MJPEG)"
has err "MJPEG 320x240 at 30 fps"

# 4. A camera scenario is not a device to plug.
run 2 --scenario "$here/viewer_on_camera.json" -- devices
has err "viewer_on_camera.json: at /device/usb: expected a simulated device"

# 5. A device that cannot be presented on USB as written.
run 2 --scenario "$src/tests/scenarios/replay.json" -- devices
has err "replay.json: at /device/format: expected a frame size and rate that isochronous transfers"

# 6. The scenario's disconnect fault unplugs the camera.
run 1 --scenario "$here/disconnect_device.json" \
  -- run "$here/until_unplugged_on_camera.json" --report "$dir/unplugged.json"
has err "the camera cafe:4011 left the bus"
python3 - "$dir/unplugged.json" <<'PY' || fail "report of the unplugged run"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["realtime"]["stopped_by"] == "device_gone", r["realtime"]["stopped_by"]
assert r["device"]["connected_at_end"] is False
# Frames 0-9 left before the fault; a loaded machine may let one be overwritten.
assert 8 <= r["frames"]["received"] <= 10, r["frames"]["received"]
assert r["requests"]["pending_at_end"] == 0
PY

exit $failed
