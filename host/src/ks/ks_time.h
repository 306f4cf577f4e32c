// KS times (KSTIME, REFERENCE_TIME, AvgTimePerFrame) are in 100 ns units.
#pragma once

#include <hilcap/ks.h>

namespace hilcap::ks {

inline constexpr LONGLONG kNsPer100Ns = 100;

}  // namespace hilcap::ks
