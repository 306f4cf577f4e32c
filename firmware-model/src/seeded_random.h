// Seeded, deterministic randomness for the device model.
//
// The engine is SplitMix64 (Steele, Lea, Flood 2014), used counter-based: draw
// i of a stream is SplitMix64's i-th output for a key derived from (seed,
// stream). A draw therefore depends only on (seed, stream, index), never on how
// many draws happened before, which keeps the timing engine a pure function of
// the frame number. Distributions are derived here with integer arithmetic only
// (no std:: distributions, no floating point after configuration), so every run
// on every machine gives the same values.
#pragma once

#include <hilcap/device_internal.h>

#include <cmath>
#include <cstdint>

namespace hilcap::device {

inline constexpr std::uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;

// SplitMix64's output function (a bijection of 64-bit values).
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Named streams, so that e.g. jitter and random drops never share draws.
enum class DrawStream : std::uint64_t {
  kJitter = 1,
  kNormalJitter = 2,
  kRandomDrop = 3,
  kFault = 16,  // + index of the fault in the configuration
};

class SeededDraws {
 public:
  SeededDraws(std::uint64_t seed, std::uint64_t stream)
      : key_(mix64(seed ^ mix64(stream * kGoldenGamma))) {}
  SeededDraws(std::uint64_t seed, DrawStream stream)
      : SeededDraws(seed, static_cast<std::uint64_t>(stream)) {}

  // The index-th draw of this stream: uniform over all 64-bit values.
  std::uint64_t at(std::uint64_t index) const { return mix64(key_ + (index + 1) * kGoldenGamma); }

 private:
  std::uint64_t key_;
};

// Uniform integer in [0, n) from a 64-bit draw (multiply-shift, no modulo bias
// beyond 2^-64 per value).
inline std::uint64_t uniform_below(std::uint64_t draw, std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(draw) * n) >> 64);
}

// A draw compared with a threshold from probability_threshold() is a Bernoulli
// trial: true with the configured probability.
struct ProbabilityThreshold {
  std::uint64_t below = 0;  // draws below this succeed
  bool always = false;      // probability 1

  bool hit(std::uint64_t draw) const { return always || draw < below; }
  bool never() const { return !always && below == 0; }
};

// p in [0, 1] (validated by the configuration). The conversion is exact IEEE
// arithmetic, identical on every machine.
inline ProbabilityThreshold probability_threshold(double p) {
  if (!(p > 0.0)) return {};
  if (p >= 1.0) return {.below = 0, .always = true};
  return {.below = static_cast<std::uint64_t>(std::ldexp(p, 64)), .always = false};
}

}  // namespace hilcap::device
