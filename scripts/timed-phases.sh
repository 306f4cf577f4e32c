#!/bin/sh
# Runs make targets one after the other (the phases of `make test`) and, at
# the end, prints how long each took, so that a slow phase is seen at once.
# Stops at the first phase that fails (as make would) and still prints the
# table, marking that phase failed; exits with its status.
# Usage: scripts/timed-phases.sh MAKE TARGET...
set -u
make_cmd=$1
shift
summary=""
total=0
status=0
for phase in "$@"; do
  start=$(date +%s)
  $make_cmd --no-print-directory "$phase"
  status=$?
  seconds=$(( $(date +%s) - start ))
  total=$(( total + seconds ))
  if [ "$status" -eq 0 ]; then outcome=ok; else outcome="FAILED (exit $status)"; fi
  summary="$summary$(printf '  %-10s %5d s  %s' "$phase" "$seconds" "$outcome")
"
  [ "$status" -eq 0 ] || break
done
printf '\nmake test: time per phase\n%s  %-10s %5d s (%d min %02d s)\n' \
  "$summary" total "$total" $(( total / 60 )) $(( total % 60 ))
exit "$status"
