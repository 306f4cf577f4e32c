// The sweep's answer in words: for each metric, where it is zero. The first
// --vary is the knob (the pool size, the hold time), the others the
// conditions; for each condition the knob's values where the metric is 0
// at every seed, read as a boundary:
//   "/allocator/frames >= 5 gives frames.dropped.total = 0 for every
//    /clients/0/hold_ms in 10, 20, 40 (every seed); the smallest: 3 at
//    /clients/0/hold_ms=10, 4 at 20, 5 at 40"
// or, when zero lies below a boundary, "<= T"; a condition where no value
// gives zero is named; a metric never zero says its range.
#pragma once

#include <string>
#include <vector>

#include "sweep/sweep_table.h"

namespace hilcap::sim {

// One sentence per metric of `table` (in its order).
std::vector<std::string> boundary_answers(const SweepTable& table);

}  // namespace hilcap::sim
