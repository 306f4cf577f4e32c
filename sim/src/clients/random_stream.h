// Seeded randomness for client models, identical on every machine: a fixed
// engine (std::mt19937_64, whose output the standard defines) and our own
// derivations, never the std:: distributions (whose output is not defined).
#pragma once

#include <cstdint>
#include <random>

#include "scenario/scenario.h"

namespace hilcap::sim {

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1), 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // A draw of `spec` in ns, never negative:
  // - uniform: min + floor(u * (max - min + 1)), every ns equally likely;
  // - normal: Irwin-Hall (the sum of 12 uniforms, minus 6: no libm),
  //   kept within mean +- 3 sigma, then at >= 0;
  // - exponential: -mean * ln(1 - u) (libm's log1p: the one call whose last
  //   bit could differ between C libraries; results are rounded to ns).
  TimeNs draw(const DurationSpec& spec);

 private:
  std::mt19937_64 engine_;
};

}  // namespace hilcap::sim
