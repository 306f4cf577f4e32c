#!/usr/bin/env bash
# Usage: gtest-filters-cover.sh <gtest executable> <filter>...
# Several meson tests share one GoogleTest executable, each running the part
# its --gtest_filter selects. This fails, naming them, when the executable holds
# tests that no filter selects: a test added under a new suite name would
# otherwise build and never run.
set -euo pipefail

exe=$1
shift
patterns=$(IFS=:; echo "$*")

# gtest lists "Suite." lines and, under each, its tests indented by two spaces.
unselected=$("$exe" --gtest_list_tests "--gtest_filter=-$patterns" |
  awk '/^[^ ]/ { suite = $1 } /^  / { print suite $1 }')

if [[ -n "$unselected" ]]; then
  echo "$(basename "$exe"): tests that no meson test's --gtest_filter selects" \
    "(add their suite to a filter in the meson.build next to them):" >&2
  echo "$unselected" >&2
  exit 1
fi
echo "$(basename "$exe"): every test is selected by a filter"
