# Shared by the guest scripts of the qemu suite (busybox sh). Results go to
# the serial console as lines the host's runner parses:
#   HILCAP-CHECK <name> PASS|FAIL <detail>
#   HILCAP-FIGURE <name> <value>
# Cameras are told apart by their idProduct (each scenario has its own
# "device.uvc.id").

uptime_s() { cut -d' ' -f1 /proc/uptime; }
say() { echo "[guest $(uptime_s)] $*"; }

check() {  # check NAME CONDITION-EXIT-STATUS DETAIL
  if [ "$2" = 0 ]; then echo "HILCAP-CHECK $1 PASS $3"; else echo "HILCAP-CHECK $1 FAIL $3"; fi
}
figure() { echo "HILCAP-FIGURE $1 $2"; }

# The USB device directory (in /sys/bus/usb/devices) of the camera with this idProduct.
usb_device_of() {
  for d in /sys/bus/usb/devices/*; do
    [ -f "$d/idProduct" ] && [ "$(cat "$d/idProduct")" = "$1" ] && { echo "$d"; return 0; }
  done
  return 1
}

# The capture node of the camera with this idProduct (uvcvideo's index-0 node).
video_of() {
  for v in /sys/class/video4linux/video*; do
    [ -e "$v/device" ] || continue
    [ "$(cat "$v/index" 2>/dev/null)" = 0 ] || continue
    iface=$(readlink -f "$v/device")
    [ "$(cat "$iface/../idProduct" 2>/dev/null)" = "$1" ] && { echo "/dev/$(basename "$v")"; return 0; }
  done
  return 1
}

# wait_for_camera NAME PRODUCT [SECONDS]: enumerated, uvcvideo bound, node present.
# Prints the node; records the checks.
wait_for_camera() {
  name=$1; product=$2; limit=$(( ${3:-20} * 10 )); i=0
  while [ $i -lt $limit ]; do
    node=$(video_of "$product") && break
    sleep 0.1; i=$((i + 1))
  done
  dev=$(usb_device_of "$product")
  check "$name.enumerated" $([ -n "$dev" ]; echo $?) "usb device ${dev##*/} $(cat "$dev/idVendor" 2>/dev/null):$product speed $(cat "$dev/speed" 2>/dev/null) Mb/s"
  drv=$(basename "$(readlink "$dev"/*:1.0/driver 2>/dev/null)" 2>/dev/null)
  check "$name.uvcvideo_bound" $([ "$drv" = uvcvideo ]; echo $?) "driver '${drv}'"
  check "$name.video_node" $([ -n "$node" ]; echo $?) "${node:-none} after $((i / 10)).$((i % 10)) s"
  [ -n "$node" ] && echo "$node" > "/tmp/$name.node"
}

node_of() { cat "/tmp/$1.node" 2>/dev/null; }

# compliance NAME: v4l2-compliance on the camera's node, 0 failures.
compliance() {
  name=$1; node=$(node_of "$name") || return
  v4l2-compliance -d "$node" > "/tmp/$name.compliance" 2>&1
  total=$(grep '^Total for' "/tmp/$name.compliance" | tail -1)
  failed=$(echo "$total" | sed -n 's/.*Failed: \([0-9]*\).*/\1/p')
  check "$name.compliance" $([ -n "$failed" ] && [ "$failed" = 0 ]; echo $?) "$total"
  [ "$failed" = 0 ] || grep -E 'fail|FAIL' "/tmp/$name.compliance" | head -10
  figure "$name.compliance" "$(echo "$total" | sed -n 's/.*: \([0-9]*\), Succeeded: \([0-9]*\), Failed: \([0-9]*\), Warnings: \([0-9]*\).*/\1 tests \2 succeeded \3 failed \4 warnings/p')"
}

# capture NAME COUNT FORMAT W H [v4l2-ctl args...]: COUNT frames with
# v4l2-ctl --stream-mmap; every frame's in-band header read by hil-frames.
# Leaves /tmp/NAME.frames (hil-frames' lines) and /tmp/NAME.bufs (v4l2-ctl's
# per-buffer lines: sequence, timestamp, flags).
capture() {
  name=$1; count=$2; format=$3; w=$4; h=$5; shift 5
  node=$(node_of "$name") || return
  t0=$(uptime_s)
  v4l2-ctl -d "$node" --stream-mmap --stream-count="$count" --stream-poll --verbose \
    --stream-to-hdr="/tmp/$name.cap" "$@" > "/tmp/$name.v4l2" 2>&1
  status=$?
  grep 'dqbuf:' "/tmp/$name.v4l2" > "/tmp/$name.bufs"
  hil-frames "/tmp/$name.cap" "$format" "$w" "$h" > "/tmp/$name.frames"
  summary=$(tail -1 "/tmp/$name.frames")
  say "$name: v4l2-ctl exit $status in $(echo "$(uptime_s) $t0" | awk '{printf "%.2f", $1 - $2}') s; $summary"
  set -- $summary   # frames N headers N first F last L gaps G missing M decoded D bad B backwards K
  frames=$2; headers=$4; bad=${16}; backwards=${18}
  check "$name.frames" $([ "$frames" = "$count" ]; echo $?) "$frames of $count frames (v4l2-ctl exit $status)"
  check "$name.in_band_headers" $([ "$headers" = "$frames" ] && [ "$bad" = 0 ]; echo $?) "$headers headers with magic, $bad bad; sequence $6..$8, ${10} gaps, ${12} missing"
  # Frames the host did not take in time are overwritten by the next (the
  # device's frame buffer), so gaps may happen; out of order never.
  check "$name.sequence_increasing" $([ "$backwards" = 0 ]; echo $?) "$backwards frames out of order"
  # Frames per second from the buffers' timestamps (first to last).
  fps=$(awk '{for (i = 1; i <= NF; i++) if ($i == "ts:") t[n++] = $(i + 1)} END {if (n > 1 && t[n-1] > t[0]) printf "%.2f", (n - 1) / (t[n-1] - t[0]); else print "0"}' "/tmp/$name.bufs")
  figure "$name.fps" "$fps"
  figure "$name.frames" "$frames frames, in-band sequence $6..$8, ${12} missing"
}
