// A small benchmark harness that measures a subject and its baseline side by
// side in one process, the way ../shared/reference/perf-limits.md measured the
// machine: every repeat runs each variant once, in an order that rotates from
// repeat to repeat, and the ratio subject/baseline is taken within each repeat
// (absolute figures drift on a shared host; ratios taken in the same repeat do
// not). Reports the median and [min-max] over repeats of each figure and of
// each ratio, as a readable table and optionally as JSON.
#pragma once

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace hilcap::bench {

// Keeps `value` (and the work that produced it) from being optimised away.
template <typename T>
inline void keep(T const& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}
inline void clobber_memory() {
  asm volatile("" : : : "memory");
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Pins the calling thread to one CPU (no-op where that fails, e.g. 1 CPU).
inline void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

struct Spread {
  double median = 0, min = 0, max = 0;
};

inline Spread spread_of(std::vector<double> values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  s.min = values.front();
  s.max = values.back();
  return s;
}

// One figure measured per repeat, e.g. "ns per ALLOC+FREE pair".
struct Variant {
  std::string name;
  std::function<double()> measure;  // runs the workload once, returns the figure
  std::vector<double> samples;
};

// A ratio to report: subject / baseline (per repeat), with the target.
struct Ratio {
  std::string subject;
  std::string baseline;
  double target = 0;    // 0: no target
  bool at_most = true;  // target is an upper bound (costs) or a lower bound (rates)
};

class Suite {
 public:
  Suite(std::string title, std::string unit, int repeats)
      : title_(std::move(title)), unit_(std::move(unit)), repeats_(repeats) {}

  void add(std::string name, std::function<double()> measure) {
    variants_.push_back({std::move(name), std::move(measure), {}});
  }
  void compare(Ratio ratio) { ratios_.push_back(std::move(ratio)); }

  // Runs every variant `repeats` times, rotating the order each repeat.
  void run() {
    const std::size_t n = variants_.size();
    for (int r = 0; r < repeats_; ++r) {
      for (std::size_t i = 0; i < n; ++i) {
        Variant& v = variants_[(i + static_cast<std::size_t>(r)) % n];
        v.samples.push_back(v.measure());
      }
    }
  }

  // Table on stdout; returns false when a ratio misses its target.
  bool print() const {
    bool all_met = true;
    std::printf("\n## %s\n\n| variant | median %s | [min - max] |\n|---|---|---|\n", title_.c_str(),
                unit_.c_str());
    for (const Variant& v : variants_) {
      const Spread s = spread_of(v.samples);
      std::printf("| %s | %.3f | [%.3f - %.3f] |\n", v.name.c_str(), s.median, s.min, s.max);
    }
    if (!ratios_.empty()) {
      std::printf(
          "\n| ratio (per repeat) | median | [min - max] | target | met |\n"
          "|---|---|---|---|---|\n");
    }
    for (const Ratio& ratio : ratios_) {
      const Spread s = spread_of(ratio_samples(ratio));
      std::string target = "-";
      bool met = true;
      if (ratio.target > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s %.2f", ratio.at_most ? "<=" : ">=", ratio.target);
        target = buf;
        met = ratio.at_most ? s.median <= ratio.target : s.median >= ratio.target;
        all_met = all_met && met;
      }
      std::printf("| %s / %s | %.3f | [%.3f - %.3f] | %s | %s |\n", ratio.subject.c_str(),
                  ratio.baseline.c_str(), s.median, s.min, s.max, target.c_str(),
                  ratio.target > 0 ? (met ? "yes" : "NO") : "-");
    }
    std::fflush(stdout);
    return all_met;
  }

  std::vector<double> ratio_samples(const Ratio& ratio) const {
    const Variant* a = find(ratio.subject);
    const Variant* b = find(ratio.baseline);
    std::vector<double> out;
    if (!a || !b) return out;
    for (std::size_t i = 0; i < a->samples.size() && i < b->samples.size(); ++i)
      out.push_back(a->samples[i] / b->samples[i]);
    return out;
  }

 private:
  const Variant* find(const std::string& name) const {
    for (const Variant& v : variants_)
      if (v.name == name) return &v;
    return nullptr;
  }

  std::string title_;
  std::string unit_;
  int repeats_;
  std::vector<Variant> variants_;
  std::vector<Ratio> ratios_;
};

}  // namespace hilcap::bench
